"""The JSON API under /api/v1."""

from fastapi import APIRouter

from epss.api import (
    context,
    drafts,
    events,
    feedback,
    health,
    me,
    outcomes,
    privacy,
    quality,
    search,
    tasks,
    workflow,
)

router = APIRouter(prefix="/api/v1")
router.include_router(tasks.router)
router.include_router(search.router)
router.include_router(context.router)
router.include_router(events.router)
router.include_router(feedback.router)
router.include_router(outcomes.router)
router.include_router(health.router)
router.include_router(me.router)
router.include_router(privacy.router)
router.include_router(workflow.router)
router.include_router(drafts.router)
router.include_router(quality.router)

__all__ = ["router"]
