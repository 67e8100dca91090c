"""How often one task was consulted on one Dutch day (Europe/Amsterdam: 23, 24 or 25 hours),
per published version: consultations (task opened or viewed), all events that carry the
version, and the distinct people. A version used by fewer than `min_group_size` people that
day has its counts hidden, as everywhere in the quality figures.

Days whose events retention removed are read from the daily counts, which count per UTC
day: the answer then says so (`basis`), and covers that UTC day instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import Session

from epss.moments import LOCAL_TIME
from epss.quality.counts import CONSULTED, DAILY, EVENT
from epss.quality.table import Column, hide_small

# The counts a row may hide (`hide_small` hides the protected ones).
COLUMNS = [
    Column("version", "Versie"),
    Column("consultations", "Raadplegingen", numeric=True, protected=True),
    Column("events", "Gebeurtenissen", numeric=True, protected=True),
    Column("people", "Mensen", numeric=True, protected=True),
]


def dutch_day(moment: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The Dutch calendar day of a moment, with its first moment and the first moment of the
    next day (both in UTC): 23 hours on the day summer time starts, 25 when it ends."""
    day = moment.astimezone(LOCAL_TIME).date()
    since, until = (
        dt.datetime.combine(d, dt.time(), tzinfo=LOCAL_TIME).astimezone(dt.UTC)
        for d in (day, day + dt.timedelta(days=1))
    )
    return day, since, until


def version_day(
    session: Session, slug: str, moment: dt.datetime, number: int, minimum: int
) -> dict[str, Any]:
    """The consultations of task `slug` on the Dutch day of `moment`, one row per version
    used that day, and always one for version `number` (zero when nobody used it).

    `basis` says where the counts come from: "events" (exact), "daily" (retention removed
    the events; the daily counts of the UTC day with the same date, people as a lower
    bound) or "partial" (retention removed the first hours of the day: the counts are of
    the rest of it, a lower bound). `hidden` says how many rows were hidden."""
    day, since, until = dutch_day(moment)
    daily_last = session.execute(select(func.max(DAILY.day))).scalar()
    if daily_last is None or daily_last < since.date():
        basis, counts = "events", _from_events(session, slug, since, until)
    elif daily_last >= day:
        basis, counts = "daily", _from_daily(session, slug, day)
        since = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        until = since + dt.timedelta(days=1)
    else:
        basis, counts = "partial", _from_events(session, slug, since, until)
    counts.setdefault(number, {"consultations": 0, "events": 0, "people": 0})
    rows = [{"version": n, **c} for n, c in sorted(counts.items())]
    used, unused = [r for r in rows if r["events"]], [r for r in rows if not r["events"]]
    used, hidden = hide_small(used, COLUMNS, minimum)  # nothing to protect in a zero
    rows = sorted(used + unused, key=lambda r: r["version"])
    return {
        "date": day,
        "since": since,
        "until": until,
        "basis": basis,
        "min_group_size": minimum,
        "hidden": hidden,
        "rows": rows,
        "this_version": next(r for r in rows if r["version"] == number),
    }


def _from_events(
    session: Session, slug: str, since: dt.datetime, until: dt.datetime
) -> dict[int, dict[str, int]]:
    rows = session.execute(
        select(EVENT.task_version, EVENT.type, EVENT.actor, func.count())
        .where(
            and_(
                EVENT.task_slug == slug,
                EVENT.occurred_at >= since,
                EVENT.occurred_at < until,
                EVENT.task_version.isnot(None),
            )
        )
        .group_by(EVENT.task_version, EVENT.type, EVENT.actor)
    )
    counts: dict[int, dict[str, int]] = {}
    people: dict[int, set[str]] = {}
    for number, kind, actor, events in rows:
        found = counts.setdefault(number, {"consultations": 0, "events": 0, "people": 0})
        found["events"] += events
        if kind in CONSULTED:
            found["consultations"] += events
        if actor is not None:
            people.setdefault(number, set()).add(actor)
    for number, found in counts.items():
        found["people"] = len(people.get(number, ()))
    return counts


def _from_daily(session: Session, slug: str, day: dt.date) -> dict[int, dict[str, int]]:
    """Distinct people cannot be added up over the daily rows (one per type, step and
    team): the largest row is the lower bound, which hides more, never less."""
    rows = session.execute(
        select(DAILY.task_version, DAILY.type, func.sum(DAILY.events), func.max(DAILY.actors))
        .where(and_(DAILY.task_slug == slug, DAILY.day == day, DAILY.task_version.isnot(None)))
        .group_by(DAILY.task_version, DAILY.type)
    )
    counts: dict[int, dict[str, int]] = {}
    for number, kind, events, people in rows:
        found = counts.setdefault(number, {"consultations": 0, "events": 0, "people": 0})
        found["events"] += int(events or 0)
        if kind in CONSULTED:
            found["consultations"] += int(events or 0)
        found["people"] = max(found["people"], int(people or 0))
    return counts
