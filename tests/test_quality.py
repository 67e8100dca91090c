"""The quality officer's questions (role kwaliteit): answers from a realistic morning of
events, groups of fewer than five people hidden everywhere (JSON, page, CSV), and "what was
on screen" leading to the exact version's text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from epss.db import unit_of_work
from epss.events import pseudonym
from epss.models import EventDaily
from epss.quality.table import Column, Table
from tests.conftest import publish, set_clock, shipped_document, text_of
from tests.quality_support import GEBOORTE, PASPOORT, add_feedback, ev, morning, record

API = "/api/v1/quality"
TITLE = shipped_document(PASPOORT).title
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def officer(client: TestClient, people) -> dict[str, str]:
    morning(client.app.state.services)
    return people["kwaliteit"]


def ask(client: TestClient, headers: dict, question: str, **params) -> dict:
    answer = client.get(f"{API}/{question}", params={**NOVEMBER, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def test_consultations_per_task_hide_the_task_used_by_four(client, officer) -> None:
    found = ask(client, officer, "per-taak")
    rows = by(found["rows"], "task")
    assert rows[PASPOORT]["events"] == 12 and rows[PASPOORT]["people"] == 6
    assert rows[PASPOORT]["title"] == TITLE
    assert rows[GEBOORTE]["events"] is None and rows[GEBOORTE]["people"] is None
    assert found["hidden_groups"] == 1 and found["min_group_size"] == 5
    assert found["from"] == "2026-11-01" and found["to"] == "2026-11-30"


def test_consultations_per_step_and_per_team(client, officer) -> None:
    steps = by(ask(client, officer, "per-stap", task=PASPOORT)["rows"], "step")
    assert steps["ontvang-aanvrager"]["people"] == 6
    assert steps["controleer-echtheid-document"]["people"] is None  # four people
    teams = ask(client, officer, "per-team")
    assert [r["team"] for r in teams["rows"]] == ["Balie A"]  # Balie B (four) left out
    assert teams["rows"][0]["events"] == 12 and teams["hidden_groups"] == 1


def test_consultations_over_time_per_day_and_week(client, officer) -> None:
    days = ask(client, officer, "in-de-tijd", **{"from": "2026-11-02", "to": "2026-11-08"})
    assert [r["period"] for r in days["rows"]] == [f"2026-11-0{d}" for d in range(2, 9)]
    assert all(r["events"] is None for r in days["rows"])  # one or no person a day
    weeks = ask(client, officer, "in-de-tijd", interval="week")
    week = by(weeks["rows"], "period")
    assert week["2026-11-02"] == {"period": "2026-11-02", "events": 12, "people": 6}
    assert week["2026-11-09"]["events"] is None  # Balie B's four
    assert weeks["interval"] == "week"


def test_the_funnel_counts_people_per_step(client, officer) -> None:
    found = ask(client, officer, "trechter", task=PASPOORT)
    assert found["viewers"] == 6
    first, second = found["rows"][0], found["rows"][1]
    assert (first["step"], first["reached"], first["checked"]) == ("ontvang-aanvrager", 6, 5)
    assert first["drop_off"] == 0.0
    assert second["reached"] is None and second["drop_off"] is None  # four people
    pasfoto = by(found["rows"], "step")["beoordeel-pasfoto"]
    assert pasfoto["deviated"] == 5 and pasfoto["reached"] is None
    few = ask(client, officer, "trechter", task=GEBOORTE)  # only four viewed it
    assert few["viewers"] is None
    assert all(r["reached"] is None for r in few["rows"])


def test_deviations_with_their_reasons(client, officer) -> None:
    rows = ask(client, officer, "afwijkingen")["rows"]
    photo = next(s.title for s in shipped_document(PASPOORT).steps if s.id == "beoordeel-pasfoto")
    assert rows == [
        {
            "task": PASPOORT,
            "task_title": TITLE,
            "step": "beoordeel-pasfoto",
            "step_title": photo,
            "events": 5,
            "people": 5,
            "reasons": "",  # each typed by fewer than five people
        }
    ]


def test_a_reason_is_shown_once_five_people_gave_it(client, officer) -> None:
    """Three people gave "Pasfoto-automaat kapot" in the morning; two more, typed a little
    differently, make five: that reason is shown, "Klant had haast" (two people) is not."""
    record(
        client.app.state.services,
        [
            ev(
                "step_deviated",
                user,
                9,
                step="beoordeel-pasfoto",
                reason=" pasfoto-automaat  KAPOT",
            )
            for user in ("later1", "later2")
        ],
    )
    [row] = ask(client, officer, "afwijkingen")["rows"]
    assert row["reasons"] == "‘pasfoto-automaat kapot’ (5)"  # own words, between quotes
    page = client.get("/kwaliteit/afwijkingen", params=NOVEMBER, headers=officer)
    assert "‘pasfoto-automaat kapot’ (5)" in page.text and "haast" not in page.text.lower()
    exported = client.get(
        "/kwaliteit/afwijkingen", params={**NOVEMBER, "format": "csv"}, headers=officer
    )
    assert "‘pasfoto-automaat kapot’ (5)" in exported.text
    assert "haast" not in exported.text.lower()


def test_a_reason_chosen_from_the_list_reads_as_the_version_listed_it(client, officer) -> None:
    """Version 2 of the task lists reasons to deviate; people who chose one are counted by
    its text, five people or more; a number the version does not have counts as nothing."""
    listed = shipped_document(PASPOORT).model_copy(
        update={"deviation_reasons": ["Pasfoto-automaat kapot", "Spoed"]}
    )
    publish(client.app.state.services, listed)
    chose = [(f"kiezer{n}", 1) for n in range(5)]
    chose += [("haastig1", 2), ("haastig2", 2), ("verkeerd", 7)]
    record(
        client.app.state.services,
        [
            ev("step_deviated", user, 10, step="beoordeel-pasfoto", version=2, choice=number)
            for user, number in chose
        ],
    )
    [row] = ask(client, officer, "afwijkingen")["rows"]
    assert row["reasons"] == "Pasfoto-automaat kapot (5)"  # "Spoed": two people


def test_searches_without_results_grouped_by_query(client, officer) -> None:
    found = ask(client, officer, "zoekvragen")
    assert found["rows"] == [
        {
            "query": "naamskeuze buitenland",
            "place": "",
            "place_title": "",
            "searches": 5,
            "none": 5,
            "people": 5,
        }
    ]
    assert found["hidden_groups"] == 1  # "bsn kind", searched by four, left out


def test_searches_without_stored_queries_are_grouped_by_page(client, people) -> None:
    services = client.app.state.services
    record(
        services,
        [ev("search", f"p{n}", 3, results=0, query="geheim") for n in range(5)],
        store_free_text=False,
    )
    rows = ask(client, people["kwaliteit"], "zoekvragen")["rows"]
    assert rows == [
        {
            "query": "(zoekvraag niet bewaard)",
            "place": PASPOORT,
            "place_title": TITLE,
            "searches": 5,
            "none": 5,
            "people": 5,
        }
    ]


def test_feedback_volume_and_median_handling_time(client, officer) -> None:
    add_feedback(client.app.state.services)
    rows = by(ask(client, officer, "meldingen")["rows"], "task")
    assert rows[PASPOORT] | {} == {
        "task": PASPOORT,
        "title": TITLE,
        "kind": "onduidelijk",
        "kind_title": "Onduidelijk",
        "count": 5,
        "handled": 4,
        "median_hours": 5.0,
        "people": 5,
    }
    assert rows[GEBOORTE]["count"] is None and rows[GEBOORTE]["median_hours"] is None


def test_overdue_tasks_with_their_consultations(client, officer) -> None:
    set_clock(client.app, dt.date(2027, 2, 15))
    rows = ask(client, officer, "achterstallig")["rows"]
    assert rows[0]["task"] == PASPOORT  # the most consulted first
    assert {r["task"] for r in rows} == {
        PASPOORT,
        "reisdocument-uitreiken",
        "twijfel-identiteit-of-document",
    }
    assert rows[0]["events"] == 12 and rows[0]["days_over"] == 15
    assert all(r["events"] is None for r in rows[1:])  # not consulted: "< 5"


def test_days_removed_by_retention_are_read_from_the_daily_counts(client, officer) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        session.add(
            EventDaily(
                day=dt.date(2026, 10, 20),
                type="task_viewed",
                app="x",
                task_slug=GEBOORTE,
                task_version=1,
                team="Balie B",
                events=9,
                actors=7,
            )
        )
    period = {"from": "2026-10-01", "to": "2026-11-30"}
    rows = by(ask(client, officer, "per-taak", **period)["rows"], "task")
    assert rows[GEBOORTE]["events"] == 9 + 4 and rows[GEBOORTE]["people"] == 7
    day = by(ask(client, officer, "in-de-tijd", **period)["rows"], "period")["2026-10-20"]
    assert day == {"period": "2026-10-20", "events": 9, "people": 7}


def test_a_group_of_five_is_shown_and_of_four_hidden(client, people) -> None:
    services = client.app.state.services
    record(
        services,
        [ev("task_viewed", f"a{n}", 4, task=PASPOORT) for n in range(5)]
        + [ev("task_viewed", f"b{n}", 4, task=GEBOORTE) for n in range(4)]
        + [ev("task_viewed", "b0", 5, task=GEBOORTE)],
    )  # the same person again
    rows = by(ask(client, people["kwaliteit"], "per-taak")["rows"], "task")
    assert rows[PASPOORT]["people"] == 5 and rows[GEBOORTE]["people"] is None


def test_the_page_shows_table_chart_and_a_note_on_hidden_groups(client, officer) -> None:
    page = client.get("/kwaliteit/per-taak", params=NOVEMBER, headers=officer)
    assert page.status_code == 200
    assert "data-chart=" in page.text and "<table" in page.text
    note = text_of(page.text)
    assert "Bij 1 groep zijn de aantallen verborgen: daarin deden minder dan 5 mensen mee." in note
    assert "Ook over een langere periode zijn deze groepen te klein." in note
    birth = shipped_document(GEBOORTE).title
    # titles, not the tasks' ids; the small group named apart, without figures
    assert [row[0] for row in cells(page.text)[1:]] == [shipped_document(PASPOORT).title]
    small = re.search(r'<details class="quality-small">(.*?)</details>', page.text, re.S)
    assert small is not None and "De groep met minder dan 5 mensen" in small.group(1)
    assert f"<li>{birth}</li>" in small.group(1)
    fragment = client.get(
        "/kwaliteit/per-taak", params=NOVEMBER, headers={**officer, "HX-Request": "true"}
    )
    assert "<html" not in fragment.text and "<table" in fragment.text


def test_a_hidden_group_is_offered_the_longer_period_that_shows_it(client, officer) -> None:
    """Four people used the birth task in November, two more in October: over November it
    is hidden, and the page offers the last 90 days, where it can be shown."""
    october = [ev("task_viewed", f"oktober{n}", 15, task=GEBOORTE) for n in (1, 2)]
    for event in october:
        event["occurred_at"] = event["occurred_at"].replace("2026-11-", "2026-10-")
    record(client.app.state.services, october)
    page = client.get("/kwaliteit/per-taak", params=NOVEMBER, headers=officer)
    offered = re.search(r'<a href="([^"]+)">Van 02-09-2026 tot en met 30-11-2026</a>', page.text)
    assert offered is not None, text_of(page.text)
    assert "daar zijn 2 groepen groot genoeg om te tonen." in text_of(page.text)
    wider = client.get(unescape(offered.group(1)), headers=officer)
    birth = shipped_document(GEBOORTE).title
    assert [birth, "6", "6"] in cells(wider.text)
    assert "verborgen" not in text_of(wider.text)


def test_numbers_are_written_as_dutch_readers_write_them() -> None:
    table = Table(
        "q", [Column("hours", "Uren", numeric=True), Column("n", "Aantal", numeric=True)], [], 5
    )
    row = {"hours": 36.44, "n": 1234}
    assert [table.cell(row, c) for c in table.columns] == ["36,4", "1.234"]


@pytest.mark.parametrize(
    "question",
    [
        "per-taak",
        "per-stap",
        "per-team",
        "in-de-tijd",
        "afwijkingen",
        "zoekvragen",
        "meldingen",
        "achterstallig",
    ],
)
def test_the_csv_equals_the_table(client, officer, question) -> None:
    set_clock(client.app, dt.date(2027, 2, 15))
    add_feedback(client.app.state.services)
    page = client.get(f"/kwaliteit/{question}", params=NOVEMBER, headers=officer)
    exported = client.get(
        f"/kwaliteit/{question}", params={**NOVEMBER, "format": "csv"}, headers=officer
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    assert rows == cells(page.text)
    assert len(rows) > 1


def test_the_funnel_csv_equals_its_table(client, officer) -> None:
    params = {**NOVEMBER, "taak": PASPOORT}
    page = client.get("/kwaliteit/trechter", params=params, headers=officer)
    exported = client.get(
        "/kwaliteit/trechter", params={**params, "format": "csv"}, headers=officer
    )
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    first = shipped_document(PASPOORT).steps[0]
    assert first.id == "ontvang-aanvrager"
    assert rows == cells(page.text) and rows[1][:5] == ["1", first.title, "6", "5", "verborgen"]


def cells(html: str) -> list[list[str]]:
    """The header and body cells of the page's table, as a person reads them."""
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_what_was_on_screen_leads_to_the_exact_version(client, people) -> None:
    services = client.app.state.services
    publish(
        services,
        shipped_document(
            PASPOORT,
            title="Ontvang de aanvrager (nieuw)",
            instruction="Begroet de aanvrager met de **nieuwe** tekst.",
        ),
    )
    record(
        services,
        [
            ev("step_viewed", "x", 3, step="ontvang-aanvrager", version=1),
            ev("step_viewed", "x", 4, step="ontvang-aanvrager", version=2),
        ],
    )
    officer = people["kwaliteit"]
    with unit_of_work(services.engine) as session:
        seqs = session.execute(text("SELECT seq, task_version FROM event ORDER BY seq")).all()
    old = next(seq for seq, version in seqs if version == 1)
    new = next(seq for seq, version in seqs if version == 2)
    first = client.get(f"{API}/on-screen/{old}", headers=officer).json()
    second = client.get(f"{API}/on-screen/{new}", headers=officer).json()
    assert first["version"] == 1 and second["version"] == 2
    assert "nieuwe" not in first["steps"][0]["instruction_html"]
    assert "<strong>nieuwe</strong>" in second["steps"][0]["instruction_html"]
    assert second["url"] == f"/taken/{PASPOORT}?versie=2"
    assert "actor" not in second["event"] and "team" not in second["event"]
    page = client.get("/kwaliteit/scherm", params={"event": str(old)}, headers=officer)
    assert page.status_code == 200 and "Ontvang de aanvrager (nieuw)" not in page.text
    assert f'href="/taken/{PASPOORT}?versie=1"' in page.text
    page = client.get("/kwaliteit/scherm", params={"event": str(new)}, headers=officer)
    assert "Ontvang de aanvrager (nieuw)" in page.text and "step-shown" in page.text
    by_id = client.get(f"{API}/on-screen/{second['event']['id']}", headers=officer).json()
    assert by_id["event"]["seq"] == new


