"""API shapes of the privacy endpoints (no tables: privacy works on every domain's own)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SubjectIn(BaseModel):
    subject: str = Field(min_length=1, max_length=254,
                         description="An e-mail address or a user id")


class ErasureIn(SubjectIn):
    confirm: str = Field(max_length=254, description="The subject again, to confirm")


class ErasureOut(BaseModel):
    erased: dict[str, int] = Field(description="What was removed or anonymised, per kind")


Export = dict[str, Any]
