"""Knowledge base tables and schema families.

One ``content_item`` table holds every content type (practice, case study, scheme, expert,
event, organisation, Q&A) with typed nullable columns for the type-specific fields; scheme
eligibility lives in the 1:1 ``scheme_terms`` table and link tables so that the scheme finder
can filter on it in SQL. Taxonomy (pillars, themes, sectors, company sizes, regions) has its
own small tables, linked to items by id.

Families follow ``XBase -> XCreate/XUpdate -> X(table=True) -> XPublic``. The ``*Create``
models are the one shape of an item's editable data: API bodies, editor forms, seed YAML and
revision snapshots all go through them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    StringConstraints,
    create_model,
    field_validator,
    model_validator,
)
from pydantic import Field as PField
from sqlmodel import JSON, Column, Field, SQLModel

from backend.core.db import UtcDateTime, utcnow
from backend.core.i18n import N_

ContentType = Literal["practice", "case_study", "scheme", "expert", "event", "organisation", "qa"]
CONTENT_TYPES: tuple[str, ...] = get_args(ContentType)
Status = Literal["draft", "published"]
SchemeKind = Literal["subsidy", "loan", "guarantee", "tax", "voucher"]
BudgetStatus = Literal["open", "limited", "exhausted", "closed", "upcoming", "continuous"]
# Derived from window and budget: "continuous" is open all year (no application window).
SchemeStatus = Literal["open", "continuous", "upcoming", "closed", "exhausted"]
ExpertKind = Literal["person", "organisation"]
EventKind = Literal["workshop", "webinar", "network"]
OrganisationKind = Literal["knowledge_institution", "fieldlab", "desk", "ecosystem", "government",
                           "branch_organisation", "financier", "company", "other"]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_PATTERN = SLUG_RE.pattern
# "slug" or "type:slug" (related items may be of any type)
REF_RE = re.compile(r"^(?:[a-z_]+:)?[a-z0-9]+(?:-[a-z0-9]+)*$")
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
Phone = Annotated[str, StringConstraints(pattern=r"^[0-9+() \-]{6,40}$", max_length=40)]

T = TypeVar("T")


# --- taxonomy ------------------------------------------------------------------------------

class Pillar(SQLModel, table=True):
    """A TOP pillar: technologie, organisatie, personeel."""

    __tablename__ = "taxonomy_pillar"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name_nl: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    description_nl: str = Field(default="", sa_type=sa.Text)
    position: int = 0
    seed_digest: str | None = Field(default=None, max_length=64)  # last seed applied


class ThemeBase(SQLModel):
    slug: str = Field(max_length=80, unique=True)
    name_nl: str = Field(min_length=2, max_length=200)
    name_en: str = Field(default="", max_length=200)
    description_nl: str = Field(default="", sa_type=sa.Text)


class Theme(ThemeBase, table=True):
    __tablename__ = "taxonomy_theme"

    id: int | None = Field(default=None, primary_key=True)
    pillar_id: int = Field(foreign_key="taxonomy_pillar.id", index=True, ondelete="RESTRICT")
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0
    seed_digest: str | None = Field(default=None, max_length=64)  # last seed applied


class SectorBase(SQLModel):
    slug: str = Field(max_length=80, unique=True)
    name_nl: str = Field(min_length=2, max_length=200)
    name_en: str = Field(default="", max_length=200)
    sbi: str | None = Field(default=None, max_length=8)  # SBI section letter, top level only


class Sector(SectorBase, table=True):
    __tablename__ = "taxonomy_sector"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="taxonomy_sector.id",
                                  ondelete="SET NULL")
    sbi_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0
    seed_digest: str | None = Field(default=None, max_length=64)  # last seed applied


class CompanySize(SQLModel, table=True):
    __tablename__ = "taxonomy_company_size"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    name_nl: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    min_people: int | None = None
    max_people: int | None = None
    position: int = 0
    seed_digest: str | None = Field(default=None, max_length=64)  # last seed applied


class Region(SQLModel, table=True):
    """A province, or "nl" for the whole country (municipalities live in the regions domain)."""

    __tablename__ = "taxonomy_region"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name_nl: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    cbs_code: str | None = Field(default=None, max_length=16)
    position: int = 0
    seed_digest: str | None = Field(default=None, max_length=64)  # last seed applied


class TermPublic(BaseModel):
    slug: str
    name: str


class ThemePublic(TermPublic):
    pillar: str
    keywords: list[str] = []


class SectorPublic(TermPublic):
    sbi: str | None = None
    parent: str | None = None


class TaxonomyPublic(BaseModel):
    pillars: list[TermPublic]
    themes: list[ThemePublic]
    sectors: list[SectorPublic]
    company_sizes: list[TermPublic]
    regions: list[TermPublic]


class ThemeCreate(BaseModel):
    """Editors add or change a theme (rename, move to another pillar, keywords)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    slug: str | None = PField(default=None, max_length=80, pattern=SLUG_PATTERN)
    name_nl: str = PField(min_length=2, max_length=200)
    name_en: str = PField(default="", max_length=200)
    pillar: str = PField(pattern=SLUG_PATTERN)
    description_nl: str = ""
    keywords: list[str] = []


class SectorCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    slug: str | None = PField(default=None, max_length=80, pattern=SLUG_PATTERN)
    name_nl: str = PField(min_length=2, max_length=200)
    name_en: str = PField(default="", max_length=200)
    parent: str | None = PField(default=None, pattern=SLUG_PATTERN)
    sbi: str | None = PField(default=None, max_length=8)


# --- content -------------------------------------------------------------------------------

class ContentBase(SQLModel):
    title: str = Field(min_length=2, max_length=300)
    summary: str = Field(default="", max_length=2000, sa_type=sa.Text)
    body_md: str = Field(default="", max_length=100_000, sa_type=sa.Text)
    lang: str = Field(default="nl", max_length=8)
    is_example: bool = False
    source_document: str | None = Field(default=None, max_length=200)
    source_title: str | None = Field(default=None, max_length=500)
    source_section: str | None = Field(default=None, max_length=300)
    source_url: str | None = Field(default=None, max_length=500)
    # English text beside the Dutch (optional, empty when there is none): pages in the
    # English UI show it where present and the Dutch text with a notice otherwise; search
    # indexes it with an English analyser.
    title_en: str = Field(default="", max_length=300)
    summary_en: str = Field(default="", max_length=2000, sa_type=sa.Text)
    body_md_en: str = Field(default="", max_length=100_000, sa_type=sa.Text)


