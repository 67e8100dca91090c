"""The standalone panel (/paneel), for a desk whose case software is not a web page: the
employee picks the task (or a link opens it by zaaktype), the panel stands beside it with
its progress per case, and what happens is recorded under the panel's own host app."""

from __future__ import annotations

from overlay import shown_task
from playwright.sync_api import Page, expect
from sqlmodel import Session, select
from webpages import axe_findings

from epss.db import make_engine
from epss.hostapps import STANDALONE_PANEL_APP
from epss.models import Event
from epss.resources import shipped
from epss.taskfile import load_paths

DOCUMENTS = {item.document.slug: item.document for item in load_paths([shipped("tasks")])}
PROGRESS = ".epss-progress"


def test_a_link_by_zaaktype_opens_the_task_with_its_progress_per_case(page: Page, stack) -> None:
    birth = DOCUMENTS["aangifte-geboorte"]
    count = len(birth.steps)
    page.goto(f"{stack.service.url}/paneel?zaaktype=BZ-GEBOORTE&zaak=Z-2026-000103")
    assert shown_task(page) == birth.title  # open at once, no button to find
    expect(page.get_by_label("Taak")).to_have_value("aangifte-geboorte")
    page.locator(".epss-tick").first.check()
    expect(page.locator(PROGRESS)).to_have_text(f"1 van {count} stappen gedaan")
    page.screenshot(path=stack.screenshots / "standalone-panel.png", caret="initial")
    assert axe_findings(page) == []

    page.get_by_label("Zaaknummer (mag leeg blijven)").fill("Z-2026-000999")  # the next citizen
    page.get_by_role("button", name="Toon de stappen").click()
    shown_task(page)
    expect(page.locator(PROGRESS)).to_have_text(f"0 van {count} stappen gedaan")

    page.goto(f"{stack.service.url}/paneel?taak=aangifte-geboorte&zaak=Z-2026-000103")
    shown_task(page)
    expect(page.locator(PROGRESS)).to_have_text(f"1 van {count} stappen gedaan")

    engine = make_engine(stack.settings)
    try:

        def recorded() -> set[str]:
            with Session(engine) as session:
                query = select(Event.type).where(Event.app == STANDALONE_PANEL_APP)
                return set(session.exec(query).all())

        page.wait_for_function(
            "() => !JSON.parse(localStorage.getItem('epss:events') || '[]').length"
        )
        assert {"panel_opened", "task_viewed", "step_checked"} <= recorded()
    finally:
        engine.dispose()


def test_the_task_is_picked_with_the_keyboard_only(page: Page, stack) -> None:
    page.goto(f"{stack.service.url}/paneel")
    expect(page.locator(".epss-panel")).to_have_count(0)  # nothing chosen: no panel yet
    page.get_by_label("Taak").focus()
    page.keyboard.press("ArrowDown")  # the first task, from "Kies een taak"
    first = page.get_by_label("Taak").input_value()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Toon de stappen"
    assert shown_task(page) == DOCUMENTS[first].title
    expect(page.locator(".epss-title")).to_be_focused()
