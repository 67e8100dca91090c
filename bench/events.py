"""Event intake benchmark: batches of overlay events into SQLite over HTTP.

    python -m bench.events [--duration 5] [--clients 4] [--batch 100] [--seed 7]

What it does, in a temporary data folder (SQLite) and on 127.0.0.1 only:

1. Migrates a fresh database and registers one host app.
2. Starts the real server (uvicorn) and, with `--clients` concurrent keep-alive clients,
   posts batches of `--batch` new events (text/plain, as navigator.sendBeacon sends them)
   for `--duration` seconds: events/s and the latency of a batch.
3. Baselines from the same run: the same bodies sent to GET /api/v1/health (what HTTP
   alone allows), and a raw sqlite3 executemany of the same rows into the same table, one
   transaction per batch with the same durability (synchronous=FULL), no HTTP.
4. Checks that the database holds exactly the events the server acknowledged.

It prints one table: figure, baseline, ratio, budget, OK/OVER.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sqlite3
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.core import Latency, Row, print_table
from bench.server import running_server
from epss.db import unit_of_work
from epss.events import pseudonym
from epss.events.batch import EVENT_TYPES
from epss.hostapps import register_host_app
from epss.migrations import upgrade
from epss.services import Services
from epss.settings import Settings

warnings.filterwarnings("ignore", category=DeprecationWarning)

APP = "bench-zaaksysteem"
EVENTS_PER_S = 5_000.0  # the budget of the issue
TEXT_PLAIN = {"content-type": "text/plain;charset=UTF-8"}
TASKS = [
    "reisdocument-aanvragen",
    "rijbewijs-aanvragen",
    "verhuizing-doorgeven",
    "aangifte-geboorte",
    "reisdocument-uitreiken",
]
STEPS = ["identiteit", "pasfoto", "handtekening", "leges", "controle", "afronden"]


# -- realistic events -------------------------------------------------------------------


def make_body(rng: random.Random, size: int) -> bytes:
    """A batch as one overlay sends it: one person at the desk working through a task or
    two for the last few minutes, on pages whose URL holds a citizen number and a query."""
    user = f"medewerker{rng.randint(1, 60)}@gemeente.example"
    team = rng.choice(["Burgerzaken balie", "Burgerzaken backoffice"])
    tasks = rng.sample(TASKS, 2)
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=rng.randint(30, 300))
    events = []
    for _ in range(size):
        moment += dt.timedelta(milliseconds=rng.randint(100, 3000))
        events.append(make_event(rng, moment, user, team, rng.choice(tasks)))
    return json.dumps({"events": events}).encode()


def make_event(rng: random.Random, moment: dt.datetime, user: str, team: str, task: str) -> dict:
    kind = rng.choices(
        EVENT_TYPES,  # panel_opened, task_viewed, step_viewed, step_checked, …
        weights=[5, 10, 30, 30, 3, 2, 10, 2, 8],
    )[0]
    details: dict = {}
    if kind == "task_viewed":
        details = {"source": rng.choice(["rule", "search", "manual"])}
    elif kind == "step_deviated":
        details = {"reason": "Klant kon zich niet legitimeren, overlegd met teamleider"}
    elif kind == "search":
        details = {
            "query": rng.choice(["pasfoto eisen", "spoedaanvraag", "vermissing"]),
            "results": rng.randint(0, 10),
        }
    elif kind == "feedback":
        details = {"kind": "unclear", "comment": "Stap 3 noemt een formulier dat er niet is"}
    elif kind == "highlight_missing":
        details = {"selector": "#zaak-documenten .upload"}
    return {
        "id": str(uuid.uuid4()),
        "type": kind,
        "occurred_at": moment.isoformat(),
        "app": APP,
        "url": f"https://zaken.gemeente.example/zaken/{rng.randint(10_000, 99_999)}"
        f"/burger/{rng.randint(100_000_000, 999_999_999)}?tab=stappen#stap-2",
        "task_slug": task,
        "task_version": rng.randint(1, 4),
        "step_id": rng.choice(STEPS),
        "user": user,
        "team": team,
        "details": details,
    }


# -- driving the server -----------------------------------------------------------------


def drive(
    base: str,
    method: str,
    path: str,
    bodies: list[bytes],
    clients: int,
    seconds: float,
    expect: int,
) -> tuple[float, Latency, int]:
    """Send the bodies (each once, spread over the clients) until they or the time run out.
    Returns requests/s, the latency of a request and the number of requests sent."""
    per_client = [bodies[n::clients] for n in range(clients)]
    times: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    start_line = threading.Barrier(clients + 1)

    def work(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30.0, headers=TEXT_PLAIN) as client:
            client.get("/health")  # connect before the clock matters
            start_line.wait()
            for body in per_client[n]:
                if time.monotonic() >= deadline:
                    break
                began = time.perf_counter()
                answer = client.request(method, path, content=body)
                times[n].append(time.perf_counter() - began)
                if answer.status_code != expect:
                    errors.append(f"HTTP {answer.status_code}: {answer.text[:300]}")
                    return

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - began
    if errors:
        raise SystemExit(f"{len(errors)} client(s) failed: {errors[0]}")
    sent = sum(len(t) for t in times)
    return sent / elapsed, Latency.of([s for t in times for s in t]), sent


# -- baseline: raw SQLite ---------------------------------------------------------------


def raw_sqlite_rate(data_dir: Path, bodies: list[bytes], seconds: float) -> float:
    """Events/s of executemany into the same table in a fresh copy of the schema, one
    transaction per batch with synchronous=FULL; the rows prepared beforehand the way
    the service prepares them (pseudonym, URL without query), validation left out."""
    source = sqlite3.connect(data_dir / "epss.sqlite3")
    schema = [
        sql
        for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'event' AND sql IS NOT NULL"
        )
    ]
    source.close()
    connection = sqlite3.connect(data_dir / "raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    for sql in schema:
        connection.execute(sql)
    received = dt.datetime.now(dt.UTC).isoformat()
    batches = []
    for body in bodies:
        batches.append(
            [
                (
                    e["id"],
                    e["type"],
                    e["occurred_at"],
                    received,
                    e["app"],
                    e["url"].split("?")[0],
                    e["task_slug"],
                    e["task_version"],
                    e["step_id"],
                    pseudonym("bench", e["user"]),
                    e["team"],
                    json.dumps(e["details"]),
                )
                for e in json.loads(body)["events"]
            ]
        )
    insert = (
        "INSERT INTO event (id, type, occurred_at, received_at, app, url, task_slug, "
        "task_version, step_id, actor, team, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
    )
    count = 0
    began = time.monotonic()
    for rows in batches:
        connection.execute("BEGIN")
        connection.executemany(insert, rows)
        connection.execute("COMMIT")
        count += len(rows)
        if time.monotonic() - began >= seconds:
            break
    elapsed = time.monotonic() - began
    connection.close()
    return count / elapsed


# -- the run ----------------------------------------------------------------------------


def stored_count(data_dir: Path) -> int:
    connection = sqlite3.connect(data_dir / "epss.sqlite3")
    try:
        return connection.execute("SELECT count(*) FROM event").fetchone()[0]
    finally:
        connection.close()


def timed(label: str, make: Callable[[], list[bytes]]) -> list[bytes]:
    began = time.perf_counter()
    bodies = make()
    print(f"{label}: {len(bodies):,} bodies in {time.perf_counter() - began:.1f} s")
    return bodies


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--batch", type=int, default=100, help="events per batch")
    parser.add_argument(
        "--max-rate",
        type=float,
        default=20_000.0,
        help="events/s to prepare bodies for (the runs stop when they are sent)",
    )
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    print(
        f"machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    rng = random.Random(args.seed)
    count = max(args.clients, int(args.max_rate * args.duration / args.batch))
    bodies = timed("prepared", lambda: [make_body(rng, args.batch) for _ in range(count)])
    size = sum(map(len, bodies)) / len(bodies)
    print(f"batch: {args.batch} events, {size / 1024:.1f} KiB on average")

    with tempfile.TemporaryDirectory(prefix="epss-bench-events-") as folder:
        data_dir = Path(folder) / "data"
        services = Services.from_settings(Settings(data_dir=data_dir, secret_key="bench"))
        try:
            upgrade(services.engine)
            with unit_of_work(services.engine) as session:
                register_host_app(session, APP, "Bench zaaksysteem", [])
        finally:
            services.close()

        with running_server(data_dir, Path(folder) / "server.log") as (base, _server):
            health_rps, health_latency, _ = drive(
                base, "GET", "/health", bodies, args.clients, args.duration, 200
            )
            events_rps, events_latency, sent = drive(
                base, "POST", "/events", bodies, args.clients, args.duration, 202
            )
            stored = stored_count(data_dir)
        raw_rate = raw_sqlite_rate(data_dir, bodies, args.duration)

    acknowledged = sent * args.batch
    print(f"health, same bodies: {health_rps * args.batch:10,.0f} events/s   {health_latency}")
    print(f"POST /events:        {events_rps * args.batch:10,.0f} events/s   {events_latency}")
    print(f"raw SQLite:          {raw_rate:10,.0f} events/s")
    print(f"acknowledged {acknowledged:,} events, the database holds {stored:,}")
    if stored != acknowledged:
        raise SystemExit("the database does not hold exactly the acknowledged events")

    events_per_s = events_rps * args.batch
    print()
    print_table(
        [
            Row(
                f"POST /events ({args.clients} clients, batches of {args.batch})",
                events_per_s,
                "events/s",
                health_rps * args.batch,
                EVENTS_PER_S,
                at_least=True,
            ),
            Row("  same, against raw SQLite", events_per_s, "events/s", raw_rate),
            Row("POST /events batch p50", events_latency.p50, "ms", health_latency.p50),
            Row("POST /events batch p95", events_latency.p95, "ms", health_latency.p95),
        ],
        {
            "POST /events": "the same bodies sent to GET /api/v1/health (HTTP alone)",
            "against raw SQLite": "executemany of the same rows, a transaction per batch, "
            "synchronous=FULL, no HTTP and no validation",
            "latency": "GET /api/v1/health with the same bodies",
        },
    )


if __name__ == "__main__":
    main()
