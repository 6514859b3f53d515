"""Cases reads desks only through routing's read functions (``backend.routing.queries``).

Issue #13 (one owner for desks) and #14 (no domain imports another domain's models): cases
never imports ``backend.routing.models``, and what routing hands it cannot be changed or
navigated into routing's tables.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from sqlmodel import Session

from backend.cases import access, service
from backend.core.settings import ROOT
from backend.routing import queries
from backend.routing.models import Desk
from tests.factories.routing import add_member

FORBIDDEN = "backend.routing.models"


def _model_imports(path: Path) -> list[str]:
    """The lines of ``path`` that import routing's models, in any spelling."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = {a.name for a in node.names}
            if module == FORBIDDEN or module.startswith(FORBIDDEN + ".") or (
                    module == "backend.routing" and "models" in names):
                found.append(f"{path.name}:{node.lineno}")
        elif isinstance(node, ast.Import) and any(
                a.name == FORBIDDEN or a.name.startswith(FORBIDDEN + ".") for a in node.names):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_cases_imports_no_routing_models() -> None:
    files = sorted((ROOT / "backend" / "cases").glob("*.py"))
    assert len(files) >= 15
    offenders = [hit for path in files for hit in _model_imports(path)]
    assert offenders == []


def test_the_checker_sees_every_spelling(tmp_path: Path) -> None:
    for source in ("from backend.routing.models import Desk\n",
                   "from backend.routing import models\n",
                   "import backend.routing.models as m\n",
                   "def f():\n    from backend.routing.models import DeskMember\n"):
        path = tmp_path / "x.py"
        path.write_text(source, encoding="utf-8")
        assert _model_imports(path), source
    path = tmp_path / "ok.py"
    path.write_text("from backend.routing import queries\n", encoding="utf-8")
    assert _model_imports(path) == []


def test_cases_gets_frozen_read_models_not_orm_objects(session: Session,
                                                       desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    assert desk.id is not None
    advisor = add_member(session, desk, name="Advisor")
    session.commit()

    found = access.desk_for_member(session, desk.slug, advisor.id)
    assert isinstance(found, queries.DeskInfo)
    assert (found.id, found.slug, found.name) == (desk.id, desk.slug, desk.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.name = "Anders"  # type: ignore[misc]
    names = service.desk_names(session, [desk.id, None, desk.id])
    assert list(names) == [desk.id] and isinstance(names[desk.id], queries.DeskInfo)
    assert all(isinstance(d, queries.DeskInfo) for d in access.my_desks(session, advisor.id))
    members = queries.members(session, desk.id)
    assert [m.id for m in members] == [advisor.id]
    with pytest.raises(dataclasses.FrozenInstanceError):
        members[0].role = queries.COORDINATOR  # type: ignore[misc]
    assert not access.is_coordinator(session, desk.id, advisor.id)
    assert access.is_member(session, desk.id, advisor.id)
    # routing still has the one desk row, untouched
    session.expire_all()
    assert session.get(Desk, desk.id).name == desk.name  # type: ignore[union-attr]
