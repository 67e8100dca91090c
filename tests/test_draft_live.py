"""Who else is editing a task, and what they saved, as server-sent events from the real
server (`epss serve` in its own process): presence when people open and leave a task,
a `saved` notice after each committed change (none for a refused one), and streams that
end when the client goes away and when the server shuts down; and the hub itself."""

from __future__ import annotations

import asyncio
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import Session, select

from epss.changes.follower import Follower
from epss.db import make_engine
from epss.drafts.presence import apply_change, queue_notice, queue_streams_end, serving_hub
from tests.drafts_support import EventReader, running, seeded

SLUG = "aangifte-geboorte"
DRAFT = f"/api/v1/tasks/{SLUG}/draft"
LIVE = f"{DRAFT}/live"
STEP = "identificeer-aangever"


@pytest.fixture
def accounts(settings) -> dict[str, dict[str, str]]:
    return seeded(
        settings,
        ("anna", "expert"),
        ("bram", "expert"),
        ("chris", "redacteur"),
        ("mo", "medewerker"),
    )


def test_editors_see_each_other_and_each_others_saves(settings, accounts) -> None:
    with running(settings) as server:
        anna = EventReader(server.url + LIVE, accounts["anna"])
        assert anna.status == 200 and anna.content_type.startswith("text/event-stream")
        assert anna.next() == ("presence", {"editors": ["anna"], "you": "anna"})

        bram = EventReader(server.url + LIVE, accounts["bram"])
        assert bram.next() == ("presence", {"editors": ["anna", "bram"], "you": "bram"})
        assert anna.next() == ("presence", {"editors": ["anna", "bram"], "joined": "bram"})

        http = httpx.Client(base_url=server.url, headers=accounts["anna"])
        saved = http.patch(
            f"{DRAFT}/steps/{STEP}",
            json={"why": "Weet wie aangifte doet."},
            headers={"If-Match": "1"},
        )
        assert saved.status_code == 200
        notice = {"kind": "step", "step_id": STEP, "version": 2, "by": "anna"}
        assert bram.next() == ("saved", notice)
        assert anna.next() == ("saved", notice)

        # A refused edit (stale) is not announced; the next saved one is.
        assert (
            http.patch(
                f"{DRAFT}/steps/{STEP}", json={"why": "oud"}, headers={"If-Match": "1"}
            ).status_code
            == 412
        )
        order = [s["id"] for s in http.get(DRAFT).json()["steps"]]
        assert (
            http.put(
                f"{DRAFT}/order", json={"steps": order[::-1]}, headers={"If-Match": "1"}
            ).status_code
            == 200
        )
        assert bram.next() == (
            "saved",
            {"kind": "order", "step_id": None, "version": 2, "by": "anna"},
        )
        added = http.post(
            f"{DRAFT}/steps",
            json={"title": "Tolk", "instruction": "Vraag."},
            headers={"If-Match": "2"},
        )
        assert bram.next() == (
            "saved",
            {"kind": "added", "step_id": added.json()["id"], "version": 3, "by": "anna"},
        )
        http.patch(DRAFT, json={"owner": "Team"}, headers={"If-Match": "1"})
        assert bram.next() == (
            "saved",
            {"kind": "task", "step_id": None, "version": 2, "by": "anna"},
        )
        http.delete(f"{DRAFT}/steps/{added.json()['id']}", headers={"If-Match": "1"})
        assert bram.next() == (
            "saved",
            {"kind": "removed", "step_id": added.json()["id"], "version": 4, "by": "anna"},
        )
        http.close()

        # A second tab of the same person is not a new editor; closing one tab keeps them.
        bram_again = EventReader(server.url + LIVE, accounts["bram"])
        assert bram_again.next()[1]["editors"] == ["anna", "bram"]
        bram_again.close()
        bram.close()  # the browser tab is closed: anna hears bram left
        assert anna.next_of("presence") == {"editors": ["anna"], "left": "bram"}
        assert bram.ended.is_set()
        anna.close()


def test_a_stream_on_another_task_hears_nothing(settings, accounts) -> None:
    with running(settings) as server:
        other = EventReader(
            server.url + "/api/v1/tasks/verhuizing-doorgeven/draft/live", accounts["chris"]
        )
        assert other.next() == ("presence", {"editors": ["chris"], "you": "chris"})
        anna = EventReader(server.url + LIVE, accounts["anna"])
        anna.next()
        httpx.patch(
            server.url + f"{DRAFT}/steps/{STEP}",
            json={"why": "x"},
            headers={**accounts["anna"], "If-Match": "1"},
        )
        assert anna.next_of("saved")["step_id"] == STEP
        with pytest.raises(queue.Empty):
            other.next(timeout=1)
        other.close()
        anna.close()


def test_only_editors_may_listen(settings, accounts) -> None:
    with running(settings) as server:
        assert httpx.get(server.url + LIVE).status_code == 401
        assert httpx.get(server.url + LIVE, headers=accounts["mo"]).status_code == 403
        missing = httpx.get(
            server.url + "/api/v1/tasks/bestaat-niet/draft/live", headers=accounts["anna"]
        )
        assert missing.status_code == 404


