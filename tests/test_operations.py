"""Operating the service: liveness and readiness, Prometheus metrics, request ids in JSON
logs, graceful shutdown, several workers, and API documentation without a CDN.

The readiness and metrics tests use the app in-process, on real databases; logs, shutdown
and workers are checked on real `epss serve` processes (tests/operations_support.py)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import signal
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session
from typer.testing import CliRunner

from epss import migrations
from epss.app import create_app
from epss.auth.accounts import create_user
from epss.catalog import import_documents, newest_versions
from epss.cli import app as cli
from epss.db import unit_of_work
from epss.hostapps import register_host_app
from epss.operations.logs import RequestIdFilter, RequestIds, request_id_from
from epss.services import Services
from epss.settings import Settings
from epss.web.serving import GRACE_SECONDS
from tests.conftest import POSTGRES_ADMIN_URL, publish, shipped_document, within
from tests.operations_support import Served, event, prepare
from tests.operations_support import client as http_client

PASSWORD = "een-lang-wachtwoord-42"


def _ready(client: TestClient) -> httpx.Response:
    client.app.state.readiness.ttl = 0  # check again now, not within the second
    return client.get("/health/ready")


def _metrics(client: TestClient, **headers: str) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) → value, from /metrics."""
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    return _parsed(answer.text)


def _parsed(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


# -- liveness and readiness ------------------------------------------------------------------


def test_live_and_ready_when_all_is_well(client: TestClient) -> None:
    live = client.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "live"})
    assert client.head("/health/live").status_code == 200
    assert client.head("/health/ready").status_code == 200
    ready = _ready(client)
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "catch_up_lag_seconds": 0.0,
        "checks": {
            "database": {"ok": True},
            "migrations": {"ok": True},
            "search_index": {"ok": True},
        },
    }
    assert ready.headers["cache-control"] == "no-store"
    assert client.get("/api/v1/health").json() == {"status": "ok"}  # the old probe stays


def test_ready_is_503_when_the_sqlite_file_is_gone(sqlite_settings: Settings) -> None:
    database = sqlite_settings.data_dir / "epss.sqlite3"
    with TestClient(create_app(sqlite_settings)) as client:
        assert _ready(client).status_code == 200
        for path in database.parent.glob("epss.sqlite3*"):
            path.unlink()
        ready = _ready(client)
        assert client.get("/health/live").status_code == 200
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not_ready" and body["error"] == "not_ready"
    assert body["checks"]["database"] == {
        "ok": False,
        "detail": "the SQLite database file is missing",
    }
    assert body["detail"].startswith("database: the SQLite database file is missing")
    assert not database.exists()  # the check did not make a new, empty database


def test_ready_is_503_when_the_postgres_database_is_gone(tmp_path: Path) -> None:
    gone = sa.make_url(POSTGRES_ADMIN_URL).set(database=f"epss_gone_{uuid.uuid4().hex[:10]}")
    settings = Settings(
        data_dir=tmp_path,
        secret_key="test-secret",
        database_url=gone.render_as_string(hide_password=False),
    )
    client = TestClient(create_app(settings))  # no lifespan: it would refuse to start
    ready = _ready(client)
    assert client.get("/health/live").status_code == 200
    client.app.state.services.close()
    assert ready.status_code == 503, ready.text
    checks = ready.json()["checks"]
    assert checks["database"] == {"ok": False, "detail": "cannot be reached (OperationalError)"}
    assert checks["migrations"]["ok"] is False and "not checked" in checks["migrations"]["detail"]


def test_ready_is_503_when_the_migrations_are_behind(sqlite_settings: Settings) -> None:
    with TestClient(create_app(sqlite_settings)) as client:
        assert _ready(client).status_code == 200
        migrations.downgrade(client.app.state.services.engine, "-1")
        ready = _ready(client)
    assert ready.status_code == 503
    assert ready.json()["checks"]["migrations"] == {
        "ok": False,
        "detail": "the schema is not at the newest migration: run `epss db upgrade`",
    }
    assert ready.json()["checks"]["database"] == {"ok": True}


