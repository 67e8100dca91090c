"""Rate limit for logging in: failed attempts per account name and per client address.
Counted in memory, per process (a restart forgets them; so do other processes)."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginLimiter:
    def __init__(self, per_name_per_minute: int):
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_name = RateLimitItemPerMinute(per_name_per_minute)
        self._per_address = RateLimitItemPerMinute(per_name_per_minute * 10)

    def allows(self, name: str, address: str) -> bool:
        return (self._limiter.test(self._per_name, "name", name.lower())
                and self._limiter.test(self._per_address, "address", address))

    def failed(self, name: str, address: str) -> None:
        self._limiter.hit(self._per_name, "name", name.lower())
        self._limiter.hit(self._per_address, "address", address)
