"""The change log that keeps instances in step (epss.changes): written at commit and never
for a rollback, applied in this process right after the commit, followed by other
processes in commit order (on PostgreSQL also when transactions commit out of the order
they began in), retried when applying fails, and pruned after a week."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.app import create_app
from epss.changes import log as change_log
from epss.changes.follower import AFTER_COMMIT_WAIT, Follower
from epss.db import attempt, make_engine, unit_of_work
from epss.models import CatalogChange
from tests.conftest import within


class Applied:
    """What a follower applied, in order: (kind, subject)."""

    def __init__(self, fail_times: int = 0) -> None:
        self.items: list[tuple[str, str]] = []
        self.fail_times = fail_times
        self.arrived = threading.Event()

    def __call__(self, changes: list[CatalogChange]) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("the index is busy")
        self.items += [(c.kind, c.subject) for c in changes]
        self.arrived.set()


def _record(engine, *subjects: str, commit: bool = True) -> None:
    with Session(engine) as session:
        for subject in subjects:
            change_log.record(session, change_log.TASK, subject)
        session.exec(select(1)).one()
        if commit:
            session.commit()
        else:
            session.rollback()


def test_a_commit_is_applied_at_once_and_a_rollback_never(settings) -> None:
    engine = make_engine(settings)
    applied = Applied()
    follower = Follower(engine, applied, 0)
    follower.start()
    try:
        _record(engine, "rolled-back", commit=False)
        _record(engine, "eerste", "tweede")
        # Applied by the committing thread itself, before commit() returned.
        assert applied.items == [("task", "eerste"), ("task", "tweede")]
        with Session(engine) as session:
            assert [c.subject for c in session.exec(select(CatalogChange)).all()] == [
                "eerste",
                "tweede",
            ]
    finally:
        follower.stop()
        engine.dispose()


def test_a_change_in_an_attempt_is_applied_when_the_request_commits(settings) -> None:
    """A page's change runs in `attempt` (a savepoint): its release is no commit, so the
    change is neither written nor applied then; it is once the request's session commits,
    before that commit returns, and what a refused attempt recorded never is."""
    engine = make_engine(settings)
    applied = Applied()
    follower = Follower(engine, applied, 0)
    follower.start()
    try:
        with unit_of_work(engine) as session:
            with attempt(session):
                change_log.record(session, change_log.HOST_APP, "aangenomen")
            with pytest.raises(RuntimeError), attempt(session):
                change_log.record(session, change_log.HOST_APP, "geweigerd")
                raise RuntimeError("refused")
            assert applied.items == []
        assert applied.items == [("host_app", "aangenomen")]
    finally:
        follower.stop()
        engine.dispose()


def test_another_process_follows_within_seconds(settings) -> None:
    """Two engines are two instances: the second learns of the first's change by
    LISTEN/NOTIFY on PostgreSQL, by polling on SQLite."""
    here, there = make_engine(settings), make_engine(settings)
    applied = Applied()
    follower = Follower(there, applied, 0)
    follower.start()
    try:
        _record(here, "elders")
        assert applied.arrived.wait(2.0), "the other instance did not follow within 2 s"
        assert applied.items == [("task", "elders")]
        assert follower.lag() == 0.0
    finally:
        follower.stop()
        here.dispose()
        there.dispose()


def test_a_failed_application_is_retried_and_never_breaks_the_commit(settings) -> None:
    engine = make_engine(settings)
    applied = Applied(fail_times=1)
    follower = Follower(engine, applied, 0)
    follower.start()
    try:
        _record(engine, "taak")  # applying fails: the commit stands
        with Session(engine) as session:
            assert session.exec(select(CatalogChange.subject)).all() == ["taak"]
        assert applied.fail_times == 0  # it was tried, and failed
        assert within(5, lambda: follower.position > 0)  # the next round applied it, once
        assert applied.items == [("task", "taak")]
    finally:
        follower.stop()
        engine.dispose()


def test_the_log_keeps_a_week_and_always_the_newest(settings) -> None:
    engine = make_engine(settings)
    now = dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)
    with Session(engine) as session:
        for subject, days in (("oud", 9), ("ouder", 8), ("nieuw", 6)):
            session.add(
                CatalogChange(kind="task", subject=subject, at=now - dt.timedelta(days=days))
            )
        session.commit()
        assert change_log.prune(session, now) == 2
        session.commit()
        assert session.exec(select(CatalogChange.subject)).all() == ["nieuw"]
        # A quiet month later, the newest stays: it is the position indexes compare with.
        assert change_log.prune(session, now + dt.timedelta(days=30)) == 0
        session.commit()
        assert session.exec(select(CatalogChange.subject)).all() == ["nieuw"]
    engine.dispose()


def test_on_postgresql_ids_become_visible_in_commit_order(settings) -> None:
    """A transaction that records a change while another is still committing its own gets
    the higher id and becomes visible after it: a follower that has read id N never
    finds a lower id appearing later."""
    if not settings.effective_database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    engine = make_engine(settings)
    try:
        first = Session(engine)
        # The first is in the middle of its commit: it holds the log's lock and has
        # written its row, but has not committed yet.
        first.connection().execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": change_log._LOCK_KEY}
        )
        first.add(CatalogChange(kind="task", subject="eerste"))
        first.flush()
        second_done = threading.Event()

        def second() -> None:
            _record(engine, "tweede")
            second_done.set()

        threading.Thread(target=second, daemon=True).start()
        assert not second_done.wait(0.5), "the second committed past the first's lock"
        with Session(engine) as reader:
            assert reader.exec(select(CatalogChange)).all() == []
        first.commit()
        first.close()
        assert second_done.wait(5)
        with Session(engine) as reader:
            rows = reader.exec(select(CatalogChange).order_by(CatalogChange.id)).all()
            assert [r.subject for r in rows] == ["eerste", "tweede"]
    finally:
        engine.dispose()


def test_a_slow_application_delays_a_commit_only_a_bounded_time(settings, monkeypatch) -> None:
    """While the follower is busy (an index rebuild holding the writer), a commit returns
    after AFTER_COMMIT_WAIT with its change still to be applied, and it is applied once
    the follower is free."""
    monkeypatch.setattr("epss.changes.follower.AFTER_COMMIT_WAIT", 0.3)
    engine = make_engine(settings)
    busy = threading.Event()
    applied = Applied()

    def slow(changes: list[CatalogChange]) -> None:
        busy.wait(30)
        applied(changes)

    follower = Follower(engine, slow, 0)
    follower.start()
    try:
        began = time.monotonic()
        _record(engine, "traag")  # returns although the follower is still busy with it
        assert time.monotonic() - began < AFTER_COMMIT_WAIT + 1.0
        assert applied.items == []
        busy.set()
        assert within(5, lambda: applied.items == [("task", "traag")])
    finally:
        busy.set()
        follower.stop()
        engine.dispose()


def test_an_app_started_twice_is_refused_instead_of_leaving_a_follower_behind(
    sqlite_settings,
) -> None:
    """Entering an app's lifespan again (a second TestClient `with` the same app) would
    start a second follower, and closing would stop only one of them."""

    def followers() -> int:
        return sum(t.name == "epss-follower" for t in threading.enumerate())

    app, before = create_app(sqlite_settings), followers()
    with TestClient(app):
        with (
            pytest.raises(RuntimeError, match="already follows the change log"),
            TestClient(app),
        ):
            pass
        assert followers() == before + 1
    assert followers() == before
