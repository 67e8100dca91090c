"""The catalog of tasks: import, publish and read published versions.

Functions here take a Session and never commit: the caller's unit of work does, once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, func
from sqlmodel import Session, select

from epss.drafts.history import record_change
from epss.errors import NotFound
from epss.models import ContextRule, HostApp, Step, Task, TaskVersion
from epss.taskfile import TaskDocument, dump_document

_TASK_FIELDS = ("title", "domain", "goal", "trigger", "standard", "criticality", "owner",
                "review_by", "tags", "zaaktypen", "sources", "context_rules")
_STEP_FIELDS = ("title", "mandatory", "instruction", "why", "warning", "check", "branches",
                "target", "sources")


def content_hash(document: TaskDocument) -> str:
    """SHA-256 over the canonical JSON of a document: equal content, equal hash."""
    canonical = json.dumps(
        document.model_dump(mode="json", by_alias=True),
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return self.created + self.updated


def known_slugs(session: Session) -> set[str]:
    return set(session.exec(select(Task.slug)).all())


def import_documents(
    session: Session, documents: Iterable[TaskDocument], *, by: str
) -> ImportReport:
    """Make each document the working copy and the newest published version of its task,
    recorded in the task's history as "imported" (an import is a publication).

    A document equal to the newest published version changes nothing.
    """
    report = ImportReport()
    for document in documents:
        task = _task(session, document.slug)
        latest = _version(session, task, task.published_version) if task else None
        if latest is not None and latest.content_hash == content_hash(document):
            report.unchanged.append(document.slug)
            continue
        (report.updated if task else report.created).append(document.slug)
        task = write_working_copy(session, task, document)
        version = publish(session, task, document, by=by)
        record_change(session, task, by, "imported", version_number=version.number)
    return report


def publish(
    session: Session, task: Task, document: TaskDocument, *, by: str,
    approved_by: str | None = None, edited_by: Iterable[str] = (),
) -> TaskVersion:
    """Record `document` as the task's next immutable version and make its rules live.
    `edited_by`: who changed the draft since the version before."""
    number = (task.published_version or 0) + 1
    version = TaskVersion(
        task_id=task.id, number=number, content_hash=content_hash(document),
        document=document.model_dump(mode="json", by_alias=True),
        published_by=by, approved_by=approved_by, edited_by=sorted(set(edited_by)),
    )
    session.add(version)
    task.published_version = number
    task.status = "published"
    task.submitted_by = task.submitted_at = task.review_comment = None
    session.add(task)
    _replace_rules(session, task, document)
    return version


def write_working_copy(session: Session, task: Task | None, document: TaskDocument) -> Task:
    """Make the task's working copy (its fields and steps) equal to `document`. The row
    version of the task, of each changed step and of the list of steps goes up where it
    changed, so an editor holding an older version gets a conflict instead of overwriting."""
    values = document.model_dump(mode="python", by_alias=True, include=set(_TASK_FIELDS))
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

    existing = {step.key: step for step in session.exec(
        select(Step).where(Step.task_id == task.id).order_by(Step.position)).all()}
    if list(existing) != [s.id for s in document.steps] and existing:
        task.steps_version += 1
        session.add(task)
    keep = {s.id for s in document.steps}
    for key, step in existing.items():
        if key not in keep:
            session.delete(step)
    session.flush()
    for position, source in enumerate(document.steps, start=1):
        step_values = source.model_dump(mode="json", by_alias=True, include=set(_STEP_FIELDS))
        step = existing.get(source.id)
        if step is None:
            step = Step(task_id=task.id, key=source.id, position=position, **step_values)
        else:
            moved = step.position != position
            if moved or any(getattr(step, k) != v for k, v in step_values.items()):
                step.version += 1
            step.position = position
            for name, value in step_values.items():
                setattr(step, name, value)
        session.add(step)
    return task


def _replace_rules(session: Session, task: Task, document: TaskDocument) -> None:
    session.exec(delete(ContextRule).where(ContextRule.task_id == task.id))
    for position, rule in enumerate(document.context_rules, start=1):
        if session.get(HostApp, rule.app) is None:
            # Rules may name an application before an admin has configured it.
            session.add(HostApp(id=rule.app, name=rule.app))
            session.flush()
        session.add(ContextRule(
            task_id=task.id, app_id=rule.app, position=position, url=rule.url,
            title=rule.title, markers=list(rule.markers), zaaktype=rule.zaaktype,
            priority=rule.priority, start_step=rule.start_step,
        ))


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
        raise NotFound(f"there is no published task '{slug}'")
    version = _version(session, task, number or task.published_version)
    if version is None:
        raise NotFound(f"task '{slug}' has no version {number} "
                       f"(the newest is {task.published_version})")
    return version


def versions_of(session: Session, slug: str) -> list[TaskVersion]:
    """Every published version of a task, newest first."""
    task = _task(session, slug)
    if task is None:
        raise NotFound(f"there is no task '{slug}'")
    return list(session.exec(select(TaskVersion).where(TaskVersion.task_id == task.id)
                             .order_by(TaskVersion.number.desc())).all())


def newest_versions(session: Session) -> list[TaskVersion]:
    """The newest published version of every task, ordered by slug."""
    rows = session.exec(
        select(TaskVersion).join(Task, Task.id == TaskVersion.task_id)
        .where(TaskVersion.number == Task.published_version)
        .order_by(Task.slug)
    ).all()
    return list(rows)


def catalog_fingerprint(session: Session) -> str:
    """Changes whenever a task gets a new published version or a host app is added."""
    count, top = session.exec(select(func.count(TaskVersion.id), func.max(TaskVersion.id))).one()
    apps = session.exec(select(func.count()).select_from(HostApp)).one()
    return f"{count}:{top}:{apps}"


def export_documents(session: Session) -> dict[str, str]:
    """File name → task file text, for the newest published version of every task."""
    return {f"{v.document['slug']}.yaml": dump_document(v.document)
            for v in newest_versions(session)}
