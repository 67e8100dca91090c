"""The field of a step is gone from the case software (a release removed it): the desk's
panel says so, and the report reaches the experts' list of fields not found. (A field
renamed or moved is found by its fingerprint: tests/browser/test_overlay_locate_browser.py.)"""

from __future__ import annotations

import datetime as dt

from overlay import open_panel, shown_task
from playwright.sync_api import Page, expect
from sqlmodel import Session

from epss.db import make_engine
from epss.drafts.field_reports import field_reports


def test_a_field_removed_by_a_release_reaches_the_experts_list(page: Page, stack) -> None:
    page.goto(stack.service.url + "/demo/verhuizing")
    page.evaluate("() => document.querySelector('#nieuw-adres').remove()")  # the release
    open_panel(page)
    shown_task(page)
    step = page.locator('.epss-step[data-step="vraag-nieuw-adres"]')
    step.locator(".epss-step-toggle").click()
    expect(step.locator(".epss-said")).to_have_text(
        "Het veld voor deze stap staat niet op dit scherm.", timeout=8000
    )
    page.wait_for_function("() => !JSON.parse(localStorage.getItem('epss:events') || '[]').length")

    engine = make_engine(stack.settings)
    try:
        with Session(engine) as session:
            since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
            found = [
                m
                for m in field_reports(session, since)
                if m.step_id == "vraag-nieuw-adres" and not m.moved
            ]
    finally:
        engine.dispose()
    [report] = found
    assert report.step_title == "Vraag het nieuwe adres na" and report.reports >= 1
    assert report.screens == [f"{stack.service.url}/demo/verhuizing"]
