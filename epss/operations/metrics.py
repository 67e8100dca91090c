"""Prometheus metrics at /metrics (prometheus-client).

What is measured:
- `epss_http_request_duration_seconds{method, route}`: latency per route template
  (`/api/v1/tasks/{slug}`, never the path with its ids; `unmatched` for unknown paths), and
  `epss_http_requests_total{method, route, status}` by status class (`2xx`, `4xx`, …);
- `epss_events_accepted_total` / `epss_events_duplicate_total`: events newly stored / sent
  again, from the answers of POST /api/v1/events; `epss_event_batches_rejected_total{reason}`:
  batches refused as a whole (`invalid`, `too_large`, `media_type`, `error`);
- `epss_publishes_total`: task versions committed through this instance (publish, import,
  restore, review confirmation: every road that creates a TaskVersion);
- `epss_login_failures_total{reason}`: login form answers `wrong_password` (401) and
  `throttled` (429);
- `epss_search_index_documents`: documents in the search index (one per task and one per
  step), read when scraped; `epss_catalog_catch_up_lag_seconds`: how far this instance
  is behind catalog changes made through others (see `Services.catch_up_lag`).

Several uvicorn workers (`epss serve --workers N`) share their counters and histograms
through prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, which `epss serve`
sets up): any worker answers with the sum over all of them. The two gauges read when
scraped come from the worker that answers (the index folder is shared by the workers).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from epss.auth import PUBLIC
from epss.db import engine_of, kept_with
from epss.errors import Unauthorized
from epss.models import TaskVersion
from epss.pages.account import LOGIN_PATH
from epss.services import Services

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
EVENTS_ROUTE = "/api/v1/events"
UNMATCHED = "unmatched"
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_REJECTED = {413: "too_large", 415: "media_type", 422: "invalid"}
_LOGIN_FAILED = {401: "wrong_password", 429: "throttled"}


class Metrics:
    """The metrics of one app, in a registry of its own (so tests can make many apps)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.registry = registry = CollectorRegistry()
        self.request_duration = Histogram(
            "epss_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, per route template.",
            ["method", "route"],
            registry=registry,
        )
        self.requests = Counter(
            "epss_http_requests",
            "Answered requests per route template and status class.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.events_accepted = Counter(
            "epss_events_accepted", "Events from the overlay newly stored.", registry=registry
        )
        self.events_duplicate = Counter(
            "epss_events_duplicate",
            "Events sent again (stored before, or twice in a batch).",
            registry=registry,
        )
        self.event_batches_rejected = Counter(
            "epss_event_batches_rejected",
            "Event batches refused as a whole (nothing stored).",
            ["reason"],
            registry=registry,
        )
        self.publishes = Counter(
            "epss_publishes", "Task versions committed through this instance.", registry=registry
        )
        self.login_failures = Counter(
            "epss_login_failures", "Failed logins at the login form.", ["reason"], registry=registry
        )
        for reason in [*_REJECTED.values(), "error"]:
            self.event_batches_rejected.labels(reason)
        for reason in _LOGIN_FAILED.values():
            self.login_failures.labels(reason)
        self._read_when_scraped = _ReadWhenScraped(services)
        if not multiprocess():
            registry.register(self._read_when_scraped)
            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                registry.register(collector)
        kept_with(services.engine)[_PUBLISHES] = self.publishes

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The metrics in the text format the scraper asked for, and its content type."""
        registry = self.registry
        if multiprocess():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            registry.register(self._read_when_scraped)
        encoder, content_type = choose_encoder(accept or "")
        return encoder(registry), content_type

    def observe(
        self, method: str, route: str, status: int, seconds: float, body: bytes | None
    ) -> None:
        method = method if method in _METHODS else "other"
        self.request_duration.labels(method, route).observe(seconds)
        self.requests.labels(method, route, f"{status // 100}xx").inc()
        if method == "POST" and route == EVENTS_ROUTE:
            self._observe_events(status, body)
        elif method == "POST" and route == LOGIN_PATH and status in _LOGIN_FAILED:
            self.login_failures.labels(_LOGIN_FAILED[status]).inc()

    def _observe_events(self, status: int, body: bytes | None) -> None:
        if status == 202 and body:
            receipt = json.loads(body)
            self.events_accepted.inc(receipt.get("accepted", 0))
            self.events_duplicate.inc(receipt.get("duplicates", 0))
        elif status >= 400:
            self.event_batches_rejected.labels(_REJECTED.get(status, "error")).inc()


def multiprocess() -> bool:
    """Whether the counters are shared between worker processes (prometheus-client's
    multiprocess mode, chosen when the process starts)."""
    return bool(os.environ.get(MULTIPROCESS_ENV))


class _ReadWhenScraped(Collector):
    """The gauges read at each scrape: the index's documents and the catch-up lag."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterable[GaugeMetricFamily]:
        documents = GaugeMetricFamily(
            "epss_search_index_documents",
            "Documents in the search index (one per task and one per step).",
        )
        # Missing or being replaced: no value rather than a wrong one.
        with contextlib.suppress(Exception):
            documents.add_metric([], self.services.search_index.doc_count())
        yield documents
        yield GaugeMetricFamily(
            "epss_catalog_catch_up_lag_seconds",
            "How far this instance is behind catalog changes made through other instances.",
            value=self.services.catch_up_lag(),
        )


