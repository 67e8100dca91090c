"""Whether this instance is ready for traffic: its database reachable, the schema at the
newest migration, its search index current. For a load balancer's health check, so it must
stay cheap under load: the checks run in a thread of their own, at most once per second
(`ttl`), one run at a time; every caller meanwhile gets the last result.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from epss import migrations
from epss.services import Services

log = logging.getLogger(__name__)

CHECKS = ("database", "migrations", "search_index")
NOT_CHECKED = "not checked: the database cannot be reached"


MAX_LAG_SECONDS = 30.0  # further behind the other instances than this: not ready


@dataclass(frozen=True)
class Report:
    problems: dict[str, str | None]  # check → what is wrong (None: fine)
    lag: float = 0.0
    at: float = field(default_factory=time.monotonic)

    @property
    def ready(self) -> bool:
        return not any(self.problems.values())

    def as_json(self) -> dict:
        checks = {
            name: ({"ok": True} if problem is None else {"ok": False, "detail": problem})
            for name, problem in self.problems.items()
        }
        body: dict = {
            "status": "ready" if self.ready else "not_ready",
            "checks": checks,
            "catch_up_lag_seconds": self.lag,
        }
        if not self.ready:
            failed = [name for name, problem in self.problems.items() if problem]
            body |= {
                "error": "not_ready",
                "detail": "; ".join(f"{name}: {self.problems[name]}" for name in failed),
            }
        return body


class Readiness:
    """The readiness of one service, checked at most once per `ttl` seconds."""

    def __init__(self, services: Services, *, ttl: float = 1.0, timeout: float = 2.0) -> None:
        self.services = services
        self.ttl = ttl
        self.timeout = timeout  # a check that takes longer counts as a failure
        self._lock = threading.Lock()
        self._last: Report | None = None
        self._running: concurrent.futures.Future[Report] | None = None
        self._lag = 0.0  # as the last check measured it

    async def report(self) -> Report:
        last = self._last
        if last is not None and time.monotonic() - last.at < self.ttl:
            return last
        with self._lock:
            if self._running is None or self._running.done():
                self._running = concurrent.futures.Future()
                threading.Thread(
                    target=self._run, args=(self._running,), daemon=True, name="epss-readiness"
                ).start()
            running = self._running
        try:
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(running)), self.timeout
            )
        except TimeoutError:
            return Report(
                {
                    "database": f"no answer within {self.timeout:g} s",
                    "migrations": NOT_CHECKED,
                    "search_index": NOT_CHECKED,
                },
                self._last.lag if self._last else 0.0,
            )

    def _run(self, future: concurrent.futures.Future[Report]) -> None:
        try:
            try:
                report = Report(self.check(), self._lag)
            except Exception as exc:  # a failed check is an answer too: not ready
                log.exception("the readiness checks failed")
                report = Report(
                    dict.fromkeys(CHECKS, f"could not be checked ({type(exc).__name__})")
                )
        except BaseException as exc:  # never leave a waiting probe hanging
            future.set_exception(exc)
            raise
        if self._last is None or self._last.ready != report.ready:
            if report.ready:
                log.info("ready")
            else:
                log.warning("not ready: %s", report.as_json()["detail"])
        self._last = report
        future.set_result(report)

    def check(self) -> dict[str, str | None]:
        """Run the checks now: check → what is wrong (None: fine)."""
        services = self.services
        problems: dict[str, str | None] = dict.fromkeys(CHECKS)
        url = services.engine.url
        if (
            url.get_backend_name() == "sqlite"
            and url.database not in (None, "", ":memory:")
            and not Path(url.database).is_file()
        ):
            # Connecting would quietly make a new, empty database file.
            return {
                "database": "the SQLite database file is missing",
                "migrations": NOT_CHECKED,
                "search_index": NOT_CHECKED,
            }
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            if not migrations.is_current(services.engine):
                return {
                    "database": None,
                    "migrations": "the schema is not at the newest "
                    "migration: run `epss db upgrade`",
                    "search_index": "not checked: the schema is not current",
                }
            lag = self._lag = services.catch_up_lag()
        except SQLAlchemyError as exc:
            if self._last is None or self._last.problems["database"] is None:
                log.warning("the database cannot be reached: %s", exc)  # once, not each second
            reason = type(getattr(exc, "orig", None) or exc).__name__
            return {
                "database": f"cannot be reached ({reason})",
                "migrations": NOT_CHECKED,
                "search_index": NOT_CHECKED,
            }
        if services.search_index.position() is None:
            problems["search_index"] = "missing or unreadable (being rebuilt)"
        elif lag > MAX_LAG_SECONDS:
            problems["search_index"] = (
                f"{lag:.0f} s behind the changes made through other instances (catching up)"
            )
        return problems
