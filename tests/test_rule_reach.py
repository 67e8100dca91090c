"""Beside a context rule in the editor: the pages of its case software where the help panel
was used lately (from the overlay's real reports), those its address pattern takes in and
the others, in Dutch, for experts only."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi.testclient import TestClient

from epss.db import unit_of_work
from epss.models import HostApp
from tests.conftest import text_of

APP = "demo-zaaksysteem"
REACH = "/redactie/taken/verhuizing-doorgeven/regels/bereik"
HTMX = {"HX-Request": "true"}


def viewed(url: str) -> dict:
    """A `panel_opened` report as the overlay sends it."""
    return {
        "id": str(uuid.uuid4()),
        "type": "panel_opened",
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
        "app": APP,
        "url": url,
        "user": "t.tester",
    }


def reach(client: TestClient, headers: dict, **query: str) -> str:
    answer = client.get(REACH, headers={**headers, **HTMX}, params=query)
    assert answer.status_code == 200, answer.text
    return text_of(answer.text)


def test_the_known_pages_a_pattern_takes_in_and_those_it_leaves_out(
    client: TestClient, people: dict
) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        session.get(HostApp, APP).name = "Zaaksysteem Dijkhaven"
    screens = [
        "https://zaken.gemeente.example/zaken/Z-2026-000101/verhuizing?bsn=1",
        "https://zaken.gemeente.example/zaken/Z-2026-000101/verhuizing",
        "https://zaken.gemeente.example/zaken/Z-2026-000102/verhuizing",
        "https://zaken.gemeente.example/zaken/Z-2026-000103/geboorte",
        "https://zaken.gemeente.example/werkvoorraad",
    ]
    answer = client.post("/api/v1/events", json={"events": [viewed(url) for url in screens]})
    assert answer.status_code in (200, 202), answer.text
    expert = people["expert"]

    wide = reach(client, expert, regel_app=APP, regel_url="/zaken/:zaak/**")
    assert (
        "Het adrespatroon past op 2 van de 3 pagina’s van Zaaksysteem Dijkhaven waar het "
        "hulppaneel de laatste tijd is gebruikt: /zaken/Z-2026-*****/verhuizing "
        "/zaken/Z-2026-*****/geboorte Past niet op 1 andere /werkvoorraad" in wide
    )  # the case numbers masked as stored (one page for all cases), no query string
    assert "bsn" not in wide

    exact = reach(client, expert, regel_app=APP, regel_url="/zaken/:zaak/verhuizing")
    assert "past op 1 van de 3" in exact and "Past niet op 2 andere" in exact

    none = reach(client, expert, regel_app=APP, regel_url="/verhuizing")
    assert "past op geen van de 3 pagina’s van Zaaksysteem Dijkhaven" in none

    english = client.get(
        REACH,
        headers={**expert, **HTMX},
        params={"regel_app": APP, "regel_url": "/zaken/:zaak/**", "lang": "en"},
    )
    assert "matches 2 of the 3 pages of Zaaksysteem Dijkhaven" in text_of(english.text)


def test_what_it_says_without_an_app_a_pattern_or_known_pages(
    client: TestClient, people: dict
) -> None:
    expert = people["expert"]
    assert "Vul het zaaksysteem in" in reach(client, expert, regel_url="/zaken/**")
    unknown = reach(client, expert, regel_app="zaken-west", regel_url="/zaken/**")
    assert "Er is geen zaaksysteem ‘zaken-west’ geregistreerd." in unknown
    any_page = reach(client, expert, regel_app=APP, regel_url="")
    assert "Zonder adrespatroon past de regel op elke pagina van" in any_page
    unused = reach(client, expert, regel_app=APP, regel_url="/zaken/**")
    assert "is nog geen pagina bekend: het hulppaneel is er de laatste tijd niet gebruikt" in unused


def test_only_experts_and_redacteuren_see_it(client: TestClient, people: dict) -> None:
    query = {"regel_app": APP, "regel_url": "/zaken/**"}
    assert client.get(REACH, params=query, headers=HTMX).status_code == 401
    for role in ("medewerker", "kwaliteit", "beheerder"):
        assert client.get(REACH, params=query, headers=people[role]).status_code == 403, role
    assert client.get(REACH, params=query, headers=people["redacteur"]).status_code == 200
    missing = client.get(
        "/redactie/taken/geen-taak/regels/bereik", params=query, headers=people["expert"]
    )
    assert missing.status_code == 404
