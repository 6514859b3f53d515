"""The domain contracts of docs/architecture.md ("Layers and contracts") hold (issue #14).

``make lint`` runs ``lint-imports``; this test runs the same check so ``make test`` keeps it
too, and checks that the contracts in pyproject.toml still cover every domain's models and
every route module (a new one is not silently outside them). It also keeps what import-linter
cannot see: imports inside functions only where a cycle is commented (``# cycle: <why>``) or,
for a third-party package that a cold start should not load, a lazy import is
(``# lazy: <why>``; never of ``backend``), and no ``try: import … except ImportError`` guard.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from backend.core.settings import ROOT

BACKEND = ROOT / "backend"
COMPOSITION_ROOT = {"backend.main", "backend.models", "backend.seeding", "backend.cli"}


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _domain_files() -> list[Path]:
    return sorted(p for p in BACKEND.glob("*/*.py") if "static" not in p.parts)


def test_import_linter_keeps_every_contract() -> None:
    # In a process of its own: import-linter configures logging with dictConfig, which
    # disables every logger that exists (the app's too) for the rest of the test process.
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache",
                           "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_domain_models_module_is_protected() -> None:
    protected = {m for c in _contracts() if c["type"] == "protected"
                 for m in c["protected_modules"]}
    models = {_module(p) for p in BACKEND.glob("*/models*.py")}
    assert models, "no models modules found"
    assert models - protected == set()
    for contract in _contracts():
        if contract["id"].startswith("models-"):
            assert "backend.privacy" in contract["allowed_importers"]


def test_every_route_module_is_in_the_route_contracts() -> None:
    by_id = {c["id"]: c for c in _contracts()}
    routes = {_module(p) for p in BACKEND.glob("*/routes*.py")}
    assert len(routes) >= 20
    assert set(by_id["routes-no-routes"]["forbidden_modules"]) == routes
    assert set(by_id["routes-protected"]["protected_modules"]) == routes
    # Only a domain's router list (routes.py holding no route of its own) may import its
    # route modules; a route module with routes is a source of the no-routes contract.
    lists = set(by_id["routes-protected"]["allowed_importers"]) - {"backend.main"}
    for module in lists:
        text = (ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        assert "@router." not in text and "add_api_route" not in text, module
    assert routes - lists == set(by_id["routes-no-routes"]["source_modules"])


def test_every_domain_is_in_the_layers() -> None:
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    named = {m.strip() for layer in layers for m in layer.replace(":", "|").split("|")}
    domains = {f"backend.{p.parent.name}" for p in BACKEND.glob("*/__init__.py")}
    assert domains - {"backend.locale", "backend.static"} - named == set()


def _function_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: dict[int, ast.Import | ast.ImportFrom] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found[id(inner)] = inner
    return list(found.values())


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}"


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return ["." * node.level + (node.module or "")]
    return [alias.name for alias in node.names]


def uncommented_function_imports(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for node in _function_imports(ast.parse("\n".join(lines))):
        here, above = lines[node.lineno - 1], lines[node.lineno - 2] if node.lineno > 1 else ""
        if "# cycle:" in here or above.strip().startswith("# cycle:"):
            continue
        third_party = all(not m.startswith((".", "backend")) for m in _imported(node))
        if third_party and ("# lazy:" in here or above.strip().startswith("# lazy:")):
            continue
        out.append(_where(path, node.lineno))
    return out


def import_error_guards(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Try) and any(
                h.type is not None and any(n in ast.unparse(h.type)
                                           for n in ("ImportError", "ModuleNotFoundError"))
                for h in node.handlers):
            out.append(_where(path, node.lineno))
    return out


def test_domains_import_at_module_top_except_commented_cycles() -> None:
    files = _domain_files()
    assert len(files) > 150
    assert [hit for p in files for hit in uncommented_function_imports(p)] == []


def test_no_import_error_guards() -> None:
    files = [p for p in BACKEND.rglob("*.py") if "static" not in p.parts]
    assert [hit for p in files for hit in import_error_guards(p)] == []


def test_the_checkers_see_what_they_look_for(tmp_path: Path) -> None:
    path = tmp_path / "x.py"
    path.write_text("def f():\n    from a import b\n    return b\n", encoding="utf-8")
    assert uncommented_function_imports(path) != []
    path.write_text("def f():\n    # cycle: a imports this module\n    from a import b\n"
                    "    return b\n", encoding="utf-8")
    assert uncommented_function_imports(path) == []
    path.write_text("def f():\n    # lazy: 0.2 s at start-up\n    import fpdf\n    return fpdf\n",
                    encoding="utf-8")
    assert uncommented_function_imports(path) == []
    path.write_text("def f():\n    # lazy: not for our own modules\n    from backend import x\n"
                    "    return x\n", encoding="utf-8")
    assert uncommented_function_imports(path) != []
    path.write_text("try:\n    import a\nexcept (ImportError, OSError):\n    a = None\n",
                    encoding="utf-8")
    assert import_error_guards(path) != []
