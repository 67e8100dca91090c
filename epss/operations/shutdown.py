"""Ending the editors' live streams as soon as the process is told to stop.

uvicorn shuts down gracefully: on SIGTERM (or SIGINT) it stops accepting connections and
waits for every open response to finish. The live streams (server-sent events) never finish
by themselves, so when the signal comes they are ended first; a browser's EventSource then
reconnects to whichever server is up. This hooks the app's lifespan, so it works however the
app is served: `epss serve`, each of its `--workers`, or uvicorn run by hand.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@asynccontextmanager
async def live_streams_end_on_stop(app: FastAPI) -> AsyncIterator[None]:
    """While the app runs, a stop signal first ends the live streams, then goes on to the
    server's own handler (which starts the graceful shutdown)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # served from a thread (tests): signals are not ours to handle
        return
    loop = asyncio.get_running_loop()
    stop_streams = app.state.services.drafts.stop
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    handlers = {
        sig: _chained(loop, stop_streams, handler)
        for sig, handler in previous.items()
        if callable(handler)
    }
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            if signal.getsignal(sig) is handler:
                signal.signal(sig, previous[sig])


def _chained(
    loop: asyncio.AbstractEventLoop, stop_streams: Callable[[], None], server_handler: Callable
) -> Callable:
    def handler(sig, frame) -> None:
        # A signal handler may interrupt code holding the hub's lock: end the streams
        # from the event loop instead of from here.
        loop.call_soon_threadsafe(stop_streams)
        server_handler(sig, frame)

    return handler