def test_open_streams_end_when_the_server_shuts_down(settings, accounts) -> None:
    with running(settings) as server:
        anna = EventReader(server.url + LIVE, accounts["anna"])
        bram = EventReader(server.url + LIVE, accounts["bram"])
        assert anna.next()[0] == bram.next()[0] == "presence"
        took = server.stop()
        assert took < 5, f"the server took {took:.1f} s to stop with two editors open"
        assert anna.ended.wait(5) and bram.ended.wait(5)
        assert "Cancel" not in server.log.read_text()  # ended, not cut off after a timeout


def test_a_stream_still_opening_when_the_stop_comes_ends_too(settings) -> None:
    """The stop signal may come after the response started but before the stream joined
    the hub (its roster work runs in a thread): that stream must not hold the shutdown up
    for the whole grace period."""
    engine = make_engine(settings)
    hub = serving_hub(engine)
    hub.heartbeat = 0.2

    async def scenario() -> None:
        opening = hub.events("t", "anna")
        hub.stop()  # before the stream's first step, so before it joined

        async def every_event() -> list[str]:
            return [event async for event in opening]

        events = await asyncio.wait_for(every_event(), 5)
        assert events[0] == "retry: 3000\n\n" and events[1].startswith("event: presence")
        assert len(events) == 2, "the stream went on after the stop"
        assert hub.editors("t") == []

    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, scenario()).result()
    engine.dispose()


def test_a_tab_closing_while_another_opens_keeps_its_person_on_the_roster(settings) -> None:
    """A reload: the old tab closes while the new one is still opening (its roster work
    waits for the roster's thread). The person stays on the roster, so colleagues on other
    instances never see them leave; when the last tab closes, they do."""
    engine = make_engine(settings)
    hub = serving_hub(engine)

    def roster_done() -> None:
        hub._roster_work.submit(lambda: None).result()

    async def scenario() -> None:
        first = await hub.join("t", "anna")
        busy = threading.Event()
        hub._roster_work.submit(busy.wait)
        second = asyncio.ensure_future(hub.join("t", "anna"))
        await asyncio.sleep(0.1)  # the second tab is opening
        hub.leave(first)
        busy.set()
        listener = await second
        await asyncio.to_thread(roster_done)
        assert hub.roster.names("t") == ["anna"]
        hub.leave(listener)
        await asyncio.to_thread(roster_done)
        assert hub.roster.names("t") == []

    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, scenario()).result()
    hub.close()
    engine.dispose()


def _following(engine, hub) -> Follower:
    """The change follower of a serving process, applying the log to its hub."""
    follower = Follower(engine, lambda changes: [apply_change(hub, c) for c in changes], 0)
    follower.start()
    return follower


def test_notices_go_out_after_the_commit_and_never_after_a_rollback(settings) -> None:
    engine = make_engine(settings)
    hub = serving_hub(engine)
    follower = _following(engine, hub)
    hub.heartbeat = 0.2

    def session_with_notice(n: int) -> Session:
        session = Session(engine)
        session.exec(select(1)).one()
        queue_notice(session, "t", "saved", {"n": n})
        return session

    async def scenario() -> None:
        stream = hub.events("t", "anna")
        assert await anext(stream) == "retry: 3000\n\n"
        assert await anext(stream) == (
            'event: presence\ndata: {"editors": ["anna"], "you": "anna"}\n\n'
        )
        rolled_back = session_with_notice(1)
        rolled_back.rollback()
        rolled_back.close()
        pending = session_with_notice(2)
        assert await asyncio.wait_for(anext(stream), 2) == ": ping\n\n"  # nothing yet
        pending.commit()
        pending.close()
        assert await asyncio.wait_for(anext(stream), 2) == 'event: saved\ndata: {"n": 2}\n\n'
        follower.stop()
        engine.dispose()  # as the service does when it shuts down
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(anext(stream), 2)
        assert hub.editors("t") == []

    # In a thread of its own: after the browser tests, Playwright's loop runs in this one.
    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, scenario()).result()


def test_a_disabled_persons_streams_end_and_only_theirs(settings) -> None:
    engine = make_engine(settings)
    hub = serving_hub(engine)
    follower = _following(engine, hub)
    hub.heartbeat = 0.2
    allowed = {"anna": True, "bram": True}

    async def scenario() -> None:
        anna = hub.events("t", "anna", lambda: allowed["anna"])
        bram = hub.events("t", "bram", lambda: allowed["bram"])
        for stream in (anna, bram):
            await anext(stream)  # retry
            await anext(stream)  # presence
        await anext(anna)  # bram joined

        # Disabled in this instance: the streams end once the change is committed.
        session = Session(engine)
        session.exec(select(1)).one()
        queue_streams_end(session, "bram")
        assert await asyncio.wait_for(anext(bram), 2) == ": ping\n\n"  # not before
        session.commit()
        session.close()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(anext(bram), 2)
        assert await asyncio.wait_for(anext(anna), 2) == (
            'event: presence\ndata: {"editors": ["anna"], "left": "bram"}\n\n'
        )

        # Disabled in another instance: the check once a heartbeat ends the stream, also
        # while colleagues keep saving (the stream is never idle).
        async def busy() -> None:
            while True:
                hub.publish("t", "saved", {"by": "chris"})
                await asyncio.sleep(0.02)

        saving = asyncio.create_task(busy())
        allowed["anna"] = False
        with pytest.raises(StopAsyncIteration):
            for _ in range(200):
                await asyncio.wait_for(anext(anna), 2)
        saving.cancel()
        assert hub.editors("t") == []
        follower.stop()
        engine.dispose()

    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, scenario()).result()
