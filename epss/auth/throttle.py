"""Login throttling that does not lock the owner out: failed logins are counted per
account name *and* client address together, so a stranger typing wrong passwords from
another machine delays only themselves. After the free attempts each failure doubles the
wait (up to MAX_WAIT); a success clears the count. Counts live in the database, so every
instance shares them, and an attempt holds its count's row until it is decided, so
attempts sent in parallel are counted one after the other. Functions take a Session and
never commit.

There is deliberately no limit per address alone: many desks share one address (NAT, a
terminal server), and one person's typing must not lock out the whole office. Many failed
logins from one address show in the metrics (epss_login_failures_total)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlmodel import Session, col, delete, select

from epss.models import LoginThrottle

FIRST_WAIT = dt.timedelta(seconds=30)
MAX_WAIT = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=24)  # failures older than this no longer count


class Throttle:
    """After `free` failed attempts of a name from an address, each next attempt waits.
    `clock` gives the current moment (a test sets it)."""

    def __init__(
        self,
        secret: str,
        free: int,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ):
        self.secret = secret
        self.free = free
        self.clock = clock

    def _key(self, name: str, address: str) -> str:
        """A keyed hash, so the table holds no names or addresses."""
        message = f"{name.strip().lower()}\x1f{address}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def hold(
        self, session: Session, name: str, address: str, now: dt.datetime
    ) -> dt.datetime | None:
        """Start an attempt: take this name and address's count for the rest of the
        transaction, and say until when the attempt must wait, if it must."""
        key = self._key(name, address)
        row: LoginThrottle | None
        if session.get_bind().dialect.name == "postgresql":
            session.exec(
                postgres_insert(LoginThrottle)
                .values(key=key, failures=0, last_failure_at=now)
                .on_conflict_do_nothing()
            )
            row = session.exec(
                select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
            ).one()
        else:  # SQLite has one writer: take its write lock now
            session.execute(text("UPDATE login_throttle SET failures = failures WHERE 1 = 0"))
            row = session.get(LoginThrottle, key)
        if row and row.blocked_until and _aware(row.blocked_until) > now:
            return _aware(row.blocked_until)
        return None

    def failed(
        self, session: Session, name: str, address: str, now: dt.datetime
    ) -> dt.datetime | None:
        """Count a failed attempt (after `hold`); returns until when the next one must
        wait, if it must."""
        key = self._key(name, address)
        row = session.get(LoginThrottle, key)
        if row is None or now - _aware(row.last_failure_at) > FORGET_AFTER:
            row = row or LoginThrottle(key=key, last_failure_at=now)
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        over = row.failures - self.free
        row.blocked_until = (
            now + min(MAX_WAIT, FIRST_WAIT * 2 ** min(over, 20)) if over >= 0 else None
        )
        session.add(row)
        return row.blocked_until

    def succeeded(self, session: Session, name: str, address: str, now: dt.datetime) -> None:
        """The person got in: the count starts afresh (and old counts are forgotten)."""
        session.exec(
            delete(LoginThrottle).where(col(LoginThrottle.key) == self._key(name, address))
        )
        session.exec(
            delete(LoginThrottle).where(col(LoginThrottle.last_failure_at) < now - FORGET_AFTER)
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
