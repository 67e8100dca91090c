"""Shapes of the API's answers (they document the contract in OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from epss.clock import aware
from epss.search import SearchHit
from epss.taskfile.field_checks import FieldCheck
from epss.taskfile.fingerprint import FieldFingerprint

# Every moment of the API: ISO 8601 with its offset (a moment SQLite gave back without a
# zone is UTC). Use this type for each datetime field of an answer.
Moment = Annotated[dt.datetime, AfterValidator(aware)]
# A text that must say something: refused (422) when empty or only spaces.
NOT_BLANK = {"pattern": "\\S"}


class TaskSummary(BaseModel):
    slug: str
    title: str
    domain: str
    criticality: str
    owner: str
    review_by: dt.date
    tags: list[str]
    version: int


class StepOut(BaseModel):
    id: str
    title: str
    mandatory: bool
    instruction: str
    instruction_html: str
    why_html: str
    warning_html: str
    check_html: str
    estimated_minutes: int | None = None
    branches: list[dict]
    target: list[str]
    target_fingerprint: FieldFingerprint | None = None
    field_tip: str | None = None
    field_checks: list[FieldCheck] = []
    sources: list[str]


class TaskOut(BaseModel):
    """One published version of a task, with every Markdown field also as safe HTML."""

    slug: str
    title: str
    domain: str
    goal_html: str
    trigger_html: str
    standard_html: str
    criticality: str
    owner: str
    review_by: dt.date
    tags: list[str]
    zaaktypen: list[str]
    sources: list[dict]
    steps: list[StepOut]
    version: int
    latest_version: int
    content_hash: str
    published_at: Moment
    published_by: str
    approved_by: str | None
    submitted_by: str | None
    edited_by: list[str]
    import_unreviewed: bool


class GlossaryTermOut(BaseModel):
    term: str
    definition: str


class PanelStepOut(BaseModel):
    id: str
    hash: str = Field(
        description="Changes when the step's content changes; the panel keeps a tick only "
        "while it stays the same."
    )
    title: str
    mandatory: bool
    instruction: list
    why: list
    warning: list
    check: list
    estimated_minutes: int | None = None
    branches: list[dict]
    target: list[str]
    target_fingerprint: FieldFingerprint | None = Field(
        default=None,
        description="What the step's field looked like when it was picked: the panel finds "
        "the field by these signals when its selectors no longer find it, or find something "
        "that does not look like it.",
    )
    field_tip: str | None = Field(
        default=None, description="Shown next to the step's field while the step is open."
    )
    field_checks: list[FieldCheck] = Field(
        default=[],
        description="Checks the panel runs in the browser on what is typed in the step's "
        "field; what is typed is never sent.",
    )
    sources: list[dict]
    terms: list[GlossaryTermOut] = Field(
        description="The glossary terms the step uses, in the order they appear."
    )


class PanelTaskOut(BaseModel):
    """A published version for the overlay's panel. Rich text is a list of nodes: a
    string is text, a list is an element `[tag, {attributes}, *children]`, from the
    sanitiser's allow-list."""

    slug: str
    title: str
    version: int
    content_hash: str
    published_at: Moment
    goal: list
    deviation_reasons: list[str] = Field(
        default=[],
        description="What a person chooses from when deviating from a step, besides "
        "'anders' in their own words; the event then carries the reason's number.",
    )
    steps: list[PanelStepOut]


class SearchResults(BaseModel):
    query: str
    results: list[SearchHit]


class MatchOut(BaseModel):
    task: str
    title: str
    version: int
    start_step: str | None
    source: str
    reason: str


class ResolveOut(BaseModel):
    matches: list[MatchOut]
