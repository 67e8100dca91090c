"""The help at a step's field in the editor, in a real browser: the step form (swapped in by
htmx) previews the tip as the desk sees it beside the field and runs the desk's own checks
(overlay_js/src/checks.js) on a value tried in "Probeer de controles", with the checks as
the form has them now, before anything is saved; in English when the page is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from webpages import DemoService, axe_findings, log_in, start_demo_service

SLUG, STEP = "aangifte-geboorte", "identificeer-aangever"
BSN_MESSAGE = "Dit is geen geldig BSN: het heeft 9 cijfers en moet de elfproef doorstaan."


@pytest.fixture(scope="module")
def editors(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    """A service of our own (the demo, with its accounts): edits here touch no other test."""
    service = start_demo_service(stack, tmp_path_factory.mktemp("field-help"), "field-help-test")
    yield service
    service.stop()


def open_form(page: Page, editors: DemoService, query: str = "") -> None:
    log_in(page, editors.url, "eva", f"/redactie/taken/{SLUG}{query}")
    item = page.locator(f"#stap-{STEP}")
    item.get_by_role("link", name="Bewerken" if not query else "Edit").click()  # htmx swap
    expect(item).to_have_attribute("data-mode", "edit")
    item.locator("details.fold").evaluate("el => { el.open = true; }")


def test_the_preview_runs_the_desks_checks_on_a_value_tried(page: Page, editors) -> None:
    open_form(page, editors)
    item = page.locator(f"#stap-{STEP}")
    tried = item.get_by_label("Probeer de controles")
    said = item.locator("[data-try-result]")
    expect(tried).to_be_visible()  # the checks' script came, so the preview shows

    bsn = item.get_by_role("checkbox", name="Een geldig BSN (elfproef)")
    if not bsn.is_checked():
        bsn.check()
    tried.fill("123456789")
    expect(said).to_have_text(BSN_MESSAGE)
    tried.fill("111222333")
    expect(said).to_have_text("In orde")
    # The checks as the form has them now: an own message is what the desk reads.
    item.locator(f"#stap-{STEP}-controle-bsn-melding").fill("Typ het BSN van de aangever.")
    tried.fill("12345678")
    expect(said).to_have_text("Typ het BSN van de aangever.")
    bsn.uncheck()
    expect(said).to_have_text("")  # no check left: nothing to say

    # A date window, relative to today, and the tip beside the field as it is typed.
    item.get_by_role("checkbox", name="Een datum (dd-mm-jjjj)").check()
    item.get_by_label("van (dagen vanaf vandaag)", exact=True).fill("-3")
    item.get_by_label("tot en met (dagen vanaf vandaag)", exact=True).fill("0")
    today = dt.date.today()
    tried.fill((today - dt.timedelta(days=10)).strftime("%d-%m-%Y"))
    expect(said).to_have_text(
        f"Verwacht is een datum van {today - dt.timedelta(days=3):%d-%m-%Y} tot en met "
        f"{today:%d-%m-%Y}."
    )
    tried.fill(today.strftime("%d-%m-%Y"))
    expect(said).to_have_text("In orde")
    item.get_by_label("Tip bij het veld").fill("Neem het nummer over van het paspoort.")
    expect(item.locator("[data-tip-preview]")).to_have_text(
        "Neem het nummer over van het paspoort."
    )
    page.screenshot(path=editors.shots / "editor-field-help.png", full_page=False, caret="initial")
    item.locator(".field-help").screenshot(
        path=editors.shots / "editor-field-help-part.png", caret="initial"
    )
    assert axe_findings(page) == []
    assert editors.step(SLUG, STEP)["field_checks"] == []  # trying saves nothing


def test_the_preview_speaks_the_pages_language(page: Page, editors) -> None:
    open_form(page, editors, "?lang=en")
    item = page.locator(f"#stap-{STEP}")
    bsn = item.get_by_role("checkbox", name="A valid BSN (eleven-test)")
    if not bsn.is_checked():
        bsn.check()
    item.get_by_label("Try the checks").fill("123456789")
    expect(item.locator("[data-try-result]")).to_have_text(
        "This is not a valid BSN: it has 9 digits and must pass the eleven-test."
    )