# -- publishes: counted when a session that added a TaskVersion commits ---------------------

_PUBLISHES = "publish counter"  # its entry in what the process keeps with an engine
_NEW_VERSIONS = "epss.operations.new_versions"


@event.listens_for(Session, "after_flush")
def _note_new_versions(session: Session, _context) -> None:
    added = sum(1 for item in session.new if isinstance(item, TaskVersion))
    if added:
        session.info[_NEW_VERSIONS] = session.info.get(_NEW_VERSIONS, 0) + added


@event.listens_for(Session, "after_commit")
def _count_publishes(session: Session) -> None:
    added = session.info.pop(_NEW_VERSIONS, 0)
    counter = kept_with(engine_of(session)).get(_PUBLISHES) if added else None
    if counter is not None:
        counter.inc(added)


@event.listens_for(Session, "after_rollback")
def _forget_new_versions(session: Session) -> None:
    session.info.pop(_NEW_VERSIONS, None)


# -- the middleware ---------------------------------------------------------------------------

_ROUTED = "epss.routed"  # scope key: where RouteSpy leaves the route that was matched


class _Routed:
    route: object | None = None


class HttpMetrics:
    """ASGI middleware: times every HTTP request and counts it under its route template.
    The route is matched deep inside (and some middlewares in between copy the scope), so
    `RouteSpy`, the innermost middleware, hands it out through a holder in the scope."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: RouteTemplates) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        routed = scope[_ROUTED] = _Routed()
        status = 500
        body: list[bytes] | None = None

        async def observed(message: Message) -> None:
            nonlocal status, body
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 202 and self.routes.template(routed.route, scope) == EVENTS_ROUTE:
                    body = []  # the receipt: how many events were stored
            elif message["type"] == "http.response.body" and body is not None:
                body.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            try:
                self.metrics.observe(
                    scope["method"],
                    self.routes.template(routed.route, scope),
                    status,
                    time.perf_counter() - started,
                    b"".join(body) if body is not None else None,
                )
            except Exception:  # counting must never break an answer
                log.exception("could not count a request in the metrics")


class RouteSpy:
    """ASGI middleware, the innermost: tells HttpMetrics which route answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = scope.get(_ROUTED)
        if routed is None:
            await self.app(scope, receive, send)
            return

        async def spied(message: Message) -> None:
            if message["type"] == "http.response.start":
                routed.route = scope.get("route")
            await send(message)

        try:
            await self.app(scope, receive, spied)
        finally:
            routed.route = scope.get("route")


class RouteTemplates:
    """The route template of a request (`/api/v1/tasks/{slug}`), from the route FastAPI
    matched. Included routers keep their routes' own paths, so the full paths are looked
    up once in the app's route table."""

    def __init__(self, app_routes) -> None:
        self._app_routes = app_routes  # a callable: the routes exist only once the app is built
        self._paths: dict[int, list[tuple[str, re.Pattern]]] | None = None

    def template(self, route: object | None, scope: Scope) -> str:
        if route is None:
            return UNMATCHED
        if self._paths is None:
            self._paths = self._table()
        candidates = self._paths.get(id(route))
        if not candidates:
            return getattr(route, "path", None) or UNMATCHED
        if len(candidates) == 1:
            return candidates[0][0]
        path = scope["path"]
        return next((full for full, pattern in candidates if pattern.match(path)), candidates[0][0])

    def _table(self) -> dict[int, list[tuple[str, re.Pattern]]]:
        table: dict[int, list[tuple[str, re.Pattern]]] = {}
        for route in self._app_routes():
            contexts = getattr(route, "effective_route_contexts", None)
            pairs = (
                [(c.original_route, c.path) for c in contexts()]
                if contexts
                else [(route, getattr(route, "path", None))]
            )
            for original, path in pairs:
                if path:
                    table.setdefault(id(original), []).append(  # routes are unhashable
                        (path, compile_path(path)[0])
                    )
        return table


# -- the route ------------------------------------------------------------------------------


def _scraper(request: Request) -> None:
    """With EPSS_METRICS_TOKEN set, only `Authorization: Bearer <that token>` may read."""
    token = request.app.state.services.settings.metrics_token
    if not token:
        return
    sent = request.headers.get("authorization", "")
    if not (
        sent.startswith("Bearer ")
        and hmac.compare_digest(sent[7:].strip().encode(), token.encode())
    ):
        raise Unauthorized(
            "send the metrics token: Authorization: Bearer <EPSS_METRICS_TOKEN>",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )


router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@router.get("/metrics")
def metrics(request: Request, _allowed: Annotated[None, Depends(_scraper)]) -> Response:
    """Prometheus metrics. Public as a route (no account), but guarded by
    EPSS_METRICS_TOKEN when that is set."""
    content, content_type = request.app.state.metrics.exposition(request.headers.get("accept"))
    return Response(content, media_type=content_type, headers={"Cache-Control": "no-store"})
