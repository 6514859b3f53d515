"""Knowledge base rules: revisions, slugs, publishing and the search outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from backend.content import service
from backend.content.indexing import to_search_doc
from backend.content.models import ContentItem, ContentRevision, SchemeTerms
from backend.content.views import load_view, scheme_status
from backend.core.db import Database
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.outbox import OutboxMessage
from backend.core.settings import Settings
from backend.search import SearchBackend, SearchQuery
from tests.factories.content import (
    create_event,
    create_item,
    create_organisation,
    create_scheme,
)


def _outbox(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(
        col(OutboxMessage.kind).startswith("search.")).order_by(col(OutboxMessage.id))))


def _ids(index: SearchBackend, q: str = "") -> list[str]:
    return [h.id for h in index.search(SearchQuery(q=q, per_page=50)).hits]


def test_create_makes_a_slug_and_a_first_revision(session: Session, taxonomy: None) -> None:
    item = create_item(session, title="Financiële hulp voor zzp’ers (2026)!", publish=False)
    assert item.slug == "financiele-hulp-voor-zzpers-2026"
    assert item.status == "draft" and item.version == 1
    revs = service.revisions(session, item)
    assert [r.number for r in revs] == [1]
    assert revs[0].author_name == "test" and revs[0].snapshot["title"].startswith("Financiële")


def test_slugs_are_unique_per_type_and_never_reserved(session: Session, taxonomy: None) -> None:
    a = create_item(session, title="Slim roosteren")
    b = create_item(session, title="Slim roosteren")
    c = create_item(session, "case_study", title="Slim roosteren")
    assert (a.slug, b.slug, c.slug) == ("slim-roosteren", "slim-roosteren-2", "slim-roosteren")
    assert create_scheme(session, title="Zoeker").slug == "zoeker-1"
    with pytest.raises(Invalid) as exc:
        create_item(session, title="Iets anders", slug="slim-roosteren")
    assert "slug" in exc.value.fields


def test_every_change_keeps_a_revision_and_a_no_op_keeps_none(session: Session,
                                                              taxonomy: None) -> None:
    item = create_item(session, publish=False)
    service.update_item(session, item, {"title": "Slimmer roosteren"}, "eva", note="titel")
    service.update_item(session, item, {"title": "Slimmer roosteren"}, "eva")  # no change
    service.publish_item(session, item, "eva")
    service.unpublish_item(session, item, "eva")
    revs = service.revisions(session, item)
    assert [r.number for r in revs] == [4, 3, 2, 1]
    assert [r.note for r in revs] == ["Unpublished", "Published", "titel", "Created"]
    assert revs[1].snapshot["status"] == "published"
    assert revs[2].snapshot["title"] == "Slimmer roosteren"
    assert revs[3].snapshot["title"] == "Slim roosteren"
    assert item.slug == "slim-roosteren"  # a new title does not move the address


def test_update_validates_the_merged_data(session: Session, taxonomy: None) -> None:
    scheme = create_scheme(session, min_amount=1000, max_amount=5000)
    with pytest.raises(Invalid) as exc:
        service.update_item(session, scheme, {"min_amount": 9000}, "eva")
    assert exc.value.fields == {"max_amount": "The maximum is lower than the minimum."}
    with pytest.raises(Invalid) as exc:
        service.update_item(session, scheme, {"themes": ["bestaat-niet"]}, "eva")
    assert "themes" in exc.value.fields


def test_a_stale_form_is_refused(session: Session, taxonomy: None) -> None:
    item = create_item(session)
    service.update_item(session, item, {"summary": "Nieuw"}, "anna")
    with pytest.raises(Conflict):
        service.update_item(session, item, {"summary": "Ouder"}, "eva", expected_version=1)


def test_drafts_are_never_queued_for_the_index(session: Session, taxonomy: None) -> None:
    item = create_item(session, publish=False)
    service.update_item(session, item, {"summary": "Nog steeds concept"}, "eva")
    assert _outbox(session) == []


def test_publish_unpublish_and_delete_queue_index_changes(session: Session, taxonomy: None,
                                                          drain: Callable[[], int],
                                                          index: SearchBackend) -> None:
    item = create_item(session, title="Cobots in de metaalbewerking", publish=False)
    draft_id = f"practice:{item.slug}"
    session.commit()
    drain()
    assert draft_id not in _ids(index)

    service.publish_item(session, item, "eva")
    assert [(m.kind, m.payload) for m in _outbox(session)] == [("search.index",
                                                                 {"ids": [item.id]})]
    session.commit()
    drain()
    assert _ids(index, "cobots") == [draft_id]

    service.update_item(session, item, {"title": "Cobots in de lasserij"}, "eva")
    session.commit()
    drain()
    assert _ids(index, "lasserij") == [draft_id]

    service.unpublish_item(session, item, "eva")
    session.commit()
    drain()
    assert _ids(index, "lasserij") == []

    service.publish_item(session, item, "eva")
    service.delete_item(session, item, "eva")
    session.commit()
    drain()
    assert _ids(index, "lasserij") == []
    with pytest.raises(NotFound):
        service.get_item(session, "practice", item.slug, public=False)
    assert session.get(ContentItem, item.id) is not None  # soft: the row and history stay
    assert len(service.revisions(session, item)) == 6


def test_a_new_slug_removes_the_old_document(session: Session, taxonomy: None,
                                             drain: Callable[[], int],
                                             index: SearchBackend) -> None:
    item = create_item(session, title="Lean in de bouw")
    session.commit()
    drain()
    service.update_item(session, item, {"slug": "lean-bouwen"}, "eva")
    session.commit()
    drain()
    assert _ids(index, "lean") == ["practice:lean-bouwen"]


def test_delete_message_does_not_remove_an_item_published_again(
        session: Session, taxonomy: None, drain: Callable[[], int],
        index: SearchBackend) -> None:
    item = create_item(session, title="Kaizen op de werkvloer")
    session.commit()
    drain()
    service.unpublish_item(session, item, "eva")
    service.publish_item(session, item, "eva")  # delete and index both queued, in this order
    session.commit()
    drain()
    assert _ids(index, "kaizen") == [f"practice:{item.slug}"]


def test_public_reads_hide_drafts(session: Session, taxonomy: None) -> None:
    draft = create_item(session, title="Concept", publish=False)
    with pytest.raises(NotFound):
        service.get_item(session, "practice", draft.slug)
    items, total = service.list_items(session, service.ListFilters(types=("practice",)))
    assert total == 0 and items == []
    assert service.get_item(session, "practice", draft.slug, public=False).id == draft.id


def test_list_filters_on_taxonomy_including_sub_sectors(session: Session,
                                                        taxonomy: None) -> None:
    create_item(session, title="Installateur plant slim", sectors=["installatie"],
                themes=["lean-procesinnovatie"], regions=["overijssel"])
    create_item(session, title="Fabriek automatiseert", sectors=["industrie"],
                themes=["robotisering-automatisering"], company_sizes=["middel"])

    def titles(**kw: object) -> list[str]:
        items, _ = service.list_items(session, service.ListFilters(**kw))  # type: ignore[arg-type]
        return [i.title for i in items]

    assert titles(sectors=["bouw"]) == ["Installateur plant slim"]
    assert titles(pillars=["technologie"]) == ["Fabriek automatiseert"]
    assert titles(regions=["overijssel"], themes=["lean-procesinnovatie"]) == [
        "Installateur plant slim"]
    assert titles(sizes=["middel"]) == ["Fabriek automatiseert"]


def test_scheme_status_follows_window_and_budget(session: Session, taxonomy: None) -> None:
    today = date.today()
    cases: dict[str, dict[str, Any]] = {
        "open": dict(budget_status="open", closes_on=today + timedelta(days=3)),
        "closed": dict(budget_status="open", closes_on=today - timedelta(days=1)),
        "upcoming": dict(budget_status="open", opens_on=today + timedelta(days=3),
                         closes_on=today + timedelta(days=30)),
        "exhausted": dict(budget_status="exhausted"),
    }
    for expected, terms in cases.items():
        scheme = create_scheme(session, title=f"Regeling {expected}", **terms)
        t = session.get(SchemeTerms, scheme.id)
        assert scheme_status(t) == expected
        items, _ = service.list_items(session, service.ListFilters(
            types=("scheme",), scheme_statuses=[expected]))
        assert [i.title for i in items] == [f"Regeling {expected}"]
    assert scheme_status(SchemeTerms(item_id=0, budget_status="continuous")) == "continuous"
    assert scheme_status(SchemeTerms(item_id=0, budget_status="limited")) == "open"
    create_scheme(session, title="Regeling doorlopend", budget_status="continuous",
                  closes_on=None)
    items, _ = service.list_items(session, service.ListFilters(
        types=("scheme",), scheme_statuses=["continuous"]))
    assert [i.title for i in items] == ["Regeling doorlopend"]


def test_search_document_carries_facets_and_names(session: Session, taxonomy: None) -> None:
    rvo = create_organisation(session, title="Rijksdienst voor Ondernemend Nederland")
    scheme = create_scheme(session, provider=rvo.slug, sectors=["installatie"],
                           cost_kinds=["investering"], body_md="Voor **robots** en cobots.")
    doc = to_search_doc(load_view(session, scheme))
    assert doc.id == f"scheme:{scheme.slug}" and doc.url == f"/regelingen/{scheme.slug}"
    assert doc.body == "Voor robots en cobots."
    assert set(doc.pillars) == {"technologie", "organisatie"}
    assert doc.sectors == ("installatie", "bouw")  # the parent sector too
    assert doc.status == "open" and doc.closes_on is not None
    assert "Rijksdienst voor Ondernemend Nederland" in doc.keywords
    assert "subsidie" in doc.keywords and "investering" in doc.keywords


def test_renaming_an_organisation_reindexes_what_names_it(session: Session,
                                                          taxonomy: None) -> None:
    org = create_organisation(session, title="Kamer van Koophandel")
    scheme = create_scheme(session, provider=org.slug)
    session.commit()
    before = len(_outbox(session))
    service.update_item(session, org, {"title": "KVK"}, "eva")
    queued = [m.payload.get("ids") for m in _outbox(session)[before:]]
    assert queued == [sorted([org.id or 0, scheme.id or 0])]


def test_related_items_both_ways_then_shared_themes(session: Session, taxonomy: None) -> None:
    a = create_item(session, title="Item A", themes=["lean-procesinnovatie"])
    b = create_item(session, title="Item B", related=[f"practice:{a.slug}"])
    create_item(session, title="Item C", themes=["lean-procesinnovatie"])
    create_item(session, title="Concept D", themes=["lean-procesinnovatie"], publish=False)
    related = service.related_items(session, load_view(session, a))
    assert [r.title for r in related] == ["Item B", "Item C"]
    assert [r.title for r in service.related_items(session, load_view(session, b))] == ["Item A"]


def test_related_references_must_exist_and_be_unambiguous(session: Session,
                                                          taxonomy: None) -> None:
    create_item(session, title="Dubbel")
    create_item(session, "case_study", title="Dubbel")
    with pytest.raises(Invalid) as exc:
        create_item(session, title="Item X", related=["dubbel"])
    assert exc.value.fields["related"].startswith("Ambiguous")
    with pytest.raises(Invalid):
        create_item(session, title="Item Y", related=["practice:bestaat-niet"])
    ok = create_item(session, title="Item Z", related=["case_study:dubbel"])
    assert load_view(session, ok).data()["related"] == ["case_study:dubbel"]


def test_event_needs_a_place_or_online(session: Session, taxonomy: None) -> None:
    with pytest.raises(Invalid) as exc:
        create_event(session, place=None, online=False)
    assert exc.value.fields == {"place": "Give a place, or mark the event as online."}
    event = create_event(session, place=None, online=True)
    assert event.online is True


def test_revision_snapshot_is_complete(session: Session, taxonomy: None) -> None:
    org = create_organisation(session, title="RVO")
    scheme = create_scheme(session, provider=org.slug, funding_rate=40, max_amount=20000)
    rev = session.exec(select(ContentRevision).where(ContentRevision.item_id == scheme.id)).one()
    snap = rev.snapshot
    assert snap["type"] == "scheme" and snap["provider"] == "rvo"
    assert snap["funding_rate"] == 40 and snap["max_amount"] == 20000
    assert snap["themes"] == ["robotisering-automatisering", "financiering"]


def test_batched_indexing_collects_one_message(session: Session, taxonomy: None) -> None:
    with service.batched_indexing(session):
        for n in range(3):
            create_item(session, title=f"Voorbeeld nummer {n}")
    messages = _outbox(session)
    assert len(messages) == 1 and len(messages[0].payload["ids"]) == 3


def test_scheme_status_job_queues_published_schemes(session: Session, taxonomy: None,
                                                    db: Database, settings: Settings) -> None:
    from backend.content.indexing import refresh_scheme_status
    from backend.core.outbox import WorkerContext

    scheme = create_scheme(session)
    create_item(session, title="Geen regeling")
    session.commit()
    before = len(_outbox(session))
    refresh_scheme_status(WorkerContext(db=db, settings=settings))
    session.expire_all()
    assert [m.payload for m in _outbox(session)[before:]] == [{"ids": [scheme.id]}]


def test_an_empty_index_is_filled_again_through_the_outbox(
        session: Session, taxonomy: None, db: Database, settings: Settings,
        drain: Callable[[], int], index: SearchBackend) -> None:
    """After a schema change the embedded index opens empty: the periodic job queues every
    published item once, and does nothing while the index holds documents or a fill is
    pending."""
    from backend.content.indexing import refill_empty_index
    from backend.core.outbox import WorkerContext

    item = create_item(session, title="Slim roosteren")
    create_item(session, title="Concept", publish=False)
    session.commit()
    drain()
    ctx = WorkerContext(db=db, settings=settings)
    before = len(_outbox(session))
    refill_empty_index(ctx)  # the index holds the item: nothing to do
    session.expire_all()
    assert len(_outbox(session)) == before
    index.clear()
    refill_empty_index(ctx)
    refill_empty_index(ctx)  # pending: not queued twice
    session.expire_all()
    assert [m.payload for m in _outbox(session)[before:]] == [{"ids": [item.id]}]
    drain()
    assert [h.id for h in index.search(SearchQuery(q="roosteren")).hits] == [
        "practice:slim-roosteren"]
