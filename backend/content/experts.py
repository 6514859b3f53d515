"""The opt-in expert directory: registration with consent, editorial review, introductions.

A person appears in the directory only after they registered (or accepted an editor's
invitation, which is the same form), stated themes, regions and availability and gave consent;
the registration is a draft that an editor reviews and publishes (``service.check_publishable``
refuses a person without consent). A visitor never gets a person's address: they ask the desk
for an introduction, which is a routed question (``cases.service.ask_question``) that names
the expert. Cases sits above content, so content does not import it: cases registers how an
introduction becomes a question (``register_introduction_desk``, filled by
``backend.cases.deps``), as ``cases.panels`` lets a higher domain fill a lower one's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, EmailStr, ValidationError
from pydantic import Field as PField
from sqlmodel import Session

from backend.content import service
from backend.content.models import ContentItem
from backend.content.views import item_url, load_view
from backend.core.db import utcnow
from backend.core.domain import registrations_complete
from backend.core.errors import Invalid
from backend.core.i18n import N_
from backend.core.limits import Door


class ExpertRegistration(BaseModel):
    """What a person states when they opt in to the directory."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = PField(min_length=2, max_length=200)
    email: EmailStr  # private: only the desk uses it, for introductions
    role: str = PField(min_length=2, max_length=200)
    summary: str = PField(min_length=10, max_length=2000)
    themes: list[str] = PField(min_length=1)
    regions: list[str] = PField(min_length=1)
    availability: str = PField(min_length=2, max_length=300)
    languages: list[str] = ["nl"]
    website: str | None = None
    consent: bool


def register_expert(session: Session, data: ExpertRegistration | dict[str, Any]) -> ContentItem:
    """A draft expert with the consent recorded; an editor reviews and publishes it."""
    try:
        reg = data if isinstance(data, ExpertRegistration) else \
            ExpertRegistration.model_validate(data)
    except ValidationError as exc:
        raise Invalid(fields=service.validation_fields(exc)) from exc
    if not reg.consent:
        raise Invalid(fields={"consent": N_("You are listed only with your consent.")})
    values = {"title": reg.name, "summary": reg.summary, "kind": "person", "role": reg.role,
              "themes": reg.themes, "regions": reg.regions, "availability": reg.availability,
              "languages": reg.languages, "website": reg.website, "email": str(reg.email),
              "consent_at": utcnow()}
    return service.create_item(session, "expert", values, "expert-registration",
                               publish=False, note=N_("Registered with consent; to review"))


@dataclass(frozen=True)
class IntroductionRequest:
    """A visitor's request for an introduction, as the desk's question: ``text`` names the
    expert; ``themes`` are the expert's theme slugs (the desk picks one it knows)."""

    text: str
    email: str
    consent: bool
    municipality: str | None
    postcode: str | None
    name: str | None
    themes: tuple[str, ...]


@dataclass(frozen=True)
class IntroductionDesk:
    """How an introduction becomes a routed question, registered by the domain that keeps the
    questions: ``ask(session, request, door, base_url)`` returns the case (it has ``id`` and
    ``reference``; it raises ``Invalid`` for bad input); ``grant(http_request, case_id)`` lets
    this browser follow the case."""

    ask: Callable[[Session, IntroductionRequest, Door, str], Any]
    grant: Callable[[Request, int], None]


_desk: list[IntroductionDesk] = []


def register_introduction_desk(desk: IntroductionDesk) -> None:
    _desk[:] = [desk]


def introduction_desk() -> IntroductionDesk:
    registrations_complete()  # cases registers it
    if not _desk:
        raise RuntimeError("no introduction desk registered (backend.cases.deps registers it)")
    return _desk[0]


def request_introduction(session: Session, expert: ContentItem, *, text: str, email: str,
                         municipality: str | None = None, postcode: str | None = None,
                         name: str | None = None, consent: bool = False,
                         door: Door, base_url: str = "") -> Any:
    """Ask the desk for an introduction to a published expert: a routed question that names
    the expert (the visitor never receives the expert's address). Returns the case."""
    if expert.type != "expert" or expert.status != "published" or expert.deleted_at:
        raise Invalid(N_("This expert is not listed."))
    view = load_view(session, expert)
    intro = (f"Verzoek om een introductie bij expert {expert.title} "
             f"({base_url}{item_url('expert', expert.slug)}).\n\n{text.strip()}")
    wanted = IntroductionRequest(text=intro, email=email, consent=consent,
                                 municipality=municipality, postcode=postcode, name=name,
                                 themes=tuple(t.slug for t in view.themes))
    return introduction_desk().ask(session, wanted, door, base_url)
