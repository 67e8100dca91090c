""" "Nog steeds juist" that means something: it asks first (with an optional note, with and
without scripts), records who confirmed when with the note in the task's history, moves the
review date to today + the task's interval, and makes no new version: the desk sees the
same version with the later date. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from epss.catalog import import_documents
from epss.db import unit_of_work
from epss.models import TaskVersion
from epss.taskfile import load_text
from tests.conftest import set_clock
from tests.workflow_support import CRITICAL, NORMAL, history, step_editor, task_row

API = "/api/v1"
HTMX = {"HX-Request": "true"}
HTML = {"Accept": "text/html"}
DAY = dt.date(2027, 2, 10)  # CRITICAL's review date, 31-01-2027, has passed


@pytest.fixture
def clock(client: TestClient) -> dt.date:
    set_clock(client.app, DAY)
    return DAY


def version_count(client: TestClient) -> int:
    with Session(client.app.state.services.engine) as session:
        return session.exec(select(func.count()).select_from(TaskVersion)).one()


def api_history(client: TestClient, people: dict, slug: str = CRITICAL) -> list[dict]:
    return client.get(f"{API}/tasks/{slug}/history", headers=people["expert"]).json()


def api_task_title(client: TestClient, slug: str = CRITICAL) -> str:
    return client.get(f"{API}/tasks/{slug}").json()["title"]


def test_still_correct_asks_first_then_moves_the_date_without_a_new_version(
    client: TestClient, people: dict, clock: dt.date
) -> None:
    versions_before = version_count(client)
    page = client.get("/redactie/controle", headers=people["expert"]).text
    overdue = page.split('id="kop-due"')[0]
    ask = f'method="get" action="/redactie/controle/{CRITICAL}/bevestigen"'
    assert ask in overdue and f'hx-get="/redactie/controle/{CRITICAL}/bevestigen"' in overdue
    assert f'method="post" action="/redactie/controle/{CRITICAL}' not in page  # no one-click

    # Without scripts: the button opens the whole page with the question.
    asked = client.get(f"/redactie/controle/{CRITICAL}/bevestigen", headers=people["expert"])
    assert asked.status_code == 200 and "<html" in asked.text
    question = asked.text.split('class="message message-warning confirm-review"', 1)[1]
    assert "Is deze taak nog steeds juist?" in question
    assert "Bevestigen zet de volgende controle op 10-02-2028" in question
    assert "(nu 31-01-2027; 12 maanden na vandaag)" in question
    assert "Er komt geen nieuwe versie" in question
    assert f'<label for="notitie-{CRITICAL}">Notitie (niet verplicht)' in question
    assert re.search(r'<textarea id="notitie-[^"]+" name="notitie"', question)
    assert ">Ja, nog steeds juist</button>" in question
    assert f'href="/redactie/controle?terug={CRITICAL}"' in question  # cancel
    assert "data-focus-on-load" in question
    assert (version_count(client), task_row(client, CRITICAL).review_by) == (
        versions_before,
        dt.date(2027, 1, 31),
    )  # asking changed nothing
    assert api_history(client, people)[0]["action"] == "imported"

    # With htmx the same question replaces the list in place.
    fragment = client.get(
        f"/redactie/controle/{CRITICAL}/bevestigen", headers={**people["expert"], **HTMX}
    ).text
    assert "<html" not in fragment and 'id="controlelijsten"' in fragment
    assert 'class="confirm-row"' in fragment and "data-focus-after-swap" in fragment

    # Cancel: the list again, the focus back on this task's button.
    back = client.get(
        "/redactie/controle", params={"terug": CRITICAL}, headers={**people["expert"], **HTMX}
    ).text
    button = back.split(ask, 1)[1].split("</button>", 1)[0]
    assert "data-focus-after-swap" in button and "Nog steeds juist" in button

    confirmed = client.post(
        f"/redactie/controle/{CRITICAL}/bevestigen",
        headers=people["expert"],
        data={"notitie": "Bronnen nagelopen met de RvIG-handleiding."},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert "Bevestigd als nog steeds juist" in confirmed.text
    assert f">{api_task_title(client)}</a>; volgende controle vóór 10-02-2028" in confirmed.text
    assert "Er is geen nieuwe versie gemaakt" in confirmed.text

    assert version_count(client) == versions_before
    entry = api_history(client, people)[0]
    assert (entry["who"], entry["action"], entry["comment"], entry["version_number"]) == (
        "expert",
        "confirmed",
        "Bronnen nagelopen met de RvIG-handleiding.",
        None,
    )
    assert [(f["field"], f["before"], f["after"]) for f in entry["fields"]] == [
        ("review_by", "2027-01-31", "2028-02-10")
    ]
    assert dt.datetime.fromisoformat(entry["when"]).tzinfo is not None
    history_page = client.get(
        f"/redactie/taken/{CRITICAL}/geschiedenis", headers=people["expert"]
    ).text
    assert "Gecontroleerd: nog steeds juist" in history_page
    assert "Bronnen nagelopen met de RvIG-handleiding." in history_page

    # The desk sees the same version with the later date; the lists no longer nag.
    task = client.get(f"/taken/{CRITICAL}").text
    block = task.split('id="kop-verantwoording"', 1)[1]
    assert "<dd>10-02-2028</dd>" in block
    api_task = client.get(f"{API}/tasks/{CRITICAL}").json()
    assert (api_task["version"], api_task["review_by"]) == (1, "2028-02-10")
    assert CRITICAL not in client.get("/redactie/controle", headers=people["expert"]).text
    assert task_row(client, CRITICAL).status == "published"


def test_the_api_confirms_with_a_note_and_answers_what_it_did(
    client: TestClient, people: dict, clock: dt.date
) -> None:
    url = f"{API}/tasks/{CRITICAL}/review/confirm"
    too_long = client.post(url, json={"note": "x" * 2001}, headers=people["expert"])
    assert too_long.status_code == 422
    assert client.post(url, json={"notitie": "x"}, headers=people["expert"]).status_code == 422
    answer = client.post(
        url, json={"note": "  Gecontroleerd met het team.  "}, headers=people["redacteur"]
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {k: v for k, v in body.items() if k not in ("confirmed_at", "title")} == {
        "slug": CRITICAL,
        "version": 1,
        "review_by": "2028-02-10",
        "previous_review_by": "2027-01-31",
        "confirmed_by": "redacteur",
        "note": "Gecontroleerd met het team.",
    }
    assert dt.datetime.fromisoformat(body["confirmed_at"]).tzinfo is not None
    assert history(client, CRITICAL)[-1] == ("redacteur", "confirmed", None)
    again = client.post(url, headers=people["expert"])  # no body at all is fine too
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"De taak '{CRITICAL}' is al bevestigd: de volgende controle is vóór 10-02-2028."
    )
    english = client.post(
        f"/redactie/controle/{CRITICAL}/bevestigen",
        params={"lang": "en"},
        headers={**people["expert"], **HTMX},
    )
    assert english.status_code == 409 and "is already confirmed" in english.text


def test_after_a_confirmation_the_draft_is_unchanged_and_the_next_version_keeps_the_date(
    client: TestClient, people: dict, clock: dt.date
) -> None:
    # A task that is not due yet can be confirmed too: the question stands above the lists.
    asked = client.get(
        f"/redactie/controle/{NORMAL}/bevestigen", headers={**people["expert"], **HTMX}
    ).text
    assert asked.index("Is deze taak nog steeds juist?") < asked.index('id="kop-overdue"')
    assert (
        client.post(f"{API}/tasks/{NORMAL}/review/confirm", headers=people["expert"]).status_code
        == 200
    )
    nothing = client.post(f"{API}/tasks/{NORMAL}/draft/submit", headers=people["expert"])
    assert nothing.status_code == 409  # the moved date is not a change to submit
    draft = client.get(f"{API}/tasks/{NORMAL}/draft", headers=people["expert"]).json()
    assert (draft["status"], draft["review_by"]) == ("published", "2028-02-10")
    assert (
        client.post(
            f"{API}/tasks/{NORMAL}/review/confirm",  # still a day later
            headers=people["expert"],
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{API}/tasks/{NORMAL}/draft/restore", json={"version": 1}, headers=people["expert"]
        ).status_code
        == 409
    )  # nothing to restore

    # An exported file carries the date that holds now, and imports as unchanged.
    exported = client.get(f"/redactie/export/{NORMAL}.yaml", headers=people["expert"]).text
    assert "review_by: 2028-02-10" in exported
    with unit_of_work(client.app.state.services.engine) as session:
        report = import_documents(session, [load_text(exported, "x")], by="test")
    assert report.unchanged == [NORMAL]

    step_editor(client, people)(
        "expert", NORMAL, "vraag-nieuw-adres", why="Zonder adres geen inschrijving."
    )
    assert (
        client.post(f"{API}/tasks/{NORMAL}/draft/submit", headers=people["expert"]).status_code
        == 200
    )
    published = client.post(f"{API}/tasks/{NORMAL}/draft/publish", headers=people["redacteur"])
    assert published.status_code == 200, published.text
    assert (published.json()["number"], published.json()["review_by"]) == (2, "2028-02-10")
    assert client.get(f"{API}/tasks/{NORMAL}").json()["review_by"] == "2028-02-10"


def test_a_draft_with_changes_cannot_be_confirmed_and_the_page_says_why(
    client: TestClient, people: dict, clock: dt.date
) -> None:
    step_editor(client, people)("expert", CRITICAL, "vergelijk-gezicht", why="Nieuw.")
    answer = client.post(
        f"/redactie/controle/{CRITICAL}/bevestigen",
        headers={**people["redacteur"], **HTMX},
        data={"notitie": "ok"},
    )
    assert answer.status_code == 409
    assert "Niet bevestigd" in answer.text
    assert "heeft wijzigingen in het concept die nog niet gepubliceerd zijn" in answer.text
    assert task_row(client, CRITICAL).review_by == dt.date(2027, 1, 31)
    assert (
        client.get(
            "/redactie/controle/geen-taak/bevestigen", headers={**people["expert"], **HTML}
        ).status_code
        == 404
    )


def test_the_question_speaks_english_on_request(
    client: TestClient, people: dict, clock: dt.date
) -> None:
    page = client.get(
        f"/redactie/controle/{CRITICAL}/bevestigen", params={"lang": "en"}, headers=people["expert"]
    ).text
    for text in (
        "Is this task still correct?",
        "Confirming sets the next review to",
        "Note (optional)",
        "Yes, still correct",
        "No new version is made",
    ):
        assert text in page
    assert "Is deze taak nog steeds juist?" not in page
