"""Running the app with uvicorn (`epss serve`, `epss demo`).

uvicorn shuts down gracefully: on SIGTERM it stops accepting connections and waits up to
GRACE_SECONDS for every request in flight to finish; the editors' live streams are ended
first (epss.operations.shutdown), as they never finish by themselves.

With `workers` > 1, uvicorn starts that many processes on one socket, each building the
app from the environment (`served_app`, a factory) and running its lifespan (the
migrations check, the index check). They share the data folder, so its search index, and
their metrics through prometheus-client's multiprocess mode (a folder of counter files).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from epss.app import create_app
from epss.operations.logs import log_config
from epss.operations.metrics import MULTIPROCESS_ENV
from epss.settings import Settings

log = logging.getLogger(__name__)

GRACE_SECONDS = 10  # how long requests in flight may take to finish at shutdown
# A worker must answer its supervisor within this, or it is taken for hung and replaced.
# Generous: a new worker imports the whole app before it can answer (multiprocessing's
# spawn runs the `epss` script's imports first), which takes seconds on a busy machine.
WORKER_HEALTHCHECK_SECONDS = 30
WRITER_START_SECONDS = 60  # how long start-up waits for the index's writer process
APP_FACTORY = "epss.web.serving:served_app"  # what each worker process builds its app with


def served_app(settings: Settings | None = None) -> FastAPI:
    """The app as a server runs it: with its index writes in a child process, so that a
    publish never holds up a search (epss.search.writes). Settings from the environment
    when not given."""
    app = create_app(settings)
    writer = app.state.services.search_index.write_in_a_child_process()
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with started(app):
            # Serve once the writer is ready (it starts beside the rest of start-up): a
            # publish that came sooner would wait a second or two before it is found.
            try:
                await asyncio.wait_for(asyncio.wrap_future(writer), WRITER_START_SECONDS)
            except Exception:
                log.warning("the search index's writer is not ready; the first write starts it")
            # What start-up built (the app, the open index) lives as long as the process:
            # out of the collector's rounds, which otherwise stop every thread for 100 ms.
            gc.freeze()
            yield

    app.router.lifespan_context = lifespan
    return app


def run(app: FastAPI, **options) -> None:
    """Serve `app` like `uvicorn.run(app, **options)`, shutting down gracefully."""
    options.setdefault("timeout_graceful_shutdown", GRACE_SECONDS)
    uvicorn.run(app, **options)


def serve(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Serve with these settings (which, with several workers, each worker reads from the
    environment again), logging as EPSS_LOG_FORMAT says."""
    options = {
        "host": host,
        "port": port,
        "log_config": log_config(settings.log_format),
        "timeout_graceful_shutdown": GRACE_SECONDS,
    }
    with _metrics_folder(workers):
        if workers == 1:
            run(served_app(settings), **options)
        else:
            uvicorn.run(
                APP_FACTORY,
                factory=True,
                workers=workers,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
                **options,
            )


@contextmanager
def _metrics_folder(workers: int) -> Iterator[None]:
    """prometheus-client's multiprocess mode for the workers: a fresh folder of their
    counter files, or the PROMETHEUS_MULTIPROC_DIR given, emptied of an earlier run's."""
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    if workers == 1:
        yield
        return
    folder = tempfile.mkdtemp(prefix="epss-metrics-")
    os.environ[MULTIPROCESS_ENV] = folder  # before the workers start: they read it at import
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(folder, ignore_errors=True)
