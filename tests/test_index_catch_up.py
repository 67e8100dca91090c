"""An instance's search index against the change log (Services.refresh_search_index): an
instance that was stopped while others published applies only what it missed; one whose
missed changes were pruned from the log, or whose database was replaced, rebuilds; and a
running instance applies another's publication by itself (its change follower)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlmodel import Session

from epss.changes import log as change_log
from epss.services import Services
from epss.settings import Settings
from tests.conftest import import_shipped, publish, shipped_document

SLUG = "verhuizing-doorgeven"


def _other_instance(settings: Settings, folder: Path) -> Services:
    """The services of another instance: the same database, a data folder of its own."""
    return Services.from_settings(
        Settings(
            data_dir=folder,
            secret_key=settings.secret_key,
            database_url=settings.effective_database_url,
        )
    )


def _slugs(services: Services, text: str) -> list[str]:
    return [hit.task_slug for hit in services.search_index.search(text)]


@pytest.fixture
def two(settings: Settings, tmp_path: Path):
    first = Services.from_settings(settings)
    import_shipped(first)
    second = _other_instance(settings, tmp_path / "tweede")
    second.refresh_search_index()
    yield first, second
    first.close()
    second.close()


def test_a_stopped_instance_applies_only_what_it_missed(two, monkeypatch) -> None:
    first, second = two
    publish(first, shipped_document(SLUG, instruction="Vraag naar de zebrapadverklaring."))
    rebuilt = []
    monkeypatch.setattr(second.search_index, "rebuild", lambda *args: rebuilt.append(args))
    assert second.refresh_search_index() is False
    assert rebuilt == []
    assert _slugs(second, "zebrapadverklaring") == [SLUG]
    with Session(second.engine) as session:
        assert second.search_index.position() == change_log.newest_position(session)


def test_an_instance_whose_missed_changes_were_pruned_rebuilds(two) -> None:
    first, second = two
    publish(first, shipped_document(SLUG, instruction="Vraag naar de walvisverklaring."))
    publish(first, shipped_document(SLUG, instruction="Vraag naar de dolfijnverklaring."))
    with Session(first.engine) as session:
        later = dt.datetime.now(dt.UTC) + change_log.KEEP_FOR + dt.timedelta(days=1)
        assert change_log.prune(session, later) >= 1
        session.commit()
    assert second.refresh_search_index() is True
    assert _slugs(second, "dolfijnverklaring") == [SLUG]
    assert _slugs(second, "walvisverklaring") == []


def test_a_running_instance_follows_another_ones_publication(two) -> None:
    first, second = two
    second.start_following()
    publish(first, shipped_document(SLUG, instruction="Vraag naar de pinguinverklaring."))
    deadline = time.monotonic() + 2.0
    while _slugs(second, "pinguinverklaring") != [SLUG]:
        assert time.monotonic() < deadline, "the other instance did not follow within 2 s"
        time.sleep(0.05)
    while second.catch_up_lag() != 0.0:  # the follower moves on once the change is applied
        assert time.monotonic() < deadline + 1.0, "the follower did not move on"
        time.sleep(0.05)


def test_a_week_of_editing_without_publishing_needs_no_rebuild(two, monkeypatch) -> None:
    """Editors' presence and notices fill the change log too; once the log is pruned, an
    index still at the last publication would be further behind than the log reaches and
    be rebuilt at the next start, for nothing. The follower moves its position along."""
    first, second = two
    monkeypatch.setattr("epss.services.ADVANCE_INDEX_SECONDS", 0.2)
    second.start_following()
    for _ in range(3):
        with Session(first.engine) as session:
            change_log.record(session, change_log.NOTICE, SLUG, {"kind": "saved", "data": {}})
            session.commit()
    with Session(first.engine) as session:
        newest = change_log.newest_position(session)
    # A chore runs between the follower's rounds, which last up to 5 s while it listens.
    deadline = time.monotonic() + 15.0
    while second.search_index.position() != newest:
        assert time.monotonic() < deadline, "the index's position did not move along"
        time.sleep(0.05)
    with Session(first.engine) as session:
        later = dt.datetime.now(dt.UTC) + change_log.KEEP_FOR + dt.timedelta(days=1)
        assert change_log.prune(session, later) >= 1
        session.commit()
    assert second.refresh_search_index() is False
    assert _slugs(second, "verhuizing") and SLUG in _slugs(second, "verhuizing")
