"""Incremental search index updates at scale: update latency, search stalls, rebuild time.

    python -m bench.index_update [--tasks 200 2000] [--updates 40] [--seed 7]

For each catalog size (generated tasks of 10 steps, bench.corpus) it builds the index
(a full rebuild, timed), then measures, on the same index, with the writes first in a
thread of the searching process and then in a child process (as `epss serve` runs them,
epss.search.writes):

- update: p50/p95 of `SearchIndex.update` for one changed task (a step's text edited with
  words of another task, so lexicon changes happen too);
- search while updates run in another thread: p95 and worst latency of the same query
  set, against the same searches with no writer running (the baseline).

Budgets (issue 14): an update well within a publish request's 300 ms p95; no search waits
more than 50 ms because of an update (the worst search with updates, less the worst
without).
"""

from __future__ import annotations

import argparse
import copy
import gc
import random
import tempfile
import threading
import time
import warnings
from pathlib import Path

from bench.core import Latency, Row, load_queries, print_table
from bench.corpus import generate_corpus
from epss.resources import shipped
from epss.search import SearchIndex, Synonyms

warnings.filterwarnings("ignore", category=DeprecationWarning)

UPDATE_P95_MS = 300.0
SEARCH_WAIT_MS = 50.0


def edited(rng: random.Random, catalog: dict, slug: str) -> tuple[dict, int]:
    document, version = catalog[slug]
    changed = copy.deepcopy(document)
    donor = catalog[rng.choice(sorted(catalog))][0]
    step = rng.choice(changed["steps"])
    step["instruction"] += " " + rng.choice(donor["steps"])["instruction"][:200]
    step["instruction"] += f" controlewoord{rng.randrange(10**6)}"
    return changed, version + 1


def searches(index: SearchIndex, queries: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for text in queries:
            start = time.perf_counter()
            index.search(text, limit=10)
            times.append(time.perf_counter() - start)
    return times


def measure(tasks: int, updates: int, seed: int, queries: list[str]) -> list[Row]:
    documents = generate_corpus(tasks, 10, seed)
    catalog = {d.slug: (d.model_dump(mode="json", by_alias=True), 1) for d in documents}
    del documents
    rng = random.Random(seed)
    synonyms = Synonyms.from_file(shipped("content") / "synonyms.yaml")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="epss-bench-index-") as folder:
        index = SearchIndex(Path(folder) / "index", synonyms)
        start = time.perf_counter()
        count = index.rebuild(list(catalog.values()), 1)
        rebuild_s = time.perf_counter() - start
        print(f"{tasks} tasks: rebuild {rebuild_s:.1f} s ({count} documents)")
        # The benchmark's own catalog is not the server's: keep it out of the collector's
        # rounds, which would otherwise make searches wait for it.
        gc.freeze()
        searches(index, queries, 1)  # warm
        baseline = Latency.of(searches(index, queries, 3))
        worst_baseline = max(searches(index, queries, 1))
        position = 1
        for where in ("thread", "child process"):
            if where == "child process":
                index.write_in_a_child_process()
            rows += while_updating(
                index,
                catalog,
                rng,
                position,
                updates,
                queries,
                f"{tasks} tasks, writes in a {where}:",
                baseline,
                worst_baseline,
            )
            position += updates
        start = time.perf_counter()
        index.rebuild(list(catalog.values()), position + 1)
        second = time.perf_counter() - start
        index.close()
    rows.append(Row(f"{tasks} tasks: full rebuild", min(rebuild_s, second), "s"))
    return rows


def while_updating(
    index: SearchIndex,
    catalog: dict,
    rng: random.Random,
    position: int,
    updates: int,
    queries: list[str],
    label: str,
    baseline: Latency,
    worst_baseline: float,
) -> list[Row]:
    """`updates` updates (compacting when due, as a follower would) while searches run."""

    def documents_of(slugs: set[str]) -> list[tuple[dict, int]]:
        return [catalog[s] for s in sorted(slugs) if s in catalog]

    update_times: list[float] = []
    compactions: list[float] = []
    reanalysed = 0
    done = threading.Event()

    def writer() -> None:
        nonlocal reanalysed
        for at in range(position + 1, position + updates + 1):
            slug = rng.choice(sorted(catalog))
            catalog[slug] = edited(rng, catalog, slug)
            begin = time.perf_counter()
            result = index.update([catalog[slug]], [], at, documents_of)
            update_times.append(time.perf_counter() - begin)
            reanalysed += result.reanalysed
            if result.compaction_due:
                begin = time.perf_counter()
                index.compact()
                compactions.append(time.perf_counter() - begin)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    during: list[float] = []
    while not done.is_set():
        during += searches(index, queries, 1)
    thread.join()
    busy = Latency.of(during)
    updated = Latency.of(update_times)
    worst = max(during) * 1000
    compacted = max(compactions, default=0.0) * 1000
    print(f"  {label}")
    print(f"    update:  {updated}  ({reanalysed} tasks re-analysed for lexicon changes)")
    print(
        f"    compaction (off the request path): {len(compactions)} runs, worst {compacted:.0f} ms"
    )
    print(
        f"    search:  {busy}, worst {worst:.1f} ms during updates; "
        f"without: {baseline}, worst {worst_baseline * 1000:.1f} ms"
    )
    return [
        Row(f"{label} update p50", updated.p50, "ms"),
        Row(f"{label} update p95", updated.p95, "ms", None, UPDATE_P95_MS),
        Row(f"{label} worst compaction (background)", compacted, "ms"),
        Row(f"{label} search p95 during updates", busy.p95, "ms", baseline.p95),
        Row(f"{label} worst search during updates", worst, "ms", worst_baseline * 1000),
        Row(
            f"{label} worst search wait from updates",
            max(0.0, worst - worst_baseline * 1000),
            "ms",
            None,
            SEARCH_WAIT_MS,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--updates", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    queries = load_queries()
    rows: list[Row] = []
    for tasks in args.tasks:
        rows += measure(tasks, args.updates, args.seed, queries)
    print()
    print_table(
        rows, {"update": "none (budget only)", "search": "the same searches with no update running"}
    )


if __name__ == "__main__":
    main()
