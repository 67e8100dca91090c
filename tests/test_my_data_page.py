"""'Wat wordt over mij vastgelegd' (/mijn-gegevens) as a person reads it (issue 18, item 5):
tasks, steps and applications by their names, every code value in words, Dutch time; the
feedback the person sent with the experts' answers, on the page and in both downloads, and
nobody else's; bad page numbers and download choices refused clearly, changing nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import get_args

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.db import unit_of_work
from epss.events.batch import DETAIL_KEYS, EVENT_TYPES, Details
from epss.feedback import KINDS, STATUSES
from epss.hostapps import register_host_app
from epss.i18n import ENGLISH
from epss.models import Step, Task
from epss.moments import moment
from epss.pages.privacy import DETAIL_LABELS, STATUS_LABELS, TYPE_LABELS, VALUE_LABELS
from tests.conftest import publish, shipped_document
from tests.test_dutch_everywhere import english_on_page, visible_text

APP = "zaken-bz"
APP_NAME = "Zaaksysteem Burgerzaken"
TASK = "verhuizing-doorgeven"
TASK_TITLE = "Verhuizing doorgeven (adreswijziging)"
STEP = "identificeer-melder"
STEP_TITLE = "Stel de identiteit van de melder vast"
OTHER_STEP = "vraag-nieuw-adres"
OTHER_STEP_TITLE = "Vraag het nieuwe adres na"
ME = "medewerker"  # the desk employee of the `people` fixture
WHEN = dt.datetime(2026, 1, 15, 9, 5, tzinfo=dt.UTC)  # 10:05 in Dutch winter time


def event(**changes) -> dict:
    fields = {
        "id": str(uuid.uuid4()),
        "type": "step_checked",
        "occurred_at": WHEN.isoformat(),
        "app": APP,
        "url": "https://zaken.gemeente.example/zaak/verhuizing/aanvraag-met-een-heel-lang-pad",
        "task_slug": TASK,
        "task_version": 1,
        "step_id": STEP,
        "user": ME,
        "team": "Burgerzaken balie",
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def feedback(**changes) -> dict:
    fields = {
        "id": str(uuid.uuid4()),
        "app": APP,
        "task_slug": TASK,
        "task_version": 1,
        "step_id": STEP,
        "kind": "onduidelijk",
        "comment": "Geldt een verlopen paspoort ook?",
        "user": f" {ME.upper()} ",  # the same person, however the case software writes it
        "team": "Burgerzaken balie",
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def prepare(client: TestClient) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        register_host_app(session, APP, APP_NAME, ["https://zaken.gemeente.example"])


def send_events(client: TestClient, *events: dict) -> None:
    answer = client.post("/api/v1/events", json={"events": list(events)})
    assert answer.status_code == 202, answer.text


def send_feedback(client: TestClient, **changes) -> str:
    body = feedback(**changes)
    answer = client.post("/api/v1/feedback", json=body)
    assert answer.status_code == 201, answer.text
    return body["id"]


def code_names(client: TestClient) -> frozenset[str]:
    """Every slug and step id of the catalog: names for code, not for people."""
    with Session(client.app.state.services.engine) as session:
        slugs = session.exec(select(Task.slug)).all()
        keys = session.exec(select(Step.key)).all()
    return frozenset([*slugs, *keys])


def page_text(client: TestClient, headers: dict, **params) -> str:
    answer = client.get("/mijn-gegevens", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return "\n".join(visible_text(answer.text))


def section(text: str, heading: str, until: str) -> str:
    """The text under a heading (named in the page's own menu first, so: the last one)."""
    return text.rsplit(heading, 1)[1].split(until, 1)[0]


# -- the events in words ------------------------------------------------------------------


def test_events_show_titles_names_words_and_dutch_time(client: TestClient, people) -> None:
    prepare(client)
    send_events(
        client,
        event(type="task_viewed", step_id=None, details={"source": "rule"}),
        event(type="task_viewed", step_id=None, details={"source": "manual"}),
        event(
            type="search",
            task_slug=None,
            task_version=None,
            step_id=None,
            details={"query": "pasfoto", "results": 0},
        ),
        event(),
        event(type="feedback", details={"kind": "wrong"}),
        event(type="highlight_missing", details={"selector": "#bsn_veld input[name=bsn]"}),
        event(type="step_viewed", step_id="stap-die-er-niet-meer-is"),
        event(type="panel_opened", task_slug="opgeheven-taak", step_id=None),
        event(user="p.pietersen", task_slug="aangifte-geboorte", step_id=None),
    )
    answer = client.get("/mijn-gegevens", headers=people[ME])
    assert answer.status_code == 200
    text = page_text(client, people[ME])
    events = section(text, "Uw gebeurtenissen (8)\n", "Uw meldingen (0)")
    assert TASK_TITLE in events and STEP_TITLE in events and APP_NAME in events
    assert "Geopend: automatisch, bij dit scherm" in events
    assert "Geopend: zelf gekozen" in events
    assert "Gezocht" in events and "Resultaten: 0" in events
    assert "Soort: Klopt niet" in events
    assert "Stap: (verwijderde stap)" in events and "(verwijderde taak)" in events
    assert "15-01-2026 10:05" in events  # Dutch time, the one format
    assert "Aangifte geboorte" not in events  # someone else's
    # No code where a person reads: no slug or step id, no event type, no code value.
    assert english_on_page(answer.text, code_names(client)) == []
    for code in (
        TASK,
        STEP,
        "stap-die-er-niet-meer-is",
        "opgeheven-taak",
        APP,
        *EVENT_TYPES,
        "rule",
        "manual",
        "wrong",
        "klopt_niet",
        "#bsn_veld",
        "T09:05",
    ):
        assert code not in events, code


def test_a_chosen_reason_to_deviate_reads_as_the_version_listed_it(
    client: TestClient, people
) -> None:
    prepare(client)
    listed = shipped_document(TASK).model_copy(
        update={"deviation_reasons": ["Burger heeft geen bewijs van het nieuwe adres", "Spoed"]}
    )
    publish(client.app.state.services, listed)  # version 2
    send_events(
        client,
        event(type="step_deviated", task_version=2, details={"choice": 2}),
        event(type="step_deviated", task_version=1, details={"choice": 5}),  # version 1 has 4
    )
    events = section(page_text(client, people[ME]), "Uw gebeurtenissen (2)\n", "Uw meldingen")
    assert "Gekozen reden: Spoed" in events and "Gekozen reden: (onbekend) (5)" in events
    download = client.get("/mijn-gegevens/download", params={"formaat": "json"}, headers=people[ME])
    chosen = sorted((e["details"]["choice"], e["chosen_reason"]) for e in download.json()["events"])
    assert chosen == [(2, "Spoed"), (5, None)]


def test_the_page_in_english_says_the_same_in_english(client: TestClient, people) -> None:
    prepare(client)
    send_events(
        client,
        event(type="task_viewed", step_id=None, details={"source": "search"}),
        event(step_id="stap-die-er-niet-meer-is"),
    )
    send_feedback(client, kind="klopt_niet")
    text = page_text(client, people[ME], lang="en")
    assert "Opened: through search" in text and "Step: (removed step)" in text
    assert "Your feedback (1)" in text and "Wrong" in text and "In progress" in text
    assert "No answer yet." in text


# -- my feedback --------------------------------------------------------------------------


def test_my_feedback_with_the_experts_answers_is_on_the_page(client: TestClient, people) -> None:
    prepare(client)
    accepted = send_feedback(client)
    declined = send_feedback(
        client, kind="suggestie", step_id=OTHER_STEP, comment="Voeg een voorbeeld toe"
    )
    send_feedback(client, kind="klopt_niet", step_id=None, comment="")
    send_feedback(client, user="p.pietersen", comment="Dit is van iemand anders")
    done = client.post(
        f"/api/v1/feedback/{accepted}/accept",
        json={"answer": "Een verlopen paspoort geldt niet; staat er nu bij."},
        headers=people["expert"],
    )
    assert done.status_code == 200, done.text
    refused = client.post(
        f"/api/v1/feedback/{declined}/decline",
        json={"reason": "Het voorbeeld staat al in stap 3."},
        headers=people["redacteur"],
    )
    assert refused.status_code == 200, refused.text
    handled = moment(dt.datetime.fromisoformat(done.json()["handled_at"]))

    answer = client.get("/mijn-gegevens", headers=people[ME])
    text = "\n".join(visible_text(answer.text))
    mine = section(text, "Uw meldingen (3)\n", "Wat we vastleggen en waarom\n")
    assert TASK_TITLE in mine and STEP_TITLE in mine and OTHER_STEP_TITLE in mine
    assert "De taak als geheel" in mine  # feedback on the task, not a step
    assert "Onduidelijk" in mine and "Suggestie" in mine and "Klopt niet" in mine
    assert "Geldt een verlopen paspoort ook?" in mine and "Voeg een voorbeeld toe" in mine
    assert "Zonder toelichting." in mine
    assert "Aangenomen" in mine and "Een verlopen paspoort geldt niet; staat er nu bij." in mine
    assert "Afgewezen" in mine and "Het voorbeeld staat al in stap 3." in mine
    assert "In behandeling" in mine and "Nog geen antwoord." in mine
    assert f"op {handled}" in mine
    assert "Dit is van iemand anders" not in answer.text  # nobody sees another's feedback
    assert english_on_page(answer.text, code_names(client)) == []
    for code in (*KINDS, *STATUSES, TASK, STEP, OTHER_STEP):
        assert code not in mine, code
    # The other person sees only their own.
    other = client.get("/mijn-gegevens", headers=people["kwaliteit"]).text
    assert "Uw meldingen (0)" in other and "Geldt een verlopen paspoort" not in other


def test_my_feedback_is_in_both_downloads_and_nobody_elses(client: TestClient, people) -> None:
    prepare(client)
    sent = send_feedback(client)
    send_feedback(client, user="p.pietersen", comment="Dit is van iemand anders")
    declined = client.post(
        f"/api/v1/feedback/{sent}/decline",
        json={"reason": "Staat al in stap 2."},
        headers=people["expert"],
    )
    assert declined.status_code == 200, declined.text
    send_events(client, event())

    data = client.get("/mijn-gegevens/download", headers=people[ME], params={"formaat": "json"})
    assert data.status_code == 200
    [item] = data.json()["feedback"]
    assert (item["id"], item["status"], item["answer"]) == (sent, "declined", "Staat al in stap 2.")
    assert (item["task_title"], item["step_title"], item["step_id"]) == (
        TASK_TITLE,
        STEP_TITLE,
        STEP,
    )
    assert item["comment"] == "Geldt een verlopen paspoort ook?" and item["handled_at"]
    assert "handled_by" not in item and "actor" not in item  # not the expert, not a pseudonym
    [seen] = data.json()["events"]
    assert (seen["task_title"], seen["step_title"], seen["app_name"]) == (
        TASK_TITLE,
        STEP_TITLE,
        APP_NAME,
    )

    as_csv = client.get(
        "/mijn-gegevens/download",
        headers=people[ME],
        params={"formaat": "csv", "deel": "meldingen"},
    )
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="mijn-meldingen.csv"' in as_csv.headers["content-disposition"]
    [row] = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert (row["status"], row["answer"], row["task_title"]) == (
        "declined",
        "Staat al in stap 2.",
        TASK_TITLE,
    )
    assert "Dit is van iemand anders" not in as_csv.text + data.text

    events_csv = client.get(
        "/mijn-gegevens/download", headers=people[ME], params={"formaat": "csv"}
    )
    [row] = list(csv.DictReader(io.StringIO(events_csv.text)))
    assert (row["task_title"], row["step_title"], row["step_id"]) == (TASK_TITLE, STEP_TITLE, STEP)


def test_my_feedback_is_paged(client: TestClient, people) -> None:
    prepare(client)
    for n in range(21):
        send_feedback(client, comment=f"Opmerking nummer {n:02d}")
    first = page_text(client, people[ME])
    assert "Uw meldingen (21)" in first and first.count("Opmerking nummer") == 20
    assert (
        'href="/mijn-gegevens?meldingenpagina=2#meldingen"'
        in client.get("/mijn-gegevens", headers=people[ME]).text
    )
    second = page_text(client, people[ME], meldingenpagina=2)
    assert second.count("Opmerking nummer") == 1 and "Pagina 2 / 2" in second


# -- bad input ----------------------------------------------------------------------------


def _counts(client: TestClient) -> tuple[int, ...]:
    with client.app.state.services.engine.connect() as connection:
        return tuple(
            connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("event", "feedback", "personal_data_view")
        )


def test_bad_page_numbers_and_choices_are_refused_clearly(client: TestClient, people) -> None:
    prepare(client)
    send_events(client, event())
    send_feedback(client)
    before = _counts(client)
    html = {**people[ME], "Accept": "text/html"}
    for params, says in (
        ({"pagina": "0"}, "pagina: moet minstens 1 zijn"),
        ({"meldingenpagina": "0"}, "meldingenpagina: moet minstens 1 zijn"),
        ({"pagina": "twee"}, "pagina: verwacht een geheel getal"),
    ):
        answer = client.get("/mijn-gegevens", headers=html, params=params)
        assert answer.status_code == 422 and says in answer.text, params
    for params, says in (
        ({"pagina": "3"}, "Pagina 3 van uw gebeurtenissen bestaat niet; de laatste is pagina 1."),
        (
            {"meldingenpagina": "2"},
            "Pagina 2 van uw meldingen bestaat niet; de laatste is pagina 1.",
        ),
    ):
        answer = client.get("/mijn-gegevens", headers=html, params=params)
        assert answer.status_code == 404 and says in answer.text, params
    for params, says in (
        ({"formaat": "xml"}, "formaat: kies uit 'csv' of 'json'"),
        ({"formaat": "csv", "deel": "alles"}, "deel: kies uit 'gebeurtenissen' of 'meldingen'"),
    ):
        answer = client.get("/mijn-gegevens/download", headers=people[ME], params=params)
        assert answer.status_code == 422 and answer.json()["detail"] == says
    assert _counts(client) == before


# -- every code has words, in both languages ----------------------------------------------


def test_every_code_the_page_can_meet_has_dutch_words_with_english() -> None:
    assert set(TYPE_LABELS) == set(EVENT_TYPES)
    shown_or_technical = {*DETAIL_LABELS, "selector"}  # the selector is in the downloads only
    assert set(Details.model_fields) == shown_or_technical
    assert set().union(*DETAIL_KEYS.values()) == shown_or_technical
    for key, words in VALUE_LABELS.items():
        choices = _choices(Details.model_fields[key].annotation)
        assert choices and set(choices) <= set(words), key
    assert set(KINDS) <= set(VALUE_LABELS["kind"]) and set(STATUS_LABELS) == set(STATUSES)
    texts = [
        *TYPE_LABELS.values(),
        *DETAIL_LABELS.values(),
        *STATUS_LABELS.values(),
        *(word for words in VALUE_LABELS.values() for word in words.values()),
    ]
    assert [text for text in texts if text not in ENGLISH] == []


def _choices(annotation: object) -> list[str]:
    """The values of a `Literal[...] | None`."""
    return [
        value
        for part in get_args(annotation)
        for value in (get_args(part) or [part])
        if isinstance(value, str)
    ]
