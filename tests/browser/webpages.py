"""Helpers for the service's own pages in a browser: logging in, axe's findings, and a demo
service of a test module's own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlmodel import Session

from epss.app import create_app
from epss.catalog import import_documents
from epss.cli import DEMO_PASSWORD, prepare_demo
from epss.db import make_engine, unit_of_work
from epss.drafts.editing import draft_view
from epss.settings import Settings
from epss.taskfile import TaskDocument

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def log_in(
    page: Page, service_url: str, name: str, target: str, password: str = DEMO_PASSWORD
) -> None:
    """Log in on the login page and land on `target` (a path), its scripts run: a click
    before htmx has taken over a link would follow the link's plain address instead."""
    page.goto(f"{service_url}/inloggen?volgende={target}")
    page.get_by_label("Naam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{service_url}{target}")
    page.wait_for_load_state("load")


def axe_findings(page: Page) -> list:
    """axe's serious and critical WCAG 2.1 AA findings on the page: (rule, help, targets)."""
    results = Axe().run(page, options={"runOnly": AXE_TAGS})
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@dataclass
class DemoService:
    """A demo service of a test module's own (its own data folder, the demo accounts), so
    what that module changes touches no other test: its URL, settings, the running server
    and the screenshots folder, and the drafts as stored."""

    url: str
    settings: Settings
    server: object
    shots: Path

    def draft(self, slug: str) -> dict:
        engine = make_engine(self.settings)
        try:
            with Session(engine) as session:
                return draft_view(session, slug)
        finally:
            engine.dispose()

    def step(self, slug: str, step_id: str) -> dict:
        return next(s for s in self.draft(slug)["steps"] if s["id"] == step_id)

    def stop(self) -> None:
        self.server.server.should_exit = True


def start_demo_service(
    stack, folder: Path, secret: str, prepare: Callable[[Settings], None] = lambda settings: None
) -> DemoService:
    """The demo in `folder`, served by the stack's kind of live server; `prepare` may
    change its data before it starts."""
    settings = Settings(data_dir=folder, demo=True, secret_key=secret)
    server = type(stack.service)(create_app(settings))  # conftest's LiveServer
    prepare_demo(settings, origin=server.url)
    prepare(settings)
    server.start()
    stack.screenshots.mkdir(parents=True, exist_ok=True)
    return DemoService(server.url, settings, server, stack.screenshots)


def publish(settings: Settings, *documents: TaskDocument, by: str = "test") -> None:
    """Publish task documents straight into a running service's database."""
    engine = make_engine(settings)
    try:
        with unit_of_work(engine) as session:
            import_documents(session, list(documents), by=by)
    finally:
        engine.dispose()
