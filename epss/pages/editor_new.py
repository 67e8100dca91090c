"""A new task, begun in the editor ("Nieuwe taak"): its title, id, domain, goal, owner and
risk, and a first step; it opens in the editor as a draft, where more steps are added,
typed or recorded in the case software, until a redacteur publishes it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from epss import i18n
from epss.db import attempt
from epss.drafts.creating import begin_task
from epss.errors import InvalidInput
from epss.pages import CRITICALITY_LABELS
from epss.pages.editor import Editor, filter_choices, page
from epss.pages.editor_tasks import markdown
from epss.pages.form_data import FormDep
from epss.web.deps import SessionDep, TodayDep

router = APIRouter(include_in_schema=False)

# The form's names, and the task file's fields they fill.
TASK_INPUTS = {
    "titel": "title",
    "taak_id": "slug",
    "domein": "domain",
    "doel": "goal",
    "eigenaar": "owner",
    "risico": "criticality",
}
STEP_INPUTS = {"stap_titel": "title", "stap_instructie": "instruction"}


def _form(request: Request, session, values: dict, *, error: str = "", status: int = 200):
    return page(
        request,
        "editor_new.html",
        "editor_new.html",
        {
            "section": "nieuw",
            "values": values,
            "error": error,
            "choices": filter_choices(session),
            "risks": CRITICALITY_LABELS,
            "markdown": markdown,
        },
        status_code=status,
    )


@router.get("/redactie/nieuw", response_class=HTMLResponse)
def new_task_form(request: Request, session: SessionDep, who: Editor) -> HTMLResponse:
    return _form(request, session, {"risico": "normal"})


@router.post("/redactie/nieuw", response_class=HTMLResponse)
def begin_new_task(
    request: Request, form: FormDep, session: SessionDep, today: TodayDep, who: Editor
) -> Response:
    """Begin the task and open it in the editor; a problem is said with the form as it was
    filled in, and nothing is stored."""
    values = {name: str(form.get(name) or "").strip() for name in (*TASK_INPUTS, *STEP_INPUTS)}
    fields = {field: values[name] for name, field in TASK_INPUTS.items() if values[name]}
    step = {field: values[name] for name, field in STEP_INPUTS.items()}
    try:
        with attempt(session):
            task = begin_task(session, fields, step, by=who.name, today=today)
    except InvalidInput as exc:
        error = exc.in_language(i18n.translator_for(request))
        return _form(request, session, values, error=error, status=422)
    return RedirectResponse(f"/redactie/taken/{task.slug}", status_code=303)
