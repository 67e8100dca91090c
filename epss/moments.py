"""Moments as people in the Netherlands read them: Dutch time (Europe/Amsterdam), one
format everywhere. The service stores every moment in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCAL_TIME: dt.tzinfo
try:
    LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # a system without time zone data: show UTC
    LOCAL_TIME = dt.UTC


def local(value: dt.datetime) -> dt.datetime:
    """`value` in Dutch time; a moment without a time zone is UTC (SQLite gives them back
    naive)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TIME)


def moment(value: dt.datetime | None) -> str:
    """22-11-2026 10:41, in Dutch time."""
    return "" if value is None else local(value).strftime("%d-%m-%Y %H:%M")


def moment_of(iso: str) -> str:
    """`moment` of a moment written in ISO 8601."""
    return moment(dt.datetime.fromisoformat(iso))


def clock_time(value: dt.datetime) -> str:
    """10:41:05, in Dutch time: a moment later today."""
    return local(value).strftime("%H:%M:%S")


def moment_with_zone(
    value: dt.datetime | None,
    translate: Callable[[str], str] = lambda text: text,
    *,
    seconds: bool = False,
    offset: bool = False,
) -> str:
    """03-03-2026 10:42 (Nederlandse tijd), for where the moment is proof (audit, versions).
    With `seconds`: 10:42:05; with `offset` also the time of year and its distance from
    UTC: (Nederlandse tijd, wintertijd, UTC+01:00). `translate`: the page's `_`."""
    if value is None:
        return ""
    shown = local(value)
    text = shown.strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")
    zone = translate("Nederlandse tijd")
    if offset:
        summer = bool(shown.dst())
        hours = shown.strftime("%z")
        zone += (
            f", {translate('zomertijd' if summer else 'wintertijd')}, UTC{hours[:3]}:{hours[3:]}"
        )
    return f"{text} ({zone})"
