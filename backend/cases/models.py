"""Questions and cases: one case per question, one timeline across desks.

A case is the entrepreneur's question once Loket has stored it. It lives at one desk at a
time (``desk_id``); hand-offs and escalation move it, but it keeps its reference, its timeline
(``case_event``) and its SLA clock (``received_at``, ``first_response_due_at``,
``escalate_at``). The entrepreneur has no account: private links (``case_access_token``,
stored hashed) are exchanged for a session cookie.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from backend.cases.schemas import SCAN_ATTACHED
from backend.core.db import UtcDateTime, utcnow

# --- vocabularies ------------------------------------------------------------------------

CaseStatus = Literal["new", "assigned", "answered", "closed"]
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)
OPEN_STATUSES = ("new", "assigned", "answered")

# Timeline event kinds.
RECEIVED = "received"
ROUTED = "routed"
ASSIGNED = "assigned"
REPLY = "reply"  # actor "advisor" (an answer) or "entrepreneur"
NOTE = "note"  # always internal
HANDOFF_OFFERED = "handoff_offered"
HANDOFF_ACCEPTED = "handoff_accepted"
HANDOFF_DECLINED = "handoff_declined"
HANDOFF_WITHDRAWN = "handoff_withdrawn"
ESCALATED = "escalated"
CLOSED = "closed"
REOPENED = "reopened"
RATED = "rated"
PUBLISHED = "published"
KEPT_AT_DESK = "kept_at_desk"  # an advisor's intake kept at their own desk (with a reason)
APPOINTMENT_BOOKED = "appointment_booked"
APPOINTMENT_MOVED = "appointment_moved"
APPOINTMENT_CANCELLED = "appointment_cancelled"
REFERRED_OUT = "referred_out"  # referred to an organisation outside Loket
FOLLOWUP_ANSWERED = "followup_answered"
FOLLOWUP_STOPPED = "followup_stopped"
# The entrepreneur's consent to a hand-off: asked through the private link and answered there,
# or given by phone and recorded by the advisor. Data: from_desk, to_desk (slugs), and for a
# recorded one how, given_by, given_at.
CONSENT_ASKED = "consent_asked"
CONSENT_GIVEN = "consent_given"
CONSENT_REFUSED = "consent_refused"
EVENT_KINDS = (RECEIVED, ROUTED, ASSIGNED, REPLY, NOTE, HANDOFF_OFFERED, HANDOFF_ACCEPTED,
               HANDOFF_DECLINED, HANDOFF_WITHDRAWN, ESCALATED, CLOSED, REOPENED, RATED,
               PUBLISHED, KEPT_AT_DESK, APPOINTMENT_BOOKED, APPOINTMENT_MOVED,
               APPOINTMENT_CANCELLED, REFERRED_OUT, SCAN_ATTACHED, FOLLOWUP_ANSWERED,
               FOLLOWUP_STOPPED, CONSENT_ASKED, CONSENT_GIVEN, CONSENT_REFUSED)

# How a question reached Loket: the two self-service doors and an advisor's intake.
Channel = Literal["web", "api", "telefoon", "email", "balie", "evenement"]
CHANNELS: tuple[str, ...] = get_args(Channel)
INTAKE_CHANNELS: tuple[str, ...] = ("telefoon", "email", "balie", "evenement")

ActorKind = Literal["entrepreneur", "advisor", "system"]

HandoffStatus = Literal["offered", "accepted", "declined", "withdrawn"]

COMMENT_MAX = 1000


# --- tables ------------------------------------------------------------------------------

class CaseSequence(SQLModel, table=True):
    """The last reference number handed out per year (``LK-2026-000042``)."""

    __tablename__ = "case_sequence"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class Case(SQLModel, table=True):
    __tablename__ = "question_case"
    __table_args__ = (
        # The inbox (per status, due soonest first) and the router's load figure (counts per
        # desk and status, from the index alone).
        sa.Index("ix_question_case_desk_status_due", "desk_id", "status",
                 "first_response_due_at", "id"),
        sa.Index("ix_question_case_sla", "status", "first_response_due_at"),
        # Today's open and overdue cases per desk (insight's desks view), from the index alone.
        sa.Index("ix_question_case_open_by_desk", "status", "desk_id", "first_responded_at",
                 "first_response_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    status: str = Field(default="new", max_length=16)
    outcome: str | None = Field(default=None, max_length=24)
    source: str = Field(default="web", max_length=8)  # web | api
    # How the question reached Loket: web, api, or an advisor's intake (CHANNELS).
    channel: str = Field(default="web", max_length=12, sa_column_kwargs={"server_default": "web"})
    language: str = Field(default="nl", max_length=2)

    # The question
    text: str = Field(sa_type=sa.Text)
    theme: str | None = Field(default=None, max_length=80)  # picked by the asker
    themes: list[str] = Field(default_factory=list,  # recognised by the router
                              sa_column=Column(JSON, nullable=False))
    municipality_code: str | None = Field(default=None, max_length=6)
    postcode: str | None = Field(default=None, max_length=4)
    sector: str | None = Field(default=None, max_length=80)
    company_size: str | None = Field(default=None, max_length=40)  # a taxonomy size slug

    # The entrepreneur
    contact_email: str = Field(max_length=254, index=True)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=20)
    kvk_number: str | None = Field(default=None, max_length=8)
    consent_at: datetime = Field(sa_type=UtcDateTime)
    # Consent given orally to an advisor: {"given_by", "given_at", "how", "recorded_by"}.
    consent_record: dict[str, Any] | None = Field(default=None,
                                                  sa_column=Column(JSON, nullable=True))
    # The entrepreneur agreed to be asked 3 and 6 months after closing how it went.
    followup_opt_in: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})

    # Where it is and who has it
    desk_id: int = Field(foreign_key="desk.id", ondelete="RESTRICT")
    assigned_to: int | None = Field(default=None, foreign_key="user_account.id",
                                    ondelete="SET NULL", index=True)
    routing: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    # SLA clock: kept across hand-offs and escalation
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    first_response_due_at: datetime = Field(sa_type=UtcDateTime)
    escalate_at: datetime = Field(sa_type=UtcDateTime)
    first_responded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    first_response_desk_id: int | None = Field(default=None, foreign_key="desk.id",
                                               ondelete="SET NULL")
    first_response_seconds: int | None = None  # working seconds from received to first answer
    escalation_level: int = 0  # 0 none, 1 coordinator told, 2 moved to the fallback desk

    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CaseEvent(SQLModel, table=True):
    """One entry of the case's timeline. ``internal`` entries are never shown to the
    entrepreneur (notes, hand-off offers, the coordinator's overdue warning)."""

    __tablename__ = "case_event"
    __table_args__ = (sa.Index("ix_case_event_case_at", "case_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="question_case.id", ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    kind: str = Field(max_length=24)
    actor: str = Field(default="system", max_length=16)  # entrepreneur | advisor | system
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id",
                                      ondelete="SET NULL")
    desk_id: int | None = Field(default=None, foreign_key="desk.id", ondelete="SET NULL")
    internal: bool = False
    body: str | None = Field(default=None, sa_type=sa.Text)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CaseHandoff(SQLModel, table=True):
    __tablename__ = "case_handoff"
    __table_args__ = (sa.Index("ix_case_handoff_to_status", "to_desk_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="question_case.id", index=True, ondelete="CASCADE")
    from_desk_id: int = Field(foreign_key="desk.id", ondelete="CASCADE")
    to_desk_id: int = Field(foreign_key="desk.id", ondelete="CASCADE")
    note: str = Field(sa_type=sa.Text)
    # The advisor confirmed that the entrepreneur agreed to the hand-off.
    consent: bool = False
    status: str = Field(default="offered", max_length=16)
    offered_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    offered_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_note: str | None = Field(default=None, sa_type=sa.Text)


class CaseAccessToken(SQLModel, table=True):
    """A private link. The token (≥128 bits) is shown once in a mail; only its SHA-256 is
    kept. It can be exchanged for a session once."""

    __tablename__ = "case_access_token"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="question_case.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SavedAnswer(SQLModel, table=True):
    """A reusable answer text (Markdown) of one desk."""

    __tablename__ = "saved_answer"

    id: int | None = Field(default=None, primary_key=True)
    desk_id: int = Field(foreign_key="desk.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)
    created_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CaseRating(SQLModel, table=True):
    """The entrepreneur's rating of the answer: one per case, the last one counts."""

    __tablename__ = "case_rating"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    case_id: int = Field(foreign_key="question_case.id", primary_key=True, ondelete="CASCADE")
    desk_id: int | None = Field(default=None, foreign_key="desk.id", ondelete="SET NULL")
    score: int
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)
    rated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
