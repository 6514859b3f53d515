"""The privacy statement, the footer and the main menu (issue 15, "One voice")."""

from __future__ import annotations

import re

from fastapi import FastAPI

from tests.client import LoketClient


def test_privacy_statement_says_what_the_settings_do(app: FastAPI, client: LoketClient) -> None:
    s = app.state.settings
    r = client.get("/privacy")
    assert r.status_code == 200
    text = re.sub(r"\s+", " ", r.text)
    assert "Privacyverklaring" in text
    assert f"Geanonimiseerd {s.retention_case_days} dagen nadat de vraag is afgesloten" in text
    assert f"Uw account wordt gewist na {s.retention_account_days} dagen zonder inloggen" in text
    assert f"IP-adressen worden na {s.retention_audit_ip_days} dagen verwijderd" in text
    assert f"na {s.retention_scan_link_days} dagen verwijderd" in text
    for heading in ("Wat wij bewaren en waarom", "Uw rechten", "Contact"):
        assert heading in text


def test_privacy_statement_in_english(client: LoketClient) -> None:
    client.cookies.set("loket_lang", "en")
    r = client.get("/privacy")
    assert r.status_code == 200
    assert "Privacy statement" in r.text and "Your rights" in r.text
    assert "Privacyverklaring" not in r.text


def test_footer_and_menu_on_every_page(client: LoketClient) -> None:
    for path in ("/", "/privacy", "/colofon", "/toegankelijkheid"):
        html = client.get(path).text
        footer = html[html.index('<footer'):]
        for href in ("/privacy", "/toegankelijkheid", "/colofon", "/api/v1/docs", "/vraag"):
            assert f'href="{href}"' in footer, (path, href)
        menu = html[html.index('<nav class="site-nav"'):html.index("</nav>")]
        for href in ("/scan", "/regelingen/zoeker", "/welk-loket", "/groepen", "/zoeken",
                     "/vraag"):
            assert f'href="{href}"' in menu, (path, href)


def test_forms_that_ask_personal_data_link_the_statement(client: LoketClient) -> None:
    for path in ("/vraag", "/inloggen"):
        html = client.get(path).text
        form = html[html.index("<form class=\"form"):]
        assert 'href="/privacy"' in form, path
