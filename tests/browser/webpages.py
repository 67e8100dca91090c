"""Helpers for the service's own pages in a browser: logging in, and axe's findings."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from epss.cli import DEMO_PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def log_in(page: Page, service_url: str, name: str, target: str,
           password: str = DEMO_PASSWORD) -> None:
    """Log in on the login page and land on `target` (a path)."""
    page.goto(f"{service_url}/inloggen?volgende={target}")
    page.get_by_label("Naam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{service_url}{target}")


def axe_findings(page: Page) -> list:
    """axe's serious and critical WCAG 2.1 AA findings on the page: (rule, help, targets)."""
    results = Axe().run(page, options={"runOnly": AXE_TAGS})
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
