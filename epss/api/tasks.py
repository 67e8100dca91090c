"""Published guidance: the task list and one task (any published version)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from epss.api.deps import SessionDep
from epss.api.schemas import TaskOut, TaskSummary
from epss.catalog import newest_versions, published_version
from epss.render import render_version

router = APIRouter(tags=["tasks"])


@router.get("/tasks", response_model=list[TaskSummary])
def list_tasks(session: SessionDep) -> list[dict]:
    """Every task with a published version, by slug."""
    return [
        {**{k: v.document[k] for k in TaskSummary.model_fields if k in v.document},
         "version": v.number}
        for v in newest_versions(session)
    ]


@router.get("/tasks/{slug}", response_model=TaskOut)
def get_task(
    slug: str, session: SessionDep,
    version: int | None = Query(default=None, ge=1, description="An older version number."),
) -> dict:
    """The newest published version of a task, or the version asked for."""
    latest = published_version(session, slug)
    shown = latest if version is None else published_version(session, slug, version)
    return render_version(shown, latest.number)
