"""Events from the overlay: stored once, refused as a whole when anything is wrong, and
nothing personal in the database."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.app import create_app
from epss.db import unit_of_work
from epss.events import MAX_BATCH_BYTES, pseudonym
from epss.hostapps import register_host_app
from epss.models import Event
from epss.services import Services
from epss.settings import Settings
from tests.conftest import set_clock

APP = "zaaksysteem"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
EVENTS = "/api/v1/events"


def event(**changes) -> dict:
    """A valid event; `changes` set fields (None removes one)."""
    fields = {
        "id": str(uuid.uuid4()),
        "type": "step_checked",
        "occurred_at": "2026-11-23T10:41:07.250+01:00",
        "app": APP,
        "url": "https://zaken.gemeente.example/zaak/reisdocument/aanvraag",
        "task_slug": "reisdocument-aanvragen",
        "task_version": 1,
        "step_id": "identiteit",
        "user": "j.jansen",
        "team": "Burgerzaken balie",
        "details": {},
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def register(settings: Settings, app_id: str = APP) -> None:
    services = Services.from_settings(settings)
    with unit_of_work(services.engine) as session:
        register_host_app(session, app_id, "Zaaksysteem", ["https://zaken.gemeente.example"])
    services.close()


def started(settings: Settings) -> TestClient:
    """A client of the app with its clock at NOW."""
    app = create_app(settings)
    set_clock(app, NOW)
    return TestClient(app)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of an app with one registered host app, on SQLite and PostgreSQL."""
    register(settings)
    with started(settings) as client:
        yield client


@pytest.fixture
def sqlite_client(sqlite_settings: Settings) -> Iterator[TestClient]:
    """The same on SQLite only: for what happens before the database is involved."""
    register(sqlite_settings)
    with started(sqlite_settings) as client:
        yield client


def send(client: TestClient, *events: dict) -> dict:
    answer = client.post(EVENTS, json={"events": list(events)})
    assert answer.status_code == 202, answer.text
    return answer.json()


def stored(client: TestClient) -> list[dict]:
    """The stored events in order of arrival, as a separate connection sees them."""
    engine = sa.create_engine(client.app.state.services.settings.effective_database_url)
    with Session(engine) as session:
        rows = [e.model_dump() for e in session.exec(select(Event).order_by(Event.seq))]
    engine.dispose()
    return rows


# -- accepted, duplicates ---------------------------------------------------------------


def test_a_batch_is_stored_in_its_order_and_counted(client: TestClient) -> None:
    batch = [
        event(type="panel_opened"),
        event(type="task_viewed", details={"source": "rule"}),
        event(type="step_viewed"),
        event(type="step_checked"),
    ]
    assert send(client, *batch) == {"accepted": 4, "duplicates": 0}
    rows = stored(client)
    assert [r["id"] for r in rows] == [e["id"] for e in batch]
    assert [r["type"] for r in rows] == [
        "panel_opened",
        "task_viewed",
        "step_viewed",
        "step_checked",
    ]
    assert rows[1]["task_slug"] == "reisdocument-aanvragen" and rows[1]["task_version"] == 1
    assert rows[1]["team"] == "Burgerzaken balie"
    assert rows[1]["details"] == {"source": "rule"} and rows[0]["details"] == {}


def test_times_are_kept_as_the_same_instant_next_to_the_server_time(client: TestClient) -> None:
    send(client, event(occurred_at="2026-11-23T10:41:07.250+01:00"))
    row = stored(client)[0]
    assert row["occurred_at"] == dt.datetime(2026, 11, 23, 9, 41, 7, 250000, tzinfo=dt.UTC)
    assert row["received_at"] == NOW


def test_events_can_be_selected_by_time(client: TestClient) -> None:
    send(
        client,
        event(type="panel_opened", occurred_at="2026-11-23T09:59:59+01:00"),
        event(type="step_viewed", occurred_at="2026-11-23T09:00:00Z"),
        event(type="step_checked", occurred_at="2026-11-23T11:00:00.000001+01:00"),
    )
    engine = client.app.state.services.engine
    since, until = (
        dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC),
    )
    with Session(engine) as session:
        found = session.exec(
            select(Event.type).where(Event.occurred_at >= since, Event.occurred_at < until)
        ).all()
    assert sorted(found) == ["step_viewed"]


