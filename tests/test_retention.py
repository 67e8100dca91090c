"""`epss retention run`: old event detail removed, daily counts kept, and the chain still
verifies (and still detects tampering) afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from epss.audit.retention import months_before, run_retention
from epss.cli import app as cli
from epss.errors import Conflict
from epss.models import Outcome
from epss.services import Services
from epss.settings import Settings
from tests.audit_support import NOW, attack, event, verdict, write, write_many

OLD = NOW - dt.timedelta(days=430)  # older than 12 months
OLDER = NOW - dt.timedelta(days=500)
RECENT = NOW - dt.timedelta(days=30)


def retention(services: Services, now: dt.datetime = NOW, dry_run: bool = False):
    with services.engine.begin() as connection:
        return run_retention(
            connection,
            secret_key=services.settings.secret_key,
            months=services.settings.retention_months,
            now=now,
            dry_run=dry_run,
        )


def snapshot(services: Services) -> dict[str, list]:
    with services.engine.connect() as connection:
        return {
            table: [
                tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
            ]
            for table in ("event", "event_daily", "audit_checkpoint")
        }


def daily(services: Services) -> list[tuple]:
    with services.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT day, type, step_id, team, events, actors FROM event_daily "
                "ORDER BY day, type, step_id"
            )
        )
        return [(str(r[0])[:10], *r[1:]) for r in rows]


@pytest.fixture
def history(services: Services) -> None:
    """Events received 500 and 430 days ago (to be removed) and 30 days ago (kept)."""
    old_day = OLDER.strftime("%Y-%m-%dT09:00:00+00:00")
    write(
        services,
        *(event(user=f"user{n % 3}", occurred_at=old_day) for n in range(6)),
        event(
            type="search",
            occurred_at=old_day,
            step_id=None,
            user="user9",
            details={"query": "paspoort", "results": 0},
        ),
        received_at=OLDER,
    )
    write(
        services,
        *(event(user=f"user{n}", occurred_at=OLD.isoformat()) for n in range(2)),
        received_at=OLD,
    )
    write_many(services, 5, received_at=RECENT, occurred_at=RECENT.isoformat())


def test_months_before_keeps_the_day_within_the_month() -> None:
    assert months_before(dt.datetime(2026, 3, 31, 8, tzinfo=dt.UTC), 1) == dt.datetime(
        2026, 2, 28, 8, tzinfo=dt.UTC
    )
    assert months_before(NOW, 12) == NOW.replace(year=2025)
    assert months_before(dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 13) == dt.datetime(
        2024, 12, 15, tzinfo=dt.UTC
    )


def test_old_events_become_daily_counts_and_the_chain_still_verifies(
    services: Services, history: None
) -> None:
    report = retention(services)
    assert (report.removed, report.upto_seq, report.days) == (9, 9, 3)
    assert "Removed 9 event(s) received before 2025-11-23 10:00 UTC" in report.summary()
    old, older = OLD.date().isoformat(), OLDER.date().isoformat()
    assert daily(services) == [
        (older, "search", None, "Burgerzaken balie", 1, 1),
        (older, "step_checked", "identiteit", "Burgerzaken balie", 6, 3),
        (old, "step_checked", "identiteit", "Burgerzaken balie", 2, 2),
    ]
    with services.engine.connect() as connection:
        assert connection.execute(text("SELECT min(seq), count(*) FROM event")).one() == (10, 5)
        assert connection.execute(text("SELECT seq, events FROM audit_checkpoint")).all() == [
            (9, 9)
        ]
    result = verdict(services)
    assert result.ok, result.problem
    assert (result.checked, result.events, result.last_seq) == (5, 14, 14)


def test_after_retention_tampering_is_still_detected(services: Services, history: None) -> None:
    retention(services)
    attack(services, "UPDATE event SET team = 'Anders' WHERE seq = 12")
    assert verdict(services).seq == 12


def test_after_retention_removing_the_first_kept_event_is_detected(
    services: Services, history: None
) -> None:
    retention(services)
    attack(services, "DELETE FROM event WHERE seq = 10")
    result = verdict(services)
    assert result.seq == 11 and "removed" in result.problem


def test_after_retention_a_removed_or_forged_checkpoint_is_detected(
    services: Services, history: None
) -> None:
    retention(services)
    before = snapshot(services)["audit_checkpoint"]
    attack(services, "DELETE FROM audit_checkpoint")
    assert verdict(services).seq == 10  # now it would have to link to the genesis
    attack(
        services,
        "INSERT INTO audit_checkpoint (seq, chain_hash, events, created_at, "
        "signature, note) VALUES (:seq, :hash, :events, :at, :sig, 'forged')",
        seq=before[0][0],
        hash=before[0][1],
        events=before[0][2],
        at=before[0][3],
        sig="0" * 64,
    )
    assert "wrong signature" in verdict(services).problem


def test_running_it_twice_changes_nothing_the_second_time(
    services: Services, history: None
) -> None:
    retention(services)
    after_first = snapshot(services)
    report = retention(services)
    assert report.removed == 0 and "nothing to remove" in report.summary()
    assert snapshot(services) == after_first


def test_a_dry_run_changes_nothing(services: Services, history: None) -> None:
    before = snapshot(services)
    report = retention(services, dry_run=True)
    assert (report.removed, report.days) == (9, 3)
    assert "Would remove 9 event(s)" in report.summary()
    assert snapshot(services) == before


def test_later_runs_add_up_and_new_events_chain_on(services: Services, history: None) -> None:
    retention(services, now=NOW - dt.timedelta(days=100))  # only the oldest batch
    assert [row[4] for row in daily(services)] == [1, 6]
    write(services, event(), received_at=NOW)
    retention(services)
    assert [row[4] for row in daily(services)] == [1, 6, 2]
    result = verdict(services)
    assert result.ok and (result.checked, result.events) == (6, 15)


def test_removing_everything_keeps_the_chain_going(services: Services, history: None) -> None:
    retention(services, now=NOW + dt.timedelta(days=400))
    assert verdict(services).ok
    write(services, event(), received_at=NOW + dt.timedelta(days=400))
    result = verdict(services)
    assert result.ok and (result.checked, result.events, result.last_seq) == (1, 15, 15)


def test_a_broken_chain_is_not_signed_away(services: Services, history: None) -> None:
    attack(services, "UPDATE event SET team = 'Anders' WHERE seq = 2")
    before = snapshot(services)
    with pytest.raises(Conflict, match="event seq 2"):
        retention(services)
    assert snapshot(services) == before


def test_the_command_with_dry_run_then_for_real(
    services: Services, history: None, env: Settings
) -> None:
    runner = CliRunner()
    now = ["--now", "2026-11-23T10:00:00"]
    result = runner.invoke(cli, ["retention", "run", "--dry-run", *now])
    assert result.exit_code == 0, result.output
    assert "Would remove 9 event(s)" in result.output
    result = runner.invoke(cli, ["retention", "run", *now])
    assert result.exit_code == 0, result.output
    assert "Removed 9 event(s)" in result.output and "signed checkpoint" in result.output
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    attack(services, "UPDATE event SET seq = 99 WHERE seq = 14")
    result = runner.invoke(cli, ["retention", "run", *now])
    assert result.exit_code == 0 and "nothing to remove" in result.output
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1 and "event seq 99" in result.output


def test_outcomes_of_cases_go_with_the_events_they_are_set_against(services: Services) -> None:
    """What became of a case older than the retention period is removed too; a recent one
    stays (and a dry run removes nothing)."""
    with Session(services.engine) as session:
        for name, when in (("old", OLDER), ("recent", RECENT)):
            session.add(
                Outcome(
                    id=name,
                    app="zaken",
                    task_slug="t",
                    case_ref="h",
                    kind="afgerond",
                    occurred_at=when,
                    received_at=when,
                )
            )
        session.commit()

    def kept() -> list[str]:
        with Session(services.engine) as session:
            return sorted(o.id for o in session.exec(select(Outcome)))

    retention(services, dry_run=True)
    assert kept() == ["old", "recent"]
    retention(services)
    assert kept() == ["recent"]
