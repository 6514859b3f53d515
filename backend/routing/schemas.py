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
    company_size: str | None = Field(default=None, max_length=40,
                                     description="Taxonomy company size slug (zzp, micro, "
                                                 "klein, middel, groot, …).")
    theme: str | None = Field(default=None, max_length=80,
                              description="Theme slug of the topic the asker picked.")


class DeskRef(BaseModel):
    slug: str
    name: str


class PlaceCandidate(BaseModel):
    code: str
    name: str
    province: str


class LocationOut(BaseModel):
    """How the business's location was found (``regions.locate``)."""

    source: Literal["municipality", "postcode", "text"] | None = Field(
        description="Where the municipality came from; null when the location is unknown.")
    postcode: str | None = Field(default=None, description="The PC4 given, if any.")
    postcode_known: bool | None = Field(
        default=None, description="False for a well-formed postcode that is not in the CBS "
                                  "table (no residents): the location is then unknown.")
    place: str | None = Field(default=None, description="The woonplaats of the postcode, or "
                                                        "the name read in the text.")
    ambiguous: str | None = Field(default=None, description="A name in the text that fits "
                                                            "several municipalities.")
    candidates: list[PlaceCandidate] = Field(default_factory=list, description=(
        "The municipalities an ambiguous name may be, most likely first: ask, or send "
        "`municipality` or `postcode`."))
    data_source: str = "CBS (CC BY 4.0)"

    @classmethod
    def of(cls, loc: Any) -> LocationOut:
        amb = loc.ambiguous
        return cls(source=loc.source, postcode=loc.postcode,
                   postcode_known=(not loc.postcode_unknown) if loc.postcode else None,
                   place=loc.place, ambiguous=amb.text if amb else None,
                   candidates=[PlaceCandidate(code=c.code, name=c.name,
                                              province=c.province_name)
                               for c in (amb.candidates if amb else ())])


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
    location: LocationOut | None = None

    @classmethod
    def of(cls, decision: RoutingDecision, location: Any = None) -> DryRunResponse:
        out = cls.model_validate(decision.as_dict())
        if location is not None:
            out.location = LocationOut.of(location)
        return out


class CoverageDesk(BaseModel):
    slug: str
    name: str
    via: str = Field(description="How the router gives it the question: specialism | theme | "
                                 "general_remit | fallback.")
    municipalities: int = Field(description="In how many of the area's municipalities this "
                                            "desk takes the question.")


class CoverageSectorDesk(BaseModel):
    slug: str
    name: str
    sectors: list[str] = Field(description="Sector slugs: the desk handles the theme in this "
                                           "area only for businesses in these sectors.")


class CoverageCell(BaseModel):
    theme: str = Field(description="Theme slug.")
    status: Literal["covered", "general", "partial", "gap"] = Field(description=(
        "covered: a desk that handles the theme answers everywhere in the area; general: "
        "somewhere only a desk with a general remit answers; partial: in some municipalities "
        "only the national fallback answers; gap: only the fallback answers, everywhere."))
    desks: list[CoverageDesk]
    fallback_municipalities: int
    municipalities: int
    sector_desks: list[CoverageSectorDesk] = Field(default_factory=list, description=(
        "Branch desks that handle the theme here only for their sectors; they take no "
        "question without a sector, so they do not count towards the status."))


class CoverageArea(BaseModel):
    kind: Literal["province", "labour_market_region"]
    code: str = Field(description="PV23, AM05, …")
    name: str
    municipalities: int
    cells: list[CoverageCell] = Field(description="One per theme, in the order of `themes`.")


class CoverageTheme(BaseModel):
    slug: str
    label: str


class CoverageOut(BaseModel):
    themes: list[CoverageTheme]
    areas: list[CoverageArea]
    fallback: dict[str, str] = Field(description="The national fallback desk: slug and name.")
    counts: dict[str, int] = Field(description="Number of cells per status.")
    router_calls: int = Field(description="Router calls the computation took.")
    compute_ms: float = Field(description="Time the computation took (cached afterwards until "
                                          "a desk, region or theme changes).")
