"""What cases offers other domains and its API besides its service and query functions: the
vocabularies of a question and a case, the timeline event kinds other domains add through
``cases.service.add_event``, and the API's bodies and answers (``models.py`` holds the
tables and imports its vocabulary from here)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, EmailStr, field_validator
from pydantic import Field as PField

from backend.core.db import RowId

SCAN_ATTACHED = "scan_attached"  # the scan, with a client (backend/scan/with_client.py)

# --- vocabularies ------------------------------------------------------------------------

Outcome = Literal["answered", "referred", "scheme_applied", "no_follow_up"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

Language = Literal["nl", "en"]

KVK_RE = re.compile(r"^\d{8}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,19}$")
POSTCODE_RE = re.compile(r"^\s*(\d{4})\s*(?:[A-Za-z]{2})?\s*$")

TEXT_MIN, TEXT_MAX = 20, 5000
REPLY_MAX = 10000
NOTE_MAX = 5000


# --- API bodies and answers -------------------------------------------------------------

class QuestionCreate(BaseModel):
    """A question as the form and the API submit it."""

    text: str = PField(min_length=TEXT_MIN, max_length=TEXT_MAX)
    email: EmailStr
    consent: bool
    municipality: str | None = PField(default=None, max_length=100,
                                      description="CBS code (GM0150) or name")
    postcode: str | None = PField(default=None, max_length=10)
    sector: str | None = PField(default=None, max_length=80)
    company_size: str | None = PField(default=None, max_length=40,
                                      description="a company size slug of the taxonomy "
                                      "(GET /api/v1/taxonomy); checked by the service")
    theme: str | None = PField(default=None, max_length=80)
    kvk_number: str | None = PField(default=None, max_length=20)
    name: str | None = PField(default=None, max_length=200)
    phone: str | None = PField(default=None, max_length=30)
    language: Language = "nl"
    followup: bool = PField(default=False, description="May Loket ask 3 and 6 months after "
                            "closing how it went?")

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        value = value.strip()
        if len(value) < TEXT_MIN:
            raise ValueError(f"at least {TEXT_MIN} characters")
        return value

    @field_validator("municipality", "postcode", "sector", "company_size", "theme", "name",
                     "phone", "kvk_number", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("kvk_number")
    @classmethod
    def _kvk(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = value.replace(" ", "").replace(".", "")
        if not KVK_RE.match(digits):
            raise ValueError("a KvK number has 8 digits")
        return digits

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE_RE.match(value):
            raise ValueError("not a phone number")
        return value

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = POSTCODE_RE.match(value)
        if not match:
            raise ValueError("a Dutch postcode looks like 1234 AB")
        return match.group(1)


class DeskRef(BaseModel):
    slug: str
    name: str


class QuestionAccepted(BaseModel):
    reference: str
    status: str
    desk: DeskRef
    explanation: list[dict[str, Any]]
    follow_url: str = PField(description="A private link for the entrepreneur; usable once.")
    first_response_due_at: datetime


class CaseEventPublic(BaseModel):
    at: datetime
    kind: str
    actor: str
    desk: str | None = None
    internal: bool = False
    body: str | None = None
    data: dict[str, Any] = {}


class CasePublic(BaseModel):
    """A case as desk members see it through the API."""

    reference: str
    status: str
    outcome: str | None
    desk: DeskRef
    assigned_to: int | None
    text: str
    theme: str | None
    themes: list[str]
    municipality_code: str | None
    sector: str | None
    company_size: str | None
    contact_email: str
    contact_name: str | None
    contact_phone: str | None
    kvk_number: str | None
    received_at: datetime
    first_response_due_at: datetime
    first_responded_at: datetime | None
    overdue: bool
    escalation_level: int
    timeline: list[CaseEventPublic] = []


class CaseSummary(BaseModel):
    reference: str
    status: str
    theme: str | None
    assigned_to: int | None
    received_at: datetime
    first_response_due_at: datetime
    overdue: bool


class ReplyIn(BaseModel):
    body: str = PField(min_length=1, max_length=REPLY_MAX)


class NoteIn(BaseModel):
    body: str = PField(min_length=1, max_length=NOTE_MAX)


class AssignIn(BaseModel):
    user_id: RowId


class CloseIn(BaseModel):
    outcome: Outcome
    without_answer: bool = PField(default=False, description="Confirms closing a question "
                                  "to which no answer was sent.")


class HandoffIn(BaseModel):
    """A hand-off needs the entrepreneur's recorded consent to this desk: given through the
    private link, recorded earlier, or recorded now with ``consent_given_by`` and
    ``consent_given_at`` (consent given by phone)."""

    to_desk: str = PField(description="slug of the receiving desk")
    note: str = PField(min_length=1, max_length=NOTE_MAX)
    consent_given_by: str | None = PField(default=None, max_length=200,
                                          description="Who gave consent by phone.")
    consent_given_at: datetime | None = PField(default=None,
                                               description="When consent was given by phone.")


class HandoffDecision(BaseModel):
    note: str | None = PField(default=None, max_length=NOTE_MAX)


class HandoffPublic(BaseModel):
    id: int
    from_desk: str
    to_desk: str
    status: str
    note: str
    offered_at: datetime
    decided_at: datetime | None


class DeskFigures(BaseModel):
    open_cases: int
    overdue_cases: int
    answered_cases: int
    median_first_response_hours: float | None
    share_within_target: float | None
    average_rating: float | None = None
    # Questions received at this desk per channel (web, api, telefoon, …).
    per_channel: dict[str, int] = {}
