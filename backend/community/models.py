"""Ecosystem groups: firms, their people, memberships, invitations and join requests.

A firm (``group_firm``) is the unit that joins a group; people (users) belong to one firm.
The role (coordinator or member) is the firm's, in that group: every person of a coordinator
firm may coordinate. Invitation tokens are stored as their SHA-256 only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.db import UtcDateTime, utcnow

GroupRole = Literal["coordinator", "member"]
GROUP_ROLES: tuple[str, ...] = get_args(GroupRole)
COORDINATOR, MEMBER = "coordinator", "member"

RequestStatus = Literal["pending", "approved", "declined"]


class Firm(SQLModel, table=True):
    __tablename__ = "group_firm"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    sector: str = Field(max_length=64)  # taxonomy sector slug
    size_class: str = Field(max_length=16)  # zzp, micro, klein, middel, groot
    # KvK number, 8 digits: one firm per number in a group (service.add_member). Firms made
    # before it was asked, and the example firms, may have none.
    kvk: str | None = Field(default=None, max_length=8, index=True)
    is_example: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class FirmPerson(SQLModel, table=True):
    """A person works for one firm."""

    __tablename__ = "group_firm_person"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE",
                         sa_column_kwargs={"autoincrement": False})
    firm_id: int = Field(foreign_key="group_firm.id", index=True, ondelete="CASCADE")


class GroupBase(SQLModel):
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    purpose: str = Field(default="", max_length=4000)
    sector: str = Field(default="", max_length=64)
    region: str = Field(default="", max_length=120)
    is_example: bool = False
    # Members' figures of periods closed while this is on count in the comparison across
    # groups (same KPI template, period label, sector and size class; docs/disclosure.md).
    allow_cross_group: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class Group(GroupBase, table=True):
    __tablename__ = "community_group"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class GroupPublic(GroupBase):
    id: int
    member_count: int = 0


class GroupMembership(SQLModel, table=True):
    __tablename__ = "group_membership"
    __table_args__ = (sa.UniqueConstraint("group_id", "firm_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="community_group.id", index=True, ondelete="CASCADE")
    firm_id: int = Field(foreign_key="group_firm.id", index=True, ondelete="CASCADE")
    role: str = Field(default=MEMBER, max_length=16)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class GroupInvitation(SQLModel, table=True):
    __tablename__ = "group_invitation"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="community_group.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    used_by_firm_id: int | None = Field(default=None, foreign_key="group_firm.id",
                                        ondelete="SET NULL")
    role: str = Field(default=MEMBER, max_length=16,
                      sa_column_kwargs={"server_default": MEMBER})
    # the invited address, lower case: only a person logged in with it accepts
    email: str | None = Field(default=None, max_length=254)


class GroupJoinRequest(SQLModel, table=True):
    __tablename__ = "group_join_request"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="community_group.id", index=True, ondelete="CASCADE")
    firm_id: int = Field(foreign_key="group_firm.id", index=True, ondelete="CASCADE")
    requested_by: int | None = Field(default=None, foreign_key="user_account.id",
                                     ondelete="SET NULL")
    message: str = Field(default="", max_length=1000)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


# --- the group feed ----------------------------------------------------------------------------

POST_MAX = 10_000
COMMENT_MAX = 4_000


class GroupPost(SQLModel, table=True):
    """A post in a group's feed, in Markdown (rendered through the sanitiser)."""

    __tablename__ = "group_post"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="community_group.id", index=True, ondelete="CASCADE")
    firm_id: int | None = Field(default=None, foreign_key="group_firm.id", ondelete="SET NULL")
    author_id: int | None = Field(default=None, foreign_key="user_account.id",
                                  ondelete="SET NULL")
    title: str = Field(default="", max_length=200)
    body_md: str = Field(sa_type=sa.Text)
    hidden: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    proposed_item_id: int | None = Field(default=None, foreign_key="content_item.id",
                                         ondelete="SET NULL")


class GroupComment(SQLModel, table=True):
    __tablename__ = "group_comment"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="group_post.id", index=True, ondelete="CASCADE")
    firm_id: int | None = Field(default=None, foreign_key="group_firm.id", ondelete="SET NULL")
    author_id: int | None = Field(default=None, foreign_key="user_account.id",
                                  ondelete="SET NULL")
    body_md: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


