"""Which guidance was consulted: per task, per step, per team and over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from epss.catalog import newest_versions, published_titles
from epss.quality.counts import CONSULTED, count
from epss.quality.period import Period
from epss.quality.table import Column, Table, hide_small

EVENTS = Column("events", "Raadplegingen", numeric=True, protected=True)
PEOPLE = Column("people", "Mensen", numeric=True, protected=True)
TASK_ID = Column("task", "Taak (id)", shown=False)
STEP_ID = Column("step", "Stap (id)", shown=False)
NO_TEAM = "(geen team)"


def by_task(session: Session, period: Period, minimum: int) -> Table:
    """Consultations (task viewed, panel opened) per task, most consulted first."""
    names = published_titles(session)
    columns = [TASK_ID, Column("title", "Titel"), EVENTS, PEOPLE]
    rows = [
        {"task": slug, "title": names.get(slug, slug), "events": c.events, "people": c.people}
        for (slug,), c in count(
            session, period, CONSULTED, ["task_slug"], require=["task_slug"]
        ).items()
    ]
    rows.sort(key=lambda r: (-r["events"], r["task"]))
    rows, hidden = hide_small(rows, columns, minimum)
    return Table(
        "per-taak",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "title", "values": ["events"]},
    )


def by_step(session: Session, period: Period, minimum: int, task: str | None = None) -> Table:
    """Steps viewed, per task and step (of one task when `task` is given), in step order."""
    names = published_titles(session)
    order = step_order(session)
    columns = [
        TASK_ID,
        Column("task_title", "Taak"),
        STEP_ID,
        Column("title", "Stap"),
        Column("events", "Keer bekeken", numeric=True, protected=True),
        PEOPLE,
    ]
    rows = []
    for (slug, step), c in count(
        session,
        period,
        ["step_viewed"],
        ["task_slug", "step_id"],
        task=task,
        require=["task_slug", "step_id"],
    ).items():
        position, title = order.get((slug, step), (999, step))
        rows.append(
            {
                "task": slug,
                "task_title": names.get(slug, slug),
                "step": step,
                "title": title,
                "events": c.events,
                "people": c.people,
                "_order": (names.get(slug, slug), position),
            }
        )
    rows.sort(key=lambda r: r.pop("_order"))
    rows, hidden = hide_small(rows, columns, minimum)
    return Table(
        "per-stap",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "title", "values": ["events"]},
    )


def by_team(session: Session, period: Period, minimum: int) -> Table:
    """Consultations per team. Teams with fewer people than the minimum are left out."""
    columns = [Column("team", "Team"), EVENTS, PEOPLE]
    rows: list[dict[str, Any]] = [
        {"team": team or NO_TEAM, "events": c.events, "people": c.people}
        for (team,), c in count(session, period, CONSULTED, ["team"]).items()
    ]
    rows.sort(key=lambda r: (-r["events"], r["team"]))
    rows, hidden = hide_small(rows, columns, minimum, drop=True)
    return Table(
        "per-team",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "team", "values": ["events"]},
    )


def over_time(
    session: Session,
    period: Period,
    minimum: int,
    *,
    interval: str = "day",
    task: str | None = None,
) -> Table:
    """Consultations per day or week (weeks start on Monday), every day or week of the
    period listed, also the quiet ones."""
    found = count(session, period, CONSULTED, [], bucket=interval, task=task)
    columns = [
        Column("period", "Dag" if interval == "day" else "Week van", date=True),
        EVENTS,
        PEOPLE,
    ]
    rows = []
    for start in _buckets(period, interval):
        c = found.get((start.isoformat(),))
        rows.append(
            {
                "period": start.isoformat(),
                "events": c.events if c else 0,
                "people": c.people if c else 0,
            }
        )
    rows, hidden = hide_small(rows, columns, minimum)
    return Table(
        "in-de-tijd",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "line", "label": "period", "values": ["events"]},
        extra={"interval": interval, "task": task},
    )


def _buckets(period: Period, interval: str) -> list[dt.date]:
    if interval == "day":
        return [
            period.start + dt.timedelta(days=n) for n in range((period.end - period.start).days + 1)
        ]
    monday = period.start - dt.timedelta(days=period.start.weekday())
    weeks = []
    while monday <= period.end:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def step_order(session: Session) -> dict[tuple[str, str], tuple[int, str]]:
    order = {}
    for version in newest_versions(session):
        slug = version.document["slug"]
        for position, step in enumerate(version.document.get("steps", [])):
            order[(slug, step["id"])] = (position, step["title"])
    return order
