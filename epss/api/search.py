"""Full-text search over published guidance."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from epss.api.schemas import SearchResults
from epss.auth import PUBLIC
from epss.web.deps import ServicesDep

router = APIRouter(tags=["search"], dependencies=[PUBLIC])
MAX_RESULTS = 50


@router.get("/search", response_model=SearchResults)
def search(
    services: ServicesDep,
    q: str = Query(min_length=1, max_length=200, description="What the person typed."),
    limit: int = Query(default=10, ge=1, le=MAX_RESULTS, description="How many results at most."),
) -> JSONResponse:
    """Tasks and steps matching the query, best first, each with a highlighted snippet
    (HTML: the text is escaped, matches are wrapped in <mark>)."""
    hits = services.search_index.search(q, limit=limit)
    return JSONResponse({"query": q, "results": [asdict(hit) for hit in hits]})
