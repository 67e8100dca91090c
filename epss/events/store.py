"""Writing events: `store_events` is the one function through which events are written."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect

from epss.audit.chain import FIELDS, canonical, link, sqlite_time
from epss.audit.head import chain_head, next_seqs
from epss.events.batch import EventIn
from epss.events.privacy import case_hasher, pseudonymiser
from epss.models import Event, table_of

_WRITE_LOCK = 0x6570_7373_6576_6E74  # "epssevnt": PostgreSQL advisory lock of the writers


@dataclass(frozen=True)
class Receipt:
    accepted: int  # newly stored
    duplicates: int  # stored before, or repeated within the batch


def store_events(
    connection: Connection, events: Sequence[EventIn], *, secret_key: str, received_at: dt.datetime
) -> Receipt:
    """Write the events in batch order, each id once (a known id is a duplicate, also
    within the batch). The only way events are written; it does not commit.

    On PostgreSQL the writers take turns (an advisory lock held until commit), so the
    sequence numbers follow the order of commits, as they do on SQLite. Under that turn
    each new event gets its sequence number and its chain hash (epss.audit), linked to
    the event stored just before it."""
    sql, positional = _insert(connection.dialect)
    # SQLAlchemy's conversion of each value costs more than the insert; these are the
    # values it would send (SQLite has no date type: text in SQLAlchemy's format).
    when = sqlite_time if connection.dialect.name == "sqlite" else _same
    received = when(received_at)
    actor = pseudonymiser(secret_key)
    case = case_hasher(secret_key)
    rows: list[tuple[Any, ...]] = []
    seen: set[uuid.UUID] = set()
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        details = event.details.model_dump(exclude_none=True) if event.details else None
        rows.append(
            (
                str(event.id),
                event.type,
                when(event.occurred_at),
                received,
                event.app,
                event.url,
                event.task_slug,
                event.task_version,
                event.step_id,
                actor(event.user) if event.user is not None else None,
                event.team,
                details or {},
                case(event.case_ref) if event.case_ref is not None else None,
            )
        )
    if not rows:
        return Receipt(0, len(events))
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK})
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    known = set(
        connection.exec_driver_sql(  # the driver's execute: SQLAlchemy's costs more
            f"SELECT id FROM event WHERE id IN ({', '.join([mark] * len(rows))})",
            tuple(row[0] for row in rows),
        ).scalars()
    )
    rows = [row for row in rows if row[0] not in known]
    if not rows:
        return Receipt(0, len(events))
    # Numbers first, then the head: on SQLite, a writer in another process that commits
    # in between makes our insert collide on seq instead of forking the chain.
    seqs = next_seqs(connection, len(rows))
    previous = chain_head(connection)
    chained: list[tuple[Any, ...]] = []
    for seq, row in zip(seqs, rows, strict=True):
        previous = link(previous, canonical((seq, *row)))
        chained.append((seq, *row[:-2], _json(row[-2]) if row[-2] else "{}", row[-1], previous))
    parameters = (
        chained if positional else [dict(zip(_COLUMNS, row, strict=True)) for row in chained]
    )
    stored = connection.exec_driver_sql(sql, parameters).rowcount  # executemany: the sum
    return Receipt(stored, len(events) - stored)


_TABLE = table_of(Event)
_COLUMNS = (*FIELDS, "chain_hash")  # the hashed fields in their order, then the link


@lru_cache(maxsize=16)  # one compilation per engine (each has its dialect)
def _insert(dialect: Dialect) -> tuple[str, bool]:
    """INSERT as SQLAlchemy writes it for this database, run by the driver itself; and
    whether it takes its values by position. Known ids are left out beforehand (under the
    writers' lock): a conflict now is an error, not a silent gap in the chain."""
    constructs = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
    if dialect.name not in constructs:
        raise NotImplementedError(f"events cannot be stored in {dialect.name}")
    insert = constructs[dialect.name](_TABLE)
    compiled = insert.inline().compile(dialect=dialect, column_keys=list(_COLUMNS))
    if dialect.positional and tuple(compiled.positiontup or ()) != _COLUMNS:
        raise RuntimeError(f"unexpected order of parameters: {compiled.positiontup}")
    return str(compiled), dialect.positional


def _same(value: dt.datetime) -> dt.datetime:
    return value


_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
