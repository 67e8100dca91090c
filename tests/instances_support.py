"""Several `epss serve` processes on one PostgreSQL database, as an operator runs them: the
deployment (database, data folders, the `epss` command) and starting, waiting for and
stopping its instances, for the tests that need real processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import Session

from tests.ports import free_port

EPSS = shutil.which("epss", path=str(Path(sys.executable).parent)) or shutil.which("epss")
SECRET = "instances-test-secret"


@dataclass
class Deployment:
    """One PostgreSQL database, the `epss` command pointed at it, and the running instances
    (name → base URL)."""

    database_url: str
    folder: Path
    instances: dict[str, str] = field(default_factory=dict)

    def env(self, data_dir: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EPSS_")}
        return env | {
            "EPSS_DATABASE_URL": self.database_url,
            "EPSS_SECRET_KEY": SECRET,
            "EPSS_DATA_DIR": str(self.folder / data_dir),
        }

    def epss(
        self, *args: str, stdin: str | None = None, expect: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        """Run `epss ARGS` as an operator does in a terminal next to the instances (with
        no terminal to prompt on)."""
        assert EPSS, "the `epss` console script is not installed (pip install -e .)"
        result = subprocess.run(
            [EPSS, *args],
            env=self.env("cli"),
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=60,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
        )
        if expect is not None:
            assert result.returncode == expect, (
                f"`epss {' '.join(args)}` exited with {result.returncode}, not {expect}:\n"
                f"{result.stdout}{result.stderr}"
            )
        return result

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        engine = sa.create_engine(self.database_url)
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()


def browser() -> httpx.Client:
    """A client on loopback (never through a proxy); it keeps cookies like a browser, whose
    cookies for 127.0.0.1 go to every port, as they would to every instance behind one
    load balancer."""
    return httpx.Client(trust_env=False, timeout=10)


def start(deployment: Deployment, name: str) -> tuple[subprocess.Popen, Path, str]:
    port, log = free_port(), deployment.folder / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [EPSS, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=deployment.env(name),
            cwd=deployment.folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log, f"http://127.0.0.1:{port}"


def wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 40
    with browser() as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, f"{base} stopped:\n{log.read_text()}"
            try:
                if client.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise AssertionError(f"{base} did not answer /api/v1/health within 40 s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
