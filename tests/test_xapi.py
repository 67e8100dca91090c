"""xAPI export against a real LRS (Ralph): the right statements, each once, nothing personal,
the cursor moved only after the LRS acknowledged."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, delete
from typer.testing import CliRunner

from epss.cli import app as cli
from epss.events import parse_batch, pseudonym
from epss.models import ExportCursor
from epss.services import Services
from epss.settings import Settings
from epss.xapi import LrsClient, XapiError, export_events, statement_id
from epss.xapi.export import cursor_position
from tests.conftest import import_shipped, shipped_document
from tests.xapi_support import Lrs, running_lrs

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lrs]:
    yield from running_lrs(tmp_path_factory)


SLUG = "aangifte-geboorte"
USER = "j.jansen"


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    services = Services.from_settings(settings)
    import_shipped(services)
    yield services
    services.close()


@pytest.fixture
def base_url() -> str:
    """Every test its own service URL, so its statements are told apart in the one LRS."""
    return f"https://epss-{uuid.uuid4().hex[:8]}.gemeente.example"


def client_for(lrs: Lrs, **options) -> LrsClient:
    return LrsClient(lrs.endpoint, lrs.username, lrs.password, **options)


def record(services: Services, *events: dict) -> list[dict]:
    """Store the events as the overlay would send them; returns them with their ids."""
    full = [
        {
            "id": str(uuid.uuid4()),
            "app": "zaaksysteem",
            "url": "https://zaken.gemeente.example/zaak/123456789?bsn=123456789",
            "occurred_at": (NOW - dt.timedelta(minutes=30 - i)).isoformat(),
            **e,
        }
        for i, e in enumerate(events)
    ]
    parsed = parse_batch(json.dumps({"events": full}), now=NOW, is_known_app=lambda _: True)
    services.event_writer.record(parsed, secret_key=services.settings.secret_key, received_at=NOW)
    return full


def a_morning(services: Services) -> list[dict]:
    step = shipped_document(SLUG).steps[0].id
    task = {"task_slug": SLUG, "task_version": 1}
    return record(
        services,
        {"type": "panel_opened", "user": USER},
        {"type": "task_viewed", "user": USER, "team": "Burgerzaken balie", **task},
        {"type": "step_viewed", "user": USER, "step_id": step, **task},
        {"type": "step_checked", "user": USER, "step_id": step, **task},
        {
            "type": "step_deviated",
            "user": USER,
            "step_id": step,
            "details": {"reason": "klant had geen paspoort bij zich"},
            **task,
        },
        {"type": "search", "user": USER, "details": {"query": "geboorte buitenland", "results": 0}},
        {"type": "task_viewed", **task},  # no user hint
    )


def held(lrs: Lrs, base_url: str) -> list[dict]:
    return [s for s in lrs.statements() if s["actor"]["account"]["homePage"] == base_url]


def test_export_sends_the_consultations_as_statements(services, lrs, base_url):
    events = a_morning(services)
    with client_for(lrs) as client:
        report = export_events(services.engine, client, base_url=base_url, batch_size=3)
    assert (report.events, report.sent, report.skipped) == (7, 5, 2)
    statements = {s["id"]: s for s in held(lrs, base_url)}
    assert len(statements) == 5
    by_event = {
        e["type"] + ("-anon" if "user" not in e else ""): statements.get(statement_id(e["id"]))
        for e in events
    }
    assert by_event["panel_opened"] is None and by_event["step_deviated"] is None
    me = {"homePage": base_url, "name": pseudonym("test-secret", USER)}
    step = shipped_document(SLUG).steps[0]
    task_id = f"{base_url}/taken/{SLUG}?versie=1"

    viewed = by_event["task_viewed"]
    assert viewed["actor"]["account"] == me
    assert viewed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert viewed["object"]["id"] == task_id
    assert viewed["object"]["definition"]["name"]["nl-NL"] == shipped_document(SLUG).title
    assert viewed["context"]["platform"] == "zaaksysteem"
    assert dt.datetime.fromisoformat(viewed["timestamp"]) == NOW - dt.timedelta(minutes=29)
    assert "stored" in viewed

    step_viewed = by_event["step_viewed"]
    assert step_viewed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert step_viewed["object"]["id"] == f"{task_id}#stap-{step.id}"
    assert step_viewed["object"]["definition"]["name"]["nl-NL"] == step.title
    assert step_viewed["context"]["contextActivities"]["parent"][0]["id"] == task_id
    assert by_event["step_checked"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    search = by_event["search"]
    assert search["verb"]["id"] == "https://w3id.org/xapi/acrossx/verbs/searched"
    assert search["object"]["id"] == f"{base_url}/zoeken"
    assert by_event["task_viewed-anon"]["actor"]["account"] == {
        "homePage": base_url,
        "name": "anoniem:zaaksysteem",
    }

    # What we sent (the LRS adds its own `authority`: the account the export logged in as).
    everything = json.dumps(
        [{k: v for k, v in s.items() if k != "authority"} for s in statements.values()]
    )
    for personal in (USER, "mbox", "mailto:", "123456789", "geboorte buitenland", "paspoort"):
        assert personal not in everything, personal
    assert cursor_position(services.engine) == report.last_seq > 0


def test_a_second_export_sends_nothing(services, lrs, base_url):
    a_morning(services)
    with client_for(lrs) as client:
        export_events(services.engine, client, base_url=base_url)
        again = export_events(services.engine, client, base_url=base_url)
    assert (again.events, again.sent, again.already_there) == (0, 0, 0)
    assert len(held(lrs, base_url)) == 5


def test_losing_the_cursor_does_not_duplicate_statements(services, lrs, base_url):
    a_morning(services)
    with client_for(lrs) as client:
        first = export_events(services.engine, client, base_url=base_url)
        with Session(services.engine) as session:
            session.exec(delete(ExportCursor))
            session.commit()
        again = export_events(services.engine, client, base_url=base_url, batch_size=2)
    assert (again.events, again.sent, again.already_there) == (7, 0, 5)
    assert again.last_seq == first.last_seq
    assert len(held(lrs, base_url)) == 5


def test_an_unreachable_lrs_is_named_and_the_cursor_stays(services, base_url):
    events = a_morning(services)
    with (
        socket_closed() as endpoint,
        LrsClient(endpoint, "u", "p", attempts=2, sleep=lambda _: None) as client,
        pytest.raises(XapiError) as failure,
    ):
        export_events(services.engine, client, base_url=base_url)
    message = str(failure.value)
    assert "could not be reached after 2 attempt(s)" in message
    assert events[1]["id"] in message and "cursor stays at seq 0" in message
    assert cursor_position(services.engine) == 0


def test_a_transient_failure_is_retried(services, lrs, base_url):
    a_morning(services)
    waits: list[float] = []
    flaky = FailingOnce(httpx.HTTPTransport())
    with client_for(lrs, transport=flaky, sleep=waits.append) as client:
        report = export_events(services.engine, client, base_url=base_url)
    assert report.sent == 5 and flaky.failed == 1 and waits == [0.5]
    assert len(held(lrs, base_url)) == 5


def test_a_refused_statement_names_the_event(services, lrs, base_url):
    events = a_morning(services)
    broken = statement_id(events[3]["id"])  # the step_checked event
    with (
        client_for(lrs, transport=Corrupting(httpx.HTTPTransport(), broken)) as client,
        pytest.raises(XapiError) as failure,
    ):
        export_events(services.engine, client, base_url=base_url)
    message = str(failure.value)
    assert f"refused statement {broken} (HTTP 422)" in message
    assert f"it is event {events[3]['id']} (seq 4, step_checked)" in message
    assert "'object'" in message and "the cursor stays at seq 0" in message
    assert cursor_position(services.engine) == 0
    # Once the statement is sound again, the export finishes and sends each one once.
    with client_for(lrs) as client:
        report = export_events(services.engine, client, base_url=base_url)
    assert report.events == 7 and report.sent + report.already_there == 5
    assert len(held(lrs, base_url)) == 5


def test_the_command_exports_and_says_so(
    sqlite_settings,
    lrs,
    base_url,
    monkeypatch,
):
    services = Services.from_settings(sqlite_settings)
    import_shipped(services)
    a_morning(services)
    services.close()
    monkeypatch.setenv("EPSS_DATA_DIR", str(sqlite_settings.data_dir))
    monkeypatch.setenv("EPSS_SECRET_KEY", "test-secret")
    runner = CliRunner()

    dry = runner.invoke(cli, ["xapi", "export", "--base-url", base_url, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert len([line for line in dry.stdout.splitlines() if line.startswith("{")]) == 5
    assert held(lrs, base_url) == []

    monkeypatch.setenv("EPSS_XAPI_ENDPOINT", "http://127.0.0.1:9/xAPI/")
    down = runner.invoke(cli, ["xapi", "export", "--base-url", base_url])
    assert down.exit_code == 1
    assert "could not be reached" in down.stderr and "cursor stays at seq 0" in down.stderr

    monkeypatch.setenv("EPSS_XAPI_ENDPOINT", lrs.endpoint)
    monkeypatch.setenv("EPSS_XAPI_USERNAME", lrs.username)
    monkeypatch.setenv("EPSS_XAPI_PASSWORD", lrs.password)
    done = runner.invoke(cli, ["xapi", "export", "--base-url", base_url])
    assert done.exit_code == 0, done.output
    assert "5 statement(s) sent" in done.stdout
    assert len(held(lrs, base_url)) == 5

    monkeypatch.setenv("EPSS_XAPI_ENDPOINT", "")
    unset = runner.invoke(cli, ["xapi", "export", "--base-url", base_url])
    assert unset.exit_code == 1 and "EPSS_XAPI_ENDPOINT is not set" in unset.stderr


class FailingOnce(httpx.BaseTransport):
    """Fails the first request as a dropped connection would, then passes them on."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.failed = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.failed:
            self.failed += 1
            raise httpx.ConnectError("connection reset", request=request)
        return self.inner.handle_request(request)


class Corrupting(httpx.BaseTransport):
    """Sends one statement without its object, so that the real LRS refuses it."""

    def __init__(self, inner: httpx.BaseTransport, statement: str) -> None:
        self.inner = inner
        self.statement = statement

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.read())
            for statement in body:
                if statement["id"] == self.statement:
                    del statement["object"]
            request = httpx.Request(
                "POST",
                request.url,
                json=body,
                headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
            )
        return self.inner.handle_request(request)


class socket_closed:
    """An endpoint on a loopback port nobody listens on."""

    def __enter__(self) -> str:
        from tests.ports import free_port

        return f"http://127.0.0.1:{free_port()}/xAPI/"

    def __exit__(self, *_exc: object) -> None:
        return None
