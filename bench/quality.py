"""Dashboard benchmark: the quality officer's questions over a million events in SQLite.

    python -m bench.quality [--events 1000000] [--runs 20] [--seed 7]

What it does, in a temporary data folder (SQLite):

1. Migrates a fresh database, imports the shipped tasks, and bulk-inserts `--events` events
   (sqlite3 executemany, one transaction) spread over the last 365 days: 600 people in 12
   teams, every shipped task and its steps, searches with their query and results,
   deviations with a reason, in the proportions the overlay produces them.
2. Answers every question (the domain functions the API and pages call, no HTTP) `--runs`
   times for the last 30 days and for the whole year: p50 and p95 of each.
3. Baseline from the same run: a plain `SELECT COUNT(*) FROM event` (p95), so the ratio says
   how many full-table counts a question costs.

It prints one table: figure, baseline, ratio, budget (p95 ≤ 300 ms), OK/OVER.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sqlite3
import tempfile
import time
import uuid
import warnings
from pathlib import Path

from sqlmodel import Session

from bench.core import Latency, Row, print_table
from epss.catalog import import_documents
from epss.db import unit_of_work
from epss.migrations import upgrade
from epss.quality import QUESTIONS, Period, answer
from epss.resources import shipped
from epss.services import Services
from epss.settings import Settings
from epss.taskfile import load_paths

warnings.filterwarnings("ignore", category=DeprecationWarning)

BUDGET_MS = 300.0
TYPES = [
    ("step_viewed", 40),
    ("step_checked", 30),
    ("task_viewed", 10),
    ("panel_opened", 8),
    ("search", 6),
    ("step_deviated", 3),
    ("step_unchecked", 2),
    ("highlight_missing", 1),
]
QUERIES = [
    "naamskeuze buitenland",
    "bsn kind",
    "vingerafdruk mislukt",
    "spoedaanvraag",
    "paspoort kwijt",
    "verhuizing buitenland",
    "erkenning ongeboren vrucht",
    "rijbewijs verlopen",
    "id-desk",
    "gezag",
]


def rows(count: int, seed: int, tasks: dict[str, list[str]], today: dt.date):
    rng = random.Random(seed)
    people = [hashlib.sha256(f"p{n}".encode()).hexdigest() for n in range(600)]
    teams = [f"Team {n}" for n in range(12)]
    kinds = [t for t, weight in TYPES for _ in range(weight)]
    slugs = list(tasks)
    start = dt.datetime.combine(today - dt.timedelta(days=365), dt.time(), tzinfo=dt.UTC)
    received = (start + dt.timedelta(days=366)).strftime("%Y-%m-%d %H:%M:%S.%f")
    for n in range(count):
        kind = rng.choice(kinds)
        person = rng.randrange(600)
        moment = start + dt.timedelta(seconds=365 * 86400 * n / count)
        slug = rng.choice(slugs)
        step = rng.choice(tasks[slug]) if kind.startswith("step") else None
        details = {}
        if kind == "search":
            details = {"query": rng.choice(QUERIES), "results": rng.choice([0, 0, 1, 2, 5, 9])}
            slug = None
        elif kind == "step_deviated":
            details = {"reason": rng.choice(["Klant had haast", "Systeem traag", "Uitzondering"])}
        yield (
            str(uuid.UUID(int=rng.getrandbits(128))),
            kind,
            moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
            received,
            "bench-zaaksysteem",
            "https://zaken.example/zaak/*****",
            slug,
            1 if slug else None,
            step,
            people[person],
            teams[person % 12],
            json.dumps(details),
        )


def fill(path: Path, count: int, seed: int, tasks: dict[str, list[str]], today: dt.date) -> float:
    connection = sqlite3.connect(path)
    began = time.perf_counter()
    connection.execute("PRAGMA synchronous=OFF")
    connection.executemany(
        "INSERT INTO event (id, type, occurred_at, received_at, app, url, task_slug, "
        "task_version, step_id, actor, team, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows(count, seed, tasks, today),
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return time.perf_counter() - began


def timed(call, runs: int) -> Latency:
    call()  # warm-up, not counted
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return Latency.of(times)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="epss-bench-quality-") as folder:
        settings = Settings(data_dir=Path(folder), secret_key="bench")
        services = Services.from_settings(settings)
        upgrade(services.engine)
        documents = [t.document for t in load_paths([shipped("tasks")])]
        with unit_of_work(services.engine) as session:
            import_documents(session, documents, by="bench")
        tasks = {d.slug: [s.id for s in d.steps] for d in documents}
        seconds = fill(Path(folder) / "epss.sqlite3", args.events, args.seed, tasks, today)
        print(f"inserted {args.events:,} events in {seconds:.1f} s")
        table: list[Row] = []
        with Session(services.engine) as session:
            raw = session.connection().exec_driver_sql
            baseline = timed(lambda: raw("SELECT COUNT(*) FROM event").scalar(), args.runs)
            table.append(Row("COUNT(*) over all events (baseline)", baseline.p95, "ms"))
            for label, days in (("30 days", 30), ("365 days", 365)):
                period = Period(today - dt.timedelta(days=days - 1), today)
                for question in QUESTIONS.values():
                    task = "reisdocument-aanvragen" if question.task == "required" else None

                    def ask(question=question, period=period, task=task):
                        return answer(
                            session,
                            question.slug,
                            period,
                            5,
                            today=today,
                            task=task,
                            interval="day",
                        )

                    latency = timed(ask, args.runs)
                    table.append(
                        Row(
                            f"{question.slug}, {label}: p95 (p50 {latency.p50:.0f} ms)",
                            latency.p95,
                            "ms",
                            baseline=baseline.p95,
                            budget=BUDGET_MS,
                        )
                    )
        services.close()
    print_table(table, {"every question": "p95 of SELECT COUNT(*) FROM event, same run"})


if __name__ == "__main__":
    main()
