"""The template environment's globals (``core.templating._Environment``): Jinja's own
semantics, with keys Jinja can subtract from a set without ChainMap's Python loop."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from backend.core.templating import _Environment, _Globals, env

SOURCES = {
    "macros.html": "{% macro shout(x) %}{{ x }}{{ mark }}{% endmacro %}",
    "page.html": '{% from "macros.html" import shout %}{{ shout(word) }}|{{ mark }}',
    "with.html": '{% from "macros.html" import shout with context %}{{ shout(word) }}',
}


def _story(e: Environment) -> list[object]:
    """What a page sees through imports and globals as they change."""
    seen: list[object] = []
    e.globals["mark"] = "!"
    page, with_context = e.get_template("page.html"), e.get_template("with.html")
    seen += [page.render(word="hoi"), with_context.render(word="hoi", mark="*")]
    macros = e.get_template("macros.html")
    module = macros._get_default_module()
    page.render(word="hoi")
    seen.append(macros._get_default_module() is module)  # no new globals: the kept module
    e.globals["mark"] = "?"  # changed after loading
    seen += [page.render(word="hoi"), with_context.render(word="hoi")]
    e.globals["extra"] = 1
    seen += ["extra" in page.globals, sorted(page.globals.keys()) == sorted(e.globals)]
    own = e.from_string('{% from "macros.html" import shout %}{{ shout("x") }}{{ extra }}',
                        globals={"mark": ".", "only_here": 2})  # globals of its own
    seen += [own.render(), own.globals["mark"], e.globals["mark"], page.render(word="hoi")]
    return seen


def test_globals_behave_as_jinjas_own() -> None:
    ours = _story(_Environment(loader=DictLoader(SOURCES), autoescape=True, cache_size=-1))
    assert ours == _story(Environment(loader=DictLoader(SOURCES), autoescape=True))
    assert ours[0] == "hoi!|!" and ours[2] is True and ours[-3:] == [".", "?", "hoi!|?"]


def test_the_apps_environment_uses_them() -> None:
    assert isinstance(env, _Environment)
    page = env.get_template("base.html")
    assert isinstance(page.globals, _Globals)
    assert sorted(page.globals.keys()) == sorted(page.globals) == sorted(env.globals)
