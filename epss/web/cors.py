"""CORS for the overlay: only the origins of registered host apps (kept in the database,
so registering one needs no restart) and those of EPSS_ALLOWED_ORIGINS."""

from __future__ import annotations

from collections.abc import Callable

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp


class HostAppCORS(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, configured: list[str], registered: Callable[[str], bool]):
        super().__init__(
            app,
            allow_origins=configured,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=3600,
        )
        self.registered = registered

    def is_allowed_origin(self, origin: str) -> bool:
        return origin in self.allow_origins or self.registered(origin)
