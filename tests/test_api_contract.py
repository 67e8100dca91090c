"""The API does what its OpenAPI document says, for anonymous callers and for every role.

schemathesis reads /api/v1/openapi.json of a real `epss serve` and runs its phases with
every check (tests/schemathesis.toml says the one relaxation and why): no answer may be a
server error, an undocumented status, a body that breaks its schema, or a wrong `Allow`
header. The seed is fixed, so a failure repeats; the output names each failure with a curl
command to replay it.

An account that holds every role reaches every operation's validation and storage, so it
gets all four phases on SQLite and on PostgreSQL; the coverage phase (about 1,800 boundary
cases, whatever --max-examples says) is most of a run's time. Anonymous callers and each
single role get the examples, fuzzing and stateful phases on SQLite: what differs for them
is which answers are refusals, and the access check does not depend on the database."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa

from epss import migrations
from epss.auth.roles import Role
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user, scratch_postgres
from tests.operations_support import SECRET, Served, client, prepare

SCHEMATHESIS = shutil.which("st", path=str(Path(sys.executable).parent))
CONFIG = Path(__file__).with_name("schemathesis.toml")
DATABASES = ["sqlite", "postgresql"]
EVERY_ROLE = "every-role"
CALLERS = ["anonymous", *(role.value for role in Role)]
RUNS = [("sqlite", EVERY_ROLE), *(("sqlite", c) for c in CALLERS), ("postgresql", EVERY_ROLE)]
ALL_PHASES = "examples,coverage,fuzzing,stateful"  # about 45 s on two cores
NO_COVERAGE = "examples,fuzzing,stateful"  # about 20 s
SEED = "20261205"
EXAMPLES = "8"  # per operation and phase


Server = tuple[Served, dict[str, str]]


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Callable[[str], Server]]:
    """`epss serve` on SQLite or on PostgreSQL (which refuses what SQLite lets by, such as
    a NUL in text), with the shipped tasks, a host app, one account per role and one with
    every role: started when a test first asks for it, stopped after the module."""
    with ExitStack() as stack:
        started: dict[str, Server] = {}

        def server(database: str) -> Server:
            if database not in started:
                started[database] = _start(stack, database, tmp_path_factory, sqlite_template)
            return started[database]

        yield server


def _start(
    stack: ExitStack, database: str, tmp_path_factory: pytest.TempPathFactory, template: Path
) -> Server:
    folder = tmp_path_factory.mktemp(f"contract-{database}")
    url = ""
    if database == "postgresql":
        url = stack.enter_context(scratch_postgres())
        engine = sa.create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
    prepare(folder, template, url)
    services = Services.from_settings(
        Settings(data_dir=folder, database_url=url, secret_key=SECRET)
    )
    try:
        tokens = {
            role.value: add_user(services, f"st-{role.value}", role.value)["Authorization"]
            for role in Role
        }
        tokens[EVERY_ROLE] = add_user(services, "st-alle-rollen", *Role)["Authorization"]
    finally:
        services.close()
    served = Served.start(folder, EPSS_DATABASE_URL=url)
    stack.callback(served.stop)
    return served, tokens


@pytest.mark.parametrize(("database", "caller"), RUNS)
def test_every_answer_is_what_the_document_says(
    servers: Callable[[str], Server], database: str, caller: str, tmp_path: Path
) -> None:
    assert SCHEMATHESIS, "schemathesis is not installed (pip install -e '.[test]')"
    served, tokens = servers(database)
    headers = [] if caller == "anonymous" else ["-H", f"Authorization: {tokens[caller]}"]
    run = subprocess.run(
        [
            SCHEMATHESIS,
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            f"{served.url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--seed",
            SEED,
            "--max-examples",
            EXAMPLES,
            "--workers",
            "1",
            "--phases",
            ALL_PHASES if caller == EVERY_ROLE else NO_COVERAGE,
            *headers,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    failures = run.stdout[run.stdout.find("FAILURES") :]  # each with a curl to replay it
    assert run.returncode == 0, failures[:30000] + run.stderr[-5000:]
    assert "Traceback" not in served.output()


@pytest.mark.parametrize("database", DATABASES)
def test_head_answers_wherever_get_does(servers: Callable[[str], Server], database: str) -> None:
    served, _ = servers(database)
    with client() as http:
        for path in ("/health/live", "/overlay.js", "/api/v1/tasks", "/taken/aangifte-geboorte"):
            got, head = http.get(served.url + path), http.head(served.url + path)
            assert head.status_code == got.status_code == 200, path
            assert head.headers["content-type"] == got.headers["content-type"]
            assert head.headers["content-length"] == got.headers["content-length"], path


@pytest.mark.parametrize("database", DATABASES)
def test_a_wrong_method_is_told_every_method_the_address_takes(
    servers: Callable[[str], Server], database: str
) -> None:
    served, tokens = servers(database)
    with client() as http:
        answer = http.request(
            "OPTIONS",
            served.url + "/api/v1/tasks/aangifte-geboorte/draft",
            headers={"Authorization": tokens["expert"]},
        )
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, PATCH"
    assert answer.json()["error"] == "method_not_allowed"
