"""The guidance pages: the task list, a task's steps, search (full page and htmx fragment)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from epss.errors import InvalidInput
from epss.glossary import load_glossary


def test_home_lists_every_task(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for slug in ("reisdocument-aanvragen", "aangifte-geboorte", "rijbewijs-aanvragen"):
        assert f'href="/taken/{slug}"' in page.text
    assert 'lang="nl"' in page.text
    assert "content-security-policy" in page.headers


def test_task_page_shows_steps_and_accountability(client: TestClient) -> None:
    page = client.get("/taken/reisdocument-aanvragen")
    assert page.status_code == 200
    assert page.text.count('class="step"') >= 8
    assert "Verplicht" in page.text and "Verantwoording" in page.text
    assert "Bron:" in page.text


def test_task_page_shows_each_sources_article_and_date_and_when_it_was_checked(
    client: TestClient,
) -> None:
    page = client.get("/taken/aangifte-geboorte")
    assert 'Laatst gecontroleerd op</dt><dd class="checked-on">04-12-2026' in page.text
    assert (
        "Burgerlijk Wetboek Boek 1, art. 1:19e lid 7 (termijn van 3 dagen, melding aan het "
        "OM) — Overheid.nl (wetten.overheid.nl), 04-12-2026"
    ) in page.text
    english = client.get("/taken/aangifte-geboorte", params={"lang": "en"})
    assert "Last checked on" in english.text


def test_search_serves_a_page_or_the_fragment_htmx_asked_for(client: TestClient) -> None:
    full = client.get("/zoeken", params={"q": "naamskeuze"})
    assert full.status_code == 200 and "<html" in full.text and "<mark" in full.text
    fragment = client.get("/zoeken", params={"q": "naamskeuze"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="resultaten"' in fragment.text
    assert "/taken/aangifte-geboorte" in fragment.text
    # Back to a search whose page htmx no longer keeps: it asks again, and needs all of it.
    restored = client.get(
        "/zoeken",
        params={"q": "naamskeuze"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.text and "<mark" in restored.text
    assert all("HX-Request" in a.headers["vary"] for a in (full, fragment, restored))


def test_unknown_task_page_is_a_404_page_for_people(client: TestClient) -> None:
    page = client.get("/taken/bestaat-niet", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Niet gevonden" in page.text and "<html" in page.text
    assert "bestaat niet (meer)" in page.text


def test_static_files_stay_inside_their_folder(client: TestClient) -> None:
    assert client.get("/static/epss.css").status_code == 200
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    assert client.get("/static/../settings.py").status_code == 404
    assert client.get("/static/%2e%2e/settings.py").status_code == 404


def test_glossary_explains_the_desk_abbreviations(client: TestClient) -> None:
    page = client.get("/begrippen")
    assert page.status_code == 200
    for term in ("NIK", "BRP", "RPS"):
        assert f">{term}</dt>" in page.text
    terms = re.findall(r"<dt[^>]*>([^<]+)</dt>", page.text)
    assert terms == sorted(terms, key=str.casefold)


def test_a_broken_glossary_is_named(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text("- term: NIK\n  definitie: Nederlandse identiteitskaart\n")
    with pytest.raises(InvalidInput, match="term, definition and source") as caught:
        load_glossary(path)
    assert str(path) in caught.value.detail


def test_a_glossary_changed_on_disk_is_read_anew(tmp_path: Path) -> None:
    """The glossary is kept per process while the file stays as it was (every service reads
    it); an edit, however small, or a removal is seen by the next service."""
    path = tmp_path / "glossary.yaml"
    path.write_text("- {term: NIK, definition: Identiteitskaart, source: Wet}\n")
    assert [t.term for t in load_glossary(path)] == ["NIK"]
    path.write_text("- {term: BRP, definition: Identiteitskaart, source: Wet}\n")  # same size
    os.utime(path, ns=(1, 1))
    assert [t.term for t in load_glossary(path)] == ["BRP"]
    path.write_text("- {term: BRP, definitie: Identiteitskaart}\n")
    with pytest.raises(InvalidInput):
        load_glossary(path)
    with pytest.raises(InvalidInput):  # not kept as the answer either
        load_glossary(path)
    path.unlink()
    assert load_glossary(path) == ()


def test_the_task_page_says_what_the_panel_does_at_the_field(client: TestClient) -> None:
    page = client.get("/taken/verhuizing-doorgeven").text
    assert "Niet eerder dan 4 weken vóór en niet later dan 5 dagen na de verhuizing." in page
    assert (
        "Het hulppaneel controleert wat er getypt wordt: moet ingevuld zijn; een datum van" in page
    )
    english = client.get("/taken/erkenning-en-naamskeuze", params={"lang": "en"}).text
    assert "The help panel checks what is typed: a valid BSN" in english
