"""The auditor's lookup by task and moment (/kwaliteit/scherm and GET
/api/v1/quality/on-screen): the version published at that moment, exactly at and around
its publication and across both summer-time changes in Europe/Amsterdam; that Dutch day's
use per version with small groups hidden; and bad input refused, named, changing nothing.

Versions get known publication moments (set directly), the clock is fixed (`now`)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from epss.db import unit_of_work
from epss.models import Change, Event, EventDaily, PersonalDataView, Task, TaskVersion
from epss.quality.day_counts import dutch_day
from tests.conftest import publish, set_clock, shipped_document
from tests.quality_support import APP, PASPOORT, record

API = "/api/v1/quality/on-screen"
PAGE = "/kwaliteit/scherm"
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


# Version n of the passport task was published at PUBLISHED[n] (UTC). Summer time began on
# 29-03-2026 at 01:00 UTC (02:00 became 03:00) and ended on 25-10-2026 at 01:00 UTC (03:00
# became 02:00, so 02:00-03:00 happened twice).
PUBLISHED = {
    1: utc("2026-03-01T09:00:00+00:00"),  # 01-03-2026 10:00 winter time
    2: utc("2026-03-29T01:00:00+00:00"),  # 29-03-2026 03:00 summer time, the first minute
    3: utc("2026-10-25T00:30:00+00:00"),  # 25-10-2026 02:30, the first time (summer time)
    4: utc("2026-11-02T09:42:30+00:00"),  # 02-11-2026 10:42:30 winter time
}


@pytest.fixture
def officer(client: TestClient, people) -> dict[str, str]:
    """Four versions of the passport task at the moments above; the clock at NOW."""
    services = client.app.state.services
    for number in (2, 3, 4):
        publish(
            services,
            shipped_document(
                PASPOORT,
                title=f"Ontvang de aanvrager (v{number})",
                instruction=f"Tekst van **versie {number}**.",
            ),
        )
    with unit_of_work(services.engine) as session:
        task = session.execute(select(Task).where(Task.slug == PASPOORT)).scalar_one()
        for version in session.execute(
            select(TaskVersion).where(TaskVersion.task_id == task.id)
        ).scalars():
            version.published_at = PUBLISHED[version.number]
            session.add(version)
    set_clock(client.app, NOW)
    return people["kwaliteit"]


def event(
    at: str, user: str | None, version: int, type_: str = "task_viewed", step: str | None = None
) -> dict:
    found = {
        "id": str(uuid.uuid4()),
        "type": type_,
        "app": APP,
        "occurred_at": at,
        "url": "https://zaken.example/zaak/paspoort",
        "task_slug": PASPOORT,
        "task_version": version,
        "step_id": step,
        "user": user,
        "team": "Balie A",
    }
    return {k: v for k, v in found.items() if v is not None}


def at_api(client: TestClient, headers: dict, at: str, task: str = PASPOORT) -> dict:
    answer = client.get(API, params={"task": task, "at": at}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def at_page(client: TestClient, headers: dict, datum: str, tijd: str, **extra):
    return client.get(
        PAGE, params={"taak": PASPOORT, "datum": datum, "tijd": tijd, **extra}, headers=headers
    )


def visible(html: str) -> str:
    """The page's text as a person reads it (no tags, attributes or scripts)."""
    main = html[html.index("<main") : html.index("</main>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


# --- Which version: exactly at and around each publication, and across summer time ---


@pytest.mark.parametrize(
    ("at", "version"),
    [
        ("2000-01-01T00:00:00+01:00", None),  # the first moment one may ask about
        ("2026-03-01T08:59:59Z", None),  # a second before the first publication
        ("2026-03-01T09:00:00Z", 1),  # exactly at it
        ("2026-03-01T10:00:00+01:00", 1),  # the same moment, in Dutch winter time
        ("2026-03-29T00:59:59Z", 1),  # 29-03 01:59:59 winter time, the last second of it
        ("2026-03-29T01:00:00Z", 2),  # 29-03 03:00 summer time: published that very second
        ("2026-03-29T03:00:00+02:00", 2),
        ("2026-10-25T02:29:59+02:00", 2),  # the first 02:29:59 of 25-10
        ("2026-10-25T02:30:00+02:00", 3),  # the first 02:30: published then
        ("2026-10-25T02:15:00+01:00", 3),  # the second 02:15 (winter time): after it
        ("2026-11-02T10:42:29+01:00", 3),
        ("2026-11-02T10:42:30+01:00", 4),
        ("2026-11-21T12:00:00Z", 4),  # now
    ],
)
def test_the_api_gives_the_version_published_at_the_moment(client, officer, at, version) -> None:
    found = at_api(client, officer, at)
    assert found["version"] == version
    assert found["task"] == PASPOORT and found["time_zone"] == "Europe/Amsterdam"
    assert dt.datetime.fromisoformat(found["at"]) == utc(at.replace("Z", "+00:00"))
    assert re.search(r"[+-]\d\d:\d\d$", found["at"]), "ISO 8601 with offset"
    if version is None:
        assert found["publication"] is None and found["day"] is None
        assert found["first"]["version"] == 1
        assert found["first"]["published_at"] == "2026-03-01T10:00:00+01:00"
        return
    publication = found["publication"]
    assert publication["version"] == version
    assert dt.datetime.fromisoformat(publication["published_at"]) == PUBLISHED[version]
    assert f"versie {version}" in publication["steps"][0]["instruction_html"] or version == 1
    assert publication["url"] == f"/taken/{PASPOORT}?versie={version}"
    assert len(publication["content_hash"]) == 64
    if version < 4:
        assert found["next"]["version"] == version + 1
        assert dt.datetime.fromisoformat(found["next"]["published_at"]) == PUBLISHED[version + 1]
    else:
        assert found["next"] is None


def test_moments_in_the_answer_carry_the_dutch_offset_of_their_season(client, officer) -> None:
    winter = at_api(client, officer, "2026-03-29T00:59:59Z")
    assert winter["at"] == "2026-03-29T01:59:59+01:00"
    assert winter["next"]["published_at"] == "2026-03-29T03:00:00+02:00"
    summer = at_api(client, officer, "2026-10-25T00:30:00Z")
    assert summer["at"] == "2026-10-25T02:30:00+02:00"
    assert summer["publication"]["published_at"] == "2026-10-25T02:30:00+02:00"
    assert summer["day"]["from"] == "2026-10-25T00:00:00+02:00"
    assert summer["day"]["until"] == "2026-10-26T00:00:00+01:00"


@pytest.mark.parametrize(
    ("datum", "tijd", "extra", "version"),
    [
        ("01-01-2000", "00:00", {}, None),
        ("01-03-2026", "09:59", {}, None),
        ("1-3-2026", "10:00", {}, 1),
        ("29-03-2026", "01:59", {}, 1),
        ("29-03-2026", "03:00", {}, 2),
        ("25-10-2026", "02:29", {}, 2),
        ("25-10-2026", "02:30", {}, 3),  # the first 02:30 (summer time): exactly published
        ("25-10-2026", "02:15", {}, 2),  # the first 02:15 (summer time)
        ("25-10-2026", "02:15", {"keer": "2"}, 3),  # the second 02:15 (winter time)
        ("02-11-2026", "10:42", {}, 3),  # version 4 came at 10:42:30, later in that minute
        ("02-11-2026", "10:42:30", {}, 4),
        ("2026-11-02", "10.43", {}, 4),
    ],
)
def test_the_page_reads_dutch_time_and_gives_the_version(
    client, officer, datum, tijd, extra, version
) -> None:
    page = at_page(client, officer, datum, tijd, **extra)
    assert page.status_code == 200, visible(page.text)
    text = visible(page.text)
    if version is None:
        assert "nog niet gepubliceerd" in text
        assert (
            "De eerste versie werd gepubliceerd op 01-03-2026 10:00:00 (Nederlandse tijd)" in text
        )
        return
    title = "Identiteit vaststellen bij aanvraag paspoort of identiteitskaart"
    assert f"{title}, versie {version}" in text
    assert f"was versie {version} de gepubliceerde versie" in text
    if version > 1:
        assert f"Ontvang de aanvrager (v{version})" in text and f"versie {version}" in text
    assert "(Nederlandse tijd" in text


def test_the_page_shows_the_zone_the_season_and_the_repeated_hour(client, officer) -> None:
    text = visible(at_page(client, officer, "25-10-2026", "02:15").text)
    assert "Op 25-10-2026 02:15 (Nederlandse tijd, zomertijd, UTC+02:00) was versie 2" in text
    assert "twee keer voor" in text and "U ziet de eerste keer (zomertijd)" in text
    assert "Ze gold tot 25-10-2026 02:30:00 (Nederlandse tijd); toen kwam versie 3." in text
    page = at_page(client, officer, "25-10-2026", "02:15", keer="2")
    text = visible(page.text)
    assert "Op 25-10-2026 02:15 (Nederlandse tijd, wintertijd, UTC+01:00) was versie 3" in text
    assert "U ziet de tweede keer (wintertijd)" in text
    assert "keer=2" not in page.text.split("U ziet de tweede keer")[1].split("</p>")[0]
    plain = visible(at_page(client, officer, "03-03-2026", "10:42").text)
    assert "twee keer" not in plain and "wintertijd, UTC+01:00" in plain


def test_a_publication_within_the_asked_minute_is_pointed_out(client, officer) -> None:
    text = visible(at_page(client, officer, "02-11-2026", "10:42").text)
    assert "in de gevraagde minuut werd versie 4 gepubliceerd, op 02-11-2026 10:42:30" in text
    text = visible(at_page(client, officer, "02-11-2026", "10:42:00").text)
    assert "in de gevraagde minuut" not in text  # to the second: no doubt left


def test_the_page_shows_the_full_text_hash_and_credits_without_slugs(client, officer) -> None:
    page = at_page(client, officer, "03-03-2026", "10:42")
    text = visible(page.text)
    found = at_api(client, officer, "2026-03-03T10:42:00+01:00")
    assert found["publication"]["content_hash"] in text
    assert "Gepubliceerd door test" in text and "Gepubliceerd op 01-03-2026 10:00:00" in text
    for label in (
        "Doel",
        "Waarom",
        "Let op",
        "Goed gedaan als",
        "Verplicht",
        "Inhoudshash",
        "Goedgekeurd door",
    ):
        assert label in text, label
    assert "ga naar taak Twijfel" in text  # a branch to another task, by its title
    for slug in (PASPOORT, "twijfel-identiteit-of-document", "ontvang-aanvrager", "task_viewed"):
        assert slug not in text, slug
    assert f'href="/taken/{PASPOORT}?versie=1"' in page.text
    assert "<script" not in page.text[page.text.index("<main") :]


def test_the_task_list_shows_titles_sorted_by_title(client, officer) -> None:
    page = client.get(PAGE, headers=officer).text
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)
    assert options[0] == ("", "Kies een taak")
    titles = [title for _, title in options[1:]]
    assert titles == sorted(titles, key=str.casefold) and len(titles) >= 5
    assert "Identiteit vaststellen bij aanvraag paspoort of identiteitskaart" in titles


def test_english_on_request(client, officer) -> None:
    text = visible(at_page(client, officer, "25-10-2026", "02:15", lang="en").text)
    assert "(Dutch time, summer time, UTC+02:00)" in text
    assert "was the published version" in text and "Content hash" in text


# --- That day's use, per version, on the Dutch day ---


def test_the_day_counts_follow_the_dutch_day_when_summer_time_ends(client, officer) -> None:
    """25-10-2026 has 25 hours: from 24-10 22:00 UTC to 25-10 23:00 UTC."""
    day, since, until = dutch_day(utc("2026-10-25T12:00:00+01:00"))
    assert (day, since, until) == (
        dt.date(2026, 10, 25),
        utc("2026-10-24T22:00:00+00:00"),
        utc("2026-10-25T23:00:00+00:00"),
    )
    six = [f"balie{n}" for n in range(6)]
    events = [
        event("2026-10-24T22:00:00Z", six[0], 2),  # the day's first moment (00:00)
        event("2026-10-24T21:59:59Z", six[1], 2),  # the day before
        event("2026-10-25T00:10:00Z", six[2], 2),  # 02:10 summer time: version 2
        event("2026-10-25T23:00:00Z", six[3], 3),
    ]  # the next day
    events += [event(f"2026-10-25T{9 + n:02d}:00:00Z", user, 3) for n, user in enumerate(six)]
    events += [
        event("2026-10-25T22:59:59Z", six[0], 3, "step_viewed", "ontvang-aanvrager"),
        event("2026-10-25T10:00:00Z", None, 3, "panel_opened"),
    ]  # no person known
    record(client.app.state.services, events)
    day = at_api(client, officer, "2026-10-25T12:00:00+01:00")["day"]
    assert day["date"] == "2026-10-25" and day["basis"] == "events"
    assert day["min_group_size"] == 5 and day["hidden_groups"] == 1
    versions = {row["version"]: row for row in day["versions"]}
    assert versions[3] == {"version": 3, "consultations": 7, "events": 8, "people": 6}
    assert day["this_version"] == versions[3]
    # Version 2 that day: two people (00:00 and 02:10): hidden, not zero.
    assert versions[2] == {"version": 2, "consultations": None, "events": None, "people": None}
    text = visible(at_page(client, officer, "25-10-2026", "13:00").text)
    assert "Die dag telde 25 uur: de zomertijd eindigde." in text
    assert (
        "Geteld over de hele dag in Nederlandse tijd: van 25-10-2026 00:00 tot "
        "26-10-2026 00:00." in text
    )
    assert "Versie 3 werd deze dag 7 keer geopend of bekeken, door 6 verschillende mensen." in text
    assert "Bij één versie staat “< 5”: minder dan 5 mensen gebruikten haar die dag" in text


def test_the_day_counts_follow_the_dutch_day_when_summer_time_starts(client, officer) -> None:
    """29-03-2026 has 23 hours: from 28-03 23:00 UTC to 29-03 22:00 UTC."""
    five = [f"balie{n}" for n in range(5)]
    events = [
        event("2026-03-28T23:00:00Z", five[0], 1),  # 00:00: version 1 still
        event("2026-03-29T21:59:59Z", five[1], 2),  # 23:59:59 summer time
        event("2026-03-29T22:00:00Z", "balie9", 2),  # the next day
        event("2026-03-28T22:59:59Z", "balie8", 1),
    ]  # the day before
    events += [event(f"2026-03-29T{8 + n:02d}:00:00Z", user, 2) for n, user in enumerate(five)]
    record(client.app.state.services, events)
    day = at_api(client, officer, "2026-03-29T12:00:00+02:00")["day"]
    assert day["from"] == "2026-03-29T00:00:00+01:00"
    assert day["until"] == "2026-03-30T00:00:00+02:00"
    assert day["versions"] == [
        {"version": 1, "consultations": None, "events": None, "people": None},  # one person
        {"version": 2, "consultations": 6, "events": 6, "people": 5},
    ]
    assert day["hidden_groups"] == 1
    text = visible(at_page(client, officer, "29-03-2026", "12:00").text)
    assert "Die dag telde 23 uur: de zomertijd begon." in text
    assert "Versie 2 werd deze dag 6 keer geopend of bekeken, door 5 verschillende mensen." in text
    # Asked at 00:30 that night, version 1 was on screen: its count is hidden, and why.
    text = visible(at_page(client, officer, "29-03-2026", "00:30").text)
    assert (
        "Hoe vaak versie 1 deze dag geraadpleegd werd, wordt niet getoond: minder dan 5 "
        "mensen gebruikten haar. Zo kleine aantallen zijn naar personen te herleiden" in text
    )


def test_a_version_nobody_used_that_day_counts_zero_not_hidden(client, officer) -> None:
    day = at_api(client, officer, "2026-11-10T12:00:00+01:00")["day"]
    assert day["versions"] == [{"version": 4, "consultations": 0, "events": 0, "people": 0}]
    assert day["hidden_groups"] == 0
    text = visible(at_page(client, officer, "10-11-2026", "12:00").text)
    assert "Op deze dag is versie 4 niet geraadpleegd" in text


def test_a_day_past_retention_is_read_from_the_daily_counts(client, officer) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        for type_, step, events, actors in [
            ("task_viewed", None, 9, 6),
            ("step_viewed", "ontvang-aanvrager", 20, 7),
            ("panel_opened", None, 3, 3),
        ]:
            session.add(
                EventDaily(
                    day=dt.date(2026, 3, 3),
                    type=type_,
                    app=APP,
                    task_slug=PASPOORT,
                    task_version=1,
                    step_id=step,
                    team="Balie A",
                    events=events,
                    actors=actors,
                )
            )
    day = at_api(client, officer, "2026-03-03T10:42:00+01:00")["day"]
    assert day["basis"] == "daily"
    assert day["from"] == "2026-03-03T01:00:00+01:00"  # the UTC day, said as it is
    assert day["this_version"] == {"version": 1, "consultations": 12, "events": 32, "people": 7}
    text = visible(at_page(client, officer, "03-03-2026", "10:42").text)
    assert "na de bewaartermijn verwijderd" in text and "per dag in UTC" in text


# --- Bad input: named, refused, nothing changed ---


def table_sizes(client: TestClient) -> dict[str, int]:
    with Session(client.app.state.services.engine) as session:
        return {
            model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Event, TaskVersion, Change, PersonalDataView, EventDaily, Task)
        }


