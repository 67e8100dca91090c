"""Test fixtures: real databases (SQLite files and PostgreSQL), the real migrations, a real
Whoosh index in a temporary folder.

Tests that take the `settings` fixture run once on SQLite and once on PostgreSQL.
PostgreSQL comes from EPSS_TEST_POSTGRES_URL (default: the local server with trust auth);
when it cannot be reached those runs are skipped with the reason, unless
EPSS_TEST_REQUIRE_POSTGRES=1 (as in CI), which makes that a failure.
"""

from __future__ import annotations

import os
import sys

# This machine kind sets PYTHONDONTWRITEBYTECODE=1. Without compiled files kept, every run
# compiles the project and rewrites the asserts of every test module anew, in each worker
# and in each `epss serve` a test starts: collecting alone took 10 s instead of 5.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import datetime as dt
import functools
import html
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from epss import migrations
from epss.app import create_app
from epss.auth import passwords
from epss.auth.accounts import create_user, new_api_token
from epss.auth.roles import Role
from epss.catalog import import_documents
from epss.db import make_engine, unit_of_work
from epss.resources import shipped
from epss.services import Services
from epss.settings import Settings
from epss.taskfile import TaskDocument, load_paths, load_text

# Passwords are hashed with argon2-cffi's cheapest parameters, its advice for tests: the
# same hashing and checks, in a tenth of a millisecond instead of about 100 ms per hash and
# per log-in (a hash keeps its parameters, so every process verifies it).
passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)

# Hypothesis runs with this many examples; the fast loop (`make test-fast`) passes
# --hypothesis-profile=fast for a fifth of them.
hypothesis_settings.register_profile("full", max_examples=300)
hypothesis_settings.register_profile("fast", max_examples=60)


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("hypothesis_profile"):
        hypothesis_settings.load_profile("full")


