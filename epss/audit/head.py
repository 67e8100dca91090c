"""Where the chain stands when a writer appends to it: the previous hash and the next
sequence numbers. Called by the event writer under its lock (PostgreSQL: the advisory
lock; SQLite: the one writer), so no two writers link to the same previous event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from epss.audit.chain import GENESIS, canonical, link

_SELECT = (
    "SELECT seq, id, type, occurred_at, received_at, app, url, task_slug, "
    "task_version, step_id, actor, team, details, case_ref, chain_hash FROM event"
)


def read_events(
    connection: Connection, after: int, upto: int | None = None, batch: int = 5000
) -> Iterator[tuple[Any, ...]]:
    """The stored events with seq > `after` (and ≤ `upto`) in seq order, fetched `batch`
    at a time (memory stays bounded): tuples of chain.FIELDS followed by chain_hash."""
    bound = "" if upto is None else " AND seq <= :upto"
    query = text(f"{_SELECT} WHERE seq > :after{bound} ORDER BY seq LIMIT :batch")
    while True:
        rows = connection.execute(query, {"after": after, "upto": upto, "batch": batch}).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1][0]


def chain_head(connection: Connection) -> str:
    """The hash the next event links to: that of the newest event, or of the newest
    checkpoint when retention removed every event up to it, or GENESIS. Events stored
    before the chain existed (no hash yet) are chained first, in seq order."""
    # The driver's own execute: SQLAlchemy's costs more than these indexed look-ups.
    event = connection.exec_driver_sql(
        "SELECT seq, chain_hash FROM event ORDER BY seq DESC LIMIT 1"
    ).first()
    if event is None:  # none yet, or retention removed them all: a checkpoint holds the head
        checkpoint = connection.exec_driver_sql(
            "SELECT chain_hash FROM audit_checkpoint ORDER BY seq DESC LIMIT 1"
        ).first()
        return checkpoint[0] if checkpoint is not None else GENESIS
    # Retention keeps the events after its checkpoint, and a checkpoint of the newest event
    # holds that event's hash: with events stored, the newest one is the head.
    head: str | None = event[1]
    if head is None:
        return chain_backlog(connection)
    return head


def chain_backlog(connection: Connection) -> str:
    """Give the events stored before the chain existed (chain_hash NULL, oldest first)
    their hashes, linked to the last hashed event before them; returns the new head.
    Only ever the newest events can lack a hash: writers hash every event they store."""
    first = connection.execute(text("SELECT min(seq) FROM event WHERE chain_hash IS NULL")).scalar()
    if first is None:
        return chain_head(connection)
    before = connection.execute(
        text("SELECT chain_hash FROM event WHERE seq < :seq ORDER BY seq DESC LIMIT 1"),
        {"seq": first},
    ).scalar()
    if before is None:
        checkpoint = connection.execute(
            text(
                "SELECT chain_hash FROM audit_checkpoint WHERE seq < :seq ORDER BY seq DESC LIMIT 1"
            ),
            {"seq": first},
        ).scalar()
        before = checkpoint or GENESIS
    previous = before
    update = text("UPDATE event SET chain_hash = :hash WHERE seq = :seq")
    pending: list[dict[str, Any]] = []
    for row in read_events(connection, first - 1):
        previous = link(previous, canonical(row[:-1]))
        pending.append({"hash": previous, "seq": row[0]})
        if len(pending) >= 5000:
            connection.execute(update, pending)
            pending = []
    if pending:
        connection.execute(update, pending)
    return previous


def next_seqs(connection: Connection, count: int) -> list[int]:
    """The next `count` sequence numbers, increasing; never handed out before (SQLite:
    AUTOINCREMENT's counter; PostgreSQL: the column's sequence)."""
    if connection.dialect.name == "sqlite":
        last = connection.exec_driver_sql(
            "SELECT seq FROM sqlite_sequence WHERE name = 'event'"
        ).scalar()
        start = (last or 0) + 1
        return list(range(start, start + count))
    values = (
        connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('event', 'seq')) "
            f"FROM generate_series(1, {int(count)})"
        )
        .scalars()
        .all()
    )
    return sorted(values)
