"""Helpers for driving the overlay in a page: Playwright's CSS locators pierce its open
shadow root, so `page.locator(".epss-panel")` finds the panel."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

LAUNCHER = ".epss-launcher"
PANEL = ".epss-panel"
TITLE = ".epss-title"


def wait_ready(page: Page) -> None:
    """The overlay started: its launcher is on the page (its manifest may still be on its
    way; `shown_task` waits for the panel's task)."""
    page.wait_for_function("() => window.EPSS && document.querySelector('epss-overlay')")
    expect(page.locator(LAUNCHER)).to_be_visible()


def open_panel(page: Page) -> None:
    wait_ready(page)
    page.locator(LAUNCHER).click()
    expect(page.locator(PANEL)).to_be_visible()


def shown_task(page: Page) -> str:
    """The title of the task in the open panel, once its steps are there."""
    expect(page.locator(".epss-steps")).to_be_visible()
    return page.locator(TITLE).inner_text()


def current_step(page: Page) -> str:
    return page.locator(".epss-step[aria-current]").get_attribute("data-step")


def queued_events(page: Page) -> list[dict]:
    return page.evaluate("() => JSON.parse(localStorage.getItem('epss:events') || '[]')")


def sent_events(page: Page) -> list[dict]:
    """A list that fills with the events the page sends to the service from now on (what
    still waits to be sent is in queued_events)."""
    sent: list[dict] = []
    page.on(
        "request",
        lambda r: (
            r.url.endswith("/api/v1/events")
            and r.method == "POST"
            and sent.extend(json.loads(r.post_data)["events"])
        ),
    )
    return sent
