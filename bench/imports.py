"""Import figures of ``backend/`` (issue #14 item 5), counted with ``ast``; asserts nothing.

    .venv/bin/python bench/imports.py            # the counts
    .venv/bin/python bench/imports.py --list     # and every place counted

A domain is a sub-package ``backend/<name>/``; ``backend/core`` is the shared kernel and
``backend/main.py``, ``models.py``, ``seeding.py`` and ``cli.py`` are the composition root.
Counted:

- **cross-domain model imports**: an ``import`` in a domain (outside ``backend/privacy``, the
  declared exception) of another domain's ``models`` module (``models.py``, ``models_*.py``),
  in any spelling (``from backend.x.models import A``, ``from backend.x import models``,
  ``import backend.x.models``); one per statement and imported module; those under
  ``if TYPE_CHECKING:`` (annotations only, no runtime dependency) are counted apart;
- **function-level imports**: ``import`` statements inside a function body in ``backend/``
  (nested functions and methods included), and how many of them carry a ``# cycle:`` or a
  ``# lazy:`` comment (a third-party package a cold start need not load, issue 19) on the same
  line or the line above;
- **``except ImportError`` guards**: ``try`` statements in ``backend/`` with a handler for
  ``ImportError`` or ``ModuleNotFoundError``;
- **route modules importing route modules**: imports in a ``routes*.py`` of another
  ``routes*.py`` module (one per statement and imported module).
"""

from __future__ import annotations

import argparse
import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
KERNEL = "core"
EXCEPTION = "privacy"
COMPOSITION_ROOT = {"main.py", "models.py", "seeding.py", "cli.py"}


@dataclass
class Figures:
    model_imports: list[str] = field(default_factory=list)
    type_only_model_imports: list[str] = field(default_factory=list)
    function_imports: list[str] = field(default_factory=list)
    commented_cycles: list[str] = field(default_factory=list)
    commented_lazy: list[str] = field(default_factory=list)
    import_error_guards: list[str] = field(default_factory=list)
    route_route_imports: list[str] = field(default_factory=list)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """Every module a statement may import (``from a import b`` names ``a`` and ``a.b``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def is_models(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "models" or last.startswith("models_")


def is_routes(module: str) -> bool:
    return module.rsplit(".", 1)[-1].startswith("routes")


def domain_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "backend":
        return parts[1]
    return None


def _in_function(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom) and inner not in found:
                    found.append(inner)
    return found


def _guards(tree: ast.Module) -> list[ast.Try]:
    guards = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        for handler in node.handlers:
            kinds = handler.type
            names = (
                [kinds] if not isinstance(kinds, ast.Tuple) else list(kinds.elts)
            ) if kinds is not None else []
            if any(isinstance(n, ast.Name) and n.id in {"ImportError", "ModuleNotFoundError"}
                   for n in names):
                guards.append(node)
                break
    return guards


def measure(root: Path = BACKEND) -> Figures:
    figures = Figures()
    for path in sorted(root.rglob("*.py")):
        if "static" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        where = str(path.relative_to(ROOT))
        own = domain_of(name) if path.parent != root else None
        own_is_routes = is_routes(name)
        type_only = {id(inner) for node in ast.walk(tree)
                     if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                     for inner in ast.walk(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for module in dict.fromkeys(imported_modules(node, package)):
                other = domain_of(module)
                if (own and own not in {EXCEPTION} and other and other != own
                        and other != KERNEL and is_models(module)):
                    hits = (figures.type_only_model_imports if id(node) in type_only
                            else figures.model_imports)
                    hits.append(f"{where}:{node.lineno} {module}")
                if own_is_routes and is_routes(module) and module != name and other:
                    figures.route_route_imports.append(f"{where}:{node.lineno} {module}")
        for node in _in_function(tree):
            place = f"{where}:{node.lineno}"
            figures.function_imports.append(place)
            here = lines[node.lineno - 1]
            above = lines[node.lineno - 2] if node.lineno >= 2 else ""
            if "# cycle:" in here or above.strip().startswith("# cycle:"):
                figures.commented_cycles.append(place)
            elif "# lazy:" in here or above.strip().startswith("# lazy:"):
                figures.commented_lazy.append(place)
        figures.import_error_guards += [f"{where}:{g.lineno}" for g in _guards(tree)]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="print every place counted")
    args = parser.parse_args()
    figures = measure()
    model_files = {hit.split(":")[0] for hit in figures.model_imports}
    root_files = {f"backend/{name}" for name in COMPOSITION_ROOT}
    in_domains = [h for h in figures.function_imports if h.split(":")[0] not in root_files]
    router_lists = {str(p.relative_to(ROOT)) for p in BACKEND.glob("*/routes.py")
                    if "@router." not in (text := p.read_text(encoding="utf-8"))
                    and "add_api_route" not in text}
    outside_lists = [h for h in figures.route_route_imports
                     if h.split(":")[0] not in router_lists]
    rows = [
        ("imports of another domain's models (outside privacy)", figures.model_imports,
         f" in {len(model_files)} files"),
        ("  more under `if TYPE_CHECKING:` (annotations only)", figures.type_only_model_imports,
         ""),
        ("function-level imports in backend/", figures.function_imports,
         f" ({len(figures.commented_cycles)} commented '# cycle:', "
         f"{len(figures.commented_lazy)} '# lazy:' third-party packages a cold start skips)"),
        ("  of them in domains (outside the composition root)", in_domains, ""),
        ("except ImportError guards", figures.import_error_guards, ""),
        ("route modules importing route modules", figures.route_route_imports, ""),
        ("  of them outside a domain's router list (routes.py without routes)", outside_lists,
         ""),
    ]
    for label, hits, extra in rows:
        print(f"{label}: {len(hits)}{extra}")
        if args.list:
            for hit in hits:
                print(f"    {hit}")


if __name__ == "__main__":
    main()