def test_what_was_on_screen_for_an_unknown_event_says_so(client, people) -> None:
    officer = people["kwaliteit"]
    answer = client.get(f"{API}/on-screen/999999", headers=officer)
    assert answer.status_code == 404 and answer.json()["field"] == "event"
    assert "geen gebeurtenis '999999'" in answer.json()["detail"]
    page = client.get("/kwaliteit/scherm", params={"event": "999999"}, headers=officer)
    assert page.status_code == 404 and "Er is geen gebeurtenis" in page.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"from": "1-11-2026"},
            "from",
            "Van: '1-11-2026' is geen datum. Schrijf de datum als jjjj-mm-dd",
        ),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "from", "ligt na tot en met"),
        ({"interval": "maand"}, "interval", "Per: kies dag of week (niet 'maand')."),
        ({"task": "bestaat-niet"}, None, "Er is geen gepubliceerde taak 'bestaat-niet'."),
    ],
)
def test_bad_filters_get_a_clear_error(client, people, params, field, message) -> None:
    answer = client.get(f"{API}/in-de-tijd", params=params, headers=people["kwaliteit"])
    assert answer.status_code in (404, 422)
    assert message in answer.json()["detail"]
    if field:
        assert answer.json()["field"] == field


def test_the_funnel_needs_a_task_and_unknown_questions_are_404(client, people) -> None:
    officer = people["kwaliteit"]
    answer = client.get(f"{API}/trechter", headers=officer)
    assert answer.status_code == 422 and answer.json()["field"] == "taak"
    assert client.get(f"{API}/wie-werkt-het-hardst", headers=officer).status_code == 404
    page = client.get("/kwaliteit/trechter", headers=officer)
    assert page.status_code == 422 and "gaat over één taak: kies de taak." in page.text


