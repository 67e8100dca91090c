"""Steps recorded in the case software ("Stappen opnemen", epss/pages/editor_recording.py):
the ticked ones are added at the end of the draft in their order, each with its field and
what that field looks like; anything that cannot be a step is refused with its number, and
then none is added."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import Session

from epss.db import unit_of_work
from epss.drafts.editing import draft_view
from epss.hostapps import register_host_app
from tests.conftest import text_of

SLUG = "verhuizing-doorgeven"
URL = f"/redactie/taken/{SLUG}/opnemen"
HTMX = {"HX-Request": "true"}

STREET = {
    "title": "Vul ‘Straat’ in",
    "selector": "#straat",
    "fingerprint": {"tag": "input", "type": "text", "id": "straat", "label": "Straat"},
}
NEXT = {"title": "Klik op ‘Volgende’", "selector": "button.volgende", "fingerprint": None}


def _steps(client: TestClient) -> list[dict]:
    with Session(client.app.state.services.engine) as session:
        return draft_view(session, SLUG)["steps"]


def _recorded(*items: dict | str) -> dict:
    return {"opgenomen": [i if isinstance(i, str) else json.dumps(i) for i in items]}


def test_recorded_steps_come_at_the_end_with_their_field(client: TestClient, people: dict) -> None:
    before = _steps(client)
    added = client.post(URL, headers={**people["expert"], **HTMX}, data=_recorded(STREET, NEXT))
    assert added.status_code == 200, added.text
    assert "De opgenomen stappen zijn toegevoegd." in added.headers["HX-Trigger"]
    after = _steps(client)
    assert after[: len(before)] == before
    street, next_ = after[len(before) :]
    assert (street["title"], street["instruction"]) == ("Vul ‘Straat’ in", "Vul ‘Straat’ in.")
    assert street["target"] == ["#straat"]
    assert street["target_fingerprint"] == STREET["fingerprint"]
    assert (next_["title"], next_["target"]) == ("Klik op ‘Volgende’", ["button.volgende"])
    assert next_["target_fingerprint"] is None
    # in the page the expert sees, to finish like any step
    page = text_of(client.get(f"/redactie/taken/{SLUG}", headers=people["expert"]).text)
    assert page.index("Vul ‘Straat’ in") < page.index("Klik op ‘Volgende’")


def test_what_cannot_be_a_step_is_refused_by_its_number_and_nothing_is_added(
    client: TestClient, people: dict
) -> None:
    before = _steps(client)
    headers = {**people["expert"], **HTMX}
    no_name = {**STREET, "fingerprint": {"tag": "input", "position": 3}}
    for sent, said in [
        (_recorded(STREET, "{niet af"), "Opgenomen stap 2 is onleesbaar; er is niets toegevoegd."),
        (_recorded(STREET, {"title": "Klik"}), "Opgenomen stap 2 is onleesbaar"),
        (_recorded(no_name), "Opgenomen stap 1 (Vul ‘Straat’ in) kan zo niet"),
        (_recorded(NEXT, {**NEXT, "title": " "}), "Opgenomen stap 2 ( ) kan zo niet"),
        ({}, "Er is geen opgenomen stap gekozen; er is niets toegevoegd."),
    ]:
        refused = client.post(URL, headers=headers, data=sent)
        assert refused.status_code == 422, sent
        assert said in text_of(refused.text), text_of(refused.text)
        assert _steps(client) == before
    named = text_of(client.post(URL, headers=headers, data=_recorded(no_name)).text)
    assert "Kenmerken van het veld" in named


def test_only_editors_record(client: TestClient, people: dict) -> None:
    before = _steps(client)
    for role in ("medewerker", "kwaliteit", "beheerder"):
        refused = client.post(URL, headers=people[role], data=_recorded(STREET))
        assert refused.status_code == 403, role
    assert _steps(client) == before


def test_the_editor_offers_recording_with_titles_in_the_language_of_the_tasks(
    client: TestClient, people: dict
) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        register_host_app(session, "zaken", "Zaken", ["https://zaken.gemeente.nl"])
    page = client.get(f"/redactie/taken/{SLUG}?lang=en", headers=people["expert"])
    assert 'data-pick="opnemen"' in page.text
    assert "Record steps in the case software" in page.text
    assert 'data-title-invullen="Vul ‘{name}’ in"' in page.text


def test_a_step_without_a_fingerprint_key_is_added_with_its_selector(
    client: TestClient, people: dict
) -> None:
    """An element that names nothing comes without a fingerprint; the key may be absent."""
    sent = {"title": "Klik op de knop", "selector": "form > button:nth-of-type(2)"}
    added = client.post(URL, headers={**people["expert"], **HTMX}, data=_recorded(sent))
    assert added.status_code == 200, added.text
    last = _steps(client)[-1]
    assert (last["title"], last["target"], last["target_fingerprint"]) == (
        "Klik op de knop",
        ["form > button:nth-of-type(2)"],
        None,
    )
