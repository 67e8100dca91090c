"""Login throttling that does not lock the owner out: failed logins are counted per
account name *and* client address together, so a stranger typing wrong passwords from
another machine delays only themselves. Each failure over the free attempts doubles the
wait (up to MAX_WAIT); a success clears the count. A client address that fails for many
names is slowed down the same way. Counts live in the database, so every instance shares
them. Functions take a Session and never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable

from sqlmodel import Session, delete

from epss.models import LoginThrottle

FIRST_WAIT = dt.timedelta(seconds=30)
MAX_WAIT = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=24)  # failures older than this no longer count
ADDRESS_FACTOR = 10  # an address may fail this many times more often, over all names


def _key(secret: str, *parts: str) -> str:
    """A keyed hash, so the table holds no names or addresses."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


class Throttle:
    """After `free` failed attempts of a name from an address, each next attempt waits.
    `clock` gives the current moment (a test sets it)."""

    def __init__(self, secret: str, free: int,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)):
        self.secret = secret
        self.free = free
        self.clock = clock

    def _keys(self, name: str, address: str) -> list[tuple[str, int]]:
        return [(_key(self.secret, "pair", name.strip().lower(), address), self.free),
                (_key(self.secret, "address", address), self.free * ADDRESS_FACTOR)]

    def blocked_until(self, session: Session, name: str, address: str,
                      now: dt.datetime) -> dt.datetime | None:
        """When this name may try again from this address, if not now."""
        waits = []
        for key, _free in self._keys(name, address):
            row = session.get(LoginThrottle, key)
            if row and row.blocked_until and _aware(row.blocked_until) > now:
                waits.append(_aware(row.blocked_until))
        return max(waits) if waits else None

    def failed(self, session: Session, name: str, address: str,
               now: dt.datetime) -> dt.datetime | None:
        """Count a failed login; returns until when the next try must wait, if it must."""
        waits = []
        for key, free in self._keys(name, address):
            row = session.get(LoginThrottle, key)
            if row is None or now - _aware(row.last_failure_at) > FORGET_AFTER:
                row = row or LoginThrottle(key=key, last_failure_at=now)
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            over = row.failures - free
            if over >= 0:
                wait = min(MAX_WAIT, FIRST_WAIT * 2 ** min(over, 20))
                row.blocked_until = now + wait
                waits.append(row.blocked_until)
            session.add(row)
        return max(waits) if waits else None

    def succeeded(self, session: Session, name: str, address: str,
                  now: dt.datetime) -> None:
        """The person got in: their own count starts afresh (the address's stays)."""
        key = self._keys(name, address)[0][0]
        session.exec(delete(LoginThrottle).where(LoginThrottle.key == key))
        session.exec(delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - FORGET_AFTER))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
