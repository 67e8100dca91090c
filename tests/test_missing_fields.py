"""The experts' list of fields the desk's panel did not find (/redactie/velden), filled
from real overlay reports: per step and case software, how often, since when, on which
screens; counts only."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

from fastapi.testclient import TestClient

from epss.db import unit_of_work
from epss.models import HostApp
from tests.conftest import set_clock, text_of

APP = "demo-zaaksysteem"
PAGE = "/redactie/velden"


def missing(step_id: str | None, url: str, days_ago: float = 0, **changes) -> dict:
    """A `highlight_missing` report as the overlay sends it."""
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    report = {
        "id": str(uuid.uuid4()),
        "type": "highlight_missing",
        "occurred_at": at.isoformat(),
        "app": APP,
        "url": url,
        "task_slug": "verhuizing-doorgeven",
        "task_version": 1,
        "step_id": step_id,
        "user": "t.tester",
        "details": {"selector": "#nieuw-adres"},
        **changes,
    }
    return {key: value for key, value in report.items() if value is not None}


def test_reports_of_a_missing_field_reach_the_experts_list(
    client: TestClient, people: dict
) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        app = session.get(HostApp, APP)
        app.name = "Zaaksysteem Dijkhaven"
        app.allowed_origins = ["https://zaken.gemeente.example"]
    screen = "https://zaken.gemeente.example/verhuizing/1"
    events = [
        missing("vraag-nieuw-adres", screen, days_ago=2),
        missing("vraag-nieuw-adres", screen, days_ago=1),
        missing("vraag-nieuw-adres", "https://zaken.gemeente.example/verhuizing/2"),
        missing("een-oude-stap", screen),
        missing(None, screen),  # an overlay from before steps were reported
        missing("vraag-nieuw-adres", screen, days_ago=45),  # outside the period
        missing("vraag-nieuw-adres", screen, type="step_viewed", details=None),
    ]
    answer = client.post("/api/v1/events", json={"events": events})
    assert answer.status_code in (200, 202), answer.text

    page = client.get(PAGE, headers=people["expert"])
    assert page.status_code == 200
    text = page.text
    assert "Velden die het hulppaneel niet vond" in text
    row = text.split("Stap 3: Vraag het nieuwe adres na")[1].split("</tr>")[0]
    assert ">3<" in row  # three reports in the last 30 days, not the older one
    assert "Zaaksysteem Dijkhaven" in row  # the case software by its name
    assert "https://zaken.gemeente.example/verhuizing/1" in row
    assert "https://zaken.gemeente.example/verhuizing/2" in row
    assert "een stap die niet meer in de taak staat" in text
    assert "stap niet gemeld (een oudere versie van het hulppaneel)" in text
    assert 'href="/redactie/taken/verhuizing-doorgeven#stap-vraag-nieuw-adres"' in text
    assert "t.tester" not in text  # counts only
    # One click from the list to the step's form, where the field is pointed at again.
    again = re.search(r'href="([^"]+)">Veld opnieuw aanwijzen', row)
    assert again is not None
    form = text_of(client.get(html.unescape(again.group(1)), headers=people["expert"]).text)
    assert "Veld aanwijzen in het zaaksysteem" in form and "Stap opslaan" in form
    # Where experts start, they are told: one step of a published task (the others are gone
    # from the task, or not named).
    notice = text_of(client.get("/redactie", headers=people["expert"]).text)
    assert "Eén stap heeft een veld dat het hulppaneel aan de balie niet vond." in notice
    # In the task's editor, that step (and no other) is marked.
    editor = client.get("/redactie/taken/verhuizing-doorgeven", headers=people["expert"]).text
    item = r'<li id="stap-([a-z-]+)"(?:(?!<li id="stap-).)*badge-unfound'
    marked = re.findall(item, editor, re.S)
    assert marked == ["vraag-nieuw-adres"]
    step = text_of(editor.split('id="stap-vraag-nieuw-adres"')[1].split('<li id="stap-')[0])
    assert "Veld niet gevonden" in step
    assert "Het hulppaneel aan de balie vond het veld van deze stap niet. Waar en hoe vaak" in step


def test_the_period_of_30_days_is_counted_by_the_apps_clock(
    client: TestClient, people: dict
) -> None:
    """Reports of today are out of the list, the notice and the editor's marks once the
    service's clock stands 31 days later."""
    screen = "https://zaken.gemeente.example/verhuizing/1"
    answer = client.post("/api/v1/events", json={"events": [missing("vraag-nieuw-adres", screen)]})
    assert answer.status_code in (200, 202), answer.text
    editor = "/redactie/taken/verhuizing-doorgeven"
    assert "badge-unfound" in client.get(editor, headers=people["expert"]).text
    set_clock(client.app, dt.datetime.now(dt.UTC) + dt.timedelta(days=31))
    assert "vond de laatste 30 dagen" in client.get(PAGE, headers=people["expert"]).text
    assert "velden-niet-gevonden" not in client.get("/redactie", headers=people["expert"]).text
    assert "badge-unfound" not in client.get(editor, headers=people["expert"]).text


def test_the_list_is_for_experts_and_says_when_all_was_found(
    client: TestClient, people: dict
) -> None:
    assert client.get(PAGE, headers=people["expert"]).text.count("vond de laatste 30 dagen") == 1
    assert "velden-niet-gevonden" not in client.get("/redactie", headers=people["expert"]).text
    assert client.get(PAGE, headers=people["medewerker"]).status_code == 403
    english = client.get(PAGE, params={"lang": "en"}, headers=people["redacteur"]).text
    assert "The help panel found every field in the last 30 days." in english


def test_fields_found_only_by_their_fingerprint_are_listed_apart(
    client: TestClient, people: dict
) -> None:
    screen = "https://zaken.gemeente.example/verhuizing/3"
    moved = {"type": "highlight_moved", "details": {"selector": "#verhuisdatum", "match": "moved"}}
    events = [
        missing("controleer-verhuisdatum", screen, **moved),
        missing("controleer-verhuisdatum", screen, days_ago=1, **moved),
        missing("vraag-nieuw-adres", screen),
    ]
    assert client.post("/api/v1/events", json={"events": events}).status_code in (200, 202)
    text = client.get(PAGE, headers=people["expert"]).text
    not_found, shifted = text.split("Velden die verschoven zijn")
    assert "Vraag het nieuwe adres na" in not_found and "verhuisdatum" not in not_found
    row = shifted.split("Controleer de verhuisdatum")[1].split("</tr>")[0]
    assert ">2<" in row and screen in row
    assert "Vraag het nieuwe adres na" not in shifted
    # A match is said only of such a report, and only as one of its two words.
    wrong = [
        missing("vraag-nieuw-adres", screen, details={"selector": "#x", "match": "moved"}),
        missing("vraag-nieuw-adres", screen, **{**moved, "details": {"match": "ergens"}}),
    ]
    for event in wrong:
        refused = client.post("/api/v1/events", json={"events": [event]})
        assert refused.status_code == 422, event
    english = client.get(PAGE, params={"lang": "en"}, headers=people["expert"]).text
    assert "Fields that moved" in english
