"""Probes for load balancers and orchestrators: `/health/live` (the process answers) and
`/health/ready` (it can serve: see epss.operations.readiness). Both are public and cheap,
and answer HEAD as well as GET (epss.web.head_requests), which some load balancers use."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from epss.auth import PUBLIC

router = APIRouter(prefix="/health", tags=["health"], dependencies=[PUBLIC])
_NO_STORE = {"Cache-Control": "no-store"}


@router.get("/live")
async def live() -> JSONResponse:
    """Answers while the process serves requests; touches neither database nor index."""
    return JSONResponse({"status": "live"}, headers=_NO_STORE)


@router.get(
    "/ready", responses={503: {"description": "Not ready; `detail` says which check failed."}}
)
async def ready(request: Request) -> JSONResponse:
    """200 when the database can be reached, its schema is at the newest migration and the
    search index is current; 503 naming the failed check otherwise. Also reports the
    catch-up lag. Checked at most once per second."""
    report = await request.app.state.readiness.report()
    return JSONResponse(
        report.as_json(), status_code=200 if report.ready else 503, headers=_NO_STORE
    )