@pytest.mark.parametrize(
    ("params", "status", "field", "words"),
    [
        ({"at": "2026-03-03T10:42:00+01:00"}, 422, "task", "Geef de taak op"),
        (
            {"task": "bestaat-niet", "at": "2026-03-03T10:42:00+01:00"},
            404,
            "task",
            "geen gepubliceerde taak 'bestaat-niet'",
        ),
        ({"task": PASPOORT}, 422, "at", "Geef het moment op"),
        ({"task": PASPOORT, "at": "gisteren om 10:42"}, 422, "at", "is geen moment"),
        ({"task": PASPOORT, "at": "2026-02-30T10:42:00+01:00"}, 422, "at", "is geen moment"),
        ({"task": PASPOORT, "at": "2026-03-03T10:42:00"}, 422, "at", "heeft geen tijdzone"),
        ({"task": PASPOORT, "at": "0001-01-01T00:00:00+01:00"}, 422, "at", "vóór 2000-01-01"),
        ({"task": PASPOORT, "at": "1999-12-31T23:59:59+01:00"}, 422, "at", "vóór 2000-01-01"),
        ({"task": PASPOORT, "at": "2026-11-21T12:00:01Z"}, 422, "at", "in de toekomst"),
        ({"task": PASPOORT, "at": "9999-12-31T23:59:59+14:00"}, 422, "at", "in de toekomst"),
    ],
)
def test_bad_input_to_the_api_is_named_and_changes_nothing(
    client, officer, params, status, field, words
) -> None:
    before = table_sizes(client)
    answer = client.get(API, params=params, headers=officer)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field and words in answer.json()["detail"]
    assert table_sizes(client) == before


