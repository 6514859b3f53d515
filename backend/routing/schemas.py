"""API shapes of the routing endpoints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.routing.router import RoutingDecision


class DryRunRequest(BaseModel):
    text: str = Field(min_length=1, max_length=5000,
                      description="The question, in Dutch or English.")
    municipality: str | None = Field(default=None, max_length=100,
                                     description="CBS code (GM0150) or name of the business's "
                                                 "municipality; former names work too.")
    postcode: str | None = Field(default=None, max_length=10,
                                 description="Postcode (7411 AB or 7411), used when no "
                                             "municipality is given.")
    sector: str | None = Field(default=None, max_length=80, description="Taxonomy sector slug.")
    company_size: Literal["zzp", "micro", "klein", "middel", "groot"] | None = None
    theme: str | None = Field(default=None, max_length=80,
                              description="Theme slug of the topic the asker picked.")


class DeskRef(BaseModel):
    slug: str
    name: str


class DryRunResponse(BaseModel):
    desk: DeskRef
    via: str = Field(description="specialism | theme | general_remit | fallback")
    decided_by: str = Field(description="The criterion that set the chosen desk apart.")
    municipality: dict[str, Any] | None
    main_theme: str | None = Field(default=None,
                                   description="The theme the question was routed on.")
    also_relevant: list[dict[str, Any]] = Field(
        default_factory=list, description="Other topics of the question with their desk.")
    recognised_themes: list[dict[str, Any]]
    explanation: list[dict[str, str]]
    ranking: list[dict[str, Any]]

    @classmethod
    def of(cls, decision: RoutingDecision) -> DryRunResponse:
        return cls.model_validate(decision.as_dict())
