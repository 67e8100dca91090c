"""Steps whose field the desk's panel did not find on the screen, or found only by what it
looked like: the overlay's `highlight_missing` and `highlight_moved` reports of a period,
per kind, task, step and host app, with how often, since when, until when and on which
screens. Counts only: no one who reported is named. A case software release that renamed
or moved a field shows here before anyone calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from epss.catalog import newest_versions
from epss.clock import aware
from epss.models import Event, table_of

MISSING, MOVED = "highlight_missing", "highlight_moved"
SCREENS_SHOWN = 5
MISSING_FIELDS_DAYS = 30  # the period the experts' list looks back over
EVENT = table_of(Event).c


@dataclass
class FieldReport:
    """One step's field not found (`moved` False) or found only by its fingerprint (True) in
    one host app. `step_number` and `step_title` are of the newest published version (None
    when the step is no longer in it); `changed_since`: that version was published after
    the last report (the field may be fixed)."""

    moved: bool
    task_slug: str
    task_title: str
    step_id: str | None
    step_number: int | None
    step_title: str | None
    app: str
    reports: int
    first: dt.datetime
    last: dt.datetime
    changed_since: bool
    screens: list[str] = field(default_factory=list)


def field_reports(
    session: Session, since: dt.datetime, slug: str | None = None, *, screens: bool = True
) -> list[FieldReport]:
    """The reports since `since` (of one task, or all), a row per kind, task, step and host
    app, the most recent first; without the screens when `screens` is false."""
    where = (
        EVENT.type.in_((MISSING, MOVED)),
        EVENT.occurred_at >= since,
        EVENT.task_slug.is_not(None) if slug is None else EVENT.task_slug == slug,
    )
    group = (EVENT.type, EVENT.task_slug, EVENT.step_id, EVENT.app)
    rows = session.execute(
        select(*group, func.count(), func.min(EVENT.occurred_at), func.max(EVENT.occurred_at))
        .where(*where)
        .group_by(*group)
    ).all()
    seen_on: dict[tuple[str, str, str | None, str], list[str]] = {}
    for kind, slug, step_id, app, url in (
        session.execute(select(*group, EVENT.url).where(*where).distinct().order_by(EVENT.url))
        if screens
        else ()
    ):
        seen_on.setdefault((kind, slug, step_id, app), []).append(url)
    versions = {v.document["slug"]: v for v in newest_versions(session, {r[1] for r in rows})}
    found = []
    for kind, slug, step_id, app, reports, first, last in rows:
        version = versions.get(slug)
        steps = version.document["steps"] if version else []
        number = next((n for n, s in enumerate(steps, 1) if s["id"] == step_id), None)
        found.append(
            FieldReport(
                moved=kind == MOVED,
                task_slug=slug,
                task_title=version.document["title"] if version else slug,
                step_id=step_id,
                step_number=number,
                step_title=steps[number - 1]["title"] if number else None,
                app=app,
                reports=reports,
                first=aware(first),
                last=aware(last),
                changed_since=bool(version and aware(version.published_at) > aware(last)),
                screens=seen_on.get((kind, slug, step_id, app), [])[:SCREENS_SHOWN],
            )
        )
    return sorted(found, key=lambda m: m.last, reverse=True)


def unfound_steps(
    session: Session, since: dt.datetime, slug: str | None = None
) -> set[tuple[str, str]]:
    """The (task, step) pairs whose field the panel did not find since `since` (of one
    task, or all), of steps in the newest published version, not republished since: what
    an expert should fix."""
    return {
        (r.task_slug, r.step_id)
        for r in field_reports(session, since, slug, screens=False)
        if not r.moved and not r.changed_since and r.step_id and r.step_number is not None
    }
