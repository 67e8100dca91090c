"""The export: events after the "xapi" cursor, in order of `seq`, sent batch by batch; the
cursor moves past a batch only once the LRS acknowledged it. Events that have no statement
(see `statements`) are passed by the cursor without being sent."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from epss.db import unit_of_work
from epss.models import Event, ExportCursor, Task, TaskVersion
from epss.xapi.client import LrsClient, LrsRefused, XapiError
from epss.xapi.statements import Titles, to_statement

CURSOR_NAME = "xapi"


@dataclass
class ExportReport:
    events: int = 0  # read after the cursor
    sent: int = 0  # statements stored by the LRS
    already_there: int = 0  # statements the LRS held already
    skipped: int = 0  # events without a statement
    last_seq: int = 0  # where the cursor is now


def export_events(
    engine: Engine,
    client: LrsClient | None,
    *,
    base_url: str,
    batch_size: int = 100,
    show: Callable[[dict[str, Any]], None] | None = None,
) -> ExportReport:
    """Send every event after the cursor. With `client` None (a dry run) the statements go
    to `show` and the cursor stays where it is. Raises XapiError (naming the first event
    of the batch that was not sent, and where the cursor stays) when the LRS cannot be
    reached or refuses a statement."""
    report = ExportReport(last_seq=cursor_position(engine))
    position = report.last_seq
    while True:
        with Session(engine) as session:
            events = list(
                session.exec(
                    select(Event)
                    .where(col(Event.seq) > position)
                    .order_by(col(Event.seq))
                    .limit(max(1, batch_size))
                )
            )
            titles = _titles(session, {e.task_slug for e in events if e.task_slug})
        if not events:
            return report
        pairs = [(e, to_statement(e, base_url=base_url, titles=titles)) for e in events]
        statements = [s for _, s in pairs if s is not None]
        report.events += len(events)
        report.skipped += len(events) - len(statements)
        if client is None:
            for statement in statements:
                (show or _print)(statement)
            position = events[-1].seq or position
            continue
        try:
            result = client.send(statements)
        except XapiError as exc:
            raise XapiError(_failure(exc, pairs, report.last_seq)) from exc
        report.sent += result.stored
        report.already_there += result.already_there
        _advance(engine, report.last_seq, events[-1].seq or report.last_seq)
        report.last_seq = position = events[-1].seq or position


def cursor_position(engine: Engine) -> int:
    """The seq of the last event the LRS acknowledged (0: none yet)."""
    with Session(engine) as session:
        cursor = session.get(ExportCursor, CURSOR_NAME)
        return cursor.last_seq if cursor else 0


def _advance(engine: Engine, before: int, after: int) -> None:
    """Move the cursor from `before` to `after`; refuses when another export moved it."""
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(engine) as session:
        if session.get(ExportCursor, CURSOR_NAME) is None:
            session.add(ExportCursor(name=CURSOR_NAME, last_seq=after, updated_at=now))
            return
        moved = session.exec(
            update(ExportCursor)
            .where(col(ExportCursor.name) == CURSOR_NAME, col(ExportCursor.last_seq) == before)
            .values(last_seq=after, updated_at=now)
        ).rowcount
        if moved != 1:
            raise XapiError("another export moved the xapi cursor meanwhile; run again")


def _titles(session: Session, slugs: set[str]) -> Titles:
    titles = Titles()
    if slugs:
        rows = session.exec(
            select(Task.slug, TaskVersion.number, TaskVersion.document)
            .join(TaskVersion, col(TaskVersion.task_id) == Task.id)
            .where(col(Task.slug).in_(sorted(slugs)))
        )
        for slug, number, document in rows:
            titles.add(slug, number, document or {})
    return titles


def _failure(exc: XapiError, pairs: list[tuple[Event, dict[str, Any] | None]], cursor: int) -> str:
    culprit = next((e for e, s in pairs if s is not None), pairs[0][0])
    if isinstance(exc, LrsRefused) and exc.statement_id:
        culprit = next((e for e, s in pairs if s and s["id"] == exc.statement_id), culprit)
        return (
            f"{exc}; it is event {culprit.id} (seq {culprit.seq}, {culprit.type}). "
            f"Nothing from that batch was counted as sent; the cursor stays at seq "
            f"{cursor}."
        )
    return (
        f"{exc}; events from {culprit.id} (seq {culprit.seq}, {culprit.type}) on were "
        f"not sent; the cursor stays at seq {cursor}."
    )


def _print(statement: dict[str, Any]) -> None:
    print(json.dumps(statement, ensure_ascii=False))
