"""Helpers for the co-editing tests: the real server (`epss serve` in a child process),
accounts with API tokens, and a reader of server-sent events."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from fastapi.testclient import TestClient

from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user, import_shipped

SLUG = "aangifte-geboorte"
DRAFT = f"/api/v1/tasks/{SLUG}/draft"
FIRST = "identificeer-aangever"  # the first step
SECOND = "controleer-geboorteplaats"
REFERRED = "meld-te-late-aangifte"  # controleer-termijn's first branch continues here
HISTORY = f"/api/v1/tasks/{SLUG}/history"


def step_url(step_id: str) -> str:
    return f"{DRAFT}/steps/{step_id}"


def draft(client: TestClient, who: dict) -> dict:
    answer = client.get(DRAFT, headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()


def step(client: TestClient, who: dict, step_id: str) -> dict:
    return next(s for s in draft(client, who)["steps"] if s["id"] == step_id)


def history(client: TestClient, who: dict) -> list[dict]:
    answer = client.get(HISTORY, headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()


def with_version(who: dict, version: int | str) -> dict:
    return {**who, "If-Match": str(version)}


class Server:
    """`epss serve` in a child process on a free port, with the settings of a test (as a
    service is run: its own process, so it does not share the tests' interpreter lock)."""

    def __init__(self, settings: Settings) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self.log = settings.data_dir / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "EPSS_DATA_DIR": str(self.settings.data_dir),
            "EPSS_DATABASE_URL": self.settings.database_url,
            "EPSS_SECRET_KEY": self.settings.secret_key,
            "PYTHONWARNINGS": "ignore",
        }
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from epss.cli import main; main()",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the server exited:\n" + self.log.read_text()[-3000:])
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the server at {self.url} did not start")

    def stop(self, timeout: float = 20) -> float:
        """Shut down as on Ctrl+C; returns how long it took."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise AssertionError(f"the server did not stop within {timeout} s") from None
        return time.monotonic() - began


def seeded(settings: Settings, *names: tuple[str, str]) -> dict[str, dict[str, str]]:
    """Import the shipped tasks and make accounts (name, role): name → token headers."""
    services = Services.from_settings(settings)
    try:
        import_shipped(services)
        return {name: add_user(services, name, role) for name, role in names}
    finally:
        services.close()


@contextmanager
def running(settings: Settings) -> Iterator[Server]:
    server = Server(settings)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.stop()


class EventReader:
    """Reads one server-sent-events stream in a thread: `next()` gives (event, data)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.events: queue.Queue = queue.Queue()
        self.status: int | None = None
        self.content_type = ""
        self.ended = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(30, read=None))
        self._opened = threading.Event()
        self._stop = False
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._read, args=(url, headers), daemon=True)
        self._thread.start()
        assert self._opened.wait(10), "the stream did not open"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                self._socket = response.extensions["network_stream"].get_extra_info("socket")
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self._opened.set()
                kind, data = "message", []
                for line in response.iter_lines():
                    if self._stop:
                        return
                    if line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "" and data:
                        self.events.put((kind, json.loads("\n".join(data))))
                        kind, data = "message", []
        except httpx.HTTPError:
            pass
        finally:
            self._opened.set()
            self.ended.set()

    def next(self, timeout: float = 10) -> tuple[str, dict]:
        return self.events.get(timeout=timeout)

    def next_of(self, kind: str, timeout: float = 10) -> dict:
        """The next event of this kind (others in between are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            event, data = self.next(max(0.01, deadline - time.monotonic()))
            if event == kind:
                return data

    def close(self) -> None:
        """Disconnect, as a browser tab that is closed."""
        self._stop = True
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._client.close()
