"""Audit benchmark: `epss audit verify` over a million events in SQLite.

    python -m bench.audit [--events 1000000] [--batch 5000] [--seed 7]

What it does, in a temporary data folder:

1. Migrates a fresh SQLite database and bulk-inserts `--events` events (sqlite3
   executemany, one transaction) with correct chain hashes, computed as the writer does.
2. Times the function behind `epss audit verify` (epss.audit.verify_chain) over them, and
   checks that it finds the chain intact.
3. Baseline from the same run: a plain sequential read of the same rows and columns in seq
   order, with the same batches (what reading alone costs), without hashing.
4. Changes one row in the middle and checks that verification names it.

It prints one table: figure, baseline, ratio, budget, OK/OVER.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sqlite3
import tempfile
import time
import uuid
import warnings
from pathlib import Path

from sqlalchemy import text

from bench.core import Row, print_table
from epss.audit import canonical, link, verify_chain
from epss.audit.chain import GENESIS
from epss.audit.head import read_events
from epss.events import pseudonym
from epss.migrations import upgrade
from epss.services import Services
from epss.settings import Settings

warnings.filterwarnings("ignore", category=DeprecationWarning)

VERIFY_S = 60.0  # the budget of the issue, for 1 million events
SECRET = "bench"
TYPES = ["task_viewed", "step_viewed", "step_checked", "search", "step_deviated"]
TASKS = [
    "reisdocument-aanvragen",
    "rijbewijs-aanvragen",
    "verhuizing-doorgeven",
    "uittreksel-brp",
    "naamgebruik-wijzigen",
]
STEPS = ["identiteit", "pasfoto", "handtekening", "leges", "controle", "afronden"]
COLUMNS = (
    "seq, id, type, occurred_at, received_at, app, url, task_slug, task_version, "
    "step_id, actor, team, details, case_ref, chain_hash"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000, help="events read at a time")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def fill(path: Path, count: int, rng: random.Random) -> None:
    """Insert `count` chained events in one transaction, as the writer would hash them."""
    users = [pseudonym(SECRET, f"user{n}") for n in range(300)]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    previous = GENESIS
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    sql = f"INSERT INTO event ({COLUMNS}) VALUES ({', '.join('?' * 15)})"
    rows: list[tuple] = []
    for seq in range(1, count + 1):
        moment = start + dt.timedelta(seconds=seq * 3)
        kind = rng.choice(TYPES)
        details = (
            f'{{"query":"paspoort kwijt","results":{rng.randrange(4)}}}'
            if kind == "search"
            else '{"reason":"klant heeft haast"}'
            if kind == "step_deviated"
            else "{}"
        )
        when = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        row = (
            seq,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            kind,
            when,
            when,
            "zaaksysteem",
            "https://zaken.gemeente.example/zaak/*****",
            rng.choice(TASKS),
            rng.randrange(1, 4),
            rng.choice(STEPS),
            rng.choice(users),
            f"Team {rng.randrange(8)}",
            details,
            None,
        )
        previous = link(previous, canonical(row))
        rows.append((*row, previous))
        if len(rows) == 50_000:
            connection.executemany(sql, rows)
            rows = []
    if rows:
        connection.executemany(sql, rows)
    connection.commit()
    connection.close()


def plain_read(services: Services, batch: int) -> tuple[float, int]:
    """Seconds to read every row in seq order with the same batched queries, no hashing."""
    started = time.perf_counter()
    with services.engine.connect() as connection:
        rows = sum(1 for _ in read_events(connection, 0, None, batch))
    return time.perf_counter() - started, rows


def main() -> None:
    args = parse_args()
    print(
        f"machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    with tempfile.TemporaryDirectory(prefix="epss-bench-audit-") as folder:
        data_dir = Path(folder)
        services = Services.from_settings(Settings(data_dir=data_dir, secret_key=SECRET))
        try:
            upgrade(services.engine)
            started = time.perf_counter()
            fill(data_dir / "epss.sqlite3", args.events, random.Random(args.seed))
            print(
                f"inserted {args.events:,} chained events in {time.perf_counter() - started:.1f} s"
            )
            read_s, read_rows = plain_read(services, args.batch)
            with services.engine.connect() as connection:
                verdict = verify_chain(connection, secret_key=SECRET, batch=args.batch)
            print(verdict.summary())
            if not verdict.ok or verdict.checked != args.events or read_rows != args.events:
                raise SystemExit("verification did not check every event as intact")
            middle = args.events // 2
            with services.engine.begin() as connection:
                connection.execute(
                    text("UPDATE event SET team = 'x' WHERE seq = :s"), {"s": middle}
                )
            with services.engine.connect() as connection:
                broken = verify_chain(connection, secret_key=SECRET, batch=args.batch)
            print(broken.summary())
            if broken.seq != middle:
                raise SystemExit("verification did not name the changed event")
        finally:
            services.close()
    budget = VERIFY_S * args.events / 1_000_000
    print()
    print_table(
        [
            Row(f"epss audit verify, {args.events:,} events", verdict.seconds, "s", read_s, budget),
            Row(
                "  per event", verdict.seconds / args.events * 1e6, "µs", read_s / args.events * 1e6
            ),
        ],
        {
            "verify": "a plain sequential read of the same rows in seq order, same batches, "
            "no hashing",
        },
    )


if __name__ == "__main__":
    main()
