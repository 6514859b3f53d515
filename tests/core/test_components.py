"""What pages share lives once in templates/_components.html: pagination and breadcrumbs."""

from __future__ import annotations

from backend.core.settings import ROOT
from backend.core.templating import env

TEMPLATES = ROOT / "templates"


def _render(source: str, **context: object) -> str:
    return env.from_string('{% from "_components.html" import pagination, breadcrumbs %}'
                           + source).render(**context)


def test_no_page_keeps_its_own_pagination_or_breadcrumbs() -> None:
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.name == "_components.html":
            continue
        text = path.read_text(encoding="utf-8")
        for mark in ('class="pagination"', 'class="breadcrumbs"', "macro pagination",
                     "macro breadcrumbs"):
            assert mark not in text, f"{path.relative_to(ROOT)}: use _components.html ({mark})"


def test_pagination_shows_page_of_pages_or_numbered_links() -> None:
    paging = {"page": 2, "pages": 5, "prev": "/x?pagina=1", "next": "/x?pagina=3"}
    plain = _render("{{ pagination(p, 'Pages') }}", p=paging)
    assert 'aria-label="Pages"' in plain and 'rel="prev"' in plain and 'rel="next"' in plain
    assert "2" in plain and "5" in plain and "hx-boost" not in plain
    numbered = _render("{{ pagination(p, 'Pages', '#results') }}",
                       p={**paging, "links": [(1, "/x?pagina=1"), (2, "/x?pagina=2")]})
    assert '<span aria-current="page">2</span>' in numbered
    assert 'href="/x?pagina=1"' in numbered and 'hx-target="#results"' in numbered
    assert _render("{{ pagination(p, 'Pages') }}", p={"page": 1, "pages": 1}).strip() == ""


def test_breadcrumbs_start_at_admin_unless_told_otherwise() -> None:
    admin = _render("{{ breadcrumbs([('/beheer/loketten', 'Desks'), (None, 'Oost')]) }}")
    assert 'href="/beheer"' in admin and '<span aria-current="page">Oost</span>' in admin
    public = _render("{{ breadcrumbs([(None, 'Robots')], home=('/', 'Home'), label='Trail') }}")
    assert 'href="/"' in public and 'aria-label="Trail"' in public
    assert 'href="/beheer"' not in public
