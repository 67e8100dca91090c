"""Published guidance: the task list and one task (any published version)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from epss.api.schemas import PanelTaskOut, TaskOut, TaskSummary
from epss.auth import PUBLIC
from epss.catalog import published_fields, published_version
from epss.numbers import MAX_INT
from epss.render import panel_view, render_version
from epss.web.deps import ServicesDep, SessionDep

router = APIRouter(tags=["tasks"], dependencies=[PUBLIC])
# What published_fields picks out of each document; it adds slug, version and review_by.
_SUMMARY_FIELDS = [n for n in TaskSummary.model_fields if n not in ("slug", "version", "review_by")]


@router.get("/tasks", response_model=list[TaskSummary])
def list_tasks(session: SessionDep) -> list[dict]:
    """Every task with a published version, by slug."""
    return published_fields(session, *_SUMMARY_FIELDS)


@router.get("/tasks/{slug}", response_model=TaskOut)
def get_task(
    slug: str,
    session: SessionDep,
    version: int | None = Query(
        default=None, ge=1, le=MAX_INT, description="An older version number."
    ),
) -> dict:
    """The newest published version of a task, or the version asked for."""
    latest = published_version(session, slug)
    shown = latest if version is None else published_version(session, slug, version)
    return render_version(shown, latest.number)


@router.get("/tasks/{slug}/panel", response_model=PanelTaskOut)
def get_panel_task(
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    response: Response,
    version: int | None = Query(default=None, ge=1, le=MAX_INT, description="A version number."),
) -> dict:
    """A published version as the overlay's panel shows it: rich text as element trees
    (so the overlay never parses HTML), sources, branch destinations and each step's
    glossary terms spelled out. With `version` the guidance never changes, so it is cached
    for a year."""
    shown = published_version(session, slug, version)
    targets = {
        b["task"] for s in shown.document["steps"] for b in s.get("branches", []) if b.get("task")
    }
    titles = {
        t: (v.document["title"], v.number) for t in targets for v in [published_version(session, t)]
    }
    response.headers["Cache-Control"] = (
        "public, max-age=31536000, immutable" if version else "no-cache"
    )
    return panel_view(shown, titles, services.glossary)
