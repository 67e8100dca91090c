"""The follower: one per serving process. Its thread applies the changes of the log in
order, each once: those this process made right after their commit (the committing thread
waits for that, a bounded time), those of other instances when PostgreSQL notifies it
(LISTEN) or, as the fallback and on SQLite, when it polls. A change whose application
fails stays unapplied and is tried again on the next round. Only this thread applies
changes, so a slow one (an index rebuild) delays a request by at most AFTER_COMMIT_WAIT.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from epss.changes import log as change_log
from epss.models import CatalogChange, stored_id

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # without notifications (SQLite, or while PostgreSQL is away)
LISTEN_POLL_SECONDS = 5.0  # with notifications: only a safety net
PRUNE_EVERY = 3600.0
SLICE_SECONDS = 0.05  # how long stopping may wait for the listening thread (idle: 20 polls/s)
AFTER_COMMIT_WAIT = 2.0  # seconds a commit waits for its change to be applied here

Apply = Callable[[list[CatalogChange]], None]


class Follower:
    def __init__(
        self,
        engine: Engine,
        apply: Apply,
        position: int,
        *,
        chores: Sequence[tuple[float, Callable[[], object]]] = (),
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """`chores`: (every so many seconds, what to do) for the follower's thread."""
        self.engine = engine
        self._chores = [*chores, (PRUNE_EVERY, self._prune)]
        self.position = position
        self._apply = apply
        self._now = now
        self._lock = threading.Lock()
        self._applied = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listening = False
        self._failing = False
        self._lag = 0.0

    def catch_up(self) -> int:
        """Apply every change after the position; returns how many. Raises when reading
        or applying fails (the position stays before the change that failed)."""
        applied = 0
        with self._lock:
            while True:
                with Session(self.engine) as session:
                    changes = change_log.changes_after(session, self.position)
                    for change in changes:
                        session.expunge(change)
                if not changes:
                    return applied
                self._apply(changes)
                with self._applied:
                    self.position = stored_id(changes[-1])
                    self._applied.notify_all()
                applied += len(changes)

    def applied_through(self, position: int) -> None:
        """The after-commit step: wake the thread and wait (at most AFTER_COMMIT_WAIT)
        until it has applied the changes up to `position`."""
        if threading.current_thread() is self._thread:
            self._wake.set()  # a chore of the thread itself committed: next round
            return
        self._wake.set()
        with self._applied:
            self._applied.wait_for(lambda: self.position >= position, AFTER_COMMIT_WAIT)

    def catch_up_quietly(self) -> None:
        """catch_up for the thread's rounds: a failure is logged, never raised (the next
        round tries again)."""
        try:
            self.catch_up()
            self._failing = False
        except Exception:
            if not self._failing:  # once per outage, not at every round
                log.exception("applying catalog changes failed; trying again shortly")
            self._failing = True

    def lag(self) -> float:
        """Seconds since the oldest change this process has not applied (0: none); the
        last measured value while the database cannot be reached."""
        try:
            with Session(self.engine) as session:
                oldest = change_log.first_unapplied_at(session, self.position)
        except SQLAlchemyError:
            return self._lag
        self._lag = 0.0 if oldest is None else max(0.0, (self._now() - oldest).total_seconds())
        return self._lag

    # -- the thread -------------------------------------------------------------------

    def start(self) -> None:
        change_log.after_commit_of(self.engine, self.applied_through)
        self._thread = threading.Thread(target=self._run, name="epss-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        change_log.stop_applying(self.engine)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        due = [time.monotonic() + every for every, _ in self._chores]
        with self._notifications() as wait:
            while True:
                # Notified, it only polls as a safety net; a failed round is retried soon.
                wait(LISTEN_POLL_SECONDS if self._listening and not self._failing else POLL_SECONDS)
                if self._stop.is_set():
                    return  # no round after stop: the database may already be going away
                self.catch_up_quietly()
                for i, (every, chore) in enumerate(self._chores):
                    if time.monotonic() >= due[i]:
                        due[i] = time.monotonic() + every
                        try:
                            chore()
                        except Exception:
                            log.exception("a periodic chore of the follower failed")

    @contextlib.contextmanager
    def _notifications(self) -> Iterator[Callable[[float], None]]:
        """A function that waits up to a number of seconds for a notification (or for
        stop); on PostgreSQL it listens, reconnecting after a lost connection."""
        if self.engine.dialect.name != "postgresql":

            def wait(seconds: float) -> None:
                self._wake.wait(seconds)
                self._wake.clear()

            yield wait
            return
        listener = _Listener(self.engine)
        try:

            def wait(seconds: float) -> None:
                self._listening = listener.wait(seconds, self._wake)
                self._wake.clear()

            yield wait
        finally:
            listener.close()

    def _prune(self) -> None:
        with Session(self.engine) as session:
            change_log.prune(session, self._now())
            session.commit()


class _Listener:
    """A PostgreSQL connection of its own that LISTENs on the log's channel."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: psycopg.Connection[tuple[Any, ...]] | None = None
        self._warned = False

    def wait(self, seconds: float, wake: threading.Event) -> bool:
        """Wait for a notification or `wake`, at most `seconds`; True while listening
        works."""
        try:
            connection = self.connection if self.connection is not None else self._connect()
            deadline = time.monotonic() + seconds
            # In short slices, so that stopping never waits for a whole round.
            while not wake.is_set() and time.monotonic() < deadline:
                if list(connection.notifies(timeout=SLICE_SECONDS, stop_after=1)):
                    break
            self._warned = False
            return True
        except Exception:
            if not self._warned:
                log.warning(
                    "not listening for catalog changes (the database is away); "
                    "polling until it is back"
                )
                self._warned = True
            self.close()
            wake.wait(POLL_SECONDS)
            return False

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        import psycopg  # only with PostgreSQL (the `postgres` extra)

        url = self.engine.url.set(drivername="postgresql")
        connection = psycopg.connect(
            url.render_as_string(hide_password=False), autocommit=True, connect_timeout=5
        )
        self.connection = connection  # before LISTEN: close() closes it when that fails
        connection.execute(f"LISTEN {change_log.CHANNEL}")
        return connection

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None
