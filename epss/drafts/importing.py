"""Task files into the drafts: the road every new or changed task takes, whether it comes
from `epss import`, an upload in the editor or the API.

An imported file becomes the task's draft, submitted for review by whoever imported it.
The import counts as their change (history: "imported_for_review"), so on a critical task
another redacteur must publish it. A new task has no published version until then.
Publishing at once, without review, is `epss.catalog.import_documents` (an operator
installing a fresh system). Functions take a Session and never commit.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, select

from epss.catalog import (
    ImportReport,
    content_hash,
    drafts_in_the_way,
    has_unpublished_draft,
    published_version,
    same_content,
    write_working_copy,
)
from epss.drafts.document import draft_hash
from epss.drafts.history import record_change
from epss.drafts.presence import queue_notice
from epss.drafts.workflow import record_step
from epss.drafts.working import lock_task
from epss.i18n import Message, count
from epss.models import Task
from epss.taskfile import Problem, TaskDocument, TaskFileError, load_paths
from epss.taskfile.problems import problem

MAX_FILE_BYTES = 1_000_000
MAX_FILES = 500
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def import_for_review(
    session: Session,
    documents: Iterable[TaskDocument],
    *,
    by: str,
    replace_draft: bool = False,
) -> ImportReport:
    """Make each new or changed document its task's draft, submitted for review by `by`.

    Unchanged: a document equal to the newest published version, or to a draft that is
    already submitted. A task whose draft holds other unpublished work is refused (one
    Conflict naming them all; nothing changed) unless `replace_draft`: then the draft is
    replaced, recorded as "draft_replaced", and its earlier editors no longer count as
    editors of it."""
    report = ImportReport()
    todo, refused = [], []
    for document in sorted(documents, key=lambda d: d.slug):  # locks in one order
        task = _task(session, document.slug)
        if task is not None:
            task = lock_task(session, document.slug)
        if task is not None and _unchanged(session, task, document):
            report.unchanged.append(document.slug)
        elif task is not None and not replace_draft and has_unpublished_draft(session, task):
            refused.append(document.slug)
        else:
            (report.updated if task else report.created).append(document.slug)
            todo.append((task, document))
    if refused:
        raise drafts_in_the_way(refused)
    now = dt.datetime.now(dt.UTC)
    for task, document in todo:
        if task is not None and has_unpublished_draft(session, task):
            record_change(session, task, by, "draft_replaced")
        task = write_working_copy(session, task, document)
        task.status = "submitted"
        task.submitted_by = by
        task.submitted_at = task.updated_at = now
        task.review_comment = None
        session.add(task)
        record_change(session, task, by, "imported_for_review")
        for kind in ("task", "steps"):  # open editors show the imported content
            queue_notice(
                session,
                task.slug,
                "saved",
                {"kind": kind, "step_id": None, "version": None, "by": by},
            )
        record_step(session, task, by, "submitted")
    return report


def _unchanged(session: Session, task: Task, document: TaskDocument) -> bool:
    if task.published_version is not None and same_content(
        document, published_version(session, task.slug)
    ):
        return True
    return task.status == "submitted" and draft_hash(session, task) == content_hash(document)


def _task(session: Session, slug: str) -> Task | None:
    return session.exec(select(Task).where(Task.slug == slug)).first()


def upload_problems(uploads: list[tuple[str, bytes]]) -> list[Problem]:
    """What is wrong with a set of uploaded files before they are read: none, too many,
    not a task file by its name, too large."""
    if not uploads:
        return [problem("", None, (), "kies minstens één taakbestand (.yaml)")]
    if len(uploads) > MAX_FILES:
        return [
            problem(
                "",
                None,
                (),
                Message("hooguit {count} tegelijk", count=count(MAX_FILES, "bestand", "bestanden")),
            )
        ]
    problems = []
    for name, data in uploads:
        if not name.endswith((".yaml", ".yml")):
            problems.append(
                problem(
                    name or "?",
                    None,
                    (),
                    "is geen taakbestand: de naam moet eindigen op .yaml of .yml",
                )
            )
        elif len(data) > MAX_FILE_BYTES:
            problems.append(
                problem(
                    name,
                    None,
                    (),
                    Message("is groter dan {size}", size=count(MAX_FILE_BYTES, "byte", "bytes")),
                )
            )
    return problems


def load_uploads(uploads: list[tuple[str, bytes]], known: set[str]) -> list[TaskDocument]:
    """The documents of uploaded files (name, content), checked together as `load_paths`
    checks a folder (two files with one slug, branches to tasks that do not exist).
    Raises TaskFileError naming each file by its uploaded name."""
    with tempfile.TemporaryDirectory(prefix="epss-import-") as folder:
        names: dict[str, str] = {}
        paths = []
        for n, (name, data) in enumerate(uploads):
            path = Path(folder) / str(n) / (_SAFE_NAME.sub("_", Path(name).name) or "task.yaml")
            path.parent.mkdir()
            path.write_bytes(data)
            names[str(path)] = Path(name).name
            paths.append(path)
        try:
            return [item.document for item in load_paths(paths, known_slugs=known)]
        except TaskFileError as exc:
            raise TaskFileError([_as_uploaded(p, names) for p in exc.problems]) from None


def _as_uploaded(found: Problem, names: dict[str, str]) -> Problem:
    """The problem with the file's uploaded name instead of its temporary path."""
    said = found.said
    if isinstance(said, Message):  # a path may stand in a parameter (a file read badly)
        params = dict(said.params)
        for temporary, name in names.items():
            params = {
                k: v.replace(temporary, name) if isinstance(v, str) else v
                for k, v in params.items()
            }
        said = Message(said.template, **params)
    return replace(
        found,
        file=names.get(found.file, found.file),
        said=said,
        message=str(said) if said else found.message,
    )
