"""The catalog of tasks: publish and read published versions, import and export task files.

Two roads bring a task file in. The ordinary one (`epss.drafts.importing`) puts it in the
task's draft, submitted for review, as any change. `import_documents` here publishes at once,
without review, and says so on each version: for an operator installing a fresh system
(`epss import --publish`), for the demo and for tests.

Functions here take a Session and never commit: the caller's unit of work does, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from epss.changes import log as change_log
from epss.clock import iso
from epss.drafts.history import edits_since_publication, record_change
from epss.errors import Conflict, NotFound
from epss.models import ContextRule, HostApp, Step, Task, TaskVersion, stored_id
from epss.taskfile import TaskDocument, dump_document
from epss.taskfile.fields import TASK_FIELDS, step_values

VERSIONS_FILE = "versions.json"  # the credits of every version, beside the exported files


def content_hash(document: TaskDocument) -> str:
    """SHA-256 over the canonical JSON of a document: equal content, equal hash."""
    canonical = json.dumps(
        document.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def same_content(document: TaskDocument, version: TaskVersion) -> bool:
    """Whether `document` is `version`'s guidance. Its review date may be the one the
    version was published with, or the one a confirmation has moved it to since."""
    if document.review_by == version.review_by:
        published = dt.date.fromisoformat(version.document["review_by"])
        document = document.model_copy(update={"review_by": published})
    return content_hash(document) == version.content_hash


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    published: bool = False  # True: published at once, without review

    @property
    def changed(self) -> list[str]:
        return self.created + self.updated


def known_slugs(session: Session) -> set[str]:
    """Every task, published or not (a draft may continue with a task not yet published)."""
    return set(session.exec(select(Task.slug)).all())


def published_slugs(session: Session) -> set[str]:
    """The tasks with a published version (what a published version may continue with)."""
    return set(
        session.exec(select(Task.slug).where(col(Task.published_version).is_not(None))).all()
    )


def has_unpublished_draft(session: Session, task: Task) -> bool:
    """Whether the task's draft holds work that is not published: it was never published,
    or it is a draft or submitted with changes since the last publication."""
    if task.published_version is None:
        return True
    return task.status != "published" and bool(edits_since_publication(session, task))


def drafts_in_the_way(slugs: list[str]) -> Conflict:
    """The refusal of an import that would overwrite unpublished drafts (nothing changed)."""
    names = ", ".join(f"'{slug}'" for slug in slugs)
    template = (
        "De taak {tasks} heeft een concept dat nog niet gepubliceerd is; importeren zou het "
        "overschrijven. Er is niets geïmporteerd. Publiceer het concept of stuur het terug, "
        "of importeer opnieuw en kies ervoor het concept te vervangen."
        if len(slugs) == 1
        else "De taken {tasks} hebben een concept dat nog niet gepubliceerd is; importeren zou "
        "die overschrijven. Er is niets geïmporteerd. Publiceer de concepten of stuur ze "
        "terug, of importeer opnieuw en kies ervoor de concepten te vervangen."
    )
    return Conflict(
        template, params={"tasks": names}, extra={"reason": "unpublished_draft", "tasks": slugs}
    )


def import_documents(
    session: Session,
    documents: Iterable[TaskDocument],
    *,
    by: str,
    replace_draft: bool = False,
) -> ImportReport:
    """Publish each new or changed document at once, without review: for an operator
    installing a fresh system (`epss import --publish`), the demo and tests. Each version
    says so (`import_unreviewed`, no approver, `by` as its editor), and the history records
    "imported" with the version. Every other road goes through review
    (`epss.drafts.importing.import_for_review`).

    A document equal to the newest published version changes nothing. A task whose draft
    holds unpublished work is refused (one Conflict naming them all; nothing changed)
    unless `replace_draft`."""
    report = ImportReport(published=True)
    todo, refused = [], []
    for document in documents:
        task = _task(session, document.slug)
        latest = _version(session, task, task.published_version) if task else None
        if latest is not None and same_content(document, latest):
            report.unchanged.append(document.slug)
        elif task is not None and not replace_draft and has_unpublished_draft(session, task):
            refused.append(document.slug)
        else:
            (report.updated if task else report.created).append(document.slug)
            todo.append((task, document))
    if refused:
        raise drafts_in_the_way(refused)
    for task, document in todo:
        task = write_working_copy(session, task, document)
        version = publish(session, task, document, by=by, edited_by=[by], import_unreviewed=True)
        record_change(session, task, by, "imported", version_number=version.number)
    return report


def publish(
    session: Session,
    task: Task,
    document: TaskDocument,
    *,
    by: str,
    approved_by: str | None = None,
    submitted_by: str | None = None,
    edited_by: Iterable[str] = (),
    import_unreviewed: bool = False,
) -> TaskVersion:
    """Record `document` as the task's next immutable version and make its rules live.
    Credits: `by` published it, `approved_by` reviewed it, `submitted_by` offered it for
    review, `edited_by` changed the draft since the version before; `import_unreviewed`
    when it was published at import, without review."""
    number = (task.published_version or 0) + 1
    version = TaskVersion(
        task_id=stored_id(task),
        number=number,
        content_hash=content_hash(document),
        document=document.model_dump(mode="json", by_alias=True),
        published_by=by,
        approved_by=approved_by,
        submitted_by=submitted_by,
        edited_by=sorted(set(edited_by)),
        import_unreviewed=import_unreviewed,
        review_by=document.review_by,
    )
    session.add(version)
    task.published_version = number
    task.status = "published"
    task.submitted_by = task.submitted_at = task.review_comment = None
    session.add(task)
    _replace_rules(session, task, document)
    change_log.record(session, change_log.TASK, task.slug)
    return version


def write_working_copy(session: Session, task: Task | None, document: TaskDocument) -> Task:
    """Make the task's working copy (its fields and steps) equal to `document`. The row
    version of the task, of each changed step and of the list of steps goes up where it
    changed, so an editor holding an older version gets a conflict instead of overwriting."""
    values = document.model_dump(mode="python", by_alias=True, include=set(TASK_FIELDS))
    values["review_by"] = document.review_by
    values["review_interval_months"] = document.review_interval_months
    if task is None:
        task = Task(slug=document.slug, **values)
    else:
        if any(getattr(task, name) != value for name, value in values.items()):
            task.version += 1
        for name, value in values.items():
            setattr(task, name, value)
    session.add(task)
    session.flush()

    existing = {
        step.key: step
        for step in session.exec(
            select(Step).where(Step.task_id == task.id).order_by(col(Step.position))
        ).all()
    }
    if list(existing) != [s.id for s in document.steps] and existing:
        task.steps_version += 1
        session.add(task)
    keep = {s.id for s in document.steps}
    for key, old in existing.items():
        if key not in keep:
            session.delete(old)
    session.flush()
    for position, source in enumerate(document.steps, start=1):
        values = step_values(source)
        step = existing.get(source.id)
        if step is None:
            step = Step(task_id=stored_id(task), key=source.id, position=position, **values)
        else:
            moved = step.position != position
            if moved or any(getattr(step, k) != v for k, v in values.items()):
                step.version += 1
            step.position = position
            for name, value in values.items():
                setattr(step, name, value)
        session.add(step)
    return task


def _replace_rules(session: Session, task: Task, document: TaskDocument) -> None:
    session.exec(delete(ContextRule).where(col(ContextRule.task_id) == task.id))
    for position, rule in enumerate(document.context_rules, start=1):
        if session.get(HostApp, rule.app) is None:
            # Rules may name an application before an admin has configured it.
            session.add(HostApp(id=rule.app, name=rule.app))
            session.flush()
        session.add(
            ContextRule(
                task_id=stored_id(task),
                app_id=rule.app,
                position=position,
                url=rule.url,
                title=rule.title,
                markers=list(rule.markers),
                zaaktype=rule.zaaktype,
                priority=rule.priority,
                start_step=rule.start_step,
            )
        )


def _task(session: Session, slug: str) -> Task | None:
    return session.exec(select(Task).where(Task.slug == slug)).first()


def _version(session: Session, task: Task, number: int | None) -> TaskVersion | None:
    return session.exec(
        select(TaskVersion).where(TaskVersion.task_id == task.id, TaskVersion.number == number)
    ).first()


def published_version(session: Session, slug: str, number: int | None = None) -> TaskVersion:
    """The newest published version of a task, or version `number`."""
    task = _task(session, slug)
    if task is None or task.published_version is None:
        raise NotFound(
            "Er is geen gepubliceerde taak '{slug}'. Kies een taak uit de lijst.",
            params={"slug": slug},
        )
    version = _version(session, task, number or task.published_version)
    if version is None:
        raise NotFound(
            "Versie {number} van '{title}' bestaat niet (de nieuwste is versie {newest}).",
            params={"number": number, "title": task.title, "newest": task.published_version},
        )
    return version


def versions_of(session: Session, slug: str) -> list[TaskVersion]:
    """Every published version of a task, newest first."""
    task = _task(session, slug)
    if task is None:
        raise NotFound("Er is geen taak '{slug}'.", params={"slug": slug})
    return list(
        session.exec(
            select(TaskVersion)
            .where(TaskVersion.task_id == task.id)
            .order_by(col(TaskVersion.number).desc())
        ).all()
    )


def newest_versions(session: Session, slugs: set[str] | None = None) -> list[TaskVersion]:
    """The newest published version of every task (or of those in `slugs`), by slug."""
    query = (
        select(TaskVersion)
        .join(Task, col(Task.id) == TaskVersion.task_id)
        .where(TaskVersion.number == Task.published_version)
        .order_by(Task.slug)
    )
    if slugs is not None:
        query = query.where(col(Task.slug).in_(sorted(slugs)))
    return list(session.exec(query).all())


def published_fields(
    session: Session, *names: str, slugs: set[str] | None = None
) -> list[dict[str, Any]]:
    """Fields `names` of the newest published version of every task (or of those in
    `slugs`), by slug, with its `slug`, `version` (number) and `review_by`; a field the
    document lacks is left out. For lists of tasks: the database picks the fields out of
    the stored documents, which for 2,000 tasks takes 70 ms where newest_versions, which
    decodes them whole, takes 550."""
    query = (
        sa.select(  # sqlmodel's select does not type this many columns
            col(Task.slug),
            col(TaskVersion.number),
            col(TaskVersion.review_by),
            *(col(TaskVersion.document)[name] for name in names),
        )
        .join(TaskVersion, col(Task.id) == TaskVersion.task_id)
        .where(col(TaskVersion.number) == col(Task.published_version))
        .order_by(col(Task.slug))
    )
    if slugs is not None:
        query = query.where(col(Task.slug).in_(sorted(slugs)))
    return [
        {
            "slug": slug,
            "version": number,
            "review_by": review_by,
            **{name: value for name, value in zip(names, values, strict=True) if value is not None},
        }
        for slug, number, review_by, *values in session.execute(query).all()
    ]


def published_titles(session: Session, slugs: set[str] | None = None) -> dict[str, str]:
    """Slug → title of the newest published version of every task (or of those in
    `slugs`), by slug."""
    return {t["slug"]: t["title"] for t in published_fields(session, "title", slugs=slugs)}


def catalog_fingerprint(session: Session) -> str:
    """Changes whenever a task gets a new published version or a host app is added."""
    count, top = session.exec(
        select(func.count(col(TaskVersion.id)), func.max(col(TaskVersion.id)))
    ).one()
    apps = session.exec(select(func.count()).select_from(HostApp)).one()
    return f"{count}:{top}:{apps}"


def credits(version: TaskVersion) -> dict[str, object]:
    """A version's facts and credits, as the API and the versions listing give them."""
    return {
        "number": version.number,
        "content_hash": version.content_hash,
        "published_at": _aware(version.published_at),
        "published_by": version.published_by,
        "approved_by": version.approved_by,
        "submitted_by": version.submitted_by,
        "edited_by": list(version.edited_by),
        "import_unreviewed": version.import_unreviewed,
        "review_by": version.review_by,
    }


def task_file(version: TaskVersion) -> str:
    """The version as a task file, with the review date that holds now (a confirmation
    may have moved it since publication)."""
    return dump_document({**version.document, "review_by": version.review_by.isoformat()})


def export_documents(session: Session) -> dict[str, str]:
    """File name → task file text, for the newest published version of every task."""
    return {f"{v.document['slug']}.yaml": task_file(v) for v in newest_versions(session)}


def versions_listing(session: Session) -> str:
    """Every published version of every task with its credits, as JSON (the file
    VERSIONS_FILE of an export): the task file format has no place for them, and an
    imported file's credits would be claims, not facts of this system."""
    rows = session.exec(
        select(Task.slug, TaskVersion)
        .join(Task, col(Task.id) == TaskVersion.task_id)
        .order_by(col(Task.slug), col(TaskVersion.number))
    ).all()
    tasks: dict[str, list[dict[str, object]]] = {}
    for slug, version in rows:
        tasks.setdefault(slug, []).append(credits(version))
    listing = [{"slug": slug, "versions": versions} for slug, versions in tasks.items()]
    return json.dumps({"tasks": listing}, indent=2, ensure_ascii=False, default=_json) + "\n"


def _json(value: object) -> str:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
