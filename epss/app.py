"""The web application, built from settings: `create_app(settings)`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from epss import __version__, api, demo, overlay, pages
from epss.api.openapi import install_openapi
from epss.auth.csrf import CSRFProtection, public_api_matcher
from epss.auth.policy import undeclared_routes
from epss.migrations import is_current
from epss.operations.outage import install_outage_handler
from epss.operations.wiring import install_operations
from epss.pages import account as account_pages
from epss.pages import (
    admin_account,
    admin_accounts,
    admin_apps,
    admin_log,
    desk_panel,
    own_account,
    quality_screen,
)
from epss.pages import inbox as inbox_pages
from epss.pages import privacy as privacy_pages
from epss.pages import quality as quality_pages
from epss.pages import sso as sso_pages
from epss.pages.editor_routes import EDITOR_ROUTERS
from epss.services import Services
from epss.settings import Settings
from epss.web.cors import HostAppCORS
from epss.web.head_requests import HeadAsGet
from epss.web.http_errors import (
    install_error_handlers,
    refuse_too_large_form,
    refuse_without_csrf_token,
)
from epss.web.security import SecurityHeaders


# What every app serves, assembled once per process. FastAPI builds a route's dependants
# for each inclusion of its router, lazily; apps that add these inclusions as they are (not
# `include_router`, which makes new ones) share that work. Nothing in them belongs to one app:
# routes find their services in `request.app.state`. So `app.dependency_overrides` does not
# reach them; a test sets the clock with `Services.clock`.
def _assembled(*routers: APIRouter) -> APIRouter:
    assembled = APIRouter()
    for router in routers:
        assembled.include_router(router)
    return assembled


SHARED_ROUTES = _assembled(
    api.router,
    pages.router,
    desk_panel.router,
    account_pages.router,
    inbox_pages.router,
    quality_screen.router,  # before /kwaliteit/{question}
    quality_pages.router,
    privacy_pages.router,
    admin_log.router,
    admin_accounts.router,
    admin_account.router,
    admin_apps.router,
    own_account.router,
    *EDITOR_ROUTERS,
    overlay.router,
)
DEMO_ROUTES = _assembled(demo.router)


class SchemaOutOfDate(RuntimeError):
    """The service refuses to start on a database that has not been migrated."""


class UndeclaredAccess(RuntimeError):
    """A route does not say who may use it (see epss.auth.policy)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app for these settings (read from the environment when not given)."""
    settings = settings or Settings()
    services = Services.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not is_current(services.engine):
            raise SchemaOutOfDate(
                "the database schema is not up to date: run `epss db upgrade` first"
            )
        services.start_following()
        yield
        services.close()

    app = FastAPI(
        title="EPSS",
        version=__version__,
        description="Step-by-step guidance for critical tasks, shown inside case software.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by epss.operations.docs, without a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    install_openapi(app)
    install_error_handlers(app)
    install_outage_handler(app)
    app.add_middleware(
        HostAppCORS, configured=settings.allowed_origins, registered=services.resolver.allows_origin
    )
    app.add_middleware(
        CSRFProtection,
        secret=settings.secret_key,
        secure=settings.secure_cookies,
        exempt=public_api_matcher(lambda: app.routes),
        refuse=refuse_without_csrf_token,
        refuse_too_large=refuse_too_large_form,
    )
    app.add_middleware(SecurityHeaders)
    sso_pages.install(app, settings)  # single sign-on, when configured (after SecurityHeaders)
    app.add_middleware(HeadAsGet)
    install_operations(app, services)  # probes, /metrics, request ids, docs: keep last
    # The routers' own route objects, not include_router: FastAPI builds every route's
    # dependants once per inclusion, which per app took most of create_app (about 100 ms).
    app.router.routes.extend(SHARED_ROUTES.routes)
    if settings.demo:
        app.router.routes.extend(DEMO_ROUTES.routes)
    if undeclared := undeclared_routes(app.routes):
        raise UndeclaredAccess("routes without an access policy: " + "; ".join(undeclared))
    return app
