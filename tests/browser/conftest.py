"""Real-browser tests: Debian's Chromium driven by Playwright, against a real service
(uvicorn on a free port, SQLite, the shipped tasks, the demo case software) and, for
embedding from another origin, a second server with host pages of our own.

Without Chromium these tests are skipped with the reason, unless
EPSS_TEST_REQUIRE_BROWSER=1 (as in CI), which makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from epss.app import create_app
from epss.cli import prepare_demo
from epss.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("EPSS_TEST_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST_PAGES = Path(__file__).parent / "hostpages"
SCREENSHOTS = Path(os.environ.get("EPSS_SCREENSHOTS", Path(__file__).parent / "screenshots"))


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LiveServer:
    """An ASGI app served by uvicorn in a thread, on a socket bound beforehand (so its
    URL is known before it starts). `stop()` and `start()` again simulate an outage."""

    def __init__(self, app) -> None:
        self.app = app
        self.sock = _listening_socket()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.sock.listen(128)
        # No lifespan: a restart after stop() must find the app's services still open
        # (the stack fixture prepares the data the lifespan would check). What the lifespan
        # starts, following the change log, is started here once.
        services = getattr(getattr(self.app, "state", None), "services", None)
        if services is not None and services.follower is None:
            services.start_following()
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving; the port stays bound, so connections are refused until start()."""
        assert self.server is not None and self.thread is not None
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", int(self.url.rsplit(":", 1)[1])))  # bound, not listening


def _host_page_app(service: Callable[[], str]) -> Starlette:
    """Host pages of our own (tests/browser/hostpages), served from another origin than
    the service, with the CSP that each page's first line asks for; {{SERVICE}} becomes the
    service's URL, {{VERHUIZING}} the shared body in _verhuizing.html."""

    def page(request: Request) -> Response:
        name = request.path_params["name"]
        path = HOST_PAGES / f"{name}.html"
        if not path.is_file():
            return Response("not found", 404)
        html = (
            path.read_text(encoding="utf-8")
            .replace("{{SERVICE}}", service())
            .replace(
                "{{VERHUIZING}}", (HOST_PAGES / "_verhuizing.html").read_text(encoding="utf-8")
            )
        )
        headers = {}
        if "strict-csp" in html[:200]:
            headers["Content-Security-Policy"] = (
                f"default-src 'none'; script-src 'self' {service()}; "
                f"connect-src {service()}; style-src 'self'; img-src 'self'; "
                "base-uri 'none'; form-action 'self'; require-trusted-types-for 'script'"
            )
        return HTMLResponse(html, headers=headers)

    def asset(request: Request) -> Response:
        path = HOST_PAGES / request.path_params["name"]
        if not path.is_file():
            return Response("not found", 404)
        media = "text/css" if path.suffix == ".css" else "text/javascript"
        return Response(path.read_bytes(), media_type=media)

    return Starlette(
        routes=[
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Route("/assets/{name}", asset),
            Route("/{name:path}", page),
        ]
    )


@dataclass
class Stack:
    service: LiveServer
    host: LiveServer
    settings: Settings
    screenshots: Path = field(default=SCREENSHOTS)

    def host_url(self, name: str) -> str:
        return f"{self.host.url}/{name}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The service with the demo, and the host page server, both running."""
    folder = tmp_path_factory.mktemp("browser-service")
    settings = Settings(data_dir=folder, demo=True, secret_key="browser-test-secret")
    service_app = create_app(settings)
    service = LiveServer(service_app)
    host = LiveServer(_host_page_app(lambda: service.url))
    prepare_demo(settings, origin=host.url)
    service.start()
    host.start()
    yield Stack(service, host, settings)
    for server in (host, service):
        if server.server and not server.server.should_exit:
            server.server.should_exit = True


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        message = "Chromium is not installed (apt-get install chromium); .ci/run installs it"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleWatch:
    """Console errors and uncaught exceptions of a page: the overlay must cause none."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[str] = []

    def allow(self, fragment: str) -> None:
        """A console error containing `fragment` is expected (a refused connection while
        a test takes the service down, say)."""
        self.allowed.append(fragment)

    def add(self, text: str) -> None:
        if not any(fragment in text for fragment in self.allowed):
            self.errors.append(text)


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def page(browser, console: ConsoleWatch):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and console.add(f"console: {m.text}"))
    page.on("pageerror", lambda e: console.add(f"uncaught: {e}"))
    page.set_default_timeout(5000)
    yield page
    context.close()
    assert console.errors == [], "the page logged errors"
