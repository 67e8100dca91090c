"""Adding what operating the service needs to an app (see the package's docstring)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware

from epss.operations import docs, health, metrics
from epss.operations.logs import RequestIds
from epss.operations.readiness import Readiness
from epss.operations.shutdown import live_streams_end_on_stop
from epss.services import Services


def install_operations(app: FastAPI, services: Services) -> None:
    """Add the probes, /metrics, /api/v1/docs and the middlewares to `app`. Call it after
    every other `add_middleware`: request ids and timing must wrap everything."""
    app.state.readiness = Readiness(services)
    app.state.metrics = metrics.Metrics(services)
    app.include_router(APIRouter(lifespan=live_streams_end_on_stop))
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(docs.router)
    app.add_middleware(
        metrics.HttpMetrics,
        metrics=app.state.metrics,
        routes=metrics.RouteTemplates(lambda: app.routes),
    )
    app.add_middleware(RequestIds)
    app.user_middleware.append(Middleware(metrics.RouteSpy))  # the innermost
