"""The period a question covers (`from` and `to`, both days included, in UTC), and the SQL
that puts a time in its day or week on either database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, cast, func
from sqlalchemy.sql.elements import ColumnElement

from epss.errors import InvalidInput
from epss.i18n import count

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day included
    end: dt.date  # last day included

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def until(self) -> dt.datetime:
        """The moment after the period (exclusive bound)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def parse_period(start: str | None, end: str | None, *, today: dt.date) -> Period:
    """The period from the `from` and `to` parameters (YYYY-MM-DD); by default the last
    DEFAULT_DAYS days up to today. Raises InvalidInput naming the parameter at fault."""
    last = _day("to", end) if end else today
    first = _day("from", start) if start else last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput(
            "Van ({first}) ligt na tot en met ({last}).",
            params={"first": _shown(first), "last": _shown(last)},
            extra={"field": "from"},
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(
            "Een periode beslaat hooguit {most}; van {first} tot en met {last} is {days}.",
            params={
                "most": count(MAX_DAYS, "dag", "dagen"),
                "first": _shown(first),
                "last": _shown(last),
                "days": count((last - first).days + 1, "dag", "dagen"),
            },
            extra={"field": "from"},
        )
    return Period(first, last)


def _day(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            NOT_A_DAY[name], params={"value": value[:40]}, extra={"field": name}
        ) from None


NOT_A_DAY = {
    "from": "Van: '{value}' is geen datum. Schrijf de datum als jjjj-mm-dd, bijvoorbeeld "
    "2026-03-03.",
    "to": "Tot en met: '{value}' is geen datum. Schrijf de datum als jjjj-mm-dd, "
    "bijvoorbeeld 2026-03-03.",
}


def _shown(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def day_of(column: ColumnElement[Any], dialect: str) -> ColumnElement[str]:
    """The UTC day of a stored time, as text YYYY-MM-DD."""
    if dialect == "sqlite":
        return func.substr(column, 1, 10)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")


def week_of(column: ColumnElement[Any], dialect: str) -> ColumnElement[str]:
    """The Monday (UTC) of a stored time's ISO week, as text YYYY-MM-DD."""
    if dialect == "sqlite":
        return func.date(func.substr(column, 1, 10), "weekday 0", "-6 days")
    return func.to_char(func.date_trunc("week", func.timezone("UTC", column)), "YYYY-MM-DD")


def week_of_day(column: ColumnElement[Any], dialect: str) -> ColumnElement[str]:
    """The Monday of a stored date's week, as text YYYY-MM-DD."""
    if dialect == "sqlite":
        return func.date(column, "weekday 0", "-6 days")
    return func.to_char(func.date_trunc("week", cast(column, Date)), "YYYY-MM-DD")
