"""``core.db.driver_rows``: the checks pages make on every request, run on the driver's cursor,
give what SQLAlchemy gives, in the caller's transaction, and fail as SQLAlchemy fails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from backend.content import queries as content_q
from backend.content import taxonomy
from backend.content.models import SectorCreate
from backend.core.db import driver_rows
from backend.regions import service as regions
from tests.factories.content import create_scheme, create_taxonomy

_NO_TABLE = sa.select(sa.table("no_such_table", sa.column("x")).c.x)


def test_rows_are_sqlalchemys_rows_as_tuples(session: Session) -> None:
    create_taxonomy(session)
    create_scheme(session, "Robots", slug="robots")
    session.flush()
    conn = session.connection()
    for stmt in (*taxonomy._ROWS, content_q._VERSION, regions._FINGERPRINT):
        rows = driver_rows(session, stmt)
        assert rows and all(type(r) is tuple for r in rows)
        expected = [tuple(r) for r in conn.execute(stmt).all()]
        if stmt is content_q._VERSION:  # max(updated_at): the driver's text on SQLite
            assert [(r[0], r[2]) for r in rows] == [(r[0], r[2]) for r in expected]
            assert rows[0][1] is not None
        else:
            assert rows == expected
    # the taxonomy's five tables: integers and text only, as SQLAlchemy reads them
    read = taxonomy._term_rows(session)
    assert read == tuple(tuple(tuple(r) for r in conn.execute(s).all()) for s in taxonomy._ROWS)
    assert any(read)


def test_rows_are_read_in_the_callers_transaction(session: Session) -> None:
    create_taxonomy(session)
    session.flush()
    before = taxonomy.load(session)
    assert "drukkerij" not in before.by_slug["sector"]
    taxonomy.create_sector(session, SectorCreate(slug="drukkerij", name_nl="Drukkerijen",
                                                 name_en="Printing", parent="industrie"))
    session.flush()  # not committed: only this transaction sees it
    after = taxonomy.load(session)
    assert after is not before and "drukkerij" in after.by_slug["sector"]
    assert taxonomy.load(session) is after  # the same rows: the kept taxonomy
    version = content_q.content_version(session)
    create_scheme(session, "Later", slug="later")
    session.flush()
    assert content_q.content_version(session) != version


def test_a_drivers_error_is_raised_as_sqlalchemys(session: Session) -> None:
    with pytest.raises(DBAPIError) as raised, session.begin_nested():
        driver_rows(session, _NO_TABLE)
    assert "no_such_table" in str(raised.value)
    assert isinstance(raised.value, sa.exc.OperationalError | sa.exc.ProgrammingError)
