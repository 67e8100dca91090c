"""The API does what its OpenAPI document says, for anonymous callers and for every role.

schemathesis reads /api/v1/openapi.json of a real `epss serve` and runs its examples,
coverage, fuzzing and stateful phases with every check (tests/schemathesis.toml says the
one relaxation and why): no answer may be a server error, an undocumented status, a body
that breaks its schema, or a wrong `Allow` header. The seed is fixed, so a failure repeats;
the output names each failure with a curl command to replay it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
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
CALLERS = ["anonymous", *(role.value for role in Role)]
SEED = "20261205"
EXAMPLES = "8"  # per operation and phase: about 25 s for each caller on this machine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[Served, dict[str, str]]]:
    """`epss serve` on SQLite and on PostgreSQL (which refuses what SQLite lets by, such as
    a NUL in text), with the shipped tasks, a host app and one account per role."""
    folder = tmp_path_factory.mktemp("contract")
    with ExitStack() as stack:
        url = ""
        if request.param == "postgresql":
            url = stack.enter_context(scratch_postgres())
            engine = sa.create_engine(url)
            migrations.upgrade(engine)
            engine.dispose()
        prepare(folder, sqlite_template, url)
        services = Services.from_settings(
            Settings(data_dir=folder, database_url=url, secret_key=SECRET)
        )
        try:
            tokens = {
                role.value: add_user(services, f"st-{role.value}", role.value)["Authorization"]
                for role in Role
            }
        finally:
            services.close()
        served = Served.start(folder, EPSS_DATABASE_URL=url)
        stack.callback(served.stop)
        yield served, tokens


@pytest.mark.parametrize("caller", CALLERS)
def test_every_answer_is_what_the_document_says(server, caller: str, tmp_path: Path) -> None:
    assert SCHEMATHESIS, "schemathesis is not installed (pip install -e '.[test]')"
    served, tokens = server
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


def test_head_answers_wherever_get_does(server) -> None:
    served, _ = server
    with client() as http:
        for path in ("/health/live", "/overlay.js", "/api/v1/tasks", "/taken/aangifte-geboorte"):
            got, head = http.get(served.url + path), http.head(served.url + path)
            assert head.status_code == got.status_code == 200, path
            assert head.headers["content-type"] == got.headers["content-type"]
            assert head.headers["content-length"] == got.headers["content-length"], path


def test_a_wrong_method_is_told_every_method_the_address_takes(server) -> None:
    served, tokens = server
    with client() as http:
        answer = http.request(
            "OPTIONS",
            served.url + "/api/v1/tasks/aangifte-geboorte/draft",
            headers={"Authorization": tokens["expert"]},
        )
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, PATCH"
    assert answer.json()["error"] == "method_not_allowed"
