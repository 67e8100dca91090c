"""Task files in and out through the browser: upload one or more task files (all or
nothing, with the CLI's problem messages naming file, line and field), and download one
task's file or all of them as a zip."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from epss.api.deps import ServicesDep, SessionDep
from epss.auth import Identity, Role, allow
from epss.catalog import export_documents, import_documents, known_slugs, published_version
from epss.db import unit_of_work
from epss.pages.editor import Editor, page, task_by_slug
from epss.taskfile import Problem, TaskFileError, dump_document, json_schema, load_paths
from epss.taskfile.model import SLUG_PATTERN

router = APIRouter(include_in_schema=False)
Publisher = Annotated[Identity, allow(Role.redacteur)]

MAX_FILE_BYTES = 1_000_000
MAX_FILES = 500
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@router.get("/redactie/import", response_class=HTMLResponse)
def import_form(request: Request, who: Publisher) -> HTMLResponse:
    return page(request, "editor_import.html", "_editor_import.html",
                {"section": "import", "problems": [], "report": None})


@router.post("/redactie/import", response_class=HTMLResponse)
async def import_files(
    request: Request, services: ServicesDep, who: Publisher,
    bestanden: Annotated[list[UploadFile], File()],
) -> HTMLResponse:
    """Import the uploaded files, as `epss import` does: every problem of every file at
    once, and nothing changed until all files are valid. Publishes what changed."""
    uploads = [(u.filename or "", await u.read(MAX_FILE_BYTES + 1)) for u in bestanden]
    uploads = [(name, data) for name, data in uploads if name or data]
    problems = _upload_problems(uploads)
    report = None
    if not problems:
        with unit_of_work(services.engine) as session:
            try:
                documents = _load_uploads(uploads, known_slugs(session))
            except TaskFileError as exc:
                problems = exc.problems
            else:
                report = import_documents(session, documents, by=who.name)
        if report is not None:
            services.refresh_search_index()
            services.resolver.check_now()
    context = {"section": "import", "problems": problems, "report": report,
               "files": [name for name, _ in uploads]}
    if problems:
        return page(request, "editor_import.html", "_editor_import.html", context,
                    status_code=422, announce="Er is niets geïmporteerd.",
                    headers={"X-Editor-Fragment": "1"})
    return page(request, "editor_import.html", "_editor_import.html", context,
                announce="De taakbestanden zijn geïmporteerd.")


def _upload_problems(uploads: list[tuple[str, bytes]]) -> list[Problem]:
    if not uploads:
        return [Problem("", None, "", "choose at least one task file (.yaml)")]
    if len(uploads) > MAX_FILES:
        return [Problem("", None, "", f"at most {MAX_FILES} files at once")]
    problems = []
    for name, data in uploads:
        if not name.endswith((".yaml", ".yml")):
            problems.append(Problem(name or "?", None, "", "is not a task file: the name "
                                    "must end in .yaml or .yml"))
        elif len(data) > MAX_FILE_BYTES:
            problems.append(Problem(name, None, "", f"is larger than {MAX_FILE_BYTES:,} bytes"))
    return problems


def _load_uploads(uploads: list[tuple[str, bytes]], known: set[str]) -> list:
    """The documents of the uploaded files, checked together as `load_paths` checks a
    folder (two files with one slug, branches to tasks that do not exist)."""
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


def _as_uploaded(problem: Problem, names: dict[str, str]) -> Problem:
    """The problem with the file's uploaded name instead of its temporary path."""
    message = problem.message
    for temporary, name in names.items():
        message = message.replace(temporary, name)
    return Problem(names.get(problem.file, problem.file), problem.line, problem.field, message)


@router.get("/redactie/export", response_class=HTMLResponse)
def export_page(request: Request, session: SessionDep, who: Editor) -> HTMLResponse:
    files = sorted(export_documents(session))
    return page(request, "editor_export.html", "_editor_export.html",
                {"section": "export", "slugs": [f.removesuffix(".yaml") for f in files]})


@router.get("/redactie/export/taken.zip")
def export_all(session: SessionDep, who: Editor) -> Response:
    """The newest published version of every task, with the schema, as one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(export_documents(session).items()):
            archive.writestr(name, text)
        archive.writestr("task.schema.json",
                         json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return Response(buffer.getvalue(), media_type="application/zip", headers={
        "Content-Disposition": 'attachment; filename="taken.zip"'})


@router.get("/redactie/export/{slug}.yaml")
def export_one(
    slug: str, session: SessionDep, who: Editor,
    versie: int | None = Query(default=None, ge=1),
) -> Response:
    """One task's file: its newest published version, or version `versie`."""
    if not re.match(SLUG_PATTERN, slug):
        task_by_slug(session, slug)  # a clear 404
    version = published_version(session, slug, versie)
    return Response(dump_document(version.document), media_type="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.yaml"'})