POSTGRES_ADMIN_URL = os.environ.get(
    "EPSS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("EPSS_TEST_REQUIRE_POSTGRES") == "1"
TASKS_DIR = shipped("tasks")
SHIPPED_TASKS = len(list(TASKS_DIR.glob("*.yaml")))


# Modules that start real processes (`epss serve`, the LRS, the OpenID provider, the
# `epss` command): marked `processes`, left out of the fast loop (see the Makefile).
PROCESS_MODULES = {
    "test_admin",
    "test_api_contract",
    "test_cli",
    "test_draft_concurrency",
    "test_draft_live",
    "test_event_loop",
    "test_index_writes",
    "test_instances",
    "test_instances_in_step",
    "test_operations",
    "test_sso",
    "test_xapi",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers for the fast loop: `browser`, `postgres` (a run on PostgreSQL) and
    `processes`."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
        if item.path.stem in PROCESS_MODULES:
            item.add_marker(pytest.mark.processes)
        params = getattr(item, "callspec", None)
        on_postgres = params is not None and "postgresql" in params.params.values()
        if on_postgres or {"postgres_db", "shipped_postgres"} & set(item.fixturenames):
            item.add_marker(pytest.mark.postgres)


def set_clock(app: FastAPI, moment: dt.datetime | dt.date) -> None:
    """The app's clock stands still at `moment` (a date: noon UTC of that day)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12), dt.UTC)
    app.state.services.clock = lambda: moment


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test (faster than migrating each time)."""
    folder = tmp_path_factory.mktemp("template")
    engine = make_engine(Settings(data_dir=folder))
    migrations.upgrade(engine)
    engine.dispose()
    return folder / "epss.sqlite3"


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards (skips or fails without a
    server)."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"epss_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Snapshot:
    """The rows of every table and the state of every sequence of a PostgreSQL database:
    putting them back takes 20 ms, where creating a database from a template took 300."""

    tables: sa.MetaData
    rows: dict[str, list[dict[str, Any]]]
    sequences: dict[str, int | None]  # name → last value (None: never used)

    @classmethod
    def of(cls, engine: sa.Engine) -> Snapshot:
        with engine.connect() as connection:
            tables = sa.MetaData()
            tables.reflect(connection)
            rows = {
                table.name: [dict(row) for row in connection.execute(sa.select(table)).mappings()]
                for table in tables.sorted_tables
                if table.name != "alembic_version"
            }
            sequences = dict(
                connection.execute(
                    sa.text(
                        "SELECT sequencename, last_value FROM pg_sequences"
                        " WHERE schemaname = current_schema()"
                    )
                ).all()
            )
        return cls(tables, rows, sequences)

    def restore(self, engine: sa.Engine) -> None:
        """The database as it was when the snapshot was taken, whatever a test did since."""
        with engine.begin() as connection:
            # With the triggers off (foreign keys included): no order needed, and DELETE
            # on tables this small takes 10 ms where TRUNCATE took 90.
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for name, rows in self.rows.items():
                connection.execute(sa.delete(self.tables.tables[name]))
                if rows:
                    connection.execute(sa.insert(self.tables.tables[name]), rows)
            for sequence, last in self.sequences.items():
                if last is None:
                    connection.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
                else:
                    connection.execute(sa.select(sa.func.setval(f'"{sequence}"', last)))


@dataclass(frozen=True)
class RunDatabase:
    """The PostgreSQL database of this test run (one per pytest worker): migrated, and put
    back as it was for every test that uses it."""

    url: str
    engine: sa.Engine
    migrated: Snapshot


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[RunDatabase]:
    with scratch_postgres() as url:
        engine = sa.create_engine(url)
        migrations.upgrade(engine)
        try:
            yield RunDatabase(url, engine, Snapshot.of(engine))
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings of a service with an empty, migrated database, on SQLite and PostgreSQL; for
    a test that asks for `shipped_catalog` too, with the shipped tasks imported and indexed
    (a copy of one prepared once: importing them for every test took most of the suite)."""
    shipped = "shipped_catalog" in request.fixturenames
    if database == "sqlite":
        if shipped:
            shutil.copytree(request.getfixturevalue("shipped_sqlite"), tmp_path, dirs_exist_ok=True)
        else:
            shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "epss.sqlite3")
        yield Settings(data_dir=tmp_path, secret_key="test-secret")
    else:
        run: RunDatabase = request.getfixturevalue("postgres_db")
        content = run.migrated
        if shipped:
            content, index = request.getfixturevalue("shipped_postgres")
            shutil.copytree(index, tmp_path / "index")
        content.restore(run.engine)
        yield Settings(data_dir=tmp_path, database_url=run.url, secret_key="test-secret")


@pytest.fixture
def shipped_catalog() -> None:
    """Asked for beside `settings`: the database holds the shipped tasks, indexed."""


@pytest.fixture(scope="session")
def shipped_sqlite(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A data folder with the shipped tasks imported and indexed, copied for each test."""
    folder = tmp_path_factory.mktemp("shipped-sqlite")
    shutil.copy(sqlite_template, folder / "epss.sqlite3")
    _import_into(Settings(data_dir=folder, secret_key="test-secret"))
    return folder


@pytest.fixture(scope="session")
def shipped_postgres(
    tmp_path_factory: pytest.TempPathFactory, postgres_db: RunDatabase
) -> tuple[Snapshot, Path]:
    """The shipped tasks in the run's PostgreSQL database (a snapshot, put back for each
    test that asks), and the folder of their index."""
    folder = tmp_path_factory.mktemp("shipped-postgres")
    postgres_db.migrated.restore(postgres_db.engine)
    _import_into(Settings(data_dir=folder, database_url=postgres_db.url, secret_key="test-secret"))
    return Snapshot.of(postgres_db.engine), folder / "index"


def _import_into(settings: Settings) -> None:
    services = Services.from_settings(settings)
    try:
        import_shipped(services)
    finally:
        services.close()


@pytest.fixture
def sqlite_settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    """Settings on SQLite only, for tests where the database kind does not matter."""
    shutil.copy(sqlite_template, tmp_path / "epss.sqlite3")
    return Settings(data_dir=tmp_path, secret_key="test-secret")


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The `epss` command reads its settings from the environment, as it does for people:
    point it at the test's database."""
    monkeypatch.setenv("EPSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("EPSS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("EPSS_SECRET_KEY", settings.secret_key)
    return settings


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    services = Services.from_settings(settings)
    yield services
    services.close()


@functools.cache
def _shipped(slug: str) -> TaskDocument:
    return load_text((TASKS_DIR / f"{slug}.yaml").read_text(encoding="utf-8"), slug)


def shipped_document(slug: str, **first_step_changes) -> TaskDocument:
    """A shipped task (a copy of it read once), with changes to its first step's fields."""
    document = _shipped(slug).model_copy(deep=True)
    if first_step_changes:
        step = document.steps[0].model_copy(update=first_step_changes)
        document = document.model_copy(update={"steps": [step, *document.steps[1:]]})
    return document


def publish(services: Services, *documents: TaskDocument) -> None:
    with unit_of_work(services.engine) as session:
        import_documents(session, list(documents), by="test")


def import_shipped(services: Services) -> None:
    with unit_of_work(services.engine) as session:
        import_documents(session, [t.document for t in load_paths([TASKS_DIR])], by="test")
    services.refresh_search_index()


@pytest.fixture
def client(settings: Settings, shipped_catalog: None) -> Iterator[TestClient]:
    """A client of the app with the shipped tasks imported."""
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Services:
    """Services with the shipped tasks, built once: for the many read-only search tests."""
    folder = tmp_path_factory.mktemp("shipped")
    shutil.copy(sqlite_template, folder / "epss.sqlite3")
    services = Services.from_settings(Settings(data_dir=folder, secret_key="test-secret"))
    import_shipped(services)
    return services


def text_of(page: str) -> str:
    """What a person reads (and hears): the page without tags and without what is hidden
    from screen readers, white space collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r'<span aria-hidden="true">[^<]*</span>', " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def within(seconds: float, check: Callable[[], object]) -> object:
    """The first truthy answer of `check`, asked until `seconds` have passed (then its
    last answer): for what another thread or process does within a budget."""
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def add_user(
    services: Services, name: str, *roles: str, team: str | None = None, password: str | None = None
) -> dict[str, str]:
    """A new account; returns the headers that identify it (an API token)."""
    with unit_of_work(services.engine) as session:
        user = create_user(session, name, list(roles), team=team, password=password)
        token = new_api_token(session, user)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(client: TestClient) -> dict[str, dict[str, str]]:
    """One account per role (named after it) plus a second expert 'expert2' and a second
    redacteur 'redacteur2': name → headers with that account's API token."""
    services = client.app.state.services
    names = {role.value: (role.value,) for role in Role}
    names |= {"expert2": ("expert",), "redacteur2": ("redacteur",)}
    return {name: add_user(services, name, *roles) for name, roles in names.items()}
