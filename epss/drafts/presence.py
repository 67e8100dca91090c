"""Who is editing which task right now, and "someone saved X" notices, as server-sent events.

The hub holds this process's open streams: one per running service (`Services.drafts`).
Who has a task open is kept in the database (epss.drafts.roster), so editors on different
instances see each other.

Notices are recorded in the change log by the editing functions (`queue_notice`): written
when the session commits, so nobody is told about a change that was rolled back, and
applied by every instance's change follower (`apply_change`), this one's right after the
commit.

A stream ends when the client goes away, when the engine is disposed (the service shuts
down), or when a client falls too far behind (its browser reconnects and starts afresh).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from epss.changes import log as change_log
from epss.drafts.roster import HEARTBEAT_SECONDS, Roster
from epss.models import CatalogChange

log = logging.getLogger(__name__)
RECONNECT_MS = 3000  # how long a browser's EventSource waits before it reconnects
QUEUE_LIMIT = 500  # notices a slow client may fall behind before its stream is ended
_END = object()


class _Listener:
    """One open stream: a person on one task, fed from any thread."""

    def __init__(self, slug: str, name: str) -> None:
        self.slug = slug
        self.name = name
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[object] = asyncio.Queue()

    def offer(self, item: object) -> None:
        """Hand an item to the stream's event loop (safe from any thread)."""
        with contextlib.suppress(RuntimeError):  # a closed loop: the stream is gone anyway
            self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: object) -> None:
        if self.queue.qsize() >= QUEUE_LIMIT:
            while not self.queue.empty():
                self.queue.get_nowait()
            item = _END
        self.queue.put_nowait(item)