def _http_url(value: Any) -> Any:
    if not isinstance(value, str):  # None, or a wrong type that field validation refuses
        return value
    value = value.strip()
    if not value:
        return None
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise ValueError(N_("Enter a web address that starts with https://"))
    return value


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class ContentCreate(ContentBase):
    """Editable data shared by every type. Taxonomy and references are slugs."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")  # type: ignore[assignment]

    slug: Slug | None = None
    themes: list[str] = []
    sectors: list[str] = []
    regions: list[str] = []
    company_sizes: list[str] = []
    organisations: list[str] = []
    related: list[str] = []  # "slug" or "type:slug"

    @field_validator("slug", "source_document", "source_title", "source_section", "source_url",
                     mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("source_url")
    @classmethod
    def _source_url(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("themes", "sectors", "regions", "company_sizes", "organisations")
    @classmethod
    def _slugs(cls, values: list[str]) -> list[str]:
        out: list[str] = []
        for v in values:
            v = v.strip()
            if not SLUG_RE.match(v):
                raise ValueError(N_("Use lowercase letters, digits and hyphens only."))
            if v not in out:
                out.append(v)
        return out

    @field_validator("related")
    @classmethod
    def _refs(cls, values: list[str]) -> list[str]:
        out: list[str] = []
        for v in values:
            v = v.strip()
            if not REF_RE.match(v):
                raise ValueError(N_("Use lowercase letters, digits and hyphens only."))
            if v not in out:
                out.append(v)
        return out


class PracticeCreate(ContentCreate):
    """Practice (goed voorbeeld) and case study (praktijkcasus)."""


class QACreate(ContentCreate):
    """A published, anonymised answer to a question."""


class OrganisationCreate(ContentCreate):
    kind: OrganisationKind = "other"
    website: str | None = Field(default=None, max_length=500)

    @field_validator("website", mode="before")
    @classmethod
    def _website(cls, value: Any) -> Any:
        return _http_url(_blank_to_none(value))


class ExpertCreate(ContentCreate):
    kind: ExpertKind = "person"
    organisation: Slug | None = None
    role: str | None = Field(default=None, max_length=200)
    languages: list[str] = ["nl"]
    website: str | None = Field(default=None, max_length=500)
    email: EmailStr | None = None  # a person's address is private: the desk introduces
    phone: Phone | None = None
    availability: str | None = Field(default=None, max_length=300)
    consent_at: datetime | None = None  # when the person opted in to be listed

    @field_validator("organisation", "role", "email", "phone", "availability", "consent_at",
                     mode="before")
    @classmethod
    def _blank_fields(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("website", mode="before")
    @classmethod
    def _website(cls, value: Any) -> Any:
        return _http_url(_blank_to_none(value))

    @field_validator("languages")
    @classmethod
    def _languages(cls, values: list[str]) -> list[str]:
        out = []
        for v in values:
            v = v.strip().lower()
            if not re.match(r"^[a-z]{2,3}$", v):
                raise ValueError(N_("Use two-letter language codes such as nl or en."))
            if v not in out:
                out.append(v)
        return out


class EventCreate(ContentCreate):
    kind: EventKind = "workshop"
    starts_at: datetime
    ends_at: datetime | None = None
    online: bool = False
    place: str | None = Field(default=None, max_length=300)
    organiser: Slug | None = None  # an organisation slug
    organiser_name: str | None = Field(default=None, max_length=300)  # when not in the base
    registration_url: str | None = Field(default=None, max_length=500)

    @field_validator("ends_at", "place", "organiser", "organiser_name", mode="before")
    @classmethod
    def _blank_fields(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("registration_url", mode="before")
    @classmethod
    def _registration(cls, value: Any) -> Any:
        return _http_url(_blank_to_none(value))

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
        return value

    @model_validator(mode="after")
    def _window(self) -> EventCreate:
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("ends_at: " + N_("The end lies before the start."))
        if not self.online and not self.place:
            raise ValueError("place: " + N_("Give a place, or mark the event as online."))
        return self


# Terms not checked against their source for this long show as "not recently checked".
TERMS_STALE_AFTER_DAYS = 183


class TermSource(BaseModel):
    """One scheme term for one year, with the page it comes from and when it was checked.

    ``checked_on`` is the date someone compared ``value`` with ``source_url``; None means
    nobody has (the page then says the term is not verified instead of showing a date).
    """

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    year: int = PField(ge=2000, le=2100)
    term: str = PField(min_length=2, max_length=200)  # public label, e.g. "Aftrekpercentage"
    value: str = PField(min_length=1, max_length=500)
    source_url: str = PField(max_length=500)
    source_title: str | None = PField(default=None, max_length=300)
    checked_on: date | None = None
    # The label and value in English (optional; a translation of ours, the source is Dutch).
    term_en: str | None = PField(default=None, max_length=200)
    value_en: str | None = PField(default=None, max_length=500)

    @field_validator("term_en", "value_en", mode="before")
    @classmethod
    def _blank_en(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("source_url", mode="before")
    @classmethod
    def _specific_page(cls, value: Any) -> Any:
        value = _http_url(value)
        if value is None:
            raise ValueError(N_("Give the page the term comes from."))

        if urlparse(value).path.strip("/") == "":
            raise ValueError(N_("Link to the specific page of the term, not a home page."))
        return value


@dataclass(frozen=True)
class TermsCheck:
    """Which terms are current and whether each was checked against its source."""

    year: int | None
    current: tuple[TermSource, ...]
    earlier_years: tuple[int, ...]
    verified: bool  # every current term has a source page and a check date
    checked_on: date | None  # the oldest check of the current terms, only when verified
    stale: bool  # not verified, or checked longer than TERMS_STALE_AFTER_DAYS ago


def check_terms(sources: Sequence[TermSource | dict[str, Any]], on: date) -> TermsCheck:
    """The terms of the latest year up to ``on`` (else the earliest later year)."""
    terms = [s if isinstance(s, TermSource) else TermSource.model_validate(s) for s in sources]
    years = sorted({t.year for t in terms})
    past = [y for y in years if y <= on.year]
    year = past[-1] if past else (years[0] if years else None)
    current = tuple(t for t in terms if t.year == year)
    verified = bool(current) and all(t.source_url and t.checked_on for t in current)
    checked = min(t.checked_on for t in current if t.checked_on) if verified else None
    # Terms of an earlier year than last year are not current, however recently checked.
    outdated = year is not None and year < on.year - 1
    stale = checked is None or outdated or (on - checked).days > TERMS_STALE_AFTER_DAYS
    return TermsCheck(year=year, current=current,
                      earlier_years=tuple(y for y in reversed(years) if year and y < year),
                      verified=verified, checked_on=checked, stale=stale)


class SchemeCreate(ContentCreate):
    kind: SchemeKind = "subsidy"
    provider: Slug | None = None
    cost_kinds: list[str] = []
    min_amount: int | None = Field(default=None, ge=0, le=10_000_000_000)
    max_amount: int | None = Field(default=None, ge=0, le=10_000_000_000)
    funding_rate: float | None = Field(default=None, ge=0, le=100)  # percent
    opens_on: date | None = None
    closes_on: date | None = None
    first_come_first_served: bool = False
    budget_status: BudgetStatus = "open"
    terms_checked_on: date | None = None
    terms_note: str | None = Field(default=None, max_length=2000)
    terms_note_en: str | None = Field(default=None, max_length=2000)
    term_sources: list[TermSource] = []

    @field_validator("provider", "min_amount", "max_amount", "funding_rate", "opens_on",
                     "closes_on", "terms_checked_on", "terms_note", "terms_note_en",
                     mode="before")
    @classmethod
    def _blank_fields(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("cost_kinds")
    @classmethod
    def _cost_kinds(cls, values: list[str]) -> list[str]:
        return ContentCreate._slugs(values)

    @model_validator(mode="after")
    def _ranges(self) -> SchemeCreate:
        if (self.min_amount is not None and self.max_amount is not None
                and self.min_amount > self.max_amount):
            raise ValueError("max_amount: " + N_("The maximum is lower than the minimum."))
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValueError("closes_on: " + N_("The closing date lies before the opening date."))
        # The check date is never typed in: it is the oldest check of the current terms, and
        # only when every current term names its source page and when it was checked.
        self.terms_checked_on = check_terms(self.term_sources, date.today()).checked_on
        return self


CREATE_MODELS: dict[str, type[ContentCreate]] = {
    "practice": PracticeCreate,
    "case_study": PracticeCreate,
    "scheme": SchemeCreate,
    "expert": ExpertCreate,
    "event": EventCreate,
    "organisation": OrganisationCreate,
    "qa": QACreate,
}


class ContentItem(ContentBase, table=True):
    __tablename__ = "content_item"
    __table_args__ = (
        sa.UniqueConstraint("type", "slug", name="uq_content_item_type_slug"),
        sa.Index("ix_content_item_listing", "type", "status", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=32)
    slug: str = Field(max_length=120)
    status: str = Field(default="draft", max_length=16)
    # Subtype: organisation kind, expert kind (person|organisation), event kind, scheme kind.
    kind: str | None = Field(default=None, max_length=40)
    # Organisations and experts: website; experts: public contact data only.
    website: str | None = Field(default=None, max_length=500)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    role: str | None = Field(default=None, max_length=200)
    languages: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Expert's organisation, event's organiser.
    organisation_id: int | None = Field(default=None, foreign_key="content_item.id",
                                        ondelete="SET NULL")
    organisation_name: str | None = Field(default=None, max_length=300)
    # Events.
    starts_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    online: bool | None = None
    place: str | None = Field(default=None, max_length=300)
    registration_url: str | None = Field(default=None, max_length=500)
    # Experts: when the person opted in to be listed (None: not listed), and availability.
    consent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    availability: str | None = Field(default=None, max_length=300)
    # Bookkeeping.
    version: int = 0  # revision number of the current state (optimistic locking in forms)
    # Digest of the seed YAML last applied: the seed leaves an item alone (and keeps editors'
    # changes) until its YAML changes.
    seed_digest: str | None = Field(default=None, max_length=64)
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    updated_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")


class SchemeTerms(SQLModel, table=True):
    """Structured eligibility of a scheme, 1:1 with its content item."""

    __tablename__ = "scheme_terms"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    provider_id: int | None = Field(default=None, foreign_key="content_item.id",
                                    ondelete="SET NULL", index=True)
    min_amount: int | None = Field(default=None, sa_type=sa.BigInteger)
    max_amount: int | None = Field(default=None, sa_type=sa.BigInteger)
    funding_rate: float | None = None  # percent of eligible costs
    opens_on: date | None = None
    closes_on: date | None = Field(default=None, index=True)
    first_come_first_served: bool = False
    budget_status: str = Field(default="open", max_length=16, index=True)
    terms_checked_on: date | None = None  # derived: oldest check of the current terms
    terms_note: str | None = Field(default=None, sa_type=sa.Text)
    terms_note_en: str | None = Field(default=None, sa_type=sa.Text)
    # [{year, term, value, source_url, source_title, checked_on}] (TermSource), all years.
    term_sources: list[dict[str, Any]] = Field(default_factory=list,
                                               sa_column=Column(JSON, nullable=False,
                                                                server_default="[]"))


class SchemeCostKind(SQLModel, table=True):
    __tablename__ = "scheme_cost_kind"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    cost_kind: str = Field(max_length=80, primary_key=True, index=True)


class ContentTheme(SQLModel, table=True):
    __tablename__ = "content_theme"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="taxonomy_theme.id", primary_key=True, index=True,
                          ondelete="CASCADE")


class ContentSector(SQLModel, table=True):
    __tablename__ = "content_sector"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    sector_id: int = Field(foreign_key="taxonomy_sector.id", primary_key=True, index=True,
                           ondelete="CASCADE")


class ContentRegion(SQLModel, table=True):
    __tablename__ = "content_region"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    region_id: int = Field(foreign_key="taxonomy_region.id", primary_key=True, index=True,
                           ondelete="CASCADE")


class ContentCompanySize(SQLModel, table=True):
    __tablename__ = "content_company_size"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    size_id: int = Field(foreign_key="taxonomy_company_size.id", primary_key=True, index=True,
                         ondelete="CASCADE")


class ContentOrganisation(SQLModel, table=True):
    """Organisations an item refers to (beyond provider/organiser)."""

    __tablename__ = "content_organisation"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="content_item.id", primary_key=True, index=True,
                                 ondelete="CASCADE")


class ContentRelated(SQLModel, table=True):
    __tablename__ = "content_related"

    item_id: int = Field(foreign_key="content_item.id", primary_key=True, ondelete="CASCADE")
    related_id: int = Field(foreign_key="content_item.id", primary_key=True, index=True,
                            ondelete="CASCADE")
    position: int = 0


class ContentRevision(SQLModel, table=True):
    """A full snapshot after every change, with who, when and why."""

    __tablename__ = "content_revision"
    __table_args__ = (sa.UniqueConstraint("item_id", "number",
                                          name="uq_content_revision_item_number"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="content_item.id", index=True, ondelete="CASCADE")
    number: int
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="user_account.id",
                                  ondelete="SET NULL")
    author_name: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


# --- public shapes -------------------------------------------------------------------------

class ItemRef(BaseModel):
    type: str
    slug: str
    title: str
    url: str


class SourcePublic(BaseModel):
    document: str | None = None
    title: str | None = None
    section: str | None = None
    url: str | None = None


class ContentPublic(BaseModel):
    id: int
    type: ContentType
    slug: str
    url: str
    title: str
    summary: str
    body_md: str
    body_html: str
    title_en: str = ""
    summary_en: str = ""
    body_md_en: str = ""
    lang: str
    status: Status
    is_example: bool
    published_at: datetime | None
    updated_at: datetime
    source: SourcePublic | None
    themes: list[TermPublic]
    pillars: list[TermPublic]
    sectors: list[TermPublic]
    regions: list[TermPublic]
    company_sizes: list[TermPublic]
    organisations: list[ItemRef]
    related: list[ItemRef]


class PracticePublic(ContentPublic):
    pass


class QAPublic(ContentPublic):
    pass


class OrganisationPublic(ContentPublic):
    kind: OrganisationKind | str
    website: str | None


class ContactPublic(BaseModel):
    website: str | None = None
    email: str | None = None
    phone: str | None = None


class ExpertPublic(ContentPublic):
    kind: ExpertKind | str
    organisation: ItemRef | None
    role: str | None
    languages: list[str]
    availability: str | None = None
    contact: ContactPublic  # a person's e-mail and phone are never public


class EventPublic(ContentPublic):
    kind: EventKind | str
    starts_at: datetime | None
    ends_at: datetime | None
    online: bool
    place: str | None
    organiser: ItemRef | None
    organiser_name: str | None
    registration_url: str | None


class SchemePublic(ContentPublic):
    kind: SchemeKind | str
    provider: ItemRef | None
    cost_kinds: list[str]
    min_amount: int | None
    max_amount: int | None
    funding_rate: float | None
    opens_on: date | None
    closes_on: date | None
    first_come_first_served: bool
    budget_status: BudgetStatus | str
    scheme_status: SchemeStatus
    terms_checked_on: date | None
    terms_note: str | None
    terms_note_en: str | None = None
    terms_year: int | None = None
    terms_verified: bool = False
    terms_stale: bool = True
    term_sources: list[TermSource] = []


PUBLIC_MODELS: dict[str, type[ContentPublic]] = {
    "practice": PracticePublic,
    "case_study": PracticePublic,
    "scheme": SchemePublic,
    "expert": ExpertPublic,
    "event": EventPublic,
    "organisation": OrganisationPublic,
    "qa": QAPublic,
}


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


class RevisionPublic(BaseModel):
    number: int
    author: str
    note: str
    created_at: datetime


def partial_model(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The ``XUpdate`` twin of a create model: every field optional, unknown keys refused.

    Validation happens on the merged result (current data + changes) with the create model,
    so rules that span fields (min <= max, start <= end) still hold after a partial update.
    """

    fields: dict[str, Any] = {
        key: (info.annotation | None, None)  # type: ignore[operator]
        for key, info in model.model_fields.items()
    }
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


UPDATE_MODELS: dict[str, type[BaseModel]] = {
    "practice": partial_model(PracticeCreate, "PracticeUpdate"),
    "scheme": partial_model(SchemeCreate, "SchemeUpdate"),
    "expert": partial_model(ExpertCreate, "ExpertUpdate"),
    "event": partial_model(EventCreate, "EventUpdate"),
    "organisation": partial_model(OrganisationCreate, "OrganisationUpdate"),
    "qa": partial_model(QACreate, "QAUpdate"),
}
UPDATE_MODELS["case_study"] = UPDATE_MODELS["practice"]
