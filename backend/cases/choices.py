"""The question form's choices (themes, sectors, company sizes) and their labels.

They come from the one taxonomy service, ``backend.content.taxonomy.load``: what an editor
adds is offered and accepted at once, by the form as by search and the "which desk" page
(``seed/taxonomy.yaml`` only seeds the database). Choices are built once per taxonomy
version (``load`` returns the same object while nothing changed).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from backend.content import taxonomy as tx
from backend.core.i18n import get_language
from backend.core.memo import Memo


@dataclass(frozen=True)
class Choice:
    slug: str
    name_nl: str
    name_en: str

    @property
    def label(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_nl


_KINDS = ("theme", "sector", "size")
_Built = tuple[dict[str, tuple[Choice, ...]], dict[str, dict[str, Choice]]]
_built: Memo[tx.Taxonomy, _Built] = Memo(operator.is_)


def _of(session: Session) -> _Built:
    taxonomy = tx.load(session)

    def build() -> _Built:
        lists: dict[str, tuple[Choice, ...]] = {}
        for kind in _KINDS:
            terms: dict[str, Any] = taxonomy.by_slug.get(kind, {})
            lists[kind] = tuple(Choice(t.slug, t.name_nl, t.name_en or "") for t in terms.values())
        by_slug = {kind: {c.slug: c for c in lists[kind]} for kind in _KINDS}
        return lists, by_slug

    return _built.get(taxonomy, build)


def form_lists(session: Session) -> dict[str, tuple[Choice, ...]]:
    """The themes, sectors and sizes (``"theme"``, ``"sector"``, ``"size"``) from one
    taxonomy read, for a form that offers all three."""
    return _of(session)[0]


def themes(session: Session) -> tuple[Choice, ...]:
    return _of(session)[0]["theme"]


def sectors(session: Session) -> tuple[Choice, ...]:
    return _of(session)[0]["sector"]


def company_sizes(session: Session) -> tuple[Choice, ...]:
    return _of(session)[0]["size"]


def label(session: Session, kind: str, slug: str | None) -> str:
    """A choice's label in the current language; an unknown slug is shown as it is (inbox and
    case pages call this for every row: one dict lookup once the taxonomy is read)."""
    if not slug:
        return ""
    choice = _of(session)[1][kind].get(slug)
    return choice.label if choice else slug


def labeler(session: Session, kind: str) -> Any:
    """``label`` for one kind as a one-argument function, for templates."""
    by_slug = _of(session)[1][kind]

    def one(slug: str | None) -> str:
        choice = by_slug.get(slug or "")
        return choice.label if choice else (slug or "")

    return one


def is_known(session: Session, kind: str, slug: str) -> bool:
    return slug in _of(session)[1][kind]
