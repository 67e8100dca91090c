"""What became of a case (epss/outcomes, POST /api/v1/outcomes) and the quality question that
sets it against consulting the guidance (epss/quality/impact.py): the intake refuses what is
wrong by its field and stores nothing, stores an id once, keeps the case number only as its
keyed hash; the question finds a known difference in generated data, with Wilson intervals,
and hides a group of fewer cases than the minimum."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from epss.db import unit_of_work
from epss.events.privacy import case_ref_hash
from epss.outcomes.intake import OutcomeIn, record_outcome
from epss.quality.impact import wilson
from tests.conftest import add_user, shipped_document
from tests.quality_support import GEBOORTE, PASPOORT, ev, record

TITLE = shipped_document(PASPOORT).title

URL = "/api/v1/outcomes"
CASE = "Z-2026-004242"


def outcome(**changes) -> dict:
    sent = {
        "id": str(uuid.uuid4()),
        "app": "demo-zaaksysteem",
        "task_slug": PASPOORT,
        "case_ref": CASE,
        "kind": "teruggestuurd",
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    return {**sent, **changes}


def stored(client: TestClient) -> list[tuple]:
    with client.app.state.services.engine.connect() as connection:
        return list(connection.execute(text("SELECT id, case_ref, kind FROM outcome")))


def test_an_outcome_is_stored_once_with_its_case_as_a_keyed_hash(client: TestClient) -> None:
    sent = outcome()
    first = client.post(URL, json=sent)
    assert first.status_code == 201, first.text
    again = client.post(URL, content=json.dumps(sent), headers={"Content-Type": "text/plain"})
    assert again.status_code == 200 and again.json() == {"id": sent["id"], "kind": "teruggestuurd"}
    [(_, case, kind)] = stored(client)
    settings = client.app.state.services.settings
    assert (
        case == case_ref_hash(settings.secret_key, f"  {CASE.lower()} ") and kind == "teruggestuurd"
    )
    with client.app.state.services.engine.connect() as connection:
        everything = str(list(connection.execute(text("SELECT * FROM outcome"))))
    assert CASE not in everything and "004242" not in everything


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "misschien"}, "kind"),
        ({"app": "onbekend-systeem"}, "app"),
        ({"task_slug": "geen-taak"}, "task_slug"),
        ({"case_ref": "  "}, "case_ref"),
        ({"occurred_at": "2026-12-05T10:00:00"}, "occurred_at"),  # no time zone
        ({"occurred_at": "2020-01-01T10:00:00+00:00"}, "occurred_at"),  # years ago
        ({"id": "niet-een-uuid"}, "id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_stored(client: TestClient, changes, field) -> None:
    answer = client.post(URL, json=outcome(**changes))
    assert answer.status_code == 422, answer.text
    assert field in answer.text
    assert CASE not in answer.text  # the values sent are not echoed: a case is personal
    assert stored(client) == []


def _consulted(case: str, user: str) -> dict:
    viewed = ev("task_viewed", user, 10)
    return {**viewed, "case_ref": case}


def _outcomes(services, slug: str, cases: list[str], problems: int) -> None:
    now = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
    with unit_of_work(services.engine) as session:
        for n, case in enumerate(cases):
            data = OutcomeIn(
                id=uuid.uuid4(),
                app="demo-zaaksysteem",
                task_slug=slug,
                case_ref=case,
                kind="afgewezen" if n < problems else "afgerond",
                occurred_at=dt.datetime(2026, 11, 12, 9, 0, tzinfo=dt.UTC),
            )
            record_outcome(session, data, secret_key=services.settings.secret_key, now=now)


def test_consulted_cases_are_set_against_the_others_with_their_intervals(
    client: TestClient, people: dict
) -> None:
    """40 passport cases with the guidance consulted, 4 of them rejected (10%); 40 without,
    16 rejected (40%); 3 birth cases without, too few to show, and 10 with, by two people."""
    services = client.app.state.services
    with_guidance = [f"Z-2026-1{n:05d}" for n in range(40)]
    without = [f"Z-2026-2{n:05d}" for n in range(40)]
    record(services, [_consulted(case, f"balie{n % 7}") for n, case in enumerate(with_guidance)])
    _outcomes(services, PASPOORT, with_guidance, problems=4)
    _outcomes(services, PASPOORT, without, problems=16)
    _outcomes(services, GEBOORTE, ["Z-2026-300001", "Z-2026-300002", "Z-2026-300003"], 1)
    # Ten birth cases, all handled by two people with the guidance: their share would rate them.
    pair = [f"Z-2026-4{n:05d}" for n in range(10)]
    record(
        services,
        [{**_consulted(case, f"duo{n % 2}"), "task_slug": GEBOORTE} for n, case in enumerate(pair)],
    )
    _outcomes(services, GEBOORTE, pair, problems=1)
    officer = add_user(services, "kim", "kwaliteit")
    answer = client.get(
        "/api/v1/quality/effect", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=officer
    )
    assert answer.status_code == 200, answer.text
    rows = {(r["task"], r["consulted"]): r for r in answer.json()["rows"]}
    assert {k: rows[(PASPOORT, True)][k] for k in ("cases", "problems", "share")} == {
        "cases": 40,
        "problems": 4,
        "share": 10.0,
    }
    assert (rows[(PASPOORT, True)]["low"], rows[(PASPOORT, True)]["high"]) == (4.0, 23.1)
    assert (rows[(PASPOORT, False)]["share"], rows[(PASPOORT, False)]["low"]) == (40.0, 26.3)
    assert rows[(PASPOORT, False)]["high"] == 55.4
    assert rows[(GEBOORTE, False)]["cases"] is None and rows[(GEBOORTE, True)]["cases"] is None
    assert answer.json()["hidden_groups"] == 2
    page = client.get(
        "/kwaliteit/effect", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=officer
    )
    assert "Effect op de zaak" in page.text and "10,0" in page.text and "55,4" in page.text
    # Hidden for few cases or few people, and said so; the chart in the page's language.
    assert "die hadden minder dan 5 zaken, of de zaken met werkinstructie" in page.text
    chart = json.loads(html.unescape(re.search(r'data-chart="([^"]+)"', page.text).group(1)))
    assert f"{TITLE}: met werkinstructie" in chart["labels"]
    english = client.get(
        "/kwaliteit/effect",
        params={"from": "2026-11-01", "to": "2026-11-30", "lang": "en"},
        headers=officer,
    )
    chart = json.loads(html.unescape(re.search(r'data-chart="([^"]+)"', english.text).group(1)))
    assert {f"{TITLE}: with the guidance", f"{TITLE}: without the guidance"} <= {*chart["labels"]}
    assert "they had fewer than 5 cases" in english.text


def test_the_wilson_interval_of_none_in_five() -> None:
    assert wilson(0, 5) == (0.0, 43.4)