def test_a_resent_batch_is_stored_once(client: TestClient) -> None:
    batch = [event(), event(), event()]
    assert send(client, *batch) == {"accepted": 3, "duplicates": 0}
    assert send(client, *batch) == {"accepted": 0, "duplicates": 3}
    assert send(client, batch[0], event()) == {"accepted": 1, "duplicates": 1}
    assert len(stored(client)) == 4


def test_a_duplicate_within_one_batch_is_stored_once(client: TestClient) -> None:
    first = event(type="step_checked")
    again = {**first, "type": "step_unchecked"}
    shouting = {**first, "id": first["id"].upper()}  # the same UUID, spelled differently
    assert send(client, first, again, shouting) == {"accepted": 1, "duplicates": 2}
    rows = stored(client)
    assert [(r["id"], r["type"]) for r in rows] == [(first["id"], "step_checked")]


def test_an_empty_batch_is_fine(client: TestClient) -> None:
    assert send(client) == {"accepted": 0, "duplicates": 0}


def test_the_same_ids_sent_at_once_are_stored_once(client: TestClient) -> None:
    """Two requests with the same events at the same moment (a retry racing the original):
    one stores each event, the other counts it as a duplicate."""
    for _ in range(10):
        batch = [event(), event(), event()]
        start = threading.Barrier(2)
        answers: list[dict] = []

        def post(batch=batch, start=start, answers=answers) -> None:
            start.wait()
            answers.append(send(client, *batch))

        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(answers, key=lambda a: a["accepted"]) == [
            {"accepted": 0, "duplicates": 3},
            {"accepted": 3, "duplicates": 0},
        ]
    assert len(stored(client)) == 30


@pytest.fixture
def refusing_feedback(client: TestClient) -> Iterator[None]:
    """A database that fails to store feedback events (a stand-in for a disk error)."""
    engine = client.app.state.services.engine
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if sqlite:
            connection.exec_driver_sql(
                "CREATE TRIGGER no_feedback BEFORE INSERT ON event WHEN NEW.type = 'feedback' "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION no_feedback() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disk I/O error'; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER no_feedback BEFORE INSERT ON event FOR EACH ROW "
                "WHEN (NEW.type = 'feedback') EXECUTE FUNCTION no_feedback()"
            )
    yield
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER no_feedback" + ("" if sqlite else " ON event"))
        if not sqlite:
            connection.exec_driver_sql("DROP FUNCTION no_feedback()")


def test_a_batch_the_database_fails_on_is_not_acknowledged_and_not_stored(
    client: TestClient, refusing_feedback: None
) -> None:
    """The overlay keeps what was not acknowledged; batches written at the same moment
    are not taken down with it, and later batches are written as usual."""
    failing = [event(), event(type="feedback", details={"kind": "wrong"}), event()]
    batches = [failing] + [[event(), event()] for _ in range(7)]
    answers: dict[int, int] = {}
    start = threading.Barrier(len(batches))
    unsafe = TestClient(client.app, raise_server_exceptions=False)

    def post(n: int) -> None:
        start.wait()
        answers[n] = unsafe.post(EVENTS, json={"events": batches[n]}).status_code

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == {0: 500, **{n: 202 for n in range(1, 8)}}
    ids = {row["id"] for row in stored(client)}
    assert ids == {e["id"] for batch in batches[1:] for e in batch}
    assert send(client, event())["accepted"] == 1


# -- what the overlay sends -------------------------------------------------------------


def test_a_text_plain_body_is_accepted(client: TestClient) -> None:
    """navigator.sendBeacon and a cross-origin fetch without preflight send text/plain."""
    body = json.dumps({"events": [event(), event()]})
    answer = client.post(
        EVENTS, content=body.encode(), headers={"content-type": "text/plain;charset=UTF-8"}
    )
    assert answer.status_code == 202
    assert answer.json() == {"accepted": 2, "duplicates": 0}
    assert len(stored(client)) == 2


def test_other_media_types_are_refused(sqlite_client: TestClient) -> None:
    answer = sqlite_client.post(EVENTS, data={"events": "[]"})
    assert answer.status_code == 415
    assert answer.json()["error"] == "unsupported_media_type"
    assert "application/x-www-form-urlencoded" in answer.json()["detail"]


