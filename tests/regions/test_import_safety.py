"""``loket regions import`` cannot wipe the division by accident (issue 12, section 5).

The outside test of 2026-12 imported a valid two-row municipality file: 340 municipalities and
every postcode were removed without a word. Now an import that removes more than 5 % is
refused without --replace, the difference is shown first, --dry-run changes nothing, and a
municipality file never deletes postcodes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from backend.core.db import Database
from backend.core.settings import Settings
from backend.regions import service
from backend.regions.models import Municipality, PostcodeArea

DATA = Path(__file__).with_name("data")
TWO_ROWS = DATA / "gebieden_in_nederland_2028.csv"  # Deventer and Utrecht, valid CBS layout


@pytest.fixture
def regions(db: Database, settings: Settings) -> Database:
    service.seed_regions(db, settings)
    return db


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (s.exec(select(func.count()).select_from(Municipality)).one(),
                s.exec(select(func.count()).select_from(PostcodeArea)).one())


def cli(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    from backend import cli as cli_module

    monkeypatch.setattr(cli_module, "_database", lambda: db)
    result = CliRunner().invoke(cli_module.app, ["regions", "import", *args])
    return result.exit_code, result.output


def test_two_row_municipality_file_is_refused_and_changes_nothing(
        regions: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert counts(regions) == (342, 4053)
    code, out = cli(regions, monkeypatch, "--municipalities", str(TWO_ROWS))
    assert code == 1, out
    # The difference is shown: counts and examples.
    assert "municipalities: 342 now, 0 added, 0 changed, 340 removed (99.4%" in out
    assert "removed: GM0014 Groningen; GM0034 Almere" in out
    assert "refused" in out and "--replace" in out
    assert counts(regions) == (342, 4053)


def test_dry_run_prints_the_difference_and_changes_nothing(
        regions: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = cli(regions, monkeypatch, "--dry-run", "--municipalities", str(TWO_ROWS))
    assert code == 0, out
    assert "340 removed" in out and "dry run: nothing changed" in out
    code, out = cli(regions, monkeypatch, "--dry-run", "--replace",
                    "--postcodes", str(DATA / "pc6hnr_gemeente_2027.csv"))
    assert code == 0 and "postcodes: 4053 now" in out and "nothing changed" in out
    assert counts(regions) == (342, 4053)


def test_a_municipality_file_never_deletes_postcodes(
        regions: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = cli(regions, monkeypatch, "--replace", "--municipalities", str(TWO_ROWS))
    assert code == 0, out
    assert counts(regions) == (2, 4053)
    assert "postcodes belong to removed municipalities" in out
    with regions.session() as s:
        index = service.region_index(s)
        assert index.by_postcode("7411").name == "Deventer"  # type: ignore[union-attr]
        assert index.by_postcode("8011") is None  # Zwolle is gone: location unknown


def test_a_partial_postcode_file_is_refused(regions: Database, session: Session) -> None:
    with pytest.raises(service.ImportRefused) as exc:
        service.import_files(session, municipalities=None,
                             postcodes=DATA / "pc6hnr_gemeente_2027.csv")
    assert exc.value.status_code == 422
    plan = exc.value.plan
    assert plan.postcodes is not None and len(plan.postcodes.removed) > 4000
    assert session.exec(select(func.count()).select_from(PostcodeArea)).one() == 4053


def test_a_small_change_goes_through_without_replace(regions: Database, session: Session,
                                                     tmp_path: Path) -> None:
    """A national file in which a few municipalities merged (under 5 %) needs no --replace."""
    rows = service.seed_municipalities()
    merged = {"GM0164", "GM0153"}  # Hengelo and Enschede, say
    path = tmp_path / "gebieden_in_nederland_2027.csv"
    lines = ["GemeentecodeGM;Gemeentenaam;ProvinciecodePV;Provincienaam;COROPgebiedcode;"
             "COROPgebied;Arbeidsmarktregiocode;Arbeidsmarktregio"]
    for m in rows:
        if m.code not in merged:
            lines.append(";".join([m.code, m.name, m.province_code, m.province_name,
                                   m.corop_code or "", m.corop_name or "",
                                   m.labour_market_code or "", m.labour_market_name or ""]))
    path.write_text("\n".join(lines), encoding="utf-8")
    plan, report = service.import_files(session, municipalities=path, postcodes=None)
    assert report is not None and len(report.removed) == 2
    assert plan.municipalities is not None and plan.municipalities.removed_share < 0.05
    assert session.exec(select(func.count()).select_from(PostcodeArea)).one() == 4053


def test_seed_replaces_an_older_postcode_table(db: Database, settings: Settings) -> None:
    """A database seeded with the old approximate table loses its non-existent PC4s."""
    service.seed_regions(db, settings)
    with db.transaction() as s:
        s.add(PostcodeArea(postcode="7500", municipality_code="GM0153", valid_year=2025))
    service.seed_regions(db, settings)
    with db.session() as s:
        assert s.get(PostcodeArea, "7500") is None
    assert counts(db) == (342, 4053)
