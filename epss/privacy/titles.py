"""Names for what is recorded about a person: an event or a feedback item names a task by
its slug, a step by its id and the case software by its id; a person reads the titles, as
the published version they used names them, and the name the host app was registered
with."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from epss.models import HostApp, Task, TaskVersion


class Titles:
    """Looks titles up in the published task versions, reading each version once (one
    object serves one page or one download)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._apps: dict[str, str | None] = {}
        self._tasks: dict[str, Task | None] = {}
        self._documents: dict[tuple[str, int | None], dict[str, Any] | None] = {}

    def app(self, app_id: str | None) -> str | None:
        """The registered name of a host app (None for one that is not registered)."""
        if not app_id:
            return None
        if app_id not in self._apps:
            found = self.session.get(HostApp, app_id)
            self._apps[app_id] = found.name if found is not None else None
        return self._apps[app_id]

    def task(self, slug: str) -> Task | None:
        if slug not in self._tasks:
            self._tasks[slug] = self.session.exec(select(Task).where(Task.slug == slug)).first()
        return self._tasks[slug]

    def of(
        self, slug: str | None, version: int | None, step: str | None
    ) -> tuple[str | None, str | None]:
        """(task title, step title) of a task version and a step in it. The version the
        person used names them; when that version is unknown (or not given), the newest
        published one. None for what no published version knows (a task or step that was
        removed, or never existed), and for what was not given."""
        if not slug:
            return None, None
        documents = [self._document(slug, version)]
        if version is not None:
            documents.append(self._document(slug, None))
        known = [d for d in documents if d is not None]
        task_title = known[0].get("title") if known else None
        step_title = None
        if step:
            step_title = next(
                (s.get("title") for d in known for s in d.get("steps", []) if s.get("id") == step),
                None,
            )
        return task_title, step_title

    def reason(self, slug: str | None, version: int | None, number: int | None) -> str | None:
        """The text of reason to deviate `number` (1: the first) in the task version the
        person used; None when not given or that version does not have it."""
        document = self._document(slug, version) if slug and version and number else None
        reasons = document.get("deviation_reasons", []) if document else []
        return reasons[number - 1] if number and 0 < number <= len(reasons) else None

    def _document(self, slug: str, number: int | None) -> dict[str, Any] | None:
        """The document of version `number` of the task (None: its newest published one)."""
        key = (slug, number)
        if key not in self._documents:
            task = self.task(slug)
            wanted = number if number is not None else task and task.published_version
            found = None
            if task is not None and wanted is not None:
                found = self.session.exec(
                    select(TaskVersion).where(
                        col(TaskVersion.task_id) == task.id, col(TaskVersion.number) == wanted
                    )
                ).first()
            self._documents[key] = found.document if found is not None else None
        return self._documents[key]
