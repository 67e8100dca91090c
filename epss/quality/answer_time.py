"""Time to answer ("two clicks, ten seconds"): per task, how long it takes from opening the
help panel to the first step read or ticked, as a median (p50) and a p95 in seconds.

An opening (`panel_opened`) is answered by the first `step_viewed` or `step_checked` of the
same person (pseudonym) on the same task after it, unless that person opened the panel on
that task again first (then the later opening is the one answered), and only within
ANSWER_WINDOW. Openings without such a step, without a task or without a person count for
nothing. The pairs need the single events: days that retention reduced to daily counts
(`event_daily`) have no answer times.

Mind what the panel reports: when it shows a task it was not showing yet, it opens the
current step itself (`showTask` in overlay_js/src/panel.js) and so sends `step_viewed`
as soon as the task has loaded; only when it opens on the task it already showed does the
first step read wait for a click.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, literal_column, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from epss.catalog import published_titles
from epss.models import Event, table_of
from epss.quality.consultations import PEOPLE, TASK_ID
from epss.quality.period import Period
from epss.quality.table import Column, Table, hide_small

OPENED = "panel_opened"
ANSWERS = ("step_viewed", "step_checked")
# Longer than this between opening the panel and the first step, and the step is taken to
# belong to a later look at the task (the panel was left open), not to that opening: 10
# minutes is far beyond the "ten seconds" the question is about, yet long enough to keep a
# slow answer visible.
ANSWER_WINDOW = dt.timedelta(minutes=10)

OPENINGS = Column("openings", "Openingen met een stap", numeric=True, protected=True)
P50 = Column("p50", "Mediaan (seconden)", numeric=True, protected=True)
P95 = Column("p95", "95% binnen (seconden)", numeric=True, protected=True)


def time_to_answer(session: Session, period: Period, minimum: int) -> Table:
    """Per task: the openings of the panel in the period that led to a first step read or
    ticked within ANSWER_WINDOW, and the p50 and p95 of that time in seconds (one
    decimal). Tasks where fewer than `minimum` people did so are hidden; most openings
    first."""
    names = published_titles(session)
    groups: dict[str, tuple[list[float], set[str]]] = {}
    for slug, actor, seconds in _answers(session, period):
        if 0 <= seconds <= ANSWER_WINDOW.total_seconds():
            times, actors = groups.setdefault(slug, ([], set()))
            times.append(seconds)
            actors.add(actor)
    columns = [TASK_ID, Column("title", "Taak"), OPENINGS, P50, P95, PEOPLE]
    rows: list[dict[str, Any]] = [
        {
            "task": slug,
            "title": names.get(slug, slug),
            "openings": len(times),
            "p50": round(percentile(times, 50), 1),
            "p95": round(percentile(times, 95), 1),
            "people": len(actors),
        }
        for slug, (times, actors) in groups.items()
    ]
    rows.sort(key=lambda r: (-r["openings"], r["title"], r["task"]))
    rows, hidden = hide_small(rows, columns, minimum)
    return Table(
        "tijd-tot-antwoord",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "title", "values": ["p50", "p95"]},
        extra={"window_minutes": int(ANSWER_WINDOW.total_seconds() // 60)},
    )


def _answers(session: Session, period: Period) -> list[tuple[str, str, float]]:
    """(task, person, seconds) of every opening in the period that a step read or ticked
    followed, before that person opened the panel on the task again. Per opening, the
    first later event of each kind of the same person and task, each found in
    ix_event_quality_task: this reads the openings, never all the steps. The database
    subtracts the moments (reading them as datetimes took a third of the time)."""
    dialect = session.get_bind().dialect.name
    opening = table_of(Event).alias("opening")

    def after(kind: str, *, later_only: bool) -> ColumnElement[Any]:
        """Seconds from the opening to the first event of this kind at (or only after) it."""
        event = table_of(Event).alias()
        when = event.c.occurred_at
        first = (
            select(func.min(when))
            .where(
                event.c.type == kind,
                event.c.task_slug == opening.c.task_slug,
                event.c.actor == opening.c.actor,
                when > opening.c.occurred_at if later_only else when >= opening.c.occurred_at,
            )
            .scalar_subquery()
        )
        return _seconds(first, opening.c.occurred_at, dialect)

    # Read the openings from ix_event_quality_task alone, as epss.quality.counts does: SQLite
    # would rather take the time range index and look up every row's task and person.
    opened_at = (
        type_coerce(literal_column("+opening.occurred_at"), opening.c.occurred_at.type)
        if dialect == "sqlite"
        else opening.c.occurred_at
    )
    rows = session.execute(
        select(
            opening.c.task_slug,
            opening.c.actor,
            *(after(kind, later_only=False) for kind in ANSWERS),
            after(OPENED, later_only=True),
        ).where(
            and_(
                opening.c.type == OPENED,
                opening.c.task_slug.isnot(None),
                opening.c.actor.isnot(None),
                opened_at >= period.since,
                opened_at < period.until,
            )
        )
    )
    found = []
    for task, actor, *answers, again in rows:
        seconds = min((float(s) for s in answers if s is not None), default=None)
        if seconds is None or (again is not None and float(again) <= seconds):
            continue  # no step, or opened again first: the later opening is the one answered
        found.append((task, actor, seconds))
    return found


def _seconds(
    later: ColumnElement[Any], earlier: ColumnElement[Any], dialect: str
) -> ColumnElement[Any]:
    """Seconds from `earlier` to `later` (NULL when either is), on either database."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400
    return func.extract("epoch", later - earlier)


def percentile(values: Sequence[float], p: int) -> float:
    """The p-th percentile of `values` (not empty), interpolated between the two nearest
    ranks as spreadsheets' PERCENTILE.INC does: the 50th is the median."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]
