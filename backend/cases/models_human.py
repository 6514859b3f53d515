"""The human door's tables: appointment slots and bookings, referrals outside Loket, and the
outcome follow-up 3 and 6 months after a case closed.

- ``appointment_booking.slot_id`` is unique: a slot is booked by one case at most, whatever
  the number of simultaneous requests (the database decides, not a check before the insert).
  ``case_id`` is unique too: a case holds one appointment at a time; moving it changes the
  row's slot, cancelling deletes the row (the timeline keeps the history).
- A follow-up (``case_followup``) is one mail of one round (3 or 6 months) with a one-time
  answer link (only its SHA-256 is kept); its answers are rows of (question, answer).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.cases import models as _cases  # noqa: F401 - question_case is an FK target
from backend.core.db import UtcDateTime, utcnow


class AppointmentSlot(SQLModel, table=True):
    """A time a desk offers for a conversation: at a place, by video, or both."""

    __tablename__ = "appointment_slot"
    __table_args__ = (sa.Index("ix_appointment_slot_desk_start", "desk_id", "starts_at"),
                      sa.CheckConstraint("ends_at > starts_at", name="slot_order"))

    id: int | None = Field(default=None, primary_key=True)
    desk_id: int = Field(foreign_key="desk.id", ondelete="CASCADE")
    starts_at: datetime = Field(sa_type=UtcDateTime)
    ends_at: datetime = Field(sa_type=UtcDateTime)
    location: str | None = Field(default=None, max_length=200)
    video_url: str | None = Field(default=None, max_length=500)
    advisor_id: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    created_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class AppointmentBooking(SQLModel, table=True):
    __tablename__ = "appointment_booking"

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="appointment_slot.id", unique=True, ondelete="CASCADE")
    case_id: int = Field(foreign_key="question_case.id", unique=True, ondelete="CASCADE")
    booked_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class CaseReferral(SQLModel, table=True):
    """A case referred to an organisation that is not a Loket desk."""

    __tablename__ = "case_referral"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="question_case.id", index=True, ondelete="CASCADE")
    organisation_slug: str | None = Field(default=None, max_length=200)  # knowledge base
    organisation_name: str = Field(max_length=200)
    organisation_url: str | None = Field(default=None, max_length=500)
    reason: str = Field(sa_type=sa.Text)
    referred_by: int | None = Field(default=None, foreign_key="user_account.id",
                                    ondelete="SET NULL")
    referred_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CaseFollowup(SQLModel, table=True):
    __tablename__ = "case_followup"
    __table_args__ = (sa.UniqueConstraint("case_id", "round", name="uq_case_followup_round"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="question_case.id", index=True, ondelete="CASCADE")
    round: int  # months after closing: 3 or 6
    token_hash: str = Field(max_length=64, unique=True)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class CaseFollowupAnswer(SQLModel, table=True):
    __tablename__ = "case_followup_answer"
    __table_args__ = (sa.UniqueConstraint("followup_id", "question",
                                          name="uq_case_followup_answer_question"),)

    id: int | None = Field(default=None, primary_key=True)
    followup_id: int = Field(foreign_key="case_followup.id", index=True, ondelete="CASCADE")
    question: str = Field(max_length=24)
    answer: str = Field(max_length=16)