@pytest.mark.parametrize(
    "url",
    [
        API,
        f"{API}/per-taak",
        f"{API}/on-screen/1",
        "/kwaliteit",
        "/kwaliteit/per-team",
        "/kwaliteit/per-taak?format=csv",
        "/kwaliteit/scherm?event=1",
    ],
)
def test_only_quality_officers_get_in(client, people, url) -> None:
    assert client.get(url).status_code == 401
    for role in ("medewerker", "expert", "redacteur", "beheerder"):
        assert client.get(url, headers=people[role]).status_code == 403, role
    assert client.get(url, headers=people["kwaliteit"]).status_code in (200, 404)


def test_the_list_of_questions(client, people) -> None:
    found = client.get(API, headers=people["kwaliteit"]).json()["questions"]
    assert {q["slug"] for q in found} >= {"per-taak", "trechter", "zoekvragen", "meldingen"}
    page = client.get("/kwaliteit", headers=people["kwaliteit"])
    assert all(f'href="/kwaliteit/{q["slug"]}"' in page.text for q in found)


def test_one_persons_events_only_with_a_purpose_and_every_look_recorded(client, people) -> None:
    services = client.app.state.services
    record(
        services,
        [
            ev("task_viewed", "j.jansen", 3),
            ev("step_viewed", "j.jansen", 3, step="ontvang-aanvrager"),
            ev("task_viewed", "someone.else", 3),
        ],
    )
    actor = pseudonym(services.settings.secret_key, "j.jansen")
    url = f"{API}/individual/{actor}"
    officer = people["kwaliteit"]
    refused = client.get(url, params=NOVEMBER, headers=officer)
    assert refused.status_code == 422 and refused.json()["field"] == "purpose"
    assert "events" not in refused.json()
    assert (
        client.get(
            url, params={**NOVEMBER, "purpose": "x"}, headers=people["medewerker"]
        ).status_code
        == 403
    )
    with unit_of_work(services.engine) as session:
        assert session.execute(text("SELECT count(*) FROM personal_data_view")).scalar() == 0
    purpose = "klacht Z-2026-101 over een paspoortaanvraag"
    found = client.get(url, params={**NOVEMBER, "purpose": purpose}, headers=officer).json()
    assert [e["type"] for e in found["events"]] == ["task_viewed", "step_viewed"]
    with unit_of_work(services.engine) as session:
        logged = session.execute(
            text("SELECT viewer, purpose, subject FROM personal_data_view")
        ).all()
    assert [tuple(row) for row in logged] == [("kwaliteit", purpose, actor)]
