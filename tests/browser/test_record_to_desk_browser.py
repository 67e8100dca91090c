"""From recording to the desk, as issue #16 tells it: eva begins a new task in the editor,
records its steps by doing the change of address on the demo case software, finishes one in
the editor and submits the draft; ruth publishes it; at the desk the panel shows each step's
field. Then a release renames every id of the screen and the fields are still found; a field
it removes is said at the desk and reaches the experts' list of fields not found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import suppress

import pytest
from overlay import open_panel, shown_task
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlmodel import Session
from webpages import DemoService, axe_findings, log_in, start_demo_service

from epss.db import make_engine
from epss.drafts.field_reports import field_reports

TITLE = "Proefverhuizing vastleggen"
SLUG = "proefverhuizing-vastleggen"

# What a supplier's release does to the screen: every id renamed (labels follow).
RENAME_IDS = """() => {
  for (const el of document.querySelectorAll('[id]')) {
    const renamed = 'f' + Math.random().toString(36).slice(2, 8) + '_' + el.id;
    document.querySelectorAll(`label[for="${el.id}"]`).forEach((l) => { l.htmlFor = renamed; });
    el.id = renamed;
  }
}"""


@pytest.fixture(scope="module")
def service(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    service = start_demo_service(stack, tmp_path_factory.mktemp("record"), "record-test")
    yield service
    service.stop()


def _ring_on(page: Page, field) -> None:
    """Whether the panel's ring comes to lie on `field` (within a pixel)."""
    page.wait_for_function(
        """(el) => {
          const box = document.querySelector('epss-overlay').shadowRoot.querySelector('.hl-box');
          const r = el.getBoundingClientRect();
          const b = box && box.getBoundingClientRect();
          return !!b && ['left', 'top', 'width', 'height'].every((k) => Math.abs(b[k] - r[k]) <= 1);
        }""",
        arg=field.element_handle(),
        timeout=5000,
    )


def _show_step(page: Page, title: str) -> None:
    step = page.locator(".epss-step", has_text=title)
    toggle = step.locator(".epss-step-toggle")
    if toggle.get_attribute("aria-expanded") == "true":
        toggle.click()  # closed, to show it again
    toggle.click()


