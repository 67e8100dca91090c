"""Task files in and out through the browser: upload one or more task files (all or
nothing, with the CLI's problem messages naming file, line and field), each new or changed
task becoming its draft, submitted for review by the uploader; and download one task's file
or all of them as a zip, with the credits of every version beside them."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from epss import i18n
from epss.auth import Identity, Role, allow
from epss.catalog import (
    VERSIONS_FILE,
    export_documents,
    known_slugs,
    published_version,
    task_file,
    versions_listing,
)
from epss.db import attempt
from epss.drafts.importing import (
    MAX_FILE_BYTES,
    import_for_review,
    load_uploads,
    upload_problems,
)
from epss.errors import Conflict
from epss.numbers import MAX_INT
from epss.pages.editor import Editor, page, task_by_slug
from epss.taskfile import TaskFileError, json_schema
from epss.taskfile.parts import SLUG_PATTERN
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
Publisher = Annotated[Identity, allow(Role.redacteur)]


@router.get("/redactie/import", response_class=HTMLResponse)
def import_form(request: Request, who: Publisher) -> HTMLResponse:
    return page(
        request,
        "editor_import.html",
        "_editor_import.html",
        {"section": "import", "problems": [], "report": None, "refusal": None},
    )


@router.post("/redactie/import", response_class=HTMLResponse)
def import_files(
    request: Request,
    session: SessionDep,
    who: Publisher,
    bestanden: Annotated[list[UploadFile], File()],
    vervang_concept: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Import the uploaded files, as `epss import` does: every problem of every file at
    once, and nothing changed until all files are valid. Each new or changed task becomes
    its draft, submitted for review by the uploader: nothing is published here. A task
    whose draft holds unpublished work is refused (409), unless `vervang_concept` is "ja"."""
    uploads = [(u.filename or "", u.file.read(MAX_FILE_BYTES + 1)) for u in bestanden]
    uploads = [(name, data) for name, data in uploads if name or data]
    problems = upload_problems(uploads)
    report = refusal = None
    if not problems:
        try:
            with attempt(session):
                documents = load_uploads(uploads, known_slugs(session))
                report = import_for_review(
                    session, documents, by=who.name, replace_draft=vervang_concept == "ja"
                )
        except TaskFileError as exc:
            problems = exc.problems
        except Conflict as exc:
            refusal = {
                "detail": exc.in_language(i18n.translator_for(request)),
                "tasks": exc.extra.get("tasks", []),
            }
    context = {
        "section": "import",
        "problems": problems,
        "report": report,
        "refusal": refusal,
        "files": [name for name, _ in uploads],
    }
    if problems or refusal:
        return page(
            request,
            "editor_import.html",
            "_editor_import.html",
            context,
            status_code=409 if refusal else 422,
            announce="Er is niets geïmporteerd.",
            headers={"X-Editor-Fragment": "1"},
        )
    return page(
        request,
        "editor_import.html",
        "_editor_import.html",
        context,
        announce="De taakbestanden zijn ingediend ter controle.",
    )


@router.get("/redactie/export", response_class=HTMLResponse)
def export_page(request: Request, session: SessionDep, who: Editor) -> HTMLResponse:
    files = sorted(export_documents(session))
    return page(
        request,
        "editor_export.html",
        "_editor_export.html",
        {"section": "export", "slugs": [f.removesuffix(".yaml") for f in files]},
    )


@router.get("/redactie/export/taken.zip")
def export_all(session: SessionDep, who: Editor) -> Response:
    """The newest published version of every task, with the schema and the credits of
    every version (VERSIONS_FILE), as one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(export_documents(session).items()):
            archive.writestr(name, text)
        archive.writestr(VERSIONS_FILE, versions_listing(session))
        archive.writestr(
            "task.schema.json", json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
        )
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="taken.zip"'},
    )


@router.get("/redactie/export/{slug}.yaml")
def export_one(
    slug: str,
    session: SessionDep,
    who: Editor,
    versie: int | None = Query(default=None, ge=1, le=MAX_INT),
) -> Response:
    """One task's file: its newest published version, or version `versie` (with the
    review date that holds for it now)."""
    if not re.match(SLUG_PATTERN, slug):
        task_by_slug(session, slug)  # a clear 404
    version = published_version(session, slug, versie)
    return Response(
        task_file(version),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{slug}.yaml"'},
    )