def test_every_event_type_with_its_details_is_accepted(client: TestClient) -> None:
    batch = [
        event(type="panel_opened", task_slug=None, task_version=None, step_id=None),
        event(type="task_viewed", details={"source": "search"}),
        event(type="step_viewed"),
        event(type="step_checked"),
        event(type="step_unchecked"),
        event(type="step_deviated", details={"reason": "Klant heeft geen paspoort bij zich"}),
        event(type="step_deviated", details={"choice": 2}),  # the task's second reason
        event(type="search", step_id=None, details={"query": "pasfoto eisen", "results": 3}),
        event(type="feedback", details={"kind": "unclear", "comment": "Welke pasfoto?"}),
        event(type="highlight_missing", details={"selector": "#bsn-veld"}),
        event(type="step_checked", user=None, team=None, details=None),
        event(type="step_checked", user=" ", team=""),  # an empty data-epss-user attribute
    ]
    assert send(client, *batch) == {"accepted": 12, "duplicates": 0}
    rows = stored(client)
    assert all(r["actor"] for r in rows[:-2])
    assert [(r["actor"], r["team"]) for r in rows[-2:]] == [(None, None), (None, None)]


# -- refused, and nothing stored --------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "12345"}, "id"),
        ({"id": None}, "id"),
        ({"type": "clicked"}, "type"),
        ({"occurred_at": "2026-11-23T10:41:07"}, "occurred_at"),  # no time zone
        ({"occurred_at": "2026-11-24T10:00:01Z"}, "occurred_at"),  # more than a day ahead
        ({"occurred_at": 1795000000}, "occurred_at"),  # not ISO 8601
        ({"occurred_at": "gisteren"}, "occurred_at"),
        ({"app": ""}, "app"),
        ({"app": None}, "app"),
        ({"url": None}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "zaak/123"}, "url"),
        ({"url": "https://zaken.example:99999/x"}, "url"),
        ({"url": "/" + "x" * 2000}, "url"),
        ({"task_slug": "Reisdocument Aanvragen"}, "task_slug"),
        ({"task_version": 0}, "task_version"),
        ({"task_version": "1"}, "task_version"),
        ({"step_id": "a" * 81}, "step_id"),
        ({"user": "x" * 201}, "user"),
        ({"team": 7}, "team"),
        ({"details": {"colour": "red"}}, "details.colour"),
        ({"details": {"reason": "te druk"}}, "details"),  # reason belongs to step_deviated
        ({"type": "search", "details": {"results": -1}}, "details.results"),
        ({"type": "search", "details": {"results": "3"}}, "details.results"),
        ({"type": "search", "details": {"query": "q" * 201}}, "details.query"),
        ({"type": "feedback", "details": {"kind": "boos"}}, "details.kind"),
        ({"type": "feedback", "details": {"comment": "c" * 1001}}, "details.comment"),
        ({"type": "step_deviated", "details": {"reason": "r" * 501}}, "details.reason"),
        ({"type": "step_deviated", "details": {"choice": 0}}, "details.choice"),
        ({"type": "step_deviated", "details": {"choice": 9}}, "details.choice"),
        ({"type": "step_deviated", "details": {"choice": "1"}}, "details.choice"),
        ({"details": {"choice": 1}}, "details"),  # a choice belongs to step_deviated
        ({"type": "highlight_missing", "details": {"selector": "s" * 301}}, "details.selector"),
        ({"type": "task_viewed", "details": {"source": "gok"}}, "details.source"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_named_with_its_position_and_nothing_is_stored(
    sqlite_client: TestClient, changes: dict, field: str
) -> None:
    good = event()
    answer = sqlite_client.post(EVENTS, json={"events": [good, event(**changes)]})
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert body["detail"].startswith(f"events[1].{field}: "), body["detail"]
    assert stored(sqlite_client) == []
    assert send(sqlite_client, good) == {"accepted": 1, "duplicates": 0}  # the good one, later


def test_every_bad_field_is_named(sqlite_client: TestClient) -> None:
    answer = sqlite_client.post(
        EVENTS,
        json={
            "events": [
                event(),
                event(type="clicked"),
                event(),
                event(occurred_at="2026-11-23T10:41:07"),
            ]
        },
    )
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["problems"]] == [
        "events[1].type",
        "events[3].occurred_at",
    ]


def test_a_day_ahead_of_the_server_clock_is_the_limit(sqlite_client: TestClient) -> None:
    assert send(sqlite_client, event(occurred_at="2026-11-24T10:00:00Z"))["accepted"] == 1
    late = event(occurred_at="2026-11-24T10:00:01Z")
    answer = sqlite_client.post(EVENTS, json={"events": [late]})
    assert answer.status_code == 422
    assert "meer dan een dag voor op de klok van de server" in answer.json()["detail"]


