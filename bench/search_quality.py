"""Search relevance: MRR@5 of a query set against the shipped tasks.

    python -m bench.search_quality [QUERIES.yaml]

Each query lists the task slugs that count as right; results are ranked by task (the
first hit of each task counts). Prints every query's rank and the mean reciprocal rank.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

from epss import migrations
from epss.catalog import import_documents
from epss.db import unit_of_work
from epss.resources import shipped
from epss.search import SearchIndex
from epss.services import Services
from epss.settings import Settings
from epss.taskfile import load_paths

DEFAULT_QUERIES = Path(__file__).resolve().parents[2] / "shared/domain/search-queries-dev.yaml"


def ranked_tasks(index: SearchIndex, query: str, depth: int = 5) -> list[str]:
    tasks: list[str] = []
    for hit in index.search(query, limit=50):
        if hit.task_slug not in tasks:
            tasks.append(hit.task_slug)
    return tasks[:depth]


def mean_reciprocal_rank(index: SearchIndex, queries: list[dict], *, show: bool = False) -> float:
    total = 0.0
    for item in queries:
        tasks = ranked_tasks(index, item["q"])
        rank = next((i for i, slug in enumerate(tasks, 1) if slug in item["ok"]), None)
        total += 1 / rank if rank else 0.0
        if show:
            print(f"  {rank or '-':>2}  {item['q']:<42} {' '.join(tasks[:3])}")
    return total / len(queries)


def shipped_services(folder: Path) -> Services:
    services = Services.from_settings(Settings(data_dir=folder))
    migrations.upgrade(services.engine)
    with unit_of_work(services.engine) as session:
        import_documents(session, [t.document for t in load_paths([shipped("tasks")])], by="bench")
    services.refresh_search_index()
    return services


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_QUERIES
    queries = yaml.safe_load(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        services = shipped_services(Path(folder))
        mrr = mean_reciprocal_rank(services.search_index, queries, show=True)
        services.close()
    print(f"MRR@5 over {len(queries)} queries: {mrr:.3f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
