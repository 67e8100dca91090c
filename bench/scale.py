"""Scale benchmark: publishing in a large catalog, two instances on one PostgreSQL.

    python -m bench.scale [--sizes 200,2000] [--publishes 20] [--steps-per-task 10]
                          [--seed 7] [--postgres URL]

For each catalog size, on a fresh PostgreSQL database (dropped afterwards):

1. Imports a generated catalog (bench/corpus.py) and starts two `epss serve` processes,
   A and B, each with a data folder of its own (the documented way to scale out).
2. Publishes `--publishes` times through A (an expert changes a step, a redacteur
   publishes), while a client in a process of its own searches A without pause: publish
   request p50/p95, and the p95 and worst search latency. After each publish it asks B's
   search for the new word until B finds it: the catch-up lag.
3. The baseline of the searches: the same client searching A as long again, with no
   publishes. The worst search wait is the worst latency with publishes less the worst
   without.
4. Search and context-resolve p95 on B; eva has a task open in the editor on A while
   erik opens it on B: how soon eva is told; the publishes A's /metrics counted.
5. The baseline of a publish: a plain database commit of the same version (one row).

It prints one table per size: figure, baseline, ratio, budget, OK/OVER.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from bench.core import Latency, Row, print_table
from bench.corpus import generate_corpus
from bench.server import free_port, rule_contexts
from epss.auth.accounts import create_user, new_api_token
from epss.catalog import import_documents
from epss.migrations import upgrade
from epss.models import Task, TaskVersion

PUBLISH_P95_MS = 300.0
SEARCH_WAIT_MS = 50.0
CATCH_UP_S = 2.0
QUERIES = [
    "parkeervergunning aanvragen",
    "bijzondere bijstand",
    "kapvergunning bezwaar",
    "leges berekenen",
    "machtiging controleren",
    "omgevingsvergunning termijn",
    "afvalpas kwijt",
    "hersteltermijn onvolledige aanvraag",
    "WOZ-bezwaar",
    "urgentieverklaring",
    "naturalisatie",
    "bezoekersvergunning",
]
DEFAULT_POSTGRES = os.environ.get(
    "EPSS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--steps-per-task", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help="an administrative URL: the benchmark creates its own database",
    )
    return parser.parse_args()


@contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"epss_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def instance(url: str, folder: Path, name: str) -> Iterator[str]:
    """`epss serve` on a free port with its own data folder; yields its base URL."""
    port, log = free_port(), folder / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPSS_")}
    env |= {
        "EPSS_DATABASE_URL": url,
        "EPSS_DATA_DIR": str(folder / name),
        "EPSS_SECRET_KEY": "bench",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from epss.cli import main; main()",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"instance {name} stopped:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(base + "/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"instance {name} was not ready within 15 minutes")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def prepare(url: str, documents: list, tokens: dict[str, str]) -> None:
    engine = sa.create_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        import_documents(session, documents, by="bench")
        for name, role in (("eva", "expert"), ("erik", "expert"), ("ruth", "redacteur")):
            tokens[name] = new_api_token(session, create_user(session, name, [role]))
        session.commit()
    engine.dispose()


def plain_commit(url: str, slug: str, rounds: int) -> Latency:
    """The baseline: committing one more version row of a task, nothing else."""
    engine = sa.create_engine(url)
    times = []
    with Session(engine) as session:
        task = session.exec(select(Task).where(Task.slug == slug)).one()
        newest = session.exec(
            select(TaskVersion).where(
                TaskVersion.task_id == task.id, TaskVersion.number == task.published_version
            )
        ).one()
        for n in range(rounds):
            began = time.perf_counter()
            session.add(
                TaskVersion(
                    task_id=task.id,
                    number=10_000 + n,
                    content_hash=newest.content_hash,
                    document=newest.document,
                    published_by="bench",
                    review_by=newest.review_by,
                )
            )
            session.commit()
            times.append(time.perf_counter() - began)
    engine.dispose()
    return Latency.of(times)


class Searcher:
    """Searches one instance without pause in a process of its own, so that its timings
    hold no wait for this process's other clients; `stop()` returns each latency."""

    def __init__(self, base: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._results, sending = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_search_until, daemon=True, args=(base, self._stop, sending)
        )
        self._process.start()

    def stop(self) -> list[float]:
        self._stop.set()
        times = self._results.recv()
        self._process.join()
        return times


def _search_until(base: str, stop, results) -> None:
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            for query in QUERIES:
                began = time.perf_counter()
                client.get("/api/v1/search", params={"q": query})
                times.append(time.perf_counter() - began)
    results.send(times)


def searches(base: str, rounds: int) -> list[float]:
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(rounds):
            for query in QUERIES:
                began = time.perf_counter()
                client.get("/api/v1/search", params={"q": query})
                times.append(time.perf_counter() - began)
    return times


def publish(a: str, tokens: dict[str, str], slug: str, word: str) -> float:
    """eva changes the first step of `slug` and submits; ruth publishes: the seconds
    the publish request took."""
    eva = httpx.Client(
        base_url=a + "/api/v1", timeout=120, headers={"Authorization": f"Bearer {tokens['eva']}"}
    )
    ruth = httpx.Client(
        base_url=a + "/api/v1", timeout=120, headers={"Authorization": f"Bearer {tokens['ruth']}"}
    )
    with eva, ruth:
        step = eva.get(f"/tasks/{slug}/draft").json()["steps"][0]
        eva.patch(
            f"/tasks/{slug}/draft/steps/{step['id']}",
            json={"instruction": f"Controleer de {word} van de aanvraag."},
            headers={"If-Match": str(step["version"])},
        ).raise_for_status()
        eva.post(f"/tasks/{slug}/draft/submit").raise_for_status()
        began = time.perf_counter()
        ruth.post(f"/tasks/{slug}/draft/publish").raise_for_status()
        return time.perf_counter() - began


