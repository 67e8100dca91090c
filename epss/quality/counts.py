"""Counting events in a period from both sources: the events themselves, and for days that
retention already removed, the daily counts (`event_daily`).

Days up to the newest day in `event_daily` are read from there; later days from the events.
A day count holds the distinct people of that day only, so over several days the number of
people read from daily counts is a lower bound (the largest day), which hides more, never less.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal_column, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from epss.models import Event, EventDaily, table_of
from epss.quality.period import Period, day_of, week_of, week_of_day

CONSULTED = ("task_viewed", "panel_opened")
Key = tuple[Any, ...]  # a group's values: the bucket (when asked), then the group's columns
EVENT = table_of(Event).c
DAILY = table_of(EventDaily).c


@dataclass
class Count:
    events: int = 0
    people: int = 0

    def add(self, events: int, people: int, *, lower_bound: bool) -> None:
        self.events += int(events or 0)
        self.people = (
            max(self.people, int(people or 0)) if lower_bound else self.people + int(people or 0)
        )


def count(
    session: Session,
    period: Period,
    types: Sequence[str],
    group: Sequence[str],
    *,
    bucket: str | None = None,
    task: str | None = None,
    require: Sequence[str] = (),
) -> dict[Key, Count]:
    """Events of these types in the period, and their distinct people, per group of the
    columns `group` (of both the events and the daily counts: task_slug, step_id, team,
    task_version), preceded by the day or week (`bucket`) when asked. `require`: columns
    that must not be NULL."""
    dialect = session.get_bind().dialect.name
    daily_last = session.execute(select(func.max(DAILY.day))).scalar()
    result: dict[Key, Count] = {}
    detail_since = period.since
    if daily_last is not None and daily_last >= period.start:
        last = min(daily_last, period.end)
        keys = [_daily_bucket(bucket, dialect)] if bucket else []
        keys += [DAILY[name] for name in group]
        conditions = [DAILY.type.in_(types), DAILY.day >= period.start, DAILY.day <= last]
        conditions += [DAILY[name].isnot(None) for name in require]
        if task is not None:
            conditions.append(DAILY.task_slug == task)
        rows = session.execute(
            select(*keys, func.sum(DAILY.events), func.max(DAILY.actors))
            .where(and_(*conditions))
            .group_by(*keys)
        )
        for *key, events, people in rows:
            result.setdefault(tuple(key), Count()).add(events, people, lower_bound=True)
        detail_since = max(
            period.since,
            dt.datetime.combine(daily_last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
        )
    if detail_since >= period.until:
        return result
    seen: dict[Key, tuple[Count, set[str]]] = {}
    if bucket:
        _count_per_bucket(
            session,
            result,
            types,
            group,
            bucket,
            detail_since,
            period.until,
            task,
            require,
            lower_bound=daily_last is not None,
        )
        return result
    # One type at a time, grouped in the order of ix_event_quality_task or _step, read from
    # the index alone. SQLite would rather use a time range index and sort; `+occurred_at`
    # keeps it from that (no index serves a `+column` term).
    when = (
        type_coerce(literal_column("+event.occurred_at"), EVENT.occurred_at.type)
        if dialect == "sqlite"
        else EVENT.occurred_at
    )
    for kind in types:
        keys = [EVENT[name] for name in group]
        conditions = _event_conditions([kind], detail_since, period.until, task, when)
        conditions += [EVENT[name].isnot(None) for name in require]
        rows = session.execute(
            select(*keys, EVENT.actor, func.count())
            .where(and_(*conditions))
            .group_by(*keys, EVENT.actor)
        )
        for *key, actor, events in rows:
            found = seen.setdefault(tuple(key), (Count(), set()))
            found[0].events += events
            if actor is not None:
                found[1].add(actor)
    for values, (counted, actors) in seen.items():
        result.setdefault(values, Count()).add(
            counted.events, len(actors), lower_bound=daily_last is not None
        )
    return result


def _count_per_bucket(
    session: Session,
    result: dict[Key, Count],
    types: Sequence[str],
    group: Sequence[str],
    bucket: str,
    since: dt.datetime,
    until: dt.datetime,
    task: str | None,
    require: Sequence[str],
    *,
    lower_bound: bool,
) -> None:
    dialect = session.get_bind().dialect.name
    keys = [_event_bucket(bucket, dialect)] + [EVENT[name] for name in group]
    conditions = _event_conditions(types, since, until, task)
    conditions += [EVENT[name].isnot(None) for name in require]
    rows = session.execute(
        select(*keys, func.count(), func.count(EVENT.actor.distinct()))
        .where(and_(*conditions))
        .group_by(*keys)
    )
    for *key, events, people in rows:
        result.setdefault(tuple(key), Count()).add(events, people, lower_bound=lower_bound)


def _event_conditions(
    types: Sequence[str],
    since: dt.datetime,
    until: dt.datetime,
    task: str | None,
    when: ColumnElement[Any] | None = None,
) -> list[ColumnElement[bool]]:
    when = EVENT.occurred_at if when is None else when
    conditions = [EVENT.type.in_(types), when >= since, when < until]
    if task is not None:
        conditions.append(EVENT.task_slug == task)
    return conditions


def people(session: Session, period: Period, types: Sequence[str], task: str | None = None) -> int:
    """Distinct people with events of these types in the period (a lower bound on days read
    from the daily counts)."""
    total = count(session, period, types, [], task=task)
    return total.get((), Count()).people


def _event_bucket(bucket: str, dialect: str) -> ColumnElement[str]:
    return (day_of if bucket == "day" else week_of)(EVENT.occurred_at, dialect)


def _daily_bucket(bucket: str, dialect: str) -> ColumnElement[str]:
    if bucket == "day":
        return (
            func.substr(DAILY.day, 1, 10)
            if dialect == "sqlite"
            else func.to_char(DAILY.day, "YYYY-MM-DD")
        )
    return week_of_day(DAILY.day, dialect)
