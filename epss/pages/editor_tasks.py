"""The task editor page (/redactie/taken/{slug}): the task's own fields, its context rules
with a test against a URL and title, and a preview of the task as the panel shows it.
The steps (editor_steps.py) and the workflow buttons (editor_workflow.py) are on the same
page, served by their own modules."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from epss import i18n
from epss.auth import Identity
from epss.context.patterns import url_path
from epss.context.rules import Page, Rule
from epss.db import attempt
from epss.drafts import editing
from epss.drafts.document import draft_hash
from epss.drafts.field_reports import unfound_steps
from epss.errors import EpssError, InvalidInput, StaleVersion
from epss.pages import wants_fragment
from epss.pages.editor import Editor, missing_since, page, task_by_slug
from epss.pages.editor_forms import (
    rules_changes,
    step_basis,
    step_form_inputs,
    step_form_values,
    task_changes,
)
from epss.pages.form_data import FormDep
from epss.pages.pick_screens import pick_screens
from epss.render import markdown_to_html
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)


def markdown(text: str | None) -> Markup:
    """Sanitised HTML (render.py is the one place Markdown becomes HTML)."""
    return Markup(markdown_to_html(text or ""))


def editor_context(request: Request, session: Session, slug: str, who: Identity, **extra) -> dict:
    """What the editor page and its fragments need: the task row, its draft as the draft
    functions give it, and the person's permissions."""
    task = task_by_slug(session, slug)
    draft = editing.draft_view(session, slug)
    return {
        "section": "taken",
        "task": task,
        "draft": draft,
        "steps": draft["steps"],
        "draft_hash": draft_hash(session, task),
        "who": who,
        "is_redacteur": "redacteur" in who.roles,
        "markdown": markdown,
        "step_states": {},
        "step_form": step_form_values,
        "step_form_inputs": step_form_inputs,
        "step_basis": step_basis,
        "pick": pick_screens(session, draft),
        "unfound": {step for _, step in unfound_steps(session, missing_since(request), slug)},
        **extra,
    }


def sides(theirs: dict, mine: dict, fields) -> list[dict]:
    """The fields of a conflict, each with both values and whether they differ."""
    return [
        {
            "field": f,
            "theirs": _shown(theirs.get(f)),
            "mine": _shown(mine.get(f)),
            "differs": _shown(theirs.get(f)) != _shown(mine.get(f)),
        }
        for f in fields
    ]


def _shown(value) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return "\n".join(
            _shown(v)
            if not isinstance(v, dict)
            else ", ".join(f"{k}: {x}" for k, x in v.items() if x not in (None, "", []))
            for v in value
        )
    return "" if value is None else str(value)


@router.get("/redactie/taken/{slug}", response_class=HTMLResponse)
def editor_page(
    request: Request,
    slug: str,
    session: SessionDep,
    who: Editor,
    bewerk: str | None = Query(default=None, max_length=80),
    gedaan: str | None = Query(default=None, max_length=40),
    hersteld: int | None = Query(default=None, ge=1),
) -> HTMLResponse:
    """The whole editor; `bewerk` opens one step's form (the page without scripts)."""
    context = editor_context(request, session, slug, who, done=gedaan, restored=hersteld)
    if bewerk:
        context["step_states"][bewerk] = {"mode": "edit"}
    return page(request, "editor_task.html", "_editor_task.html", context)


@router.get("/redactie/taken/{slug}/velden", response_class=HTMLResponse)
def fields_fragment(request: Request, slug: str, session: SessionDep, who: Editor) -> HTMLResponse:
    return page(
        request,
        "editor_task.html",
        "_editor_fields.html",
        editor_context(request, session, slug, who),
    )


@router.post("/redactie/taken/{slug}/velden", response_class=HTMLResponse)
def save_fields(
    request: Request, form: FormDep, slug: str, session: SessionDep, who: Editor
) -> Response:
    """Save the task's own fields, if nobody changed them since the form was loaded."""
    mine: dict = {}
    try:
        with attempt(session):
            version = _version(form.get("versie"))
            mine = task_changes(form)
            editing.update_task_fields(session, slug, version, mine, by=who.name)
    except StaleVersion as exc:
        context = editor_context(
            request,
            session,
            slug,
            who,
            fields_conflict={
                "sides": sides(exc.extra.get("current", {}), mine, list(mine)),
                "mine": mine,
            },
        )
        return _answer(
            request,
            slug,
            context,
            "_editor_fields.html",
            412,
            "Iemand anders heeft de taakgegevens intussen gewijzigd.",
        )
    except EpssError as exc:
        error = exc.in_language(i18n.translator_for(request))
        context = editor_context(request, session, slug, who, fields_error=error, fields_form=mine)
        return _answer(
            request,
            slug,
            context,
            "_editor_fields.html",
            exc.status,
            "De taakgegevens zijn niet opgeslagen.",
        )
    return _saved(
        request,
        slug,
        session,
        who,
        "_editor_fields.html",
        "De taakgegevens zijn opgeslagen.",
        anchor="taakgegevens",
    )


