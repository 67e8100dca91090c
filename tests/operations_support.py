"""Real `epss serve` processes for the operations tests: a prepared SQLite data folder, the
installed console script started with its settings in the environment, its log in a file."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from epss.db import unit_of_work
from epss.hostapps import register_host_app
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user, import_shipped
from tests.ports import free_port

EPSS = shutil.which("epss", path=str(Path(sys.executable).parent)) or shutil.which("epss")
HOST_APP = "ops-zaaksysteem"
SECRET = "operations-test-secret"


def prepare(folder: Path, sqlite_template: Path, database_url: str = "") -> str:
    """A data folder (and database: SQLite in it, or the migrated one at `database_url`)
    with the shipped tasks, a host app and an expert; returns the expert's API token."""
    folder.mkdir(parents=True, exist_ok=True)
    if not database_url:
        shutil.copy(sqlite_template, folder / "epss.sqlite3")
    services = Services.from_settings(
        Settings(data_dir=folder, database_url=database_url, secret_key=SECRET)
    )
    try:
        with unit_of_work(services.engine) as session:
            register_host_app(session, HOST_APP, "Zaaksysteem", ["https://zaken.example"])
        import_shipped(services)  # builds the index too: the server starts at once
        headers = add_user(services, "eva", "expert")
    finally:
        services.close()
    return headers["Authorization"].removeprefix("Bearer ")


def event() -> dict:
    """One valid event for the prepared host app."""
    return {
        "id": str(uuid.uuid4()),
        "type": "task_viewed",
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
        "app": HOST_APP,
        "url": "https://zaken.example/zaak",
        "task_slug": "reisdocument-aanvragen",
        "task_version": 1,
        "user": "j.jansen",
        "team": "Balie",
        "details": {},
    }


@dataclass
class Served:
    """One `epss serve` process."""

    process: subprocess.Popen
    url: str
    log: Path

    @classmethod
    def start(cls, folder: Path, *args: str, **env: str) -> Served:
        assert EPSS, "the `epss` console script is not installed (pip install -e .)"
        port = free_port()
        log = folder / f"serve-{port}.log"
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("EPSS_") and k != "PROMETHEUS_MULTIPROC_DIR"
        }
        environment |= {"EPSS_DATA_DIR": str(folder), "EPSS_SECRET_KEY": SECRET, **env}
        with log.open("w") as output:
            process = subprocess.Popen(
                [EPSS, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                env=environment,
                cwd=folder,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        served = cls(process, f"http://127.0.0.1:{port}", log)
        served.wait_until_up()
        return served

    def wait_until_up(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        with client() as http:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, f"epss serve stopped:\n{self.output()}"
                try:
                    if http.get(self.url + "/health/live", timeout=1).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise AssertionError(f"epss serve did not answer within {within} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def json_lines(self) -> list[dict]:
        """The log's JSON lines (Python's own warnings at start-up are not logging)."""
        return [json.loads(line) for line in self.output().splitlines() if line.startswith("{")]

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """SIGTERM, and SIGKILL when that did not end it within 20 s."""
        self.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def client(**options) -> httpx.Client:
    """A client on loopback, never through a proxy."""
    return httpx.Client(trust_env=False, timeout=options.pop("timeout", 10), **options)
