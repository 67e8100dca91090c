"""What became of a case, reported by the case software through the overlay: on a case's
screen `EPSS.outcome(kind)` sends it with the screen's task and case, and the service keeps
the case only as its keyed hash."""

from __future__ import annotations

from overlay import wait_ready
from sqlmodel import Session, select

from epss.db import make_engine
from epss.models import Outcome
from epss.privacy import case_ref_hash

CASE = "Z-2026-000112"  # a passport application on the demo desk


def test_the_case_software_reports_an_outcome_through_the_overlay(page, stack, console) -> None:
    """Even at once, while the overlay still waits for its manifest (late here, as on a
    busy service): the outcome waits for the screen's task instead of being lost."""
    console.allow("status of 422")  # the outcome for a task that does not exist, below
    page.route("**/manifest", lambda route: (page.wait_for_timeout(1500), route.continue_()))
    page.goto(f"{stack.service.url}/demo/zaken/{CASE}")
    wait_ready(page)
    page.wait_for_function("() => document.querySelector('epss-overlay')")
    assert page.evaluate("() => EPSS.outcome('teruggestuurd')") is True
    assert page.evaluate("() => EPSS.outcome('teruggestuurd', { task: 'geen-taak' })") is False
    engine = make_engine(stack.settings)
    try:
        with Session(engine) as session:
            hashed = case_ref_hash(stack.settings, CASE)
            stored = session.exec(select(Outcome).where(Outcome.case_ref == hashed)).all()
    finally:
        engine.dispose()
    assert [(o.task_slug, o.kind) for o in stored] == [("reisdocument-aanvragen", "teruggestuurd")]
    page.unroute_all(behavior="ignoreErrors")
