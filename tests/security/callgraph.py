"""A static call graph of ``backend/``, for tests that must see every path to an act.

Functions are named ``module:qualname`` (``backend.cases.service:ask_question``). A call is
resolved through the module's imports (at any level, function-level imports included), its
own top-level functions and ``module.attr`` chains. A call that cannot be resolved but whose
last name is the name of a function that some module defines *and* that the caller's module
imports from is resolved to that function too; anything else (methods on objects, builtins)
is ignored. Decorated route handlers are recorded with their method and path.

Over-approximates on purpose where it guesses (a name imported from a module maps to the
function of that name there), so a test built on it errs towards "reachable".
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}


@dataclass
class Route:
    function: str
    method: str
    path: str


@dataclass
class Graph:
    calls: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Every call site: caller → [(callee, line)], in source order.
    sites: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    functions: set[str] = field(default_factory=set)  # functions and classes
    classes: set[str] = field(default_factory=set)
    routes: list[Route] = field(default_factory=list)
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)

    def callers(self) -> dict[str, set[str]]:
        back: dict[str, set[str]] = defaultdict(set)
        for caller, callees in self.calls.items():
            for callee in callees:
                back[callee].add(caller)
        return back

    def reaches(self, start: str, targets: set[str], *, stop: set[str]) -> list[str] | None:
        """A call path from ``start`` to one of ``targets`` that passes through no function
        in ``stop`` (``start`` and the target included), or None."""
        if start in stop:
            return None
        queue: deque[list[str]] = deque([[start]])
        seen = {start}
        while queue:
            path = queue.popleft()
            here = path[-1]
            if here in targets:
                return path
            for nxt in sorted(self.calls.get(here, ())):
                if nxt in seen or nxt in stop:
                    continue
                seen.add(nxt)
                queue.append([*path, nxt])
        return None


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve_relative(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


class _Module(ast.NodeVisitor):
    def __init__(self, module: str, tree: ast.Module, is_package: bool) -> None:
        self.module = module
        self.aliases: dict[str, str] = {}  # local name → dotted target (module or module.attr)
        self.top: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases[a.asname] = a.name
                    else:
                        self.aliases[a.name.split(".")[0]] = a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                src = _resolve_relative(module, node, is_package)
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{src}.{a.name}"
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.top.add(node.name)


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def build(paths: Iterable[Path] | None = None, *, extra: dict[str, str] | None = None
          ) -> Graph:
    """The graph of ``backend/`` (or ``paths``), plus ``extra`` modules given as source."""
    graph = Graph()
    files = sorted(paths or (ROOT / "backend").rglob("*.py"))
    sources = [(module_name(p), p.read_text(encoding="utf-8"), p.name == "__init__.py", str(p))
               for p in files]
    sources += [(name, text, False, f"<{name}>") for name, text in (extra or {}).items()]
    parsed: list[tuple[str, ast.Module, _Module]] = []
    modules: set[str] = set()
    for name, text, is_package, filename in sources:
        tree = ast.parse(text, filename=filename)
        info = _Module(name, tree, is_package)
        parsed.append((name, tree, info))
        modules.add(name)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                graph.functions.add(f"{name}:{node.name}")
            if isinstance(node, ast.ClassDef):
                graph.classes.add(f"{name}:{node.name}")
    for name, tree, info in parsed:
        for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                               ast.AsyncFunctionDef))]:
            me = f"{name}:{fn.name}"
            graph.lines[me] = (name, fn.lineno)
            for deco in fn.decorator_list:
                if (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                        and deco.func.attr in HTTP_METHODS and deco.args
                        and isinstance(deco.args[0], ast.Constant)):
                    graph.routes.append(Route(me, deco.func.attr.upper(),
                                              str(deco.args[0].value)))
            for node in ast.walk(fn):
                # router.add_api_route(path, handler, methods=[...]): a route too (the
                # knowledge base's API registers one set of handlers per content type).
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "add_api_route" and len(node.args) >= 2
                        and isinstance(node.args[1], ast.Name)):
                    methods = next((k.value for k in node.keywords if k.arg == "methods"),
                                   None)
                    for m in (methods.elts if isinstance(methods, ast.List) else []):
                        if isinstance(m, ast.Constant):
                            graph.routes.append(Route(f"{name}:{node.args[1].id}",
                                                      str(m.value).upper(),
                                                      ast.unparse(node.args[0])))
                target = None
                if isinstance(node, ast.Call):
                    target = node.func
                elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(
                        getattr(node, "ctx", None), ast.Load):
                    # A function passed as a value (callbacks, Depends(...)) is a call too.
                    target = node
                if target is None:
                    continue
                callee = _resolve(target, info, modules, graph.functions)
                if callee in graph.classes and not isinstance(node, ast.Call):
                    continue  # a class named in an annotation or isinstance() is no call
                if callee and callee != me:
                    graph.calls[me].add(callee)
                    graph.sites[me].append((callee, getattr(node, "lineno", 0)))
    return graph


def _resolve(func: ast.expr, info: _Module, modules: set[str], functions: set[str]
             ) -> str | None:
    dotted = _dotted(func)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if not rest and (head in info.top or f"{info.module}:{head}" in functions):
        return f"{info.module}:{head}"
    if head in info.aliases:
        dotted = info.aliases[head] + ("." + rest if rest else "")
    elif not rest:
        return None
    # Longest module prefix, then the function named by what follows.
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        mod = ".".join(parts[:i])
        if mod in modules:
            candidate = f"{mod}:{parts[i]}"
            return candidate if candidate in functions else None
    return None
