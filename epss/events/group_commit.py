"""Group commit: batches that arrive while another is being written are written together,
in one transaction, and each request returns once its events are durable."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, Engine

from epss.events.batch import EventIn
from epss.events.store import Receipt, store_events


@dataclass(eq=False)
class _Batch:
    events: Sequence[EventIn]
    secret_key: str
    received_at: dt.datetime
    receipt: Receipt | None = None
    error: BaseException | None = None
    leads: bool = False  # this request's thread writes the next group
    woken: threading.Event = field(default_factory=threading.Event)

    def outcome(self) -> Receipt:
        if self.error is not None:
            raise self.error
        assert self.receipt is not None
        return self.receipt


class EventWriter:
    """The events of one service (its `Services.event_writer`), stored with group commit:
    the thread that finds no write under way writes every batch that is waiting, then hands
    the turn to the first batch that arrived meanwhile."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self.waiting: list[_Batch] = []
        self.busy = False

    def record(
        self, events: Sequence[EventIn], *, secret_key: str, received_at: dt.datetime
    ) -> Receipt:
        """Store the events and return once they are committed durably (on SQLite with
        synchronous=FULL: WAL with NORMAL may lose the last commits on a power failure).

        Batches that arrive while another is being written wait and are then written
        together, in order of arrival, in one transaction: the cost of a commit is shared,
        and on SQLite no writer sleeps on a locked database."""
        return self._write(self.engine, _Batch(events, secret_key, received_at))

    def _write(self, engine: Engine, batch: _Batch) -> Receipt:
        with self.lock:
            self.waiting.append(batch)
            batch.leads = not self.busy
            self.busy = True
        if not batch.leads:
            batch.woken.wait()
        if batch.leads:
            with self.lock:
                group, self.waiting = self.waiting, []
            try:
                self._commit(engine, group)
            finally:
                for unfinished in (b for b in group if b.receipt is None and b.error is None):
                    unfinished.error = RuntimeError("the write was interrupted")
                    unfinished.woken.set()
                with self.lock:
                    if self.waiting:
                        self.waiting[0].leads = True
                        self.waiting[0].woken.set()
                    else:
                        self.busy = False
        return batch.outcome()

    def _commit(self, engine: Engine, group: list[_Batch]) -> None:
        try:
            _transaction(engine, group)
        except Exception as exc:
            if len(group) > 1:  # which batch failed? Each on its own, then.
                for batch in group:
                    self._commit(engine, [batch])
                return
            group[0].error = exc
        for batch in group:
            batch.woken.set()


def _transaction(engine: Engine, group: list[_Batch]) -> None:
    with engine.connect() as connection, _synchronous_full(connection):
        try:
            for batch in group:
                batch.receipt = store_events(
                    connection,
                    batch.events,
                    secret_key=batch.secret_key,
                    received_at=batch.received_at,
                )
            connection.commit()
        except BaseException:
            connection.rollback()
            for batch in group:
                batch.receipt = None
            raise


@contextmanager
def _synchronous_full(connection: Connection) -> Iterator[None]:
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
    connection.exec_driver_sql("PRAGMA synchronous=FULL")
    connection.commit()  # ends SQLAlchemy's autobegun, empty transaction
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA synchronous={before}")
        connection.commit()
