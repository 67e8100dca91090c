"""Ownership and review dates: the "due" and "overdue" lists, confirming a task as still
correct without changes, and the review interval in the task file format. The clock is
set by the test; nothing depends on the real date."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from epss.months import add_months
from epss.taskfile import TaskFileError, dump_document, load_text
from tests.conftest import TASKS_DIR, publish, set_clock, shipped_document
from tests.workflow_support import (
    CRITICAL,
    NORMAL,
    Editor,
    history,
    step_editor,
    task_row,
    version_numbers,
)

API = "/api/v1"
# Shipped review dates: the three reisdocument/twijfel tasks 2027-01-31, aangifte-geboorte
# 2027-03-31, rijbewijs-aanvragen and verhuizing-doorgeven 2027-06-30.
IDENTITY_TASKS = [
    "reisdocument-aanvragen",
    "reisdocument-uitreiken",
    "twijfel-identiteit-of-document",
]


@pytest.fixture
def edit(client: TestClient, people: dict) -> Editor:
    return step_editor(client, people)


def set_today(client: TestClient, day: dt.date | dt.datetime) -> None:
    set_clock(client.app, day)


def test_tasks_due_for_review_and_overdue(client: TestClient, people: dict) -> None:
    set_today(client, dt.date(2027, 1, 15))
    answer = client.get(f"{API}/review", headers=people["kwaliteit"])
    assert answer.status_code == 200, answer.text
    lists = answer.json()
    assert (lists["today"], lists["within_days"], lists["overdue"]) == ("2027-01-15", 30, [])
    assert [(t["slug"], t["review_by"], t["days_left"]) for t in lists["due"]] == [
        (slug, "2027-01-31", 16) for slug in IDENTITY_TASKS
    ]
    first = lists["due"][0]
    assert first["owner"] == "Vakspecialist reisdocumenten, team Burgerzaken"
    assert (first["criticality"], first["version"], first["review_interval_months"]) == (
        "critical",
        1,
        12,
    )

    set_today(client, dt.date(2027, 3, 3))
    lists = client.get(f"{API}/review", headers=people["expert"]).json()
    assert [(t["slug"], t["days_over"]) for t in lists["overdue"]] == [
        (slug, 31) for slug in IDENTITY_TASKS
    ]
    assert [(t["slug"], t["days_left"]) for t in lists["due"]] == [("aangifte-geboorte", 28)]

    wider = client.get(f"{API}/review", params={"days": 120}, headers=people["redacteur"])
    assert [t["slug"] for t in wider.json()["due"]] == [
        "aangifte-geboorte",
        "rijbewijs-aanvragen",
        "verhuizing-doorgeven",
    ]
    set_today(client, dt.date(2027, 3, 31))
    due = client.get(f"{API}/review", headers=people["expert"]).json()["due"]
    assert (due[0]["slug"], due[0]["days_left"]) == ("aangifte-geboorte", 0)  # due today
    # 00:30 on 31-03 in the Netherlands is still the 30th in UTC: the Dutch day counts.
    set_today(client, dt.datetime(2027, 3, 30, 22, 30, tzinfo=dt.UTC))
    lists = client.get(f"{API}/review", headers=people["expert"]).json()
    assert lists["today"] == "2027-03-31" and lists["due"][0]["days_left"] == 0


def test_review_lists_refuse_bad_input_and_the_wrong_roles(
    client: TestClient, people: dict
) -> None:
    for days in (0, 367, "soon"):
        answer = client.get(f"{API}/review", params={"days": days}, headers=people["expert"])
        assert answer.status_code == 422 and answer.json()["detail"].startswith("days")
    assert client.get(f"{API}/review").status_code == 401
    for role in ("medewerker", "beheerder"):
        assert client.get(f"{API}/review", headers=people[role]).status_code == 403


def test_confirming_a_task_as_still_correct(client: TestClient, people: dict) -> None:
    set_today(client, dt.date(2027, 2, 10))
    url = f"{API}/tasks/{CRITICAL}/review/confirm"
    assert client.post(url, headers=people["medewerker"]).status_code == 403
    assert client.post(url, headers=people["kwaliteit"]).status_code == 403

    answer = client.post(url, headers=people["expert"])  # critical, yet no second person
    assert answer.status_code == 200, answer.text
    confirmed = answer.json()
    assert (
        confirmed["version"],
        confirmed["review_by"],
        confirmed["previous_review_by"],
        confirmed["confirmed_by"],
        confirmed["note"],
    ) == (1, "2028-02-10", "2027-01-31", "expert", "")
    task = client.get(f"{API}/tasks/{CRITICAL}").json()  # the same version, a later date
    assert (task["version"], task["review_by"]) == (1, "2028-02-10")
    versions = client.get(f"{API}/tasks/{CRITICAL}/versions", headers=people["expert"]).json()
    assert [(v["number"], v["review_by"]) for v in versions] == [(1, "2028-02-10")]
    assert history(client, CRITICAL)[-1] == ("expert", "confirmed", None)
    row = task_row(client, CRITICAL)
    assert (row.status, row.review_by, row.published_version) == (
        "published",
        dt.date(2028, 2, 10),
        1,
    )

    lists = client.get(f"{API}/review", headers=people["expert"]).json()
    assert CRITICAL not in [t["slug"] for t in lists["overdue"]]
    assert [t["slug"] for t in lists["overdue"]] == IDENTITY_TASKS[1:]

    again = client.post(url, headers=people["redacteur"])
    assert again.status_code == 409 and "al bevestigd" in again.json()["detail"]
    assert version_numbers(client, CRITICAL, people["expert"]) == [1]


def test_a_task_with_unpublished_changes_cannot_be_confirmed(
    client: TestClient, people: dict, edit: Editor
) -> None:
    set_today(client, dt.date(2027, 2, 10))
    edit("expert", NORMAL, "vraag-nieuw-adres", why="Zonder adres geen inschrijving.")
    answer = client.post(f"{API}/tasks/{NORMAL}/review/confirm", headers=people["redacteur"])
    assert answer.status_code == 409
    assert "wijzigingen in het concept die nog niet gepubliceerd zijn" in answer.json()["detail"]
    assert version_numbers(client, NORMAL, people["expert"]) == [1]
    assert task_row(client, NORMAL).review_by == dt.date(2027, 6, 30)
    assert (
        client.post(f"{API}/tasks/geen-taak/review/confirm", headers=people["expert"]).status_code
        == 404
    )


def test_the_review_interval_sets_the_next_review_date(client: TestClient, people: dict) -> None:
    six_monthly = shipped_document(NORMAL).model_copy(update={"review_interval_months": 6})
    publish(client.app.state.services, six_monthly)
    assert task_row(client, NORMAL).review_interval_months == 6
    set_today(client, dt.date(2027, 8, 31))
    answer = client.post(f"{API}/tasks/{NORMAL}/review/confirm", headers=people["redacteur"])
    assert answer.status_code == 200, answer.text
    assert client.get(f"{API}/tasks/{NORMAL}").json()["review_by"] == "2028-02-29"


def test_the_interval_in_task_files() -> None:
    text = (TASKS_DIR / f"{NORMAL}.yaml").read_text(encoding="utf-8")
    document = load_text(text, "x")
    assert document.review_interval_months == 12
    assert dump_document(document) == text  # the default is not written
    written = dump_document(document.model_copy(update={"review_interval_months": 3}))
    assert "review_by: 2027-06-30\nreview_interval_months: 3\nchecked_on:" in written
    assert load_text(written, "x").review_interval_months == 3
    line = text[: text.index("review_by:")].count("\n") + 2  # the line after review_by
    for value, message in (
        ("0", "moet minstens 1 zijn"),
        ("61", "mag hooguit 60 zijn"),
        ("vaak", "verwacht een geheel getal"),
    ):
        bad = text.replace(
            "review_by: 2027-06-30\n", f"review_by: 2027-06-30\nreview_interval_months: {value}\n"
        )
        with pytest.raises(TaskFileError) as error:
            load_text(bad, "t.yaml")
        assert str(error.value).startswith(
            f"t.yaml, regel {line}, Controle-interval (maanden): {message}"
        )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2027, 12, 15), 12, dt.date(2028, 12, 15)),
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),
        (dt.date(2027, 5, 1), 60, dt.date(2032, 5, 1)),
    ],
)
def test_adding_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected
