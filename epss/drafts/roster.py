"""Who has which task open in an editor, across every instance of the service: a row per
person, task and instance, which that instance's heartbeat keeps fresh. The rows of an
instance that died without leaving go stale and stop counting after FRESH_FOR.

Arriving and leaving are recorded in the change log, so every instance tells its own
editors at once (see epss.changes)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from epss.changes import log as change_log
from epss.db import unit_of_work
from epss.models import EditorPresence

HEARTBEAT_SECONDS = 15.0
FRESH_FOR = dt.timedelta(seconds=3 * HEARTBEAT_SECONDS)


class Roster:
    def __init__(
        self,
        engine: Engine,
        *,
        instance: str | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.engine = engine
        self.instance = instance or uuid.uuid4().hex[:16]
        self._now = now

    def arrive(self, slug: str, name: str) -> None:
        with unit_of_work(self.engine) as session:
            session.merge(
                EditorPresence(instance=self.instance, slug=slug, name=name, seen_at=self._now())
            )
            change_log.record(session, change_log.PRESENCE, slug)

    def leave(self, slug: str, name: str) -> None:
        with unit_of_work(self.engine) as session:
            session.exec(
                delete(EditorPresence).where(
                    col(EditorPresence.instance) == self.instance,
                    col(EditorPresence.slug) == slug,
                    col(EditorPresence.name) == name,
                )
            )
            change_log.record(session, change_log.PRESENCE, slug)

    def names(self, slug: str) -> list[str]:
        """Who has the task open on any instance, sorted."""
        with Session(self.engine) as session:
            return sorted(
                set(
                    session.exec(
                        select(EditorPresence.name).where(
                            EditorPresence.slug == slug,
                            EditorPresence.seen_at > self._now() - FRESH_FOR,
                        )
                    ).all()
                )
            )

    def keep_fresh(self, here: Iterable[tuple[str, str]]) -> None:
        """The heartbeat: this instance's (slug, name) pairs are still here. Rows lost
        meanwhile (a restored database) come back."""
        now = self._now()
        with unit_of_work(self.engine) as session:
            mine = col(EditorPresence.instance) == self.instance
            session.exec(update(EditorPresence).where(mine).values(seen_at=now))
            known = set(
                session.exec(select(EditorPresence.slug, EditorPresence.name).where(mine)).all()
            )
            for slug, name in set(here) - known:
                session.add(
                    EditorPresence(instance=self.instance, slug=slug, name=name, seen_at=now)
                )
                change_log.record(session, change_log.PRESENCE, slug)

    def leave_all(self) -> None:
        """This instance stops (its editors' streams have ended)."""
        with unit_of_work(self.engine) as session:
            slugs = set(
                session.exec(
                    select(EditorPresence.slug).where(EditorPresence.instance == self.instance)
                ).all()
            )
            session.exec(
                delete(EditorPresence).where(col(EditorPresence.instance) == self.instance)
            )
            for slug in slugs:
                change_log.record(session, change_log.PRESENCE, slug)
