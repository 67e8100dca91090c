"""Moments on the pages: stored in UTC, shown in Dutch time, whatever the server's clock."""

from __future__ import annotations

import datetime as dt
import time

from epss.moments import LOCAL_TIME, moment, moment_of


def test_a_stored_moment_without_time_zone_is_read_as_utc(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")  # a server clock that is not UTC
    time.tzset()
    try:
        utc = dt.datetime(2026, 11, 22, 13, 0, tzinfo=dt.UTC)
        shown = utc.astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M")
        assert moment(utc.replace(tzinfo=None)) == moment(utc) == shown
        assert moment_of("2026-11-22T13:00:00") == moment_of("2026-11-22T13:00:00+00:00") == shown
        if LOCAL_TIME is not dt.UTC:
            assert shown == "22-11-2026 14:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_no_moment_shows_nothing() -> None:
    assert moment(None) == ""