@pytest.mark.parametrize(
    ("params", "status", "field", "words"),
    [
        ({"datum": "03-03-2026", "tijd": "10:42"}, 422, "taak", "Kies een taak uit de lijst."),
        (
            {"taak": "bestaat-niet", "datum": "03-03-2026", "tijd": "10:42"},
            404,
            "taak",
            "Deze taak is niet (meer) gepubliceerd.",
        ),
        ({"taak": PASPOORT, "tijd": "10:42"}, 422, "datum", "Vul een datum in als dd-mm-jjjj"),
        (
            {"taak": PASPOORT, "datum": "30-02-2026", "tijd": "10:42"},
            422,
            "datum",
            "'30-02-2026' is geen datum.",
        ),
        ({"taak": PASPOORT, "datum": "3 maart", "tijd": "10:42"}, 422, "datum", "is geen datum"),
        (
            {"taak": PASPOORT, "datum": "01-01-0001", "tijd": "00:00"},
            422,
            "datum",
            "Kies een datum vanaf 01-01-2000",
        ),
        (
            {"taak": PASPOORT, "datum": "31-12-1999", "tijd": "23:59"},
            422,
            "datum",
            "Kies een datum vanaf 01-01-2000",
        ),
        ({"taak": PASPOORT, "datum": "03-03-2026"}, 422, "tijd", "Vul een tijd in als uu:mm"),
        (
            {"taak": PASPOORT, "datum": "03-03-2026", "tijd": "25:00"},
            422,
            "tijd",
            "'25:00' is geen tijd.",
        ),
        (
            {"taak": PASPOORT, "datum": "29-03-2026", "tijd": "02:30"},
            422,
            "tijd",
            "Het tijdstip 02:30 op 29-03-2026 bestond in Nederland niet",
        ),
        (
            {"taak": PASPOORT, "datum": "22-11-2026", "tijd": "09:00"},
            422,
            "datum",
            "22-11-2026 09:00 ligt in de toekomst.",
        ),
        (
            {"taak": PASPOORT, "datum": "21-11-2026", "tijd": "13:01"},
            422,
            "tijd",
            "21-11-2026 13:01 ligt in de toekomst.",
        ),
    ],
)
def test_bad_input_on_the_page_is_named_at_its_field(
    client, officer, params, status, field, words
) -> None:
    before = table_sizes(client)
    page = client.get(PAGE, params=params, headers=officer)
    assert page.status_code == status
    assert f'id="fout-{field}"' in page.text and 'aria-invalid="true"' in page.text
    assert words in visible(page.text)
    assert f'<a href="#f-{field}">' in page.text  # the summary leads to the field
    assert "versie" not in visible(page.text).split("Toon bij deze gebeurtenis")[1]
    assert table_sizes(client) == before


def test_every_wrong_field_is_named_at_once(client, officer) -> None:
    page = client.get(PAGE, params={"datum": "gisteren", "tijd": "kwart voor elf"}, headers=officer)
    assert page.status_code == 422
    for field in ("taak", "datum", "tijd"):
        assert f'id="fout-{field}"' in page.text


# --- The lookup from an event still works; who may look; the API is documented ---


def test_the_lookup_from_an_event_still_works(client, officer) -> None:
    record(
        client.app.state.services,
        [event("2026-10-25T09:00:00Z", "balie1", 3, "step_viewed", "ontvang-aanvrager")],
    )
    with Session(client.app.state.services.engine) as session:
        seq = session.execute(select(func.max(Event.seq))).scalar_one()
    found = client.get(f"{API}/{seq}", headers=officer).json()
    assert found["version"] == 3 and found["event"]["occurred_at"] == "2026-10-25T10:00:00+01:00"
    text = visible(client.get(PAGE, params={"event": seq}, headers=officer).text)
    assert f"Gebeurtenis {seq}, Stap bekeken" in text
    assert "Tijdstip 25-10-2026 10:00:00 (Nederlandse tijd)" in text
    assert "Stap 1, Ontvang de aanvrager (v3)" in text and "step_viewed" not in text


@pytest.mark.parametrize(
    "url",
    [
        f"{API}?task={PASPOORT}&at=2026-03-03T10:42:00%2B01:00",
        f"{PAGE}?taak={PASPOORT}&datum=03-03-2026&tijd=10:42",
    ],
)
def test_only_quality_officers_may_look(client, officer, people, url) -> None:
    assert client.get(url).status_code == 401
    for role in ("medewerker", "expert", "redacteur", "beheerder"):
        assert client.get(url, headers=people[role]).status_code == 403, role
    assert client.get(url, headers=officer).status_code == 200


def test_the_api_is_documented_in_openapi(client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/quality/on-screen"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"task", "at"}
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert "kwaliteit" in operation["description"]
