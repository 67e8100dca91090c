"""`epss retention run`: events received before the retention period are counted into
daily rows (EventDaily), a signed checkpoint is written at the last one removed, and they
are deleted, all in one transaction. Removal is always a prefix of the chain (seq order),
so verification can start at that checkpoint."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete as sa_delete
from sqlalchemy import text
from sqlalchemy.engine import Connection

from epss.audit.chain import stored_time
from epss.audit.checkpoints import write_checkpoint
from epss.audit.head import read_events
from epss.audit.verify import verify_chain
from epss.errors import Conflict
from epss.models import Outcome, table_of
from epss.months import add_months


@dataclass(frozen=True)
class RetentionReport:
    cutoff: dt.datetime
    removed: int  # events (to be) removed
    upto_seq: int  # the last seq removed (0: none)
    days: int  # daily rows written or updated
    dry_run: bool

    def summary(self) -> str:
        when = self.cutoff.strftime("%Y-%m-%d %H:%M UTC")
        if not self.removed:
            return f"No events received before {when}; nothing to remove."
        verb = "Would remove" if self.dry_run else "Removed"
        return (
            f"{verb} {self.removed:,} event(s) received before {when} (up to seq "
            f"{self.upto_seq}), kept as {self.days:,} daily count(s)"
            + (
                " (--dry-run: nothing changed)."
                if self.dry_run
                else "; a signed checkpoint keeps the chain verifiable."
            )
        )


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter)."""
    return dt.datetime.combine(add_months(moment.date(), -months), moment.timetz())


def run_retention(
    connection: Connection, *, secret_key: str, months: int, now: dt.datetime, dry_run: bool = False
) -> RetentionReport:
    """Remove the events received more than `months` before `now` (the oldest seqs up to
    the first one received later: never a newer one), keeping daily counts per day of
    occurrence, type, app, task, version, step and team (events and distinct pseudonyms).
    The chain up to there is verified first: a broken chain is not signed (Conflict).
    Outcomes of cases older than the cutoff go too. Does not commit; running it again at
    the same moment changes nothing."""
    cutoff = months_before(now.astimezone(dt.UTC), months)
    if not dry_run:
        # What became of a case goes with the events it is set against.
        outcome = table_of(Outcome)
        connection.execute(sa_delete(outcome).where(outcome.c.occurred_at < cutoff))
    upto = _last_seq_before(connection, cutoff)
    if upto is None:
        return RetentionReport(cutoff, 0, 0, 0, dry_run)
    verdict = verify_chain(connection, secret_key=secret_key, upto=upto)
    if not verdict.ok:
        raise Conflict(f"retention refused, the chain must be intact first: {verdict.problem}")
    days = _count_days(connection, upto)
    removed = verdict.checked
    if not dry_run:
        _merge_days(connection, days)
        write_checkpoint(
            connection,
            secret_key=secret_key,
            seq=upto,
            chain_hash=verdict.last_hash,
            events=verdict.events,
            note=f"retention: events received before {cutoff.isoformat()}",
            now=now,
        )
        connection.execute(text("DELETE FROM event WHERE seq <= :upto"), {"upto": upto})
    return RetentionReport(cutoff, removed, upto, len(days), dry_run)


def _last_seq_before(connection: Connection, cutoff: dt.datetime) -> int | None:
    stored = stored_time(connection.dialect.name, cutoff)
    newer = connection.execute(
        text("SELECT seq FROM event WHERE received_at >= :cutoff ORDER BY seq LIMIT 1"),
        {"cutoff": stored},
    ).scalar()
    if newer is None:
        upto = connection.execute(text("SELECT max(seq) FROM event")).scalar()
    else:
        upto = connection.execute(
            text("SELECT max(seq) FROM event WHERE seq < :seq"), {"seq": newer}
        ).scalar()
    return upto


Key = tuple[dt.date, str, str, str | None, int | None, str | None, str | None]


def _count_days(connection: Connection, upto: int) -> dict[Key, tuple[int, int]]:
    """Events and distinct actors per day (UTC, of occurrence) and dimension."""
    events: dict[Key, int] = defaultdict(int)
    actors: dict[Key, set[str]] = defaultdict(set)
    for row in read_events(connection, 0, upto):
        moment = row[3]
        day = (
            dt.date.fromisoformat(moment[:10])
            if isinstance(moment, str)
            else moment.astimezone(dt.UTC).date()
        )
        key = (day, row[2], row[5], row[7], row[8], row[9], row[11])
        events[key] += 1
        if row[10] is not None:
            actors[key].add(row[10])
    return {key: (count, len(actors[key])) for key, count in events.items()}


def _merge_days(connection: Connection, days: dict[Key, tuple[int, int]]) -> None:
    """Add the counts to the daily rows. A day counted in two runs gets the events summed
    and the larger of the two actor counts (distinct people cannot be summed; the lower
    bound errs towards hiding a small group)."""
    columns = ("day", "type", "app", "task_slug", "task_version", "step_id", "team")
    sqlite = connection.dialect.name == "sqlite"
    existing = {}
    for day in {key[0] for key in days}:
        for row in connection.execute(
            text(
                "SELECT id, day, type, app, task_slug, task_version, step_id, team, events, "
                "actors FROM event_daily WHERE day = :day"
            ),
            {"day": day.isoformat() if sqlite else day},
        ):
            existing[(day, *row[2:8])] = (row[0], row[8], row[9])
    for key, (count, people) in days.items():
        values = dict(zip(columns, key, strict=True))
        if sqlite:
            values["day"] = key[0].isoformat()
        if key in existing:
            row_id, before, before_people = existing[key]
            connection.execute(
                text("UPDATE event_daily SET events = :events, actors = :actors WHERE id = :id"),
                {"events": before + count, "actors": max(before_people, people), "id": row_id},
            )
        else:
            connection.execute(
                text(
                    "INSERT INTO event_daily (day, type, app, task_slug, task_version, step_id, "
                    "team, events, actors) VALUES (:day, :type, :app, :task_slug, :task_version, "
                    ":step_id, :team, :events, :actors)"
                ),
                {**values, "events": count, "actors": people},
            )
