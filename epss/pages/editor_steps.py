"""The steps of the task editor, one fragment each: show, edit (with both sides when
someone else saved the step first), add, remove after a confirmation, move up or down.

Every form carries the version it was loaded with; the draft functions refuse an edit based
on an older version (StaleVersion), and then the person sees their text next to the stored
one and chooses: take theirs, keep theirs own, or merge by hand. Nothing typed is lost.
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from epss import i18n
from epss.auth import Identity
from epss.db import attempt
from epss.drafts import editing
from epss.drafts.merge import merge_step, step_base
from epss.errors import EpssError, InvalidInput, NotFound, StaleVersion
from epss.overlay.bundle import source_dir
from epss.pages import wants_fragment
from epss.pages.editor import Editor, page
from epss.pages.editor_forms import checked_days, new_step_values, step_changes
from epss.pages.editor_merge import merge_form, merge_sides, resolved_values, value_writer
from epss.pages.editor_tasks import editor_context
from epss.pages.form_data import FormDep
from epss.taskfile.fields import STEP_FIELDS
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
BASE = "/redactie/taken/{slug}/stappen"


def _step(context: dict, key: str) -> dict:
    for step in context["steps"]:
        if step["id"] == key:
            return step
    raise NotFound(
        "De taak '{title}' heeft deze stap niet (meer). Als hij er was, heeft "
        "iemand hem verwijderd: zie de geschiedenis van de taak.",
        params={"title": context["task"].title},
    )


def _one_step(
    request: Request,
    session: Session,
    slug: str,
    who: Identity,
    key: str,
    state: dict,
    *,
    status_code: int = 200,
    announce: str | None = None,
    changed: bool = False,
) -> HTMLResponse:
    """The fragment of one step (the whole editor page when htmx did not ask)."""
    context = editor_context(request, session, slug, who)
    context["s"] = _step(context, key)
    context["state"] = state
    context["step_states"][key] = state
    return _fragment(
        request,
        "_editor_step_item.html",
        context,
        status_code=status_code,
        announce=announce,
        changed=changed,
    )


def _all_steps(
    request: Request,
    session: Session,
    slug: str,
    who: Identity,
    *,
    status_code: int = 200,
    announce: str | None = None,
    changed: bool = False,
    **extra,
) -> HTMLResponse:
    return _fragment(
        request,
        "_editor_steps.html",
        editor_context(request, session, slug, who, **extra),
        status_code=status_code,
        announce=announce,
        changed=changed,
    )


def _fragment(
    request: Request,
    template: str,
    context: dict,
    *,
    status_code: int,
    announce: str | None,
    changed: bool,
) -> HTMLResponse:
    """A steps fragment; after a change it says so (`saved`) and tells the page's script."""
    headers = {"X-Editor-Fragment": "1"}
    if changed:
        headers["HX-Trigger-After-Settle"] = "epss-draft-changed"
        context["saved"] = True
    return page(
        request,
        "editor_task.html",
        template,
        context,
        status_code=status_code,
        announce=announce,
        headers=headers,
    )


def _back(slug: str, key: str | None = None) -> RedirectResponse:
    anchor = f"#stap-{key}" if key else "#kop-stappen"
    return RedirectResponse(f"/redactie/taken/{slug}{anchor}", status_code=303)


@functools.cache
def _field_checks_script() -> str:
    """overlay_js/src/checks.js in one closure that gives the page only
    `window.epssFieldChecks`; read once per process, not per request."""
    source = (source_dir() / "checks.js").read_text(encoding="utf-8")
    return (
        "(function () {\n'use strict';\n"
        + source
        + "\nwindow.epssFieldChecks = { fieldProblem: fieldProblem };\n})();\n"
    )