class DraftHub:
    """Presence and notices for the tasks of one service, whose `roster` says who has
    which task open on every instance."""

    def __init__(self, roster: Roster, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.roster = roster
        self.heartbeat = heartbeat
        self._lock = threading.Lock()
        self._listeners: dict[str, list[_Listener]] = defaultdict(list)
        self._told: dict[str, list[str]] = {}  # slug → the editors its listeners know of
        # (slug, name) → streams still opening: their person is here, though not yet listening
        self._opening: dict[tuple[str, str], int] = defaultdict(int)
        self._stopping = False  # the service is shutting down: no stream stays open
        # One thread for the roster's database work, so arriving and leaving keep order.
        self._roster_work = ThreadPoolExecutor(1, thread_name_prefix="epss-roster")

    def editors(self, slug: str) -> list[str]:
        """Account names with the task open in an editor of this instance, sorted."""
        with self._lock:
            return sorted({listener.name for listener in self._listeners.get(slug, [])})

    def _here(self, slug: str, name: str) -> bool:
        return (slug, name) in self._opening or any(
            listener.name == name for listener in self._listeners.get(slug, [])
        )

    async def join(self, slug: str, name: str) -> _Listener:
        """Open a stream for `name` on `slug` (on the stream's event loop). Its first event
        says who is editing now, on any instance; the others hear that `name` joined (once,
        however many tabs the person opens)."""
        with self._lock:
            arriving = not self._here(slug, name)
            self._opening[(slug, name)] += 1  # a tab closing meanwhile does not make it leave
        try:
            future = self._roster_work.submit(self._arrive if arriving else self._names, slug, name)
            names = await asyncio.wrap_future(future)
        except BaseException:  # gone while opening (the client left): it never listened
            with self._lock:
                self._opened(slug, name)
                gone = not self._here(slug, name)
            if gone:
                self._leave_roster(slug, name)
            raise
        listener = _Listener(slug, name)
        with self._lock:
            self._opened(slug, name)
            self._listeners[slug].append(listener)
            names = sorted({*names, *self._told.get(slug, ()), name})
            self._told[slug] = names
            listener.offer(("presence", {"editors": names, "you": name}))
            if self._stopping:  # the stop came while this stream was still opening
                listener.offer(_END)
        return listener

    def _opened(self, slug: str, name: str) -> None:
        self._opening[(slug, name)] -= 1
        if not self._opening[(slug, name)]:
            del self._opening[(slug, name)]

    def leave(self, listener: _Listener) -> None:
        """Close a stream; the others hear that its person left when it was their last."""
        with self._lock:
            remaining = self._listeners.get(listener.slug, [])
            if listener not in remaining:
                return
            remaining.remove(listener)
            if not remaining:
                del self._listeners[listener.slug]
            leaving = not self._here(listener.slug, listener.name)
        if leaving:
            self._leave_roster(listener.slug, listener.name)

    def _leave_roster(self, slug: str, name: str) -> None:
        with contextlib.suppress(RuntimeError):  # closed: `close` let everyone leave
            self._roster_work.submit(self._leave, slug, name)

    def _arrive(self, slug: str, name: str) -> list[str]:
        try:
            self.roster.arrive(slug, name)  # the others are told after its commit
        except Exception:
            log.exception("could not record that %s opened a task", name)
        return self._names(slug, name)

    def _names(self, slug: str, _name: str = "") -> list[str]:
        try:
            return self.roster.names(slug)
        except Exception:
            log.exception("could not read who has a task open")
            return []

    def _leave(self, slug: str, name: str) -> None:
        try:
            self.roster.leave(slug, name)
        except Exception:
            log.exception("could not record that %s left a task", name)

    def refresh(self, slug: str) -> None:
        """Tell this instance's editors of `slug` who has it open now, when that changed
        (someone arrived or left on any instance). Called by the change follower."""
        with self._lock:
            if not self._listeners.get(slug):
                self._told.pop(slug, None)
                return
        names = self._names(slug)
        with self._lock:
            listeners = self._listeners.get(slug, [])
            names = sorted({*names, *(listener.name for listener in listeners)})
            told = self._told.get(slug, [])
            if not listeners or names == told:
                return
            self._told[slug] = names
            changes = [{"joined": n} for n in names if n not in told] + [
                {"left": n} for n in told if n not in names
            ]
            for listener in listeners:
                for change in changes:
                    if change.get("joined") != listener.name:
                        listener.offer(("presence", {"editors": names, **change}))

    def keep_fresh(self) -> None:
        """The heartbeat: say who is still here, and notice editors of other instances
        that went away without leaving (their rows went stale)."""
        with self._lock:
            here = {
                (listener.slug, listener.name)
                for listeners in self._listeners.values()
                for listener in listeners
            }
        self.roster.keep_fresh(here)
        for slug in {slug for slug, _ in here}:
            self.refresh(slug)

    def publish(self, slug: str, kind: str, data: dict[str, Any]) -> None:
        """Send an event to everyone with the task open (safe from any thread)."""
        with self._lock:
            for listener in self._listeners.get(slug, []):
                listener.offer((kind, data))

    def end_streams_of(self, name: str) -> None:
        """End the open streams of one person (their account was disabled)."""
        with self._lock:
            for listeners in self._listeners.values():
                for listener in listeners:
                    if listener.name == name:
                        listener.offer(_END)

    def end_streams(self) -> None:
        """End every open stream. New streams may open."""
        with self._lock:
            for listeners in self._listeners.values():
                for listener in listeners:
                    listener.offer(_END)

    def stop(self) -> None:
        """The service is shutting down: end every stream, also those still opening."""
        with self._lock:
            self._stopping = True
        self.end_streams()

    def close(self) -> None:
        """The service has stopped: the roster work still waiting is done, then everyone
        of this instance leaves the roster."""
        self._roster_work.shutdown(wait=True)
        self.roster.leave_all()

    async def events(
        self, slug: str, name: str, still_allowed: Callable[[], bool] = lambda: True
    ) -> AsyncIterator[str]:
        """The text of one server-sent-events stream for `name` editing `slug`. Once every
        heartbeat, busy or idle, `still_allowed` is asked (in a worker thread) whether the
        person may go on: an account disabled in another instance ends its streams there
        too."""
        listener = await self.join(slug, name)
        try:
            yield f"retry: {RECONNECT_MS}\n\n"
            next_check = time.monotonic() + self.heartbeat
            while True:
                try:
                    item = await asyncio.wait_for(listener.queue.get(), self.heartbeat)
                except TimeoutError:
                    item = None
                if time.monotonic() >= next_check:
                    if not await asyncio.to_thread(still_allowed):
                        return
                    next_check = time.monotonic() + self.heartbeat
                if item is None:
                    yield ": ping\n\n"
                    continue
                if item is _END:
                    return
                kind, data = cast(tuple[str, dict[str, Any]], item)  # not _END: a notice
                yield f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        finally:
            self.leave(listener)


def serving_hub(engine: Engine) -> DraftHub:
    """The hub of a service (its `Services.drafts`). Disposing the engine, as the service
    does when it shuts down, ends the open streams."""
    hub = DraftHub(Roster(engine))
    event.listen(engine, "engine_disposed", lambda _engine: hub.end_streams())
    return hub


def queue_notice(session: Session, slug: str, kind: str, data: dict[str, Any]) -> None:
    """Tell the task's editors, on every instance, about this change once `session` has
    committed (never when it rolls back)."""
    change_log.record(session, change_log.NOTICE, slug, {"kind": kind, "data": data})


def queue_streams_end(session: Session, name: str) -> None:
    """End the open streams of `name`, on every instance, once `session` has committed."""
    change_log.record(session, change_log.ACCOUNT, name)


def apply_change(hub: DraftHub, change: CatalogChange) -> None:
    """What a change of the log means for this instance's open streams."""
    if change.kind == change_log.NOTICE:
        hub.publish(change.subject, change.data["kind"], change.data["data"])
    elif change.kind == change_log.ACCOUNT:
        hub.end_streams_of(change.subject)
    elif change.kind == change_log.PRESENCE:
        hub.refresh(change.subject)
