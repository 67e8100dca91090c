"""Liveness under the API prefix, kept for monitoring set up before the probes at
/health/live and /health/ready (epss.operations.health), which load balancers should use."""

from __future__ import annotations

from fastapi import APIRouter

from epss.auth import PUBLIC

router = APIRouter(tags=["health"], dependencies=[PUBLIC])


@router.get("/health")
async def health() -> dict:
    """Answers while the process serves requests; touches neither database nor index."""
    return {"status": "ok"}