@router.get("/redactie/taken/{slug}/regels", response_class=HTMLResponse)
def rules_fragment(request: Request, slug: str, session: SessionDep, who: Editor) -> HTMLResponse:
    return page(
        request,
        "editor_task.html",
        "_editor_rules.html",
        editor_context(request, session, slug, who),
    )


@router.post("/redactie/taken/{slug}/regels", response_class=HTMLResponse)
def save_rules(
    request: Request, form: FormDep, slug: str, session: SessionDep, who: Editor
) -> Response:
    """Save the context rules (they are part of the task's own fields and its version)."""
    mine: dict = {}
    try:
        with attempt(session):
            version = _version(form.get("versie"))
            mine = rules_changes(form)
            editing.update_task_fields(session, slug, version, mine, by=who.name)
    except EpssError as exc:
        stale = isinstance(exc, StaleVersion)
        context = editor_context(
            request,
            session,
            slug,
            who,
            rules_form=mine["context_rules"] if mine else None,
            rules_error=None if stale else exc.in_language(i18n.translator_for(request)),
            rules_conflict=stale,
        )
        return _answer(
            request,
            slug,
            context,
            "_editor_rules.html",
            exc.status,
            "De contextregels zijn niet opgeslagen.",
        )
    return _saved(
        request,
        slug,
        session,
        who,
        "_editor_rules.html",
        "De contextregels zijn opgeslagen.",
        anchor="contextregels",
    )


@router.post("/redactie/taken/{slug}/regels/test", response_class=HTMLResponse)
def test_rules(
    request: Request, form: FormDep, slug: str, session: SessionDep, who: Editor
) -> HTMLResponse:
    """Which of the draft's context rules match a page with this URL, title, markers and
    zaaktype, and why (or why not): the service's own matching code."""
    url = str(form.get("test_url") or "").strip()
    probe = {
        "app": str(form.get("test_app") or "").strip(),
        "url": url,
        "title": str(form.get("test_titel") or "").strip(),
        "markers": [m.strip() for m in str(form.get("test_markers") or "").split(",") if m.strip()],
        "zaaktype": str(form.get("test_zaaktype") or "").strip() or None,
    }
    draft = editing.draft_view(session, slug)
    results, error = [], None
    if not url.startswith("/") and not url.startswith(("http://", "https://")):
        error = "Geef een adres dat begint met / of http(s)://, bijvoorbeeld /zaken/123."
    else:
        results = rule_results(draft["context_rules"], probe)
    context = {
        "task": task_by_slug(session, slug),
        "probe": probe,
        "results": results,
        "test_error": error,
        "tested": True,
    }
    return page(request, "_editor_rule_test.html", "_editor_rule_test.html", context)


def rule_results(rules: list[dict], probe: dict) -> list[dict]:
    """Per rule: whether it matches the probe page, and the reason."""
    path = url_path(probe["url"])
    page_ = Page(
        path=path,
        title=probe["title"],
        markers=frozenset(probe["markers"]),
        zaaktype=probe["zaaktype"],
    )
    results = []
    for n, entry in enumerate(rules):
        rule = Rule.from_manifest(
            {
                "task": "",
                "url": entry.get("url"),
                "title": entry.get("title"),
                "markers": entry.get("markers") or [],
                "zaaktype": entry.get("zaaktype"),
                "priority": entry.get("priority") or 0,
                "start_step": entry.get("start_step"),
            },
            n,
        )
        other_app = bool(probe["app"]) and probe["app"] != entry.get("app")
        reason = None if other_app else rule.explain(page_, page_.segments)
        results.append(
            {
                "n": n + 1,
                "rule": entry,
                "matches": reason is not None,
                "reason": reason,
                "other_app": other_app,
            }
        )
    return results


@router.get("/redactie/taken/{slug}/paneel", response_class=HTMLResponse)
def panel_preview(request: Request, slug: str, session: SessionDep, who: Editor) -> HTMLResponse:
    """The draft as the overlay's panel would show it once published."""
    return page(
        request,
        "editor_task.html",
        "_editor_panel.html",
        editor_context(request, session, slug, who),
    )


def _version(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InvalidInput("Het formulier mist de versie. Laad de pagina opnieuw.") from None


def _answer(
    request: Request, slug: str, context: dict, fragment: str, status: int, announce: str
) -> HTMLResponse:
    headers = {"X-Editor-Fragment": "1"}
    return page(
        request,
        "editor_task.html",
        fragment,
        context,
        status_code=status,
        announce=announce,
        headers=headers,
    )


def _saved(
    request: Request,
    slug: str,
    session: Session,
    who: Identity,
    fragment: str,
    announce: str,
    *,
    anchor: str,
) -> Response:
    if not wants_fragment(request):
        return RedirectResponse(f"/redactie/taken/{slug}#{anchor}", status_code=303)
    session.flush()
    context = editor_context(request, session, slug, who, saved=True)
    return page(
        request,
        "editor_task.html",
        fragment,
        context,
        announce=announce,
        headers={"HX-Trigger-After-Settle": "epss-draft-changed"},
    )
