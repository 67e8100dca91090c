"""The field of a step is gone from the case software (a release renamed it): the desk's
panel says so, and the report reaches the experts' list of fields not found."""

from __future__ import annotations

import datetime as dt

from overlay import open_panel, shown_task
from playwright.sync_api import Page, expect
from sqlmodel import Session

from epss.db import make_engine
from epss.drafts.missing_fields import missing_fields


def test_a_field_renamed_by_a_release_reaches_the_experts_list(page: Page, stack) -> None:
    page.goto(stack.service.url + "/demo/verhuizing")
    page.evaluate("() => document.querySelector('#nieuw-adres').id = 'adres-nieuw'")  # the release
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
            found = [m for m in missing_fields(session, since) if m.step_id == "vraag-nieuw-adres"]
    finally:
        engine.dispose()
    [report] = found
    assert report.step_title == "Vraag het nieuwe adres na" and report.reports >= 1
    assert report.screens == [f"{stack.service.url}/demo/verhuizing"]
