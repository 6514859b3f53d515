"""The seed loader: idempotent upserts, revisions by "seed", clear errors."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from backend.content import service
from backend.content.models import ContentItem, ContentRevision, Theme
from backend.content.seed import SeedError, load_seed
from backend.core.db import Database
from backend.core.outbox import OutboxMessage
from backend.core.settings import Settings
from backend.search import SearchBackend, SearchQuery
from backend.seeding import SEED_DIR, loaders


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(sa.func.count()).select_from(model)).one())


def test_the_real_seed_loads_twice_without_changes(db: Database, settings: Settings,
                                                   session: Session,
                                                   drain: Callable[[], int],
                                                   index: SearchBackend) -> None:
    assert load_seed in loaders()
    first = load_seed(db, settings)
    items, revisions = _count(session, ContentItem), _count(session, ContentRevision)
    by_type = dict(session.exec(select(ContentItem.type, sa.func.count())
                                .group_by(ContentItem.type)).all())
    assert by_type["scheme"] >= 15 and by_type["organisation"] + by_type.get("expert", 0) >= 25
    assert by_type.get("practice", 0) + by_type.get("case_study", 0) >= 20
    assert revisions == items  # one revision each, authored by the seed
    authors = set(session.exec(select(ContentRevision.author_name)))
    assert authors == {"seed"}
    queued = _count(session, OutboxMessage)

    second = load_seed(db, settings)
    assert "0 new, 0 updated" in second and first != second
    assert _count(session, ContentItem) == items
    assert _count(session, ContentRevision) == revisions
    assert _count(session, OutboxMessage) == queued  # nothing new to index

    drain()
    assert index.health().documents == items
    wbso = index.search(SearchQuery(q="wbso")).hits
    assert wbso and wbso[0].id == "scheme:wbso"


def _mini_seed(root: Path, practice_extra: str = "", theme: str = "financiering") -> Path:
    (root / "content").mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_DIR / "taxonomy.yaml", root / "taxonomy.yaml")
    (root / "content" / "organisations.yaml").write_text(textwrap.dedent("""\
        - slug: rvo
          name: RVO
          kind: government
          summary: Rijksdienst voor Ondernemend Nederland.
          body: Uitvoerder van regelingen.
          themes: [financiering]
          regions: [nl]
          website: "https://www.rvo.nl"
          source: {document: null, title: null}
          unknown_key: tolerated
        """), encoding="utf-8")
    (root / "content" / "practices.yaml").write_text(textwrap.dedent(f"""\
        - slug: cobots-installateur
          type: practice
          title: Cobots bij een installateur
          summary: Een installateur zet cobots in.
          body: |
            Met **cobots** werkt het team slimmer.
          themes: [{theme}]
          sectors: [installatie]
          regions: [overijssel]
          company_sizes: [klein]
          organisations: [rvo]
          related: [wbso]
          source: {{document: "003", title: "Expeditie Werkkracht", section: "Technologie"}}
        """) + practice_extra, encoding="utf-8")
    (root / "content" / "schemes.yaml").write_text(textwrap.dedent("""\
        - slug: wbso
          title: WBSO
          summary: Fiscale regeling voor speur- en ontwikkelingswerk.
          body: Verlaagt de loonheffing.
          provider: rvo
          kind: tax
          themes: [financiering]
          regions: [nl]
          company_sizes: [zzp, micro]
          cost_kinds: [loonkosten]
          min_amount: null
          max_amount: null
          funding_rate: null
          opens_on: null
          closes_on: null
          first_come_first_served: false
          budget_status: continuous
          source_url: "https://www.rvo.nl/subsidies-financiering/wbso"
          terms_checked_on: 2026-11-22
          terms_note: Versie 2025.
          organisations: [rvo]
          related: [cobots-installateur]
        """), encoding="utf-8")
    return root


def test_an_edited_yaml_updates_with_a_seed_revision(db: Database, settings: Settings,
                                                     session: Session, tmp_path: Path) -> None:
    root = _mini_seed(tmp_path / "seed")
    load_seed(db, settings, root)
    item = session.exec(select(ContentItem).where(ContentItem.slug == "cobots-installateur")).one()
    assert item.status == "published" and item.version == 1
    assert service.revisions(session, item)[0].author_name == "seed"

    # An editor's change survives a re-run while the YAML is unchanged.
    service.update_item(session, item, {"summary": "Door de redactie herschreven."}, "eva")
    session.commit()
    assert "0 new, 0 updated" in load_seed(db, settings, root)
    session.expire_all()
    assert session.get(ContentItem, item.id).summary == "Door de redactie herschreven."  # type: ignore[union-attr]

    # Once the YAML changes, the seed wins, with a revision authored by "seed".
    _mini_seed(root, theme="lean-procesinnovatie")
    report = load_seed(db, settings, root)
    assert "0 new, 1 updated" in report
    session.expire_all()
    fresh = session.get(ContentItem, item.id)
    assert fresh is not None and fresh.version == 3
    newest = service.revisions(session, fresh)[0]
    assert newest.author_name == "seed" and newest.snapshot["themes"] == ["lean-procesinnovatie"]


@pytest.mark.parametrize(("extra", "theme", "expected"), [
    ("", "bestaat-niet", "practices.yaml: practice 'cobots-installateur': field 'themes'"),
    ("- slug: tweede\n  type: practice\n  title: Tweede\n  related: [nergens]\n", "financiering",
     "practices.yaml: practice 'tweede': field 'related': unknown item 'nergens'"),
    ("- slug: derde\n  type: blog\n  title: Derde\n", "financiering",
     "practices.yaml: item 'derde': field 'type'"),
    ("- title: Zonder slug\n", "financiering", "practices.yaml: item #2: field 'slug'"),
])
def test_broken_references_fail_with_file_item_and_field(db: Database, settings: Settings,
                                                         session: Session, tmp_path: Path,
                                                         extra: str, theme: str,
                                                         expected: str) -> None:
    root = _mini_seed(tmp_path / "seed", practice_extra=extra, theme=theme)
    with pytest.raises(SeedError) as exc:
        load_seed(db, settings, root)
    assert expected in str(exc.value)
    assert _count(session, ContentItem) == 0  # nothing half-loaded


def test_taxonomy_edits_by_editors_survive_a_reseed(db: Database, settings: Settings,
                                                    session: Session, tmp_path: Path) -> None:
    root = _mini_seed(tmp_path / "seed")
    load_seed(db, settings, root)
    theme = session.exec(select(Theme).where(Theme.slug == "financiering")).one()
    theme.name_nl = "Geld en subsidies"
    session.add(theme)
    session.commit()
    load_seed(db, settings, root)
    session.expire_all()
    assert session.exec(select(Theme).where(Theme.slug == "financiering")).one().name_nl == \
        "Geld en subsidies"