def test_a_new_task_recorded_on_the_screens_reaches_the_desk(
    page: Page, service: DemoService
) -> None:
    # eva begins the task ...
    log_in(page, service.url, "eva", "/redactie/nieuw")
    page.get_by_label("Titel").first.fill(TITLE)
    page.get_by_label("Domein").fill("burgerzaken")
    page.get_by_label("Eigenaar").fill("Vakspecialist BRP, team Burgerzaken")
    page.get_by_label("Doel").fill("De verhuizing staat juist en op tijd in de BRP.")
    first = page.get_by_role("group", name="Eerste stap")
    first.get_by_label("Titel").fill("Neem de melding aan")
    first.get_by_label("Instructie").fill("Open de zaak van de verhuizing.")
    page.screenshot(path=service.shots / "new-task.png", full_page=True, caret="initial")
    assert axe_findings(page) == []
    page.get_by_role("button", name="Taak beginnen").click()
    expect(page).to_have_url(f"{service.url}/redactie/taken/{SLUG}")
    page.wait_for_load_state("load")  # the editor's scripts run before "Opnemen beginnen"

    # ... records its steps on the change-of-address screen ...
    box = page.locator("#opnemen")
    box.get_by_text("Stappen opnemen", exact=True).click()
    box.get_by_label("Scherm", exact=True).fill(f"{service.url}/demo/verhuizing")
    with page.expect_popup() as opened:
        box.get_by_role("button", name="Opnemen beginnen").click()
    screen = opened.value
    bar = screen.locator("epss-overlay .pk-bar")
    expect(bar).to_contain_text(f"Opnemen voor {TITLE}")
    screen.get_by_label("Postcode").fill("1234 AB")
    screen.get_by_label("Huisnummer").fill("7")
    screen.get_by_label("Verhuisdatum").fill("01-05-2026")
    with screen.expect_event("close"), suppress(PlaywrightError):
        screen.keyboard.press("Escape")  # the editor may close the window before it returns
    expect(box.locator("[data-pick-recorded] li")).to_have_count(3)
    box.get_by_role("button", name="Aangevinkte stappen toevoegen").click()
    steps = page.locator("#stappen .step-list > li")
    expect(steps).to_have_count(4)

    # ... finishes one in the editor and submits the draft.
    postcode = page.locator(".step-item", has_text="Vul ‘Postcode’ in")
    postcode.get_by_role("link", name="Bewerken").click()
    postcode.get_by_label("Instructie").fill(
        "Vul de postcode van het nieuwe adres in, zonder spatie."
    )
    postcode.get_by_role("button", name="Stap opslaan").click()
    expect(postcode).to_contain_text("zonder spatie")
    page.get_by_role("button", name="Indienen ter controle").click()
    expect(page.locator(".editor-side")).to_contain_text("Ingediend")

    # ruth publishes it.
    ruth = page.context.browser.new_context().new_page()
    log_in(ruth, service.url, "ruth", f"/redactie/taken/{SLUG}")
    ruth.get_by_role("button", name="Publiceren").click()
    expect(ruth.locator("body")).to_contain_text("Gepubliceerd")
    ruth.context.close()

    # At the desk: the panel finds the task and shows each step's field.
    desk = page.context.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    desk.emulate_media(reduced_motion="reduce")
    desk.goto(f"{service.url}/demo/verhuizing")
    open_panel(desk)
    desk.get_by_label("Zoeken in de hulp").fill("proefverhuizing")
    desk.get_by_role("button", name="Zoek", exact=True).click()
    desk.locator(".epss-results li button", has_text=TITLE).first.click()
    assert shown_task(desk) == TITLE
    _show_step(desk, "Vul ‘Postcode’ in")
    _ring_on(desk, desk.get_by_role("textbox", name="Postcode"))
    desk.screenshot(path=service.shots / "record-at-the-desk.png", caret="initial")

    # A release renames every id: the fields are still found, by what they look like.
    desk.evaluate(RENAME_IDS)
    assert not desk.locator("#huisnummer").count()
    _show_step(desk, "Vul ‘Huisnummer’ in")
    _ring_on(desk, desk.get_by_role("textbox", name="Huisnummer"))

    # A field it removes is said at the desk, and reaches the experts' list.
    desk.evaluate("() => document.querySelector('[name=verhuisdatum]').closest('.veld').remove()")
    _show_step(desk, "Vul ‘Verhuisdatum’ in")
    said = desk.locator(".epss-step", has_text="Vul ‘Verhuisdatum’ in").locator(".epss-said")
    expect(said).to_have_text("Het veld voor deze stap staat niet op dit scherm.", timeout=8000)
    desk.wait_for_function("() => !JSON.parse(localStorage.getItem('epss:events') || '[]').length")
    desk.context.close()
    engine = make_engine(service.settings)
    try:
        with Session(engine) as session:
            since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
            missing = [r for r in field_reports(session, since) if r.task_slug == SLUG]
    finally:
        engine.dispose()
    # the renamed field as found only by what it looks like; the removed one as missing
    assert sorted((r.step_title, r.moved) for r in missing) == [
        ("Vul ‘Huisnummer’ in", True),
        ("Vul ‘Verhuisdatum’ in", False),
    ]
    board = page.goto(f"{service.url}/redactie/velden")
    assert board is not None and board.ok
    expect(page.locator("main")).to_contain_text("Vul ‘Verhuisdatum’ in")
    # The step is marked where the expert edits the task.
    page.goto(f"{service.url}/redactie/taken/{SLUG}")
    unfound = page.locator(".step-item", has=page.locator(".badge-unfound"))
    expect(unfound).to_have_count(1)
    expect(unfound.locator("h3")).to_contain_text("Vul ‘Verhuisdatum’ in")
    expect(unfound).to_contain_text("Het hulppaneel aan de balie vond het veld van deze stap niet.")
    unfound.screenshot(path=service.shots / "step-field-not-found.png", caret="initial")