@router.get("/redactie/veldcontroles.js")
def field_checks_script(who: Editor) -> Response:
    """The desk's checks at a step's field for the preview in the step form: the same
    code the panel runs."""
    return Response(
        _field_checks_script(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get(BASE, response_class=HTMLResponse)
def show_steps(request: Request, slug: str, session: SessionDep, who: Editor) -> HTMLResponse:
    """The list of steps (refreshed when someone else added, removed or moved one)."""
    return _all_steps(request, session, slug, who)


@router.get(BASE + "/{key}", response_class=HTMLResponse)
def show_step(
    request: Request, slug: str, key: str, session: SessionDep, who: Editor, stil: bool = False
) -> HTMLResponse:
    """One step as shown. After "cancel" the focus returns to its edit button; `stil`
    (a refresh because someone else saved it) leaves the focus where it is."""
    state = {"mode": "view", "focus": None if stil else "bewerken"}
    return _one_step(request, session, slug, who, key, state)


@router.get(BASE + "/{key}/bewerken", response_class=HTMLResponse)
def edit_step_form(
    request: Request, slug: str, key: str, session: SessionDep, who: Editor
) -> HTMLResponse:
    return _one_step(request, session, slug, who, key, {"mode": "edit"})


@router.post(BASE + "/{key}", response_class=HTMLResponse)
def save_step(
    request: Request, form: FormDep, slug: str, key: str, session: SessionDep, who: Editor
) -> Response:
    """Save a step's form. When someone saved the step since the form was loaded (a stale
    version), the answer is 412 with the three-way merge of what the form started from,
    what is stored now and what was typed: changes that do not overlap are merged in the
    form, overlapping ones are shown for the person to choose. A merge form sends its
    choices (and `toepassen`: apply them and keep editing, without saving)."""
    mine = step_changes(form)
    kept = {"versie": str(form.get("versie") or ""), "basis": str(form.get("basis") or "")}
    try:
        version = int(kept["versie"])
    except ValueError:
        version = None
    sides = merge_sides(form)
    try:
        mine = {**mine, **resolved_values(sides, form)}
    except ValueError as undecided:
        state = _conflict_state(
            request,
            session,
            slug,
            {**mine, **{n: v["base"] for n, v in sides.items()}},
            {**mine, **{n: v["theirs"] for n, v in sides.items()}},
            {**mine, **{n: v["mine"] for n, v in sides.items()}},
            str(form.get("hun_naam") or "") or None,
        )
        state.update(
            kept, error="Kies bij elke plaats welke tekst blijft.", undecided=str(undecided)
        )
        return _one_step(
            request,
            session,
            slug,
            who,
            key,
            state,
            status_code=422,
            announce="De stap is niet opgeslagen.",
        )
    if form.get("toepassen"):
        state = {
            "mode": "edit",
            "values": mine,
            **kept,
            "notice": "Uw keuzes staan in het formulier. Het is nog niet opgeslagen.",
        }
        return _one_step(request, session, slug, who, key, state)
    try:
        with attempt(session):
            editing.update_step(session, slug, key, version, checked_days(mine), by=who.name)
    except StaleVersion as exc:
        theirs = exc.extra.get("current", {})
        base = step_base(kept["basis"])
        state = _conflict_state(
            request, session, slug, base, theirs, mine, exc.extra.get("changed_by")
        )
        return _one_step(
            request,
            session,
            slug,
            who,
            key,
            state,
            status_code=412,
            announce="Iemand anders heeft deze stap intussen gewijzigd.",
        )
    except EpssError as exc:
        if isinstance(exc, NotFound):
            raise
        error = exc.in_language(i18n.translator_for(request))
        state = {"mode": "edit", "values": mine, "error": error, **kept}
        return _one_step(
            request,
            session,
            slug,
            who,
            key,
            state,
            status_code=exc.status,
            announce="De stap is niet opgeslagen.",
        )
    if not wants_fragment(request):
        return _back(slug, key)
    return _one_step(
        request,
        session,
        slug,
        who,
        key,
        {"mode": "view", "focus": "bewerken"},
        announce="De stap is opgeslagen.",
        changed=True,
    )


def _conflict_state(
    request: Request,
    session: Session,
    slug: str,
    base: dict | None,
    theirs: dict,
    mine: dict,
    their_name: str | None,
) -> dict:
    """The state of a step's merge form (see editor_merge.merge_form)."""
    theirs = {name: theirs.get(name) for name in STEP_FIELDS}
    merge = merge_step(base, theirs, mine)
    draft = editing.draft_view(session, slug)
    shown = value_writer(draft, i18n.translator_for(request))
    return {
        "mode": "conflict",
        "mine": mine,
        "their_name": their_name,
        "merge": merge_form(merge, base, theirs, mine, shown),
        "values": {**theirs, **merge.values},
    }


@router.post(BASE, response_class=HTMLResponse)
def add_step(
    request: Request, form: FormDep, slug: str, session: SessionDep, who: Editor
) -> Response:
    """Add a step (at the end, or before the step chosen)."""
    values = new_step_values(form)
    try:
        with attempt(session):
            position = int(str(form.get("positie"))) if form.get("positie") else None
            expected = int(str(form.get("stappenversie")))
            step = editing.add_step(session, slug, expected, values, by=who.name, position=position)
    except (EpssError, ValueError) as exc:
        if isinstance(exc, NotFound):
            raise
        stale = isinstance(exc, StaleVersion)
        message = (
            "Iemand anders heeft intussen stappen toegevoegd, verwijderd of verplaatst. "
            "Uw nieuwe stap staat nog in het formulier: kies de plaats opnieuw en voeg "
            "hem toe."
            if stale
            else None
        )
        translate = i18n.translator_for(request)
        detail = (
            None
            if stale
            else exc.in_language(translate)
            if isinstance(exc, EpssError)
            else translate("Het formulier is niet volledig ingevuld.")
        )
        return _all_steps(
            request,
            session,
            slug,
            who,
            status_code=getattr(exc, "status", 422),
            steps_error=message,
            add_form=values,
            add_error=detail,
            announce="De stap is niet toegevoegd.",
        )
    if not wants_fragment(request):
        return _back(slug, step.key)
    return _all_steps(
        request,
        session,
        slug,
        who,
        changed=True,
        announce="De stap is toegevoegd.",
        step_states={step.key: {"mode": "edit"}},
    )


@router.get(BASE + "/{key}/verwijderen", response_class=HTMLResponse)
def confirm_removal(
    request: Request, slug: str, key: str, session: SessionDep, who: Editor
) -> HTMLResponse:
    return _one_step(request, session, slug, who, key, {"mode": "confirm"})


@router.post(BASE + "/{key}/verwijderen", response_class=HTMLResponse)
def remove_step(
    request: Request,
    slug: str,
    key: str,
    session: SessionDep,
    who: Editor,
    versie: Annotated[int, Form(ge=1)],
) -> Response:
    """Remove a step, if nobody changed it since the confirmation was shown."""
    try:
        with attempt(session):
            editing.remove_step(session, slug, key, versie, by=who.name)
    except (StaleVersion, InvalidInput) as exc:
        message = (
            "Iemand anders heeft deze stap intussen gewijzigd; hij is niet verwijderd. "
            "Bekijk de wijziging en kies opnieuw."
            if isinstance(exc, StaleVersion)
            else exc.in_language(i18n.translator_for(request))
        )
        return _all_steps(
            request,
            session,
            slug,
            who,
            status_code=exc.status,
            steps_error=message,
            announce="De stap is niet verwijderd.",
        )
    if not wants_fragment(request):
        return _back(slug)
    return _all_steps(request, session, slug, who, changed=True, announce="De stap is verwijderd.")


@router.post(BASE + "/{key}/verplaatsen", response_class=HTMLResponse)
def move_step(
    request: Request,
    slug: str,
    key: str,
    session: SessionDep,
    who: Editor,
    stappenversie: Annotated[int, Form(ge=1)],
    richting: Annotated[str, Form(pattern="^(omhoog|omlaag)$")],
) -> Response:
    """Move a step one place up or down; the focus stays on the button pressed."""
    context = editor_context(request, session, slug, who)
    keys = [s["id"] for s in context["steps"]]
    if key not in keys:
        _step(context, key)
    position = keys.index(key) + (0 if richting == "omhoog" else 2)
    position = max(1, min(position, len(keys)))
    try:
        with attempt(session):
            editing.move_step(session, slug, stappenversie, key, position, by=who.name)
    except StaleVersion:
        return _all_steps(
            request,
            session,
            slug,
            who,
            status_code=412,
            steps_error="Iemand anders heeft de stappen intussen verplaatst. "
            "Dit is de nieuwe volgorde; verplaats de stap opnieuw als dat nog "
            "nodig is.",
            announce="De stap is niet verplaatst.",
        )
    if not wants_fragment(request):
        return _back(slug, key)
    focus = richting
    if position in (1, len(keys)):  # the button pressed is now disabled: focus the other
        focus = "omlaag" if position == 1 else "omhoog"
    announce = (
        "De stap is omhoog verplaatst." if richting == "omhoog" else "De stap is omlaag verplaatst."
    )
    return _all_steps(
        request,
        session,
        slug,
        who,
        changed=True,
        announce=announce,
        step_states={key: {"mode": "view", "focus": focus}},
    )
