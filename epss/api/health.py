"""Liveness for load balancers and monitoring."""

from __future__ import annotations

from fastapi import APIRouter

from epss.auth import PUBLIC

router = APIRouter(tags=["health"], dependencies=[PUBLIC])


@router.get("/health")
async def health() -> dict:
    """Answers while the process serves requests; touches neither database nor index."""
    return {"status": "ok"}
