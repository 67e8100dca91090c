"""The change log: what every instance must apply after a commit, whichever instance or
command made it. Domain code says what changed with `record(session, kind, subject)`;
nothing else is needed on any road (API, pages, command line, scripts).

The rows are written as the session commits, in commit order: on PostgreSQL under a
transaction-level advisory lock (a row with a higher id never becomes visible before one
with a lower id, so a follower reading "after id N" misses nothing), on SQLite under its
write lock. On PostgreSQL the same transaction notifies the listeners; NOTIFY is delivered
at commit, so nobody hears of a change that was rolled back.

Once the session has committed, the follower of its engine in this process, when there is
one (a serving process), applies the change before the commit returns (waiting a bounded
time): the one step after every catalog change. The others learn of it by LISTEN/NOTIFY
or by polling.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, event, func, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from epss.db import engine_of, kept_with
from epss.models import CatalogChange, stored_id

log = logging.getLogger(__name__)

TASK = "task"  # a task has a new published version (published, restored, imported)
HOST_APP = "host_app"  # a host application was added, changed or removed
ACCOUNT = "account"  # an account was disabled: its open streams end
NOTICE = "notice"  # an editor's notice for the others with the task open (saved, workflow)
PRESENCE = "presence"  # somebody opened or left a task in the editor

CHANNEL = "epss_changes"
KEEP_FOR = dt.timedelta(days=7)  # an instance away for longer rebuilds instead of replaying
_LOCK_KEY = 0x6570_7373_6368_6E67  # "epsschng": the advisory lock of the log's writers
_PENDING = "epss_changes_pending"
_WRITTEN = "epss_changes_written"

_FOLLOWER = "change follower"  # its entry in what the process keeps with an engine


def record(session: Session, kind: str, subject: str, data: dict[str, Any] | None = None) -> None:
    """Say that `subject` changed; written when `session` commits, applied after."""
    session.info.setdefault(_PENDING, []).append((kind, subject, data or {}))


def after_commit_of(engine: Engine, apply: Callable[[int], None]) -> None:
    """Call `apply(id of the newest change written)` in this process after each commit on
    `engine` that recorded changes (one per engine: a serving process's follower). It
    must not raise."""
    kept_with(engine)[_FOLLOWER] = apply


def stop_applying(engine: Engine) -> None:
    kept_with(engine).pop(_FOLLOWER, None)


def newest_position(session: Session) -> int:
    """The id of the newest change, 0 when there is none."""
    return session.exec(select(func.max(CatalogChange.id))).one() or 0


def oldest_position(session: Session) -> int | None:
    """The id of the oldest change still kept, None when there is none."""
    return session.exec(select(func.min(CatalogChange.id))).one()


def changes_after(session: Session, position: int, limit: int | None = 500) -> list[CatalogChange]:
    return list(
        session.exec(
            select(CatalogChange)
            .where(col(CatalogChange.id) > position)
            .order_by(col(CatalogChange.id))
            .limit(limit)
        ).all()
    )


def first_unapplied_at(session: Session, position: int) -> dt.datetime | None:
    """When the oldest change after `position` was made, None when there is none."""
    moment = session.exec(
        select(func.min(CatalogChange.at)).where(col(CatalogChange.id) > position)
    ).one()
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def prune(session: Session, now: dt.datetime) -> int:
    """Forget changes older than KEEP_FOR, but never the newest (it holds the position
    that indexes are compared with); returns how many."""
    result = session.exec(
        delete(CatalogChange).where(
            col(CatalogChange.at) < now - KEEP_FOR,
            col(CatalogChange.id) < newest_position(session),
        )
    )
    return result.rowcount or 0


# SQLAlchemy also calls these at the release of a savepoint (`epss.db.attempt`): the
# changes are written, and applied, at the commit of the transaction itself.
@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    if engine_of(session).dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    rows = [CatalogChange(kind=kind, subject=subject, data=data) for kind, subject, data in pending]
    session.add_all(rows)
    session.flush()
    session.info[_WRITTEN] = max(stored_id(row) for row in rows)


@event.listens_for(Session, "after_commit")
def _apply(session: Session) -> None:
    if session.in_nested_transaction():
        return
    newest = session.info.pop(_WRITTEN, None)
    if newest is None:
        return
    apply = kept_with(engine_of(session)).get(_FOLLOWER)
    if apply is not None:
        apply(newest)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous_transaction: SessionTransaction) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)
