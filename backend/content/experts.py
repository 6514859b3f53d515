"""The opt-in expert directory: registration with consent, editorial review, introductions.

A person appears in the directory only after they registered (or accepted an editor's
invitation, which is the same form), stated themes, regions and availability and gave consent;
the registration is a draft that an editor reviews and publishes (``service.check_publishable``
refuses a person without consent). A visitor never gets a person's address: they ask the desk
for an introduction, which is a routed question (``cases.service.ask_question``) that names
the expert.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, ValidationError
from pydantic import Field as PField
from sqlmodel import Session

from backend.content import service
from backend.content.models import ContentItem
from backend.content.views import item_url, load_view
from backend.core.db import utcnow
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


def request_introduction(session: Session, expert: ContentItem, *, text: str, email: str,
                         municipality: str | None = None, postcode: str | None = None,
                         name: str | None = None, consent: bool = False,
                         door: Door, base_url: str = "") -> Any:
    """Ask the desk for an introduction to a published expert: a routed question that names
    the expert (the visitor never receives the expert's address). Returns the case."""
    from backend.cases import choices
    from backend.cases.models import QuestionCreate
    from backend.cases.service import ask_question

    if expert.type != "expert" or expert.status != "published" or expert.deleted_at:
        raise Invalid(N_("This expert is not listed."))
    view = load_view(session, expert)
    theme = next((t.slug for t in view.themes if choices.is_known(session, "theme", t.slug)), None)
    intro = (f"Verzoek om een introductie bij expert {expert.title} "
             f"({base_url}{item_url('expert', expert.slug)}).\n\n{text.strip()}")
    try:
        question = QuestionCreate(text=intro, email=email, consent=consent,
                                  municipality=municipality, postcode=postcode, name=name,
                                  theme=theme)
    except ValidationError as exc:
        raise Invalid(fields=service.validation_fields(exc)) from exc
    case, _token, _route = ask_question(session, question, door=door, source="web",
                                        base_url=base_url)
    return case
