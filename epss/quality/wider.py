"""When an answer hides groups (fewer people than the minimum), the widest view that shows
more of them: the same question over all tasks, or over a longer period up to the same
day. A quality officer gets a way forward instead of a page of hidden counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from epss.quality.period import MAX_DAYS, Period
from epss.quality.questions import QUESTIONS, answer
from epss.quality.table import Table

LONGER_DAYS = (90, 365)  # the longer periods tried, in this order


@dataclass(frozen=True)
class WiderView:
    """A view that shows `shown` groups with their counts (the current one: fewer)."""

    period: Period
    task: str | None
    shown: int


def shown_groups(table: Table) -> int:
    """How many rows show a figure (a question may leave its hidden rows out)."""
    protected = [c.key for c in table.columns if c.protected]
    return sum(any(row.get(key) is not None for key in protected) for row in table.rows)


def _shown_figures(table: Table) -> int:
    protected = [c.key for c in table.columns if c.protected]
    return sum(row.get(key) is not None for row in table.rows for key in protected)


def wider_view(
    session: Session,
    question: str,
    period: Period,
    minimum: int,
    table: Table,
    *,
    today: dt.date,
    task: str | None = None,
    interval: str = "day",
) -> WiderView | None:
    """The first of these that shows more groups than `table`: all tasks in the same
    period (when a task was chosen and the question allows all), then the last 90 and 365
    days up to the same day (when longer). None when nothing shows more."""
    if not table.hidden or (table.chart or {}).get("kind") == "line":
        return None  # (a longer time series always has more days: not a wider view)
    candidates: list[tuple[Period, str | None]] = []
    if task and QUESTIONS[question].task == "optional":
        candidates.append((period, None))
    length = (period.end - period.start).days + 1
    for days in LONGER_DAYS:
        if length < days <= MAX_DAYS:
            candidates.append((Period(period.end - dt.timedelta(days=days - 1), period.end), task))
    for wider, wider_task in candidates:
        found = answer(
            session, question, wider, minimum, today=today, task=wider_task, interval=interval
        )
        more = (shown_groups(found), _shown_figures(found))
        if more > (shown_groups(table), _shown_figures(table)):
            return WiderView(wider, wider_task, shown_groups(found))
    return None