@pytest.mark.parametrize(
    "body", [b"", b"{not json", b'{"events": [', b"[]", b'{"events": {}}', b'{"evnts": []}']
)
def test_a_body_that_is_no_batch_gets_a_clear_422(sqlite_client: TestClient, body: bytes) -> None:
    answer = sqlite_client.post(EVENTS, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request" and answer.json()["detail"]
    assert stored(sqlite_client) == []


def test_invalid_json_says_so(sqlite_client: TestClient) -> None:
    answer = sqlite_client.post(
        EVENTS, content=b"{not json", headers={"content-type": "text/plain"}
    )
    assert answer.status_code == 422 and "is geen geldige JSON" in answer.json()["detail"]


def test_an_unknown_app_is_refused(client: TestClient) -> None:
    answer = client.post(EVENTS, json={"events": [event(), event(app="onbekend")]})
    assert answer.status_code == 422
    assert answer.json()["detail"] == "events[1].app: er is geen hostapplicatie 'onbekend'"
    assert stored(client) == []


def test_a_newly_registered_app_is_known_without_a_restart(client: TestClient) -> None:
    register(client.app.state.services.settings, "burgerzaken-portaal")
    client.app.state.services.resolver.check_every = 0  # do not wait a second in the test
    assert send(client, event(app="burgerzaken-portaal"))["accepted"] == 1


# -- too large --------------------------------------------------------------------------


def test_more_than_500_events_is_too_large(client: TestClient) -> None:
    answer = client.post(EVENTS, json={"events": [event() for _ in range(501)]})
    assert answer.status_code == 413
    assert answer.json() == {
        "error": "too_large",
        "detail": "Een bundel bevat hooguit 500 gebeurtenissen; stuur ze in kleinere bundels.",
    }
    assert stored(client) == []
    assert send(client, *[event() for _ in range(500)])["accepted"] == 500


def test_a_body_over_1_mb_is_too_large(sqlite_client: TestClient) -> None:
    body = json.dumps({"events": [event()]}).encode() + b" " * MAX_BATCH_BYTES
    answer = sqlite_client.post(EVENTS, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"
    assert "1.048.576 bytes" in answer.json()["detail"]
    assert stored(sqlite_client) == []


def test_a_streamed_body_is_cut_off_at_1_mb(sqlite_client: TestClient) -> None:
    """Without a Content-Length (chunked), the server counts while reading."""

    def chunks() -> Iterator[bytes]:
        yield b'{"events": ['
        for _ in range(100):
            yield b" " * 64 * 1024

    answer = sqlite_client.post(EVENTS, content=chunks(), headers={"content-type": "text/plain"})
    assert answer.status_code == 413
    assert stored(sqlite_client) == []


def test_a_sender_that_hangs_up_mid_body_stores_nothing_and_raises_nothing(
    sqlite_client: TestClient,
) -> None:
    """A page closed while its beacon was on the way: no half batch stored, and no
    exception for the server to log as a crash."""
    body = json.dumps({"events": [event()]}).encode()
    arriving = [
        {"type": "http.request", "body": body[:20], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return arriving.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": EVENTS,
        "raw_path": EVENTS.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"text/plain")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    assert sqlite_client.portal is not None  # the client's own event loop, already running
    sqlite_client.portal.call(sqlite_client.app, scope, receive, send)
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["error"] == "incomplete"
    assert stored(sqlite_client) == []


# -- privacy ----------------------------------------------------------------------------


def test_the_user_is_stored_as_a_keyed_pseudonym(client: TestClient) -> None:
    send(client, event(user="j.jansen"), event(user=" J.Jansen "), event(user="p.pietersen"))
    actors = [r["actor"] for r in stored(client)]
    assert actors[0] == actors[1] != actors[2]
    assert actors[0] == pseudonym("test-secret", "j.jansen")
    assert len(actors[0]) == 64 and int(actors[0], 16) >= 0
    assert "jansen" not in repr(stored(client)).casefold()


def test_another_secret_key_gives_other_pseudonyms(settings: Settings) -> None:
    assert pseudonym("one secret", "j.jansen") != pseudonym("other secret", "j.jansen")
    register(settings)
    actors = []
    for n, secret in enumerate(["secret one", "secret two"]):
        with started(settings.model_copy(update={"secret_key": secret})) as client:
            send(client, event(user="j.jansen"))
            actors.append(stored(client)[n]["actor"])
    assert actors[0] != actors[1]


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (
            "https://zaken.gemeente.example/zaak/123456789/documenten?bsn=123456789#persoon",
            "https://zaken.gemeente.example/zaak/*****/documenten",
        ),
        (
            "https://medewerker:geheim@Zaken.Gemeente.Example:8443/zaak/ZAAK-2024-0001234",
            "https://zaken.gemeente.example:8443/zaak/ZAAK-2024-*****",
        ),
        (
            "HTTP://zaken.example/personen/999993653/adres",
            "http://zaken.example/personen/*****/adres",
        ),
        ("/demo/reisdocument/aanvraag?bsn=999993653", "/demo/reisdocument/aanvraag"),
        ("/zaken/1234/stap-2#tab", "/zaken/1234/stap-2"),  # short numbers stay
        ("http://[::1]:8000/demo/", "http://[::1]:8000/demo/"),
    ],
)
def test_urls_lose_query_fragment_credentials_and_long_numbers(
    sqlite_client: TestClient, url: str, kept: str
) -> None:
    send(sqlite_client, event(url=url))
    assert stored(sqlite_client)[0]["url"] == kept


def test_long_numbers_in_free_text_and_ids_are_masked(sqlite_settings: Settings) -> None:
    """Free text is kept filtered (EPSS_STORE_FREE_TEXT, on by default: see
    tests/test_privacy.py); ids and selectors get long numbers masked."""
    register(sqlite_settings)
    with started(sqlite_settings) as client:
        _long_numbers_are_masked(client)


def _long_numbers_are_masked(sqlite_client: TestClient) -> None:
    send(
        sqlite_client,
        event(type="search", details={"query": "bsn 999993653 verhuizing", "results": 0}),
        event(type="feedback", details={"kind": "wrong", "comment": "Zie zaak 2024001234"}),
        event(type="step_deviated", details={"reason": "Klant 123456789 woont in Spanje"}),
        event(
            type="highlight_missing",
            task_slug="zaak-999993653",
            step_id="bsn-999993653",
            details={"selector": "#persoon-999993653 .adres"},
        ),
    )
    rows = stored(sqlite_client)
    assert [r["details"] for r in rows] == [
        {"query": "bsn [nummer] verhuizing", "results": 0},
        {"kind": "wrong", "comment": "Zie zaak [nummer]"},
        {"reason": "Klant [nummer] woont in Spanje"},
        {"selector": "#persoon-***** .adres"},
    ]
    assert (rows[3]["task_slug"], rows[3]["step_id"]) == ("zaak-*****", "bsn-*****")


def test_nothing_personal_reaches_the_sqlite_file(sqlite_settings: Settings) -> None:
    register(sqlite_settings)
    user, bsn = "jan.de.vries@gemeente.example", "999993653"
    with started(sqlite_settings) as client:
        send(
            client,
            event(user=user, url=f"https://zaken.example/personen/{bsn}?bsn={bsn}#{bsn}"),
            event(
                user=user,
                type="search",
                url=f"/zoeken/{bsn}",
                details={"query": f"verhuizing {bsn}", "results": 2},
            ),
            event(user=user, type="feedback", details={"comment": f"BSN {bsn} klopt niet"}),
        )
        files = sorted(sqlite_settings.data_dir.glob("epss.sqlite3*"))
        assert any(f.name.endswith("-wal") and f.stat().st_size for f in files)
        content = b"".join(f.read_bytes() for f in files)
    content += b"".join(f.read_bytes() for f in sqlite_settings.data_dir.glob("epss.sqlite3*"))
    assert pseudonym(sqlite_settings.secret_key, user).encode() in content  # it was written
    for secret in (user, "jan.de.vries", bsn):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert secret.encode(encoding) not in content, f"{secret!r} is in the database"


# -- the contract -----------------------------------------------------------------------


def test_openapi_documents_the_batch(sqlite_client: TestClient) -> None:
    paths = sqlite_client.get("/api/v1/openapi.json").json()["paths"]
    operation = paths["/api/v1/events"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "text/plain"}
    event_schema = content["text/plain"]["schema"]["properties"]["events"]["items"]
    assert event_schema["properties"]["type"]["enum"][0] == "panel_opened"
    assert "202" in operation["responses"]