def catch_up(b: str, word: str, published_at: float) -> float:
    with httpx.Client(base_url=b, timeout=30) as client:
        while True:
            hits = client.get("/api/v1/search", params={"q": word}).json()["results"]
            if hits:
                return time.perf_counter() - published_at
            if time.perf_counter() - published_at > 60:
                return float("inf")
            time.sleep(0.02)


def presence_across(a: str, b: str, tokens: dict[str, str], slug: str) -> float:
    """eva has the task open in the editor on A; erik opens it on B: the seconds until
    eva is told that erik joined."""
    opened, joined = threading.Event(), threading.Event()

    def listen(
        base: str, name: str, until: Callable[[dict], bool], ready: threading.Event | None = None
    ) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(30, read=None)) as client,
            client.stream(
                "GET",
                f"{base}/api/v1/tasks/{slug}/draft/live",
                headers={"Authorization": f"Bearer {tokens[name]}"},
            ) as stream,
        ):
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    if ready is not None:
                        ready.set()
                    if until(json.loads(line[5:])):
                        return

    eva = threading.Thread(
        target=listen,
        daemon=True,
        args=(a, "eva", lambda data: data.get("joined") == "erik", opened),
    )
    eva.start()
    opened.wait(30)
    began = time.perf_counter()
    threading.Thread(
        target=listen, daemon=True, args=(b, "erik", lambda data: joined.wait(30))
    ).start()
    eva.join(30)
    seconds = time.perf_counter() - began
    joined.set()  # erik closes the editor too
    return seconds if not eva.is_alive() else float("inf")


def publishes_counted(base: str) -> float:
    """The publishes an instance's /metrics counted."""
    text = httpx.get(base + "/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("epss_publishes_total")
    )


def resolves(b: str, documents: list, rounds: int) -> list[float]:
    contexts = rule_contexts(documents, random.Random(1), rounds)
    times = []
    with httpx.Client(base_url=b + "/api/v1", timeout=60) as client:
        for context in contexts:
            began = time.perf_counter()
            client.post("/context/resolve", json=context)
            times.append(time.perf_counter() - began)
    return times


def measure(size: int, args: argparse.Namespace) -> list[Row]:
    print(f"\n== {size:,} tasks of {args.steps_per_task} steps ==")
    documents = generate_corpus(size, args.steps_per_task, args.seed)
    rng = random.Random(args.seed)
    tokens: dict[str, str] = {}
    with scratch_database(args.postgres) as url, tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        prepare(url, documents, tokens)
        print(f"imported in {time.perf_counter() - began:.1f} s")
        folder = Path(tmp)
        began = time.perf_counter()
        with instance(url, folder, "a") as a, instance(url, folder, "b") as b:
            print(f"two instances ready in {time.perf_counter() - began:.1f} s")
            searches(a, 1)  # warm
            searcher = Searcher(a)
            began = time.perf_counter()
            took, lags = [], []
            for n in range(args.publishes):
                slug = rng.choice(documents).slug
                word = f"bench{uuid.uuid4().hex[:10]}"
                took.append(publish(a, tokens, slug, word))
                lags.append(catch_up(b, word, time.perf_counter()))
                print(
                    f"  publish {n + 1}: {took[-1] * 1000:.0f} ms, "
                    f"B found it after {lags[-1] * 1000:.0f} ms"
                )
            during = searcher.stop()
            presence = presence_across(a, b, tokens, rng.choice(documents).slug)
            counted = publishes_counted(a)
            # The baseline: as long again, the same searches with no publishes.
            searcher = Searcher(a)
            time.sleep(time.perf_counter() - began)
            quiet = searcher.stop()
            worst = (max(during) - max(quiet)) * 1000
            on_b = Latency.of(searches(b, 5))
            resolve_b = Latency.of(resolves(b, documents, 200))
        baseline = plain_commit(url, documents[0].slug, args.publishes)
    publishes = Latency.of(took)
    lag = Latency.of(lags)
    return [
        Row(f"publish request p50 ({size:,})", publishes.p50, "ms", baseline.p50),
        Row(f"publish request p95 ({size:,})", publishes.p95, "ms", baseline.p95, PUBLISH_P95_MS),
        Row(
            f"search p95 on A during publishes ({size:,})",
            Latency.of(during).p95,
            "ms",
            Latency.of(quiet).p95,
        ),
        Row(
            f"worst search wait on A during publishes ({size:,})", worst, "ms", None, SEARCH_WAIT_MS
        ),
        Row(f"catch-up lag A→B p95 ({size:,})", lag.p95, "ms", None, CATCH_UP_S * 1000),
        Row(f"search p95 on B ({size:,})", on_b.p95, "ms", Latency.of(quiet).p95),
        Row(f"resolve p95 on B ({size:,})", resolve_b.p95, "ms"),
        Row(
            f"eva on A told that erik opened the task on B ({size:,})",
            presence * 1000,
            "ms",
            None,
            CATCH_UP_S * 1000,
        ),
        Row(f"publishes in A's /metrics ({size:,})", counted, "", args.publishes),
    ]


def main() -> None:
    args = parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows += measure(size, args)
    print()
    print_table(
        rows,
        {
            "publish": "a plain database commit of one version row of the same task "
            "(PostgreSQL, same machine)",
            "search on A during publishes": "the same searches on A, as long again, with no "
            "publishes",
            "worst search wait": "the worst search latency during publishes minus the worst "
            "of the same searches without: what a publish made a search "
            "wait (the searches run in a process of their own)",
        },
    )


if __name__ == "__main__":
    main()
