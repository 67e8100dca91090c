"""The help overlay as the service delivers it: the script bundle, its routes, and the
page that shows how to embed it (bookmarklet, script tag, browser extension)."""

from fastapi import APIRouter

from epss.overlay import pages, routes
from epss.overlay.bundle import Bundle, build_bundle

router = APIRouter(include_in_schema=False)
router.include_router(routes.router)
router.include_router(pages.router)

__all__ = ["Bundle", "build_bundle", "router"]
