"""Review and publication of drafts, published versions and their differences, and review
dates. Publishing answers only once the new version is committed and the search index and
the overlay's rules show it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from epss.api.deps import ServicesDep, SessionDep
from epss.auth import EDITORS, Identity, Role, allow
from epss.catalog import versions_of
from epss.db import unit_of_work
from epss.drafts import review, workflow
from epss.drafts.diff import version_diff
from epss.models import Task, TaskVersion
from epss.services import Services

router = APIRouter(tags=["review and publication"])
READERS = allow(Role.expert, Role.redacteur, Role.kwaliteit)


def today() -> dt.date:
    """Today's date, as a dependency so that tests can set the clock."""
    return dt.date.today()


TodayDep = Annotated[dt.date, Depends(today)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SendBackIn(_Body):
    comment: str = Field(description="What must change before it can be published; the "
                         "editors see it.")


class RestoreIn(_Body):
    version: int = Field(ge=1, description="The published version whose content comes back.")


class DraftStateOut(BaseModel):
    slug: str
    status: Literal["draft", "submitted", "published"]
    published_version: int | None
    submitted_by: str | None
    submitted_at: dt.datetime | None
    review_comment: str | None
    version: int = Field(description="Row version of the task's own fields.")
    steps_version: int


class VersionOut(BaseModel):
    number: int
    content_hash: str
    published_at: dt.datetime
    published_by: str
    approved_by: str | None
    edited_by: list[str]


class PublishedOut(VersionOut):
    slug: str
    status: Literal["published"] = "published"


class StepChangeOut(BaseModel):
    id: str
    title: str
    change: Literal["added", "changed", "removed"]
    fields: list[str]


class DiffOut(BaseModel):
    slug: str
    from_: int = Field(alias="from")
    to: int
    from_hash: str
    to_hash: str
    unified: str = Field(description="Unified diff of the two versions' task files.")
    task_fields: list[str]
    steps: list[StepChangeOut]


class ReviewItemOut(BaseModel):
    slug: str
    title: str
    owner: str
    criticality: str
    review_by: dt.date
    review_interval_months: int
    version: int
    status: str
    days_over: int | None = None
    days_left: int | None = None


class ReviewListsOut(BaseModel):
    today: dt.date
    within_days: int
    overdue: list[ReviewItemOut]
    due: list[ReviewItemOut]


def _state(task: Task) -> dict:
    return {name: getattr(task, name) for name in DraftStateOut.model_fields}


def _version(version: TaskVersion) -> dict:
    return {name: getattr(version, name) for name in VersionOut.model_fields}


def _publicise(services: Services) -> None:
    """After a commit that created a version: the search index and the overlay's rules
    of this process show it before the answer goes out (others notice within a second)."""
    services.refresh_search_index()
    services.resolver.check_now()


@router.post("/tasks/{slug}/draft/submit", response_model=DraftStateOut)
def submit(slug: str, session: SessionDep,
           who: Annotated[Identity, allow(*EDITORS)]) -> dict:
    """Offer the draft for review. 409 when it is already submitted or equals the newest
    published version; 422 naming every problem when it is not valid."""
    return _state(workflow.submit(session, slug, by=who.name))


@router.post("/tasks/{slug}/draft/send-back", response_model=DraftStateOut)
def send_back(slug: str, body: SendBackIn, session: SessionDep,
              who: Annotated[Identity, allow(Role.redacteur)]) -> dict:
    """Return a submitted draft to its editors with a comment (required) they will see."""
    return _state(workflow.send_back(session, slug, body.comment, by=who.name))


@router.post("/tasks/{slug}/draft/publish", response_model=PublishedOut)
def publish(slug: str, services: ServicesDep,
            who: Annotated[Identity, allow(Role.redacteur)]) -> dict:
    """Publish the submitted draft as a new immutable version. A critical task needs a
    second person: 403 with the reason when you edited this draft yourself."""
    with unit_of_work(services.engine) as session:
        answer = {**_version(workflow.publish_draft(session, slug, by=who.name)),
                  "slug": slug}
    _publicise(services)
    return answer


@router.post("/tasks/{slug}/draft/restore", response_model=DraftStateOut)
def restore(slug: str, body: RestoreIn, session: SessionDep,
            who: Annotated[Identity, allow(*EDITORS)]) -> dict:
    """The draft becomes an older version's content; submit and publish it to make it
    the newest version."""
    return _state(workflow.restore_version(session, slug, body.version, by=who.name))


@router.get("/tasks/{slug}/versions", response_model=list[VersionOut],
            dependencies=[READERS])
def versions(slug: str, session: SessionDep) -> list[dict]:
    """Every published version of the task, newest first: who edited, approved and
    published it, when, and its content hash."""
    return [_version(v) for v in versions_of(session, slug)]


@router.get("/tasks/{slug}/diff", response_model=DiffOut, dependencies=[READERS])
def diff(slug: str, session: SessionDep,
         from_: Annotated[int, Query(alias="from", ge=1, description="Version number.")],
         to: Annotated[int, Query(ge=1, description="Version number.")]) -> dict:
    """What changed between two versions: the diff of their task files and per step."""
    return version_diff(session, slug, from_, to)


@router.get("/review", response_model=ReviewListsOut, dependencies=[READERS])
def review_lists(session: SessionDep, day: TodayDep,
                 days: Annotated[int, Query(ge=1, le=366, description="Due within this many "
                                            "days.")] = review.DUE_WITHIN_DAYS) -> dict:
    """Tasks whose review date has passed, and tasks due for review soon."""
    return review.review_lists(session, day, within_days=days)


@router.post("/tasks/{slug}/review/confirm", response_model=PublishedOut)
def confirm_review(slug: str, services: ServicesDep, day: TodayDep,
                   who: Annotated[Identity, allow(*EDITORS)]) -> dict:
    """Confirm the published guidance is still correct: a new version whose only change is
    the next review date. 409 while the draft has unpublished changes."""
    with unit_of_work(services.engine) as session:
        answer = {**_version(review.confirm_review(session, slug, by=who.name, today=day)),
                  "slug": slug}
    _publicise(services)
    return answer
