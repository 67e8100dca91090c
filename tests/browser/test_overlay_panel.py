"""The panel in a real browser: the right steps on each screen, ticking off, deviating,
feedback and search, on the demo case software and on host pages of our own."""

from __future__ import annotations

from overlay import PANEL, open_panel, shown_task
from playwright.sync_api import expect


def test_the_panel_shows_the_task_of_the_screen(page, stack) -> None:
    page.goto(stack.host_url("plain"))
    open_panel(page)
    assert shown_task(page) == "Verhuizing doorgeven (adreswijziging)"
    page.screenshot(path=stack.screenshots / "panel-plain.png")


def test_strict_csp_and_hostile_css(page, stack) -> None:
    page.goto(stack.host_url("strict"))
    open_panel(page)
    assert shown_task(page) == "Verhuizing doorgeven (adreswijziging)"
    expect(page.locator(PANEL)).to_be_visible()
    page.screenshot(path=stack.screenshots / "panel-hostile.png")
