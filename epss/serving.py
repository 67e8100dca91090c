"""Running the app with uvicorn (`epss serve`, `epss demo`).

uvicorn shuts down gracefully: it waits for every open response to finish before it stops.
The editors' live streams (server-sent events) never finish by themselves, so `Server`
ends them first; a browser's EventSource then reconnects to whichever server is up.
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from epss.drafts.presence import hub_for

GRACE_SECONDS = 10  # how long other requests in flight may take to finish at shutdown


class Server(uvicorn.Server):
    """uvicorn, ending the app's live streams as soon as it starts shutting down."""

    async def shutdown(self, sockets=None) -> None:
        app = self.config.app
        if isinstance(app, FastAPI) and hasattr(app.state, "services"):
            hub_for(app.state.services.engine).end_streams()
        await super().shutdown(sockets)


def run(app: FastAPI, **options) -> None:
    """Serve `app` like `uvicorn.run(app, **options)`, shutting down promptly."""
    options.setdefault("timeout_graceful_shutdown", GRACE_SECONDS)
    Server(uvicorn.Config(app, **options)).run()
