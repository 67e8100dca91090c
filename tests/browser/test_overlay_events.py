"""Events without loss: what the overlay records reaches the service exactly once, across
a reload (whose beacon resends what a later flush sends again) and a service outage."""

from __future__ import annotations

import json

from overlay import open_panel, queued_events, shown_task
from sqlmodel import Session, select

from epss.db import make_engine
from epss.events import pseudonym
from epss.models import Event
from epss.privacy import case_ref_hash, events_of_case


def _stored(stack, ids: set[str]) -> list[Event]:
    engine = make_engine(stack.settings)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Event).where(Event.id.in_(ids))).all())
    finally:
        engine.dispose()


def test_events_arrive_exactly_once_across_an_outage_and_reloads(page, stack, console) -> None:
    console.allow("Failed to load resource")  # the service is down for a while
    sent: list[str] = []  # every event id in every request, beacons included

    def watch(request) -> None:
        if request.url.endswith("/api/v1/events") and request.method == "POST":
            sent.extend(e["id"] for e in json.loads(request.post_data)["events"])

    page.on("request", watch)
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)
    page.locator('.epss-step[data-step="neem-melding-aan"] .epss-tick').check()
    page.reload()  # within the flush delay: the beacon sends, the queue keeps them
    open_panel(page)
    shown_task(page)

    stack.service.stop()
    try:
        page.locator('.epss-step[data-step="identificeer-melder"] .epss-tick').check()
        page.wait_for_timeout(1500)  # a send fails; they wait in the queue
        assert {e["type"] for e in queued_events(page)} >= {"step_checked"}
        page.reload()  # the overlay itself cannot load now; the host page works on
        page.locator("input[name=naam]").fill("werkt nog")
    finally:
        stack.service.start()
    page.reload()
    page.wait_for_function("() => localStorage.getItem('epss:events') === null", timeout=20000)

    ids = set(sent)
    assert len(sent) > len(ids), "some events were sent twice (beacon, then flush)"
    stored = _stored(stack, ids)
    assert sorted(e.id for e in stored) == sorted(ids)  # each exactly once
    types = [e.type for e in stored]
    assert types.count("step_checked") == 2 and "panel_opened" in types
    checked = next(e for e in stored if e.step_id == "identificeer-melder")
    assert checked.actor == pseudonym(stack.settings.secret_key, "t.tester")
    assert checked.task_slug == "verhuizing-doorgeven" and checked.team == "Balie 1"


def test_a_refused_event_is_dropped_and_the_others_still_arrive(page, stack, console) -> None:
    console.allow("422")  # the refused batch, as the browser logs it
    good = {
        "id": "0b7f6a44-2c1e-4c53-9d1a-4e0a9b1f2d01",
        "type": "panel_opened",
        "occurred_at": "2026-11-22T08:00:00Z",
        "app": "demo-zaaksysteem",
        "url": "/plain",
    }
    bad = {**good, "id": "0b7f6a44-2c1e-4c53-9d1a-4e0a9b1f2d02", "type": "no_such_type"}
    page.add_init_script(
        f"localStorage.setItem('epss:events', JSON.stringify({json.dumps([bad, good])}))"
    )
    page.goto(stack.host_url("plain"))
    page.wait_for_function("() => localStorage.getItem('epss:events') === null", timeout=20000)
    assert [e.id for e in _stored(stack, {good["id"], bad["id"]})] == [good["id"]]


def test_events_carry_the_case_on_screen_only_as_its_keyed_hash(page, stack) -> None:
    page.goto(stack.host_url("plain"))  # its case header: data-epss-case="Z-2026-000101"
    open_panel(page)
    shown_task(page)
    page.locator('.epss-step[data-step="neem-melding-aan"] .epss-tick').check()
    # The case software shows the next case in place (a single-page app).
    page.evaluate(
        "() => document.querySelector('[data-epss-case]')"
        ".setAttribute('data-epss-case', 'Z-2026-000102')"
    )
    page.wait_for_timeout(600)  # the overlay reads the page again (throttled)
    page.locator('.epss-step[data-step="identificeer-melder"] .epss-tick').check()
    page.wait_for_function("() => localStorage.getItem('epss:events') === null", timeout=20000)

    engine = make_engine(stack.settings)
    try:
        with Session(engine) as session:
            # The newest tick of each step (earlier tests of this page ticked them too).
            checked = {
                e.step_id: e.case_ref
                for e in session.exec(
                    select(Event)
                    .where(
                        Event.type == "step_checked",
                        Event.step_id.in_(["neem-melding-aan", "identificeer-melder"]),
                    )
                    .order_by(Event.seq)
                ).all()
            }
            assert checked == {
                "neem-melding-aan": case_ref_hash(stack.settings, "Z-2026-000101"),
                "identificeer-melder": case_ref_hash(stack.settings, "Z-2026-000102"),
            }
            found = events_of_case(
                session, stack.settings, "z-2026-000102", viewer="kim", purpose="test", what="test"
            )["events"]
            assert [e["step_id"] for e in found if e["type"] == "step_checked"] == [
                "identificeer-melder"
            ]
    finally:
        engine.dispose()
    files = list(stack.settings.data_dir.glob("epss.sqlite3*"))  # with the WAL
    assert files and not any(b"Z-2026-00010" in f.read_bytes() for f in files)
