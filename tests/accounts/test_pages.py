"""Login pages: accessible forms, both languages, and a Dutch text for every message."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from sqlmodel import Session

from backend.core.i18n import load_catalog
from backend.core.settings import ROOT
from tests.accounts.test_admin import _check_forms
from tests.client import LoketClient
from tests.factories.accounts import create_login_link, create_user

LOGIN_PAGES = ["/inloggen", "/inloggen/beheer", "/inloggen/link-verstuurd"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "gettext_": None,
            "ngettext_": (1, 2), "N_": None}


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_login_pages_have_clean_forms(client: LoketClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    _check_forms(r.text)


def test_link_confirmation_page_has_a_csrf_form(client: LoketClient, session: Session) -> None:
    token = create_login_link(session, create_user(session))
    session.commit()
    r = client.get(f"/inloggen/link/{token}")
    _check_forms(r.text)
    assert 'name="csrf_token"' in r.text


def test_login_page_in_english(client: LoketClient) -> None:
    client.cookies.set("loket_lang", "en")
    r = client.get("/inloggen")
    assert '<html lang="en">' in r.text
    assert "Send me a login link" in r.text
    client.cookies.set("loket_lang", "nl")
    assert "Stuur mij een inloglink" in client.get("/inloggen").text


def _my_messages() -> set[str]:
    files = [*(ROOT / "backend" / "accounts").glob("*.py"), ROOT / "backend/core/ratelimit.py"]
    templates = [*(ROOT / "templates" / "accounts").glob("*.html"),
                 *(ROOT / "templates" / "admin").glob("*.html")]
    found: set[str] = set()
    for path in files:
        found |= _extract("python", path)
    for path in templates:
        found |= _extract("jinja2", path)
    return found


def _extract(method: str, path: Path) -> set[str]:
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
               "lstrip_blocks": "True"} if method == "jinja2" else {}
    out = set()
    for _line, msgid, _c, _ctx in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                     options=options):
        out.add(msgid[0] if isinstance(msgid, tuple) else msgid)
    return out


def test_every_accounts_message_has_a_dutch_translation() -> None:
    messages = _my_messages()
    assert len(messages) > 100
    catalog = load_catalog("nl")
    missing = sorted(m for m in messages if not getattr(catalog.get(m), "string", None))
    assert missing == []
