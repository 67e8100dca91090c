"""Dutch first, English available: chosen with ?lang=, remembered, or from the browser."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from epss.http_errors import _PAGES
from epss.i18n import ENGLISH
from epss.pages import CRITICALITY_LABELS

TEMPLATES = Path(__file__).parents[1] / "epss" / "pages" / "templates"


def test_pages_are_dutch_by_default(client: TestClient) -> None:
    page = client.get("/")
    assert '<html lang="nl">' in page.text and "Alle taken" in page.text


def test_english_on_request_and_remembered(client: TestClient) -> None:
    page = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in page.text and "All tasks" in page.text
    assert "Alle taken" not in page.text
    assert client.get("/taken/aangifte-geboorte").text.count("Mandatory") > 0  # cookie kept
    assert "Alle taken" in client.get("/", params={"lang": "nl"}).text


def test_switching_language_keeps_the_question_on_the_page(client: TestClient) -> None:
    page = client.get("/zoeken", params={"q": "paspoort kind"})
    assert 'href="?q=paspoort+kind&amp;lang=en"' in page.text
    english = client.get("/zoeken", params={"q": "paspoort kind", "lang": "en"})
    assert 'href="?q=paspoort+kind&amp;lang=nl"' in english.text


def test_dutch_even_for_an_english_browser_until_english_is_chosen(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Alle taken" in page.text
    client.get("/", params={"lang": "en"})
    page = client.get("/taken/x", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Not found" in page.text


def test_every_interface_text_has_an_english_translation() -> None:
    texts = {text for pair in _PAGES.values() for text in pair} | set(CRITICALITY_LABELS.values())
    for template in TEMPLATES.glob("*.html"):
        for double, single in re.findall(r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""",
                                         template.read_text(encoding="utf-8")):
            texts.add(double or single)
    assert sorted(texts - set(ENGLISH)) == []
