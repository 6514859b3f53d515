"""Home page, accessibility statement and the language switch."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from backend.core.i18n import LANG_COOKIE, LANGUAGES
from backend.core.middleware import cookie_header
from backend.core.pagecache import cache_this_page
from backend.core.routing import LazyRoute
from backend.core.templating import env, render
from backend.site.doors import available_doors, nav_items

router = APIRouter(include_in_schema=False, route_class=LazyRoute)
env.globals["nav_items"] = nav_items

# The model statement asks for the date it was drawn up; change it when the text changes.
STATEMENT_DATE = date(2026, 11, 22)
PRIVACY_DATE = date(2026, 12, 7)


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request) -> HTMLResponse:
    cache_this_page(request)
    return render(request, "site/home.html", {"doors": available_doors(request)})


@router.get("/toegankelijkheid", response_class=HTMLResponse, name="accessibility")
def accessibility(request: Request) -> HTMLResponse:
    cache_this_page(request)
    ask = [d for d in available_doors(request) if d.path == "/vraag"]
    return render(request, "site/accessibility.html",
                  {"statement_date": STATEMENT_DATE, "ask_href": ask[0].href if ask else None})


@router.get("/privacy", response_class=HTMLResponse, name="privacy_statement")
def privacy_statement(request: Request) -> HTMLResponse:
    """What Loket stores about whom, why and how long: the periods are the running settings
    (``LOKET_RETENTION_*``, enforced by ``backend.privacy.retention``; docs/privacy.md)."""
    cache_this_page(request)
    s = request.app.state.settings
    return render(request, "site/privacy.html", {
        "statement_date": PRIVACY_DATE,
        "days": {"case": s.retention_case_days, "stale_case": s.retention_stale_case_days,
                 "account": s.retention_account_days, "audit": s.retention_audit_days,
                 "audit_ip": s.retention_audit_ip_days, "outbox": s.outbox_keep_days,
                 "scan_link": s.retention_scan_link_days,
                 "former_member": s.retention_former_member_days,
                 "session_idle": s.session_idle_minutes,
                 "session_hours": s.session_absolute_hours}})


@router.get("/colofon", response_class=HTMLResponse, name="colophon")
def colophon(request: Request) -> HTMLResponse:
    cache_this_page(request)
    return render(request, "site/colophon.html")


@router.get("/taal/{lang}", name="set_language")
def set_language(request: Request, lang: str, next: str | None = None) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGUAGES:
        settings = request.app.state.settings
        response.headers.append("set-cookie", cookie_header(
            LANG_COOKIE, lang, https=settings.is_https, max_age=365 * 24 * 3600).decode())
    return response
