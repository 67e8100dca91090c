"""Moments as the service keeps and gives them: in UTC, and always with their offset.

SQLite gives stored moments back without a time zone (PostgreSQL with one); every moment
the service stores is UTC, so a moment without a zone is read as UTC here. The API writes
moments as ISO 8601 with the offset (`iso`); the pages show them in Dutch time
(`epss.moments`).
"""

from __future__ import annotations

import datetime as dt
from typing import overload


def utc_now() -> dt.datetime:
    """The present, in UTC: a service's clock (`Services.clock`) unless a test sets another."""
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    """The moment with a time zone: one without is UTC (as the database stored it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@overload
def iso(moment: dt.datetime, timespec: str = "auto") -> str: ...
@overload
def iso(moment: None, timespec: str = "auto") -> None: ...
@overload
def iso(moment: dt.datetime | None, timespec: str = "auto") -> str | None: ...
def iso(moment: dt.datetime | None, timespec: str = "auto") -> str | None:
    """ISO 8601 with the offset: 2026-03-03T09:42:00+00:00 (None stays None)."""
    return None if moment is None else aware(moment).isoformat(timespec=timespec)
