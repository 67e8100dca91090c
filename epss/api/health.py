"""Liveness for load balancers and monitoring."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict:
    """Answers while the process serves requests; touches neither database nor index."""
    return {"status": "ok"}
