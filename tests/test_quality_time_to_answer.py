"""Time to answer (/kwaliteit/tijd-tot-antwoord): from opening the help panel to the first
step read or ticked, per task, with known timings stored through the real event writer.

The passport task: five people, six answered openings of 4, 6, 8, 10, 12 and 30 seconds
(p50 9.0, p95 25.5), and openings that count for nothing (no step after them, a step after
more than ten minutes, an opening the same person made again before reading a step). The
birth task: five answered openings by four people, hidden."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from fastapi.testclient import TestClient

from epss.db import unit_of_work
from epss.i18n import ENGLISH
from epss.quality import QUESTIONS
from epss.quality.answer_time import ANSWER_WINDOW, percentile, time_to_answer
from epss.quality.period import Period
from tests.conftest import shipped_document, text_of
from tests.quality_support import APP, GEBOORTE, PASPOORT, record
from tests.test_quality import NOVEMBER, cells

URL = "/kwaliteit/tijd-tot-antwoord"
API = "/api/v1/quality/tijd-tot-antwoord"
PASSPORT_TITLE = shipped_document(PASPOORT).title
BIRTH_TITLE = shipped_document(GEBOORTE).title
FIRST = shipped_document(PASPOORT).steps[0].id
SECOND = shipped_document(PASPOORT).steps[1].id
BIRTH_STEP = shipped_document(GEBOORTE).steps[0].id


def event(type_: str, user: str, at: dt.datetime, task: str, step: str | None = None) -> dict:
    found = {
        "id": str(uuid.uuid4()),
        "type": type_,
        "app": APP,
        "occurred_at": at.isoformat(),
        "url": "https://zaken.example/zaak/paspoort",
        "task_slug": task,
        "task_version": 1,
        "step_id": step,
        "user": user,
        "team": "Balie A",
    }
    return {k: v for k, v in found.items() if v is not None}


def at(day: int, second: int = 0) -> dt.datetime:
    """9:00 on 2026-11-`day`, plus `second` seconds."""
    return dt.datetime(2026, 11, day, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=second)


def answered(
    user: str,
    day: int,
    seconds: int,
    task: str = PASPOORT,
    *,
    step: str = FIRST,
    checked: bool = False,
) -> list[dict]:
    """An opening, the task shown a second later, and the first step read after `seconds`
    (or ticked, with checked=True), then more steps (which change nothing)."""
    first = "step_checked" if checked else "step_viewed"
    return [
        event("panel_opened", user, at(day), task),
        event("task_viewed", user, at(day, 1), task),
        event(first, user, at(day, seconds), task, step),
        event("step_checked", user, at(day, seconds + 20), task, step),
        event(
            "step_viewed", user, at(day, seconds + 25), task, SECOND if task == PASPOORT else step
        ),
    ]


def desk(services) -> None:
    events = [
        *answered("m1", 2, 4),
        *answered("m1", 9, 12),  # the same person again: six openings, five people
        *answered("m2", 3, 6),
        *answered("m3", 4, 8, checked=True),  # ticked without reading: also an answer
        # opened, opened again a minute later, then the step: only the second one counts
        event("panel_opened", "m4", at(5), PASPOORT),
        event("panel_opened", "m4", at(5, 60), PASPOORT),
        event("step_viewed", "m4", at(5, 70), PASPOORT, FIRST),
        *answered("m5", 6, 30),
        # openings that count for nothing: no step at all, and a step after eleven minutes
        event("panel_opened", "m6", at(7), PASPOORT),
        event("task_viewed", "m6", at(7, 2), PASPOORT),
        event("panel_opened", "m7", at(8), PASPOORT),
        event("step_viewed", "m7", at(8, 11 * 60), PASPOORT, FIRST),
        # a step of another task, or of another person, answers no opening
        event("panel_opened", "m8", at(10), PASPOORT),
        event("step_viewed", "m8", at(10, 3), GEBOORTE, BIRTH_STEP),
        event("step_viewed", "m1", at(10, 4), PASPOORT, FIRST),
        # the birth task: five answered openings, but four people
        *answered("c1", 11, 3, GEBOORTE, step=BIRTH_STEP),
        *answered("c1", 12, 4, GEBOORTE, step=BIRTH_STEP),
        *answered("c2", 11, 5, GEBOORTE, step=BIRTH_STEP),
        *answered("c3", 11, 7, GEBOORTE, step=BIRTH_STEP),
        *answered("c4", 11, 9, GEBOORTE, step=BIRTH_STEP),
    ]
    record(services, events)


@pytest.fixture
def officer(client: TestClient, people) -> dict[str, str]:
    desk(client.app.state.services)
    return people["kwaliteit"]


def test_p50_and_p95_per_task_and_a_task_of_four_people_hidden(client, officer) -> None:
    found = client.get(API, params=NOVEMBER, headers=officer).json()
    assert found["rows"] == [
        {
            "task": PASPOORT,
            "title": PASSPORT_TITLE,
            "openings": 6,  # m1 twice, m2, m3, m4 (its second opening), m5
            "p50": 9.0,  # 4 6 8 10 12 30: halfway between 8 and 10
            "p95": 25.5,  # 12 + 0.75 × (30 − 12)
            "people": 5,  # m6, m7 and m8 opened the panel too, but count for nothing
        },
        {
            "task": GEBOORTE,
            "title": BIRTH_TITLE,
            "openings": None,
            "p50": None,
            "p95": None,
            "people": None,
        },
    ]
    assert found["hidden_groups"] == 1 and found["window_minutes"] == 10


def test_the_page_and_the_csv_show_the_same_figures(client, officer) -> None:
    page = client.get(URL, params=NOVEMBER, headers=officer)
    assert page.status_code == 200
    table = cells(page.text)
    assert table == [
        ["Taak", "Openingen met een stap", "Mediaan (seconden)", "95% binnen (seconden)", "Mensen"],
        [PASSPORT_TITLE, "6", "9,0", "25,5", "5"],  # titles, not the tasks' ids
    ]
    assert f"<li>{BIRTH_TITLE}</li>" in page.text  # a small group, named apart
    assert "Bij 1 groep zijn de aantallen verborgen" in text_of(page.text)
    assert "data-chart=" in page.text
    shown = text_of(page.text)
    assert "Tijd tot antwoord" in shown and PASPOORT not in shown and "panel_opened" not in shown
    exported = client.get(URL, params={**NOVEMBER, "format": "csv"}, headers=officer)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert (
        'filename="kwaliteit-tijd-tot-antwoord-2026-11-01-2026-11-30.csv"'
        in (exported.headers["content-disposition"])
    )
    assert list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";")) == table


def test_the_page_in_english(client, officer) -> None:
    page = client.get(URL, params={**NOVEMBER, "lang": "en"}, headers=officer)
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert cells(page.text)[0] == [
        "Task",
        "Openings followed by a step",
        "Median (seconds)",
        "95% within (seconds)",
        "People",
    ]
    shown = text_of(page.text)
    assert "Time to answer" in shown and "Tijd tot antwoord" not in shown
    english = client.get(
        URL, params={**NOVEMBER, "lang": "en", "format": "csv"}, headers=officer
    ).text
    assert english.lstrip("\ufeff").startswith("Task;Openings followed by a step;Median")
    question = QUESTIONS["tijd-tot-antwoord"]
    assert question.title in ENGLISH and question.description in ENGLISH
    assert f"{ANSWER_WINDOW.total_seconds() / 60:.0f} minuten" in question.description
    index = client.get("/kwaliteit", params={"lang": "en"}, headers=officer)
    assert ENGLISH[question.description] in text_of(index.text)


def test_an_opening_counts_only_in_its_period(client, people) -> None:
    """An opening at the end of the period answered after midnight counts in that period;
    a step just after midnight answers no opening of the day before in the next one."""
    services = client.app.state.services
    record(
        services,
        [
            event("panel_opened", "n1", at(2, 15 * 3600 - 2), PASPOORT),  # 23:59:58
            event("step_viewed", "n1", at(2, 15 * 3600 + 4), PASPOORT, FIRST),
        ],
    )
    with unit_of_work(services.engine) as session:
        second = time_to_answer(session, Period(dt.date(2026, 11, 1), dt.date(2026, 11, 2)), 1)
        third = time_to_answer(session, Period(dt.date(2026, 11, 3), dt.date(2026, 11, 3)), 1)
    assert [(r["openings"], r["p50"], r["people"]) for r in second.rows] == [(1, 6.0, 1)]
    assert third.rows == [] and third.hidden == 0


def test_nothing_answered_is_an_empty_table(client, people) -> None:
    record(client.app.state.services, [event("panel_opened", "x", at(3), PASPOORT)])
    page = client.get(URL, params=NOVEMBER, headers=people["kwaliteit"])
    assert page.status_code == 200 and "Geen gegevens in deze periode." in page.text


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([7.0], 95, 7.0), ([1.0, 2.0], 50, 1.5), ([4, 6, 8, 10, 12, 30], 95, 25.5)],
)
def test_percentiles_interpolate_between_ranks(values, p, expected) -> None:
    assert percentile(values, p) == pytest.approx(expected)