class GroupPostAttachment(SQLModel, table=True):
    """A file attached to a post, stored in the database so that every replica can serve it."""

    __tablename__ = "group_post_attachment"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="group_post.id", index=True, ondelete="CASCADE")
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class GroupPostReport(SQLModel, table=True):
    __tablename__ = "group_post_report"
    __table_args__ = (sa.UniqueConstraint("post_id", "reporter_id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="group_post.id", index=True, ondelete="CASCADE")
    reporter_id: int | None = Field(default=None, foreign_key="user_account.id",
                                    ondelete="SET NULL")
    reason: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


# --- benchmarks --------------------------------------------------------------------------------


class Kpi(SQLModel, table=True):
    """A key figure a group compares. A KPI with a formula is computed per firm from the firm's
    own figures for other KPIs of the group (``value_added / hours_worked``)."""

    __tablename__ = "group_kpi"
    __table_args__ = (sa.UniqueConstraint("group_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="community_group.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    unit: str = Field(default="", max_length=32)
    description: str = Field(default="", max_length=2000)
    higher_is_better: bool = True
    formula: str | None = Field(default=None, max_length=500)
    min_value: float | None = None
    max_value: float | None = None
    position: int = 0
    # The ready-made template it came from: KPIs of one template compare across groups.
    template: str | None = Field(default=None, max_length=64)


class BenchmarkPeriod(SQLModel, table=True):
    __tablename__ = "group_benchmark_period"
    __table_args__ = (sa.UniqueConstraint("group_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="community_group.id", index=True, ondelete="CASCADE")
    label: str = Field(max_length=40)
    position: int = 0
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Whether the group allowed the comparison across groups when the period was closed.
    cross_group: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class KpiFigure(SQLModel, table=True):
    """A firm's own figure. Only ever shown to that firm (docs/disclosure.md)."""

    __tablename__ = "group_kpi_figure"
    __table_args__ = (sa.UniqueConstraint("period_id", "firm_id", "kpi_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="group_benchmark_period.id", index=True,
                           ondelete="CASCADE")
    firm_id: int = Field(foreign_key="group_firm.id", index=True, ondelete="CASCADE")
    kpi_id: int = Field(foreign_key="group_kpi.id", ondelete="CASCADE")
    value: float
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class PublishedStat(SQLModel, table=True):
    """What may be shown of one cell, computed once when the period closed."""

    __tablename__ = "group_published_stat"
    __table_args__ = (sa.UniqueConstraint("period_id", "kpi_id", "cell"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="group_benchmark_period.id", index=True,
                           ondelete="CASCADE")
    kpi_id: int = Field(foreign_key="group_kpi.id", ondelete="CASCADE")
    # "all", "sector:bouw", "size:klein" or "sector_size:bouw:klein"
    cell: str = Field(max_length=160)
    n: int
    reason: str | None = Field(default=None, max_length=32)
    q1: float | None = None
    median: float | None = None
    q3: float | None = None


class PublishedRank(SQLModel, table=True):
    """A firm's percentile rank in the group, computed when the period closed."""

    __tablename__ = "group_published_rank"

    period_id: int = Field(foreign_key="group_benchmark_period.id", primary_key=True,
                           ondelete="CASCADE")
    kpi_id: int = Field(foreign_key="group_kpi.id", primary_key=True, ondelete="CASCADE")
    firm_id: int = Field(foreign_key="group_firm.id", primary_key=True, ondelete="CASCADE")
    rank: float


class FrozenValue(SQLModel, table=True):
    """A firm's value of one KPI in a closed period, with the firm's sector and size class as
    they were at closing (computed KPIs included). Input of the comparison across groups;
    never shown (docs/disclosure.md)."""

    __tablename__ = "group_frozen_value"

    period_id: int = Field(foreign_key="group_benchmark_period.id", primary_key=True,
                           ondelete="CASCADE")
    kpi_id: int = Field(foreign_key="group_kpi.id", primary_key=True, ondelete="CASCADE")
    firm_id: int = Field(foreign_key="group_firm.id", primary_key=True, ondelete="CASCADE")
    sector: str = Field(max_length=64)
    size_class: str = Field(max_length=16)
    value: float


class CrossGroupStat(SQLModel, table=True):
    """One published version of a cell across groups: KPI template × period label × sector ×
    size class. Versions only ever get added (docs/disclosure.md, comparison across groups)."""

    __tablename__ = "group_cross_stat"
    __table_args__ = (sa.UniqueConstraint("template", "label", "sector", "size_class",
                                          "version"),)

    id: int | None = Field(default=None, primary_key=True)
    template: str = Field(max_length=64)
    label: str = Field(max_length=40)
    sector: str = Field(max_length=64)
    size_class: str = Field(max_length=16)
    version: int
    # the closed periods whose firms make up this version, as a sorted JSON list of ids
    period_ids: list[int] = Field(sa_type=sa.JSON)
    n: int
    reason: str | None = Field(default=None, max_length=32)
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
