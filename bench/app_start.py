"""What it costs to build an app and answer its first request (every test pays it).

    python -m bench.app_start [--runs 30]

Builds `create_app(settings)` on one migrated SQLite database, `--runs` times, and times
each with its first request (`GET /health/live`). The baseline, in the same run: the same
routes included into a new FastAPI app with `include_router`, as `create_app` did before it
shared its routes' inclusions, with the policy check that makes FastAPI build them.
Prints the median per app of both and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from fastapi import FastAPI

from epss.app import SHARED_ROUTES, create_app
from epss.auth.policy import undeclared_routes
from epss.db import make_engine
from epss.migrations import upgrade
from epss.settings import Settings


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def _timed(build, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        build()
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient  # after the filter: it warns when imported

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), secret_key="bench")
        engine = make_engine(settings)
        upgrade(engine)
        engine.dispose()

        def shared() -> None:
            with TestClient(create_app(settings)) as client:
                assert client.get("/health/live").status_code == 200

        def included_anew() -> None:
            app = FastAPI()
            app.include_router(SHARED_ROUTES)
            assert undeclared_routes(app.routes) == []

        shared()  # the first app of a process builds the shared inclusions
        app_ms, baseline_ms = _ms(_timed(shared, runs)), _ms(_timed(included_anew, runs))
    print(f"{'figure':<52} {'ms':>8}")
    print(f"{'create_app + first request (shared routes)':<52} {app_ms:8.1f}")
    print(f"{'baseline: the routes included anew, no app around':<52} {baseline_ms:8.1f}")
    print(f"{'ratio (app / baseline)':<52} {app_ms / baseline_ms:8.2f}")


if __name__ == "__main__":
    main()
