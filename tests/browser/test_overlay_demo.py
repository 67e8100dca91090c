"""The overlay on the demo case software, as a newcomer sees it after `epss demo`: the
right task and step on every screen, and a screen without a task gets search."""

from __future__ import annotations

import pytest
from overlay import current_step, open_panel, shown_task
from playwright.sync_api import expect

from epss.resources import shipped
from epss.taskfile import load_paths

TASKS_DIR = shipped("tasks")

TITLES = {item.document.slug: item.document.title for item in load_paths([TASKS_DIR])}

SCREENS = [
    ("/demo/reisdocument/aanvraag", "reisdocument-aanvragen", "ontvang-aanvrager"),
    ("/demo/reisdocument/aanvraag?twijfel=1", "twijfel-identiteit-of-document", "houd-aan"),
    ("/demo/reisdocument/uitreiking", "reisdocument-uitreiken", "controleer-functiescheiding"),
    (
        "/demo/reisdocument/uitreiking?twijfel=1",
        "twijfel-identiteit-of-document",
        "verifieer-vingerafdrukken",
    ),
    ("/demo/geboorte/aangifte", "aangifte-geboorte", "identificeer-aangever"),
    ("/demo/verhuizing", "verhuizing-doorgeven", "neem-melding-aan"),
    ("/demo/rijbewijs/aanvraag", "rijbewijs-aanvragen", "controleer-inschrijving"),
    ("/demo/zaken/Z-2026-000103", "aangifte-geboorte", "identificeer-aangever"),  # zaaktype
    ("/demo/zaken/Z-2026-000105", "rijbewijs-aanvragen", "controleer-inschrijving"),
]


@pytest.mark.parametrize(("path", "task", "start"), SCREENS)
def test_each_screen_opens_its_task_at_its_step(page, stack, path, task, start) -> None:
    page.goto(stack.service.url + path)
    open_panel(page)
    assert shown_task(page) == TITLES[task]
    assert current_step(page) == start
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "")
    page.screenshot(path=stack.screenshots / f"demo-{name}.png", caret="initial")


def test_a_screen_without_a_task_offers_search(page, stack) -> None:
    page.goto(stack.service.url + "/demo/")
    open_panel(page)
    expect(page.locator(".epss-message")).to_contain_text("geen vaste instructie")
    page.get_by_label("Zoeken in de hulp").fill("geboorteaangifte")
    page.get_by_role("button", name="Zoek", exact=True).click()
    page.locator(".epss-results li button").first.click()
    assert shown_task(page) == TITLES["aangifte-geboorte"]


@pytest.mark.parametrize("navigation_api", [True, False], ids=["navigation-api", "history"])
def test_the_open_panel_follows_the_single_page_app(page, stack, navigation_api) -> None:
    if not navigation_api:  # browsers without it: the overlay wraps pushState instead
        page.add_init_script("Object.defineProperty(window, 'navigation', {value: undefined})")
    page.goto(stack.service.url + "/demo/app/verhuizing")
    page.evaluate("() => { window.noReload = true; }")
    open_panel(page)
    assert shown_task(page) == TITLES["verhuizing-doorgeven"]

    page.get_by_role("link", name="Aangifte geboorte").click()
    expect(page.locator(".epss-title")).to_have_text(TITLES["aangifte-geboorte"])
    page.get_by_role("link", name="Aanvraag reisdocument").click()
    expect(page.locator(".epss-title")).to_have_text(TITLES["reisdocument-aanvragen"])
    page.get_by_role("button", name="Twijfel melden").click()
    expect(page.locator(".epss-title")).to_have_text(TITLES["twijfel-identiteit-of-document"])
    assert current_step(page) == "houd-aan"
    page.go_back()
    expect(page.locator(".epss-title")).to_have_text(TITLES["reisdocument-aanvragen"])
    assert page.evaluate("() => window.noReload") is True  # one page all along
    page.screenshot(path=stack.screenshots / "demo-spa-followed.png", caret="initial")
