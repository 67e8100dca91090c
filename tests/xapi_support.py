"""A real Learning Record Store for the xAPI tests: Ralph, from its own virtual environment.

The venv is EPSS_TEST_LRS_VENV (default: .lrs-venv in the checkout; `.ci/run` installs it).
Without it the tests that need the LRS are skipped with the reason, unless
EPSS_TEST_REQUIRE_LRS=1 (as in CI), which makes that a failure."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port

REPO = Path(__file__).resolve().parents[1]
LRS_VENV = Path(os.environ.get("EPSS_TEST_LRS_VENV", REPO / ".lrs-venv"))
REQUIRE_LRS = os.environ.get("EPSS_TEST_REQUIRE_LRS") == "1"
USERNAME, PASSWORD = "epss", "lrs-test-secret"


@dataclass(frozen=True)
class Lrs:
    endpoint: str  # …/xAPI/
    username: str
    password: str

    def statements(self) -> list[dict]:
        """Every statement the LRS holds (following `more`)."""
        found: list[dict] = []
        url: str | None = self.endpoint.rstrip("/") + "/statements?limit=500"
        origin = self.endpoint.split("/xAPI")[0]
        while url:
            answer = httpx.get(
                url,
                auth=(self.username, self.password),
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=30,
            )
            answer.raise_for_status()
            body = answer.json()
            found += body["statements"]
            url = origin + body["more"] if body.get("more") else None
        return found


# Ralph's own app, served as `ralph runserver` does, with two changes: no auto-reload (it
# would watch the working directory), and its file-system backend appends to its one file
# (Ralph 5.1 creates that file on the first POST and refuses every later write with a 500).
_LAUNCHER = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
"""


def _unavailable(message: str) -> None:
    if REQUIRE_LRS:
        pytest.fail(message)
    pytest.skip(message)


def running_lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lrs]:
    """Ralph on a free loopback port, with its own data folder and auth file."""
    ralph = LRS_VENV / "bin" / "ralph"
    if not ralph.exists():
        _unavailable(
            f"Ralph (the xAPI LRS) is not installed at {ralph}; install it with "
            "`python3 -m venv .lrs-venv && .lrs-venv/bin/pip install "
            "'ralph-malph[lrs,cli]==5.1.0' requests` or set EPSS_TEST_LRS_VENV"
        )
    folder = tmp_path_factory.mktemp("lrs")
    app_dir, data = folder / "ralph", folder / "data"
    app_dir.mkdir()
    data.mkdir()
    env = {**os.environ, "RALPH_APP_DIR": str(app_dir), "RALPH_RUNSERVER_BACKEND": "fs"}
    made = subprocess.run(
        [
            str(ralph),
            "auth",
            "-u",
            USERNAME,
            "-p",
            PASSWORD,
            "-s",
            "all",
            "-M",
            "mailto:epss-tests@example.org",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if made.returncode != 0:
        pytest.fail(f"`ralph auth` failed: {made.stderr}")
    entry = json.loads(made.stdout[made.stdout.index("{") :])
    (app_dir / "auth.json").write_text(json.dumps([entry]), encoding="utf-8")
    port = free_port()
    log = (folder / "ralph.log").open("w")
    env["RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH"] = str(data)
    server = subprocess.Popen(
        [str(LRS_VENV / "bin" / "python"), "-c", _LAUNCHER, str(port)],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}/xAPI/"
    try:
        _wait_until_up(server, port, folder / "ralph.log")
        yield Lrs(endpoint, USERNAME, PASSWORD)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_up(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"Ralph stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/__heartbeat__", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"Ralph did not answer on port {port} within 60 s:\n{log.read_text()}")