def test_ready_is_503_while_the_index_is_missing(client: TestClient) -> None:
    services = client.app.state.services
    services.follower.stop()  # so that its guard does not rebuild the index meanwhile
    shutil.rmtree(services.search_index.directory)
    missing = _ready(client)
    assert missing.status_code == 503
    assert missing.json()["checks"]["search_index"] == {
        "ok": False,
        "detail": "missing or unreadable (being rebuilt)",
    }
    services.refresh_search_index()
    time.sleep(1.1)  # past the readiness cache
    assert _ready(client).status_code == 200


def test_ready_is_503_while_changes_of_other_instances_stay_unapplied(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another instance published; this one cannot apply it (its index refuses) for longer
    than a load balancer should wait."""
    services = client.app.state.services

    def refuse(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services.search_index, "update", refuse)
    elsewhere = Services.from_settings(services.settings)  # a second instance's services
    publish(elsewhere, shipped_document("aangifte-geboorte", title="Een nieuwe stap"))
    elsewhere.close()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    monkeypatch.setattr(services.follower, "_now", lambda: later)
    behind = _ready(client)
    assert behind.status_code == 503
    assert "behind" in behind.json()["checks"]["search_index"]["detail"]
    assert behind.json()["catch_up_lag_seconds"] >= 59
    monkeypatch.undo()
    assert within(5, lambda: services.catch_up_lag() == 0.0)


def test_readiness_is_checked_at_most_once_a_second(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(sqlite_settings)) as client:
        readiness = client.app.state.readiness
        checks = []
        real_check = readiness.check
        monkeypatch.setattr(readiness, "check", lambda: checks.append(1) or real_check())
        started = time.monotonic()
        answers = [client.get("/health/ready").status_code for _ in range(50)]
        elapsed = time.monotonic() - started
    assert answers == [200] * 50
    assert 1 <= len(checks) <= 1 + elapsed  # once, and again only after each second


# -- metrics ---------------------------------------------------------------------------------


def test_metrics_show_routes_events_publishes_and_login_failures(client: TestClient) -> None:
    services = client.app.state.services
    with unit_of_work(services.engine) as session:
        register_host_app(session, "ops-app", "Zaaksysteem", ["https://zaken.example"])
        create_user(session, "ops-eva", ["expert"], password=PASSWORD)
    before = _metrics(client)
    for slug in ("reisdocument-aanvragen", "aangifte-geboorte", "bestaat-niet"):
        client.get(f"/api/v1/tasks/{slug}")
    good = [event() | {"app": "ops-app"} for _ in range(3)]
    assert client.post("/api/v1/events", json={"events": good}).status_code == 202
    assert client.post("/api/v1/events", json={"events": [good[0]]}).status_code == 202
    bad = client.post("/api/v1/events", json={"events": [event() | {"type": "nonsense"}]})
    assert bad.status_code == 422
    client.get("/inloggen")  # the form, and with it the CSRF cookie
    login = client.post(
        "/inloggen",
        data={"naam": "ops-eva", "wachtwoord": "fout"},
        headers={"x-csrftoken": client.cookies.get("csrftoken", "")},
    )
    assert login.status_code == 401, login.text
    publish(services, shipped_document("aangifte-geboorte", title="Nieuwe eerste stap"))
    after = _metrics(client)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    route = {"method": "GET", "route": "/api/v1/tasks/{slug}"}
    assert grew("epss_http_request_duration_seconds_count", **route) == 3
    assert grew("epss_http_request_duration_seconds_bucket", le="+Inf", **route) == 3
    assert grew("epss_http_requests_total", status="2xx", **route) == 2
    assert grew("epss_http_requests_total", status="4xx", **route) == 1
    assert not any("reisdocument-aanvragen" in str(labels) for _, labels in after)
    assert grew("epss_events_accepted_total") == 3
    assert grew("epss_events_duplicate_total") == 1
    assert grew("epss_event_batches_rejected_total", reason="invalid") == 1
    assert grew("epss_login_failures_total", reason="wrong_password") == 1
    assert grew("epss_publishes_total") == 1
    with Session(client.app.state.services.engine) as session:
        published = newest_versions(session)
    assert after[("epss_search_index_documents", ())] == sum(  # a task and each of its steps
        1 + len(version.document["steps"]) for version in published
    )
    assert after[("epss_catalog_catch_up_lag_seconds", ())] == 0


def test_a_publish_that_rolls_back_is_not_counted(client: TestClient) -> None:
    services = client.app.state.services
    before = _metrics(client)[("epss_publishes_total", ())]
    with pytest.raises(RuntimeError), unit_of_work(services.engine) as session:
        import_documents(session, [shipped_document("aangifte-geboorte", title="Weg")], by="test")
        session.flush()
        raise RuntimeError("the transaction fails after the version was written")
    assert _metrics(client)[("epss_publishes_total", ())] == before


def test_metrics_need_the_token_when_one_is_set(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"metrics_token": "s3cret-scraper"})
    with TestClient(create_app(settings)) as client:
        refused = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper"})
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["error"] == "unauthorized"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert allowed.status_code == 200 and "epss_http_requests_total" in allowed.text


# -- request ids -----------------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["3f2c9a0e-1b7d-4e55-9b1a-0c6f2f1d8e21", "lb.a1b2:c3/d4=="])
def test_a_sane_request_id_is_kept(sent: str) -> None:
    assert request_id_from(sent) == sent


@pytest.mark.parametrize("sent", [None, "", "two words", "x" * 129, "-leading", "zaak\n1"])
def test_another_request_id_is_replaced(sent: str | None) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", request_id_from(sent))


def test_log_lines_made_while_handling_a_request_carry_its_id() -> None:
    """In async handlers and in sync ones (run in the thread pool) alike."""
    log = logging.getLogger("epss.test_operations")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.emit = records.append
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    app = FastAPI()

    @app.get("/sync")
    def in_a_thread() -> dict:
        log.info("sync")
        return {}

    @app.get("/async")
    async def on_the_loop() -> dict:
        log.info("async")
        return {}

    app.add_middleware(RequestIds)
    try:
        with TestClient(app) as client:
            for path in ("/sync", "/async"):
                client.get(path, headers={"X-Request-ID": f"id{path.replace('/', '-')}"})
        log.info("outside")
    finally:
        log.removeHandler(handler)
    assert [(r.getMessage(), r.request_id) for r in records] == [
        ("sync", "id-sync"),
        ("async", "id-async"),
        ("outside", None),
    ]


def test_the_request_id_comes_back(client: TestClient) -> None:
    assert (
        client.get("/health/live", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = client.get("/api/v1/tasks/bestaat-niet").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


# -- API documentation -----------------------------------------------------------------------


def test_api_docs_come_with_their_assets_and_the_csp(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "script-src" not in page.headers["content-security-policy"]  # no exception:
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)  # no inline script
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    openapi = re.search(r'data-openapi-url="([^"]+)"', page.text).group(1)
    assert len(urls) == 4  # favicon, style, Swagger UI, its start
    for url in [*urls, openapi]:
        absolute = urljoin(str(page.url), url)
        assert urlsplit(absolute).netloc == urlsplit(str(page.url)).netloc, url
        answer = client.get(absolute)
        assert answer.status_code == 200, url
    assets = {url.rsplit("/", 1)[-1].split("?")[0]: client.get(url) for url in urls}
    assert "SwaggerUIBundle" in assets["swagger-ui-bundle.js"].text
    assert assets["swagger-ui.css"].headers["content-type"].startswith("text/css")
    assert "javascript" in assets["swagger-init.js"].headers["content-type"]
    assert client.get("/api/v1/docs/assets/other.js").status_code == 404


# -- real processes --------------------------------------------------------------------------


def test_json_logs_carry_the_request_id(tmp_path: Path, sqlite_template: Path) -> None:
    prepare(tmp_path, sqlite_template)
    served = Served.start(tmp_path, EPSS_LOG_FORMAT="json")
    request_id = f"ops-{uuid.uuid4()}"
    try:
        with http_client() as http:
            answer = http.get(
                served.url + "/api/v1/search",
                params={"q": "paspoort 123456789"},
                headers={"X-Request-ID": request_id},
            )
    finally:
        served.stop()
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == request_id
    lines = served.json_lines()
    assert lines and all(
        {"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines
    )
    ours = [line for line in lines if line["request_id"] == request_id]
    assert [line["logger"] for line in ours] == ["uvicorn.access"], ours
    assert ours[0]["http_path"] == "/api/v1/search" and ours[0]["http_status"] == 200
    assert "123456789" not in served.output()  # the query string is not logged


def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path, sqlite_template: Path) -> None:
    """A batch of events waits for SQLite's write lock (held here); SIGTERM comes while it
    waits; the server stops taking new requests but answers that one before it exits."""
    prepare(tmp_path, sqlite_template)
    served = Served.start(tmp_path)
    lock = sqlite3.connect(tmp_path / "epss.sqlite3", isolation_level=None)
    answers: list[httpx.Response] = []
    try:
        lock.execute("BEGIN IMMEDIATE")  # the write lock: the batch must wait for it
        sender = threading.Thread(
            target=lambda: answers.append(
                http_client(timeout=30).post(
                    served.url + "/api/v1/events", json={"events": [event()]}
                )
            )
        )
        sender.start()
        time.sleep(1.0)
        assert not answers, "the batch was stored while the write lock was held"
        served.terminate()
        time.sleep(1.5)
        assert served.process.poll() is None, "the server did not wait for the request"
        with pytest.raises(httpx.TransportError), http_client() as http:
            http.get(served.url + "/health/live", timeout=2)  # new requests are refused
        lock.execute("ROLLBACK")
        sender.join(20)
        # uvicorn ends by re-raising the signal it got, as a program stopped by it should.
        assert served.process.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        lock.close()
        served.stop()
    assert [a.status_code for a in answers] == [202], served.output()
    assert answers[0].json() == {"accepted": 1, "duplicates": 0}


def test_several_workers_share_the_load_and_the_metrics(
    tmp_path: Path, sqlite_template: Path
) -> None:
    token = prepare(tmp_path, sqlite_template)
    served = Served.start(tmp_path, "--workers", "2", EPSS_LOG_FORMAT="json")
    sent = 0

    def one(_: int) -> int:  # a connection of its own, so either worker may take it
        with http_client() as http:
            return http.get(served.url + "/api/v1/tasks").status_code

    try:
        deadline = time.monotonic() + 40  # the second worker may still be starting
        with ThreadPoolExecutor(8) as pool:
            while len(_workers_that_answered(served)) < 2 and time.monotonic() < deadline:
                assert list(pool.map(one, range(16))) == [200] * 16
                sent += 16
        with http_client() as http:
            metrics = _parsed(http.get(served.url + "/metrics").text)
            assert http.get(served.url + "/health/ready").status_code == 200
        # An editor's live stream is open when the service is told to stop: it is ended,
        # so the workers need not wait the full grace period for it.
        with http_client(timeout=30) as streaming:
            live = streaming.send(
                streaming.build_request(
                    "GET",
                    served.url + "/api/v1/tasks/aangifte-geboorte/draft/live",
                    headers={"Authorization": f"Bearer {token}"},
                ),
                stream=True,
            )
            assert live.status_code == 200
            stopping = time.monotonic()
            served.terminate()
            assert served.process.wait(timeout=20) in (0, -signal.SIGTERM)
            stopped_in = time.monotonic() - stopping
            live.close()
    finally:
        served.stop()
    assert len(_workers_that_answered(served)) == 2, served.output()
    # Any worker answers /metrics with the sum over both.
    assert (
        metrics[
            (
                "epss_http_requests_total",
                (("method", "GET"), ("route", "/api/v1/tasks"), ("status", "2xx")),
            )
        ]
        == sent
    )
    assert stopped_in < GRACE_SECONDS - 2, f"stopping took {stopped_in:.1f} s"


def _workers_that_answered(served: Served) -> set[int]:
    return {
        line["process"]
        for line in served.json_lines()
        if line["logger"] == "uvicorn.access" and line.get("http_path") == "/api/v1/tasks"
    }


def test_serve_refuses_an_out_of_date_schema_before_starting_workers(
    tmp_path: Path, sqlite_template: Path
) -> None:
    prepare(tmp_path, sqlite_template)
    services = Services.from_settings(Settings(data_dir=tmp_path))
    migrations.downgrade(services.engine, "-1")
    services.close()
    result = CliRunner().invoke(
        cli,
        ["serve", "--workers", "2"],
        env={"EPSS_DATA_DIR": str(tmp_path), "EPSS_DATABASE_URL": ""},
    )
    assert result.exit_code == 1
    assert "epss db upgrade" in result.output
