"""Who is editing which task right now, and "someone saved X" notices, as server-sent events.

The hub is in-process: one per database engine (so per running service), found with
`hub_for(engine)`. Several processes behind one PostgreSQL would each have their own hub and
would not see each other's editors; that needs PostgreSQL LISTEN/NOTIFY (not built).

Saved notices are queued on the database session by the editing functions
(`queue_notice`) and published only after that session commits, so nobody is told about a
change that was rolled back. Any code path that commits a session (the API, the pages, a
script) therefore notifies the editors without doing anything itself.

A stream ends when the client goes away, when the engine is disposed (the service shuts
down), or when a client falls too far behind (its browser reconnects and starts afresh).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

HEARTBEAT_SECONDS = 15.0  # a comment line that keeps proxies from closing an idle stream
RECONNECT_MS = 3000  # how long a browser's EventSource waits before it reconnects
QUEUE_LIMIT = 500  # notices a slow client may fall behind before its stream is ended
_NOTICES = "epss_draft_notices"
_END = object()


class _Listener:
    """One open stream: a person on one task, fed from any thread."""

    def __init__(self, slug: str, name: str) -> None:
        self.slug = slug
        self.name = name
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue()

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
    """Presence and saved notices for the tasks of one service."""

    def __init__(self, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.heartbeat = heartbeat
        self._lock = threading.Lock()
        self._listeners: dict[str, list[_Listener]] = defaultdict(list)

    def editors(self, slug: str) -> list[str]:
        """Account names with the task open in an editor now, sorted."""
        with self._lock:
            return self._names(slug)

    def _names(self, slug: str) -> list[str]:
        return sorted({listener.name for listener in self._listeners.get(slug, [])})

    def join(self, slug: str, name: str) -> _Listener:
        """Open a stream for `name` on `slug` (call it on the stream's event loop). Its first
        event says who is editing now; the others hear that `name` joined (once, however
        many tabs the person opens)."""
        listener = _Listener(slug, name)
        with self._lock:
            others = list(self._listeners[slug])
            self._listeners[slug].append(listener)
            editors = self._names(slug)
            listener.offer(("presence", {"editors": editors, "you": name}))
            if name not in {other.name for other in others}:
                for other in others:
                    other.offer(("presence", {"editors": editors, "joined": name}))
        return listener

    def leave(self, listener: _Listener) -> None:
        """Close a stream; the others hear that its person left when it was their last."""
        with self._lock:
            remaining = self._listeners.get(listener.slug, [])
            if listener not in remaining:
                return
            remaining.remove(listener)
            if not remaining:
                del self._listeners[listener.slug]
            if listener.name not in {other.name for other in remaining}:
                editors = self._names(listener.slug)
                for other in remaining:
                    other.offer(("presence", {"editors": editors, "left": listener.name}))

    def publish(self, slug: str, kind: str, data: dict) -> None:
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
        """End every open stream (the service is shutting down). New streams may open."""
        with self._lock:
            for listeners in self._listeners.values():
                for listener in listeners:
                    listener.offer(_END)

    async def events(self, slug: str, name: str,
                     still_allowed: Callable[[], bool] = lambda: True) -> AsyncIterator[str]:
        """The text of one server-sent-events stream for `name` editing `slug`. Once every
        heartbeat, busy or idle, `still_allowed` is asked (in a worker thread) whether the
        person may go on: an account disabled in another instance ends its streams there
        too."""
        listener = self.join(slug, name)
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
                kind, data = item
                yield f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        finally:
            self.leave(listener)


class LiveResponse(StreamingResponse):
    """A server-sent-events response that always closes its stream (and so leaves the
    presence list), also when the client disconnects or the server cancels it."""

    media_type = "text/event-stream"

    def __init__(self, stream: AsyncIterator[str]) -> None:
        super().__init__(stream, headers={"Cache-Control": "no-cache",
                                          "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


_hubs: weakref.WeakKeyDictionary[Engine, DraftHub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def hub_for(engine: Engine) -> DraftHub:
    """The hub of the service that uses this engine (made on first use). Disposing the
    engine, as the service does when it shuts down, ends the open streams."""
    with _hubs_lock:
        hub = _hubs.get(engine)
        if hub is None:
            hub = _hubs[engine] = DraftHub()
            event.listen(engine, "engine_disposed", lambda _engine: hub.end_streams())
        return hub


def queue_notice(session: Session, slug: str, kind: str, data: dict) -> None:
    """Tell the task's editors about this change once `session` has committed."""
    session.info.setdefault(_NOTICES, []).append((slug, kind, data))


def queue_streams_end(session: Session, name: str) -> None:
    """End the open streams of `name` once `session` has committed."""
    session.info.setdefault(_NOTICES, []).append((None, _END, name))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    notices = session.info.pop(_NOTICES, None)
    if notices:
        bind = session.get_bind()
        hub = hub_for(bind if isinstance(bind, Engine) else bind.engine)
        for slug, kind, data in notices:
            if kind is _END:
                hub.end_streams_of(data)
            else:
                hub.publish(slug, kind, data)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous_transaction) -> None:
    session.info.pop(_NOTICES, None)
