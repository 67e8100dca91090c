"""Steps recorded in the case software ("Stappen opnemen"): the expert worked through the
task on the live screens while the overlay there sent each button pressed and each field
filled in or chosen (editor_pick.js lists them, with a suggested title). The ones kept are
added at the end of the draft, each with its field and what that field looks like, to be
finished in the editor like any step. Either all are added or, with the reason, none."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from epss import i18n
from epss.db import attempt
from epss.drafts import editing, working
from epss.errors import EpssError, InvalidInput
from epss.i18n import Message
from epss.pages import wants_fragment
from epss.pages.editor import Editor
from epss.pages.editor_steps import _all_steps, _back
from epss.pages.form_data import FormDep
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)


def _recorded(given: str, number: int) -> dict:
    """One recorded step from its form value: {title, selector, fingerprint}."""
    try:
        item = json.loads(given)
    except ValueError:
        item = None
    if not (
        isinstance(item, dict)
        and isinstance(item.get("title"), str)
        and isinstance(item.get("selector"), str)
        and isinstance(item.get("fingerprint"), dict | None)
    ):
        raise InvalidInput(
            "Opgenomen stap {number} is onleesbaar; er is niets toegevoegd. Neem de stappen "
            "opnieuw op.",
            params={"number": number},
        )
    values = {
        "title": item["title"],
        "instruction": item["title"].rstrip(".") + ".",
        "target": [item["selector"]],
    }
    if item.get("fingerprint"):
        values["target_fingerprint"] = item["fingerprint"]
    return values


@router.post("/redactie/taken/{slug}/opnemen", response_class=HTMLResponse)
def add_recorded_steps(
    request: Request, form: FormDep, slug: str, session: SessionDep, who: Editor
) -> Response:
    """Add the recorded steps that were kept, at the end of the draft, in their order."""
    given = [str(value) for value in form.getlist("opgenomen")]
    try:
        with attempt(session):
            if not given:
                raise InvalidInput("Er is geen opgenomen stap gekozen; er is niets toegevoegd.")
            for number, value in enumerate(given, start=1):
                values = _recorded(value, number)
                # At the end: whatever colleagues did to the steps meanwhile, nothing clashes.
                task = working.lock_task(session, slug)
                try:
                    editing.add_step(session, slug, task.steps_version, values, by=who.name)
                except EpssError as exc:
                    if exc.status != 422:
                        raise
                    raise InvalidInput(
                        "Opgenomen stap {number} ({title}) kan zo niet; er is niets "
                        "toegevoegd. {reason}",
                        params={
                            "number": number,
                            "title": values["title"],
                            "reason": Message(exc.template, **exc.params),
                        },
                    ) from exc
    except InvalidInput as exc:
        return _all_steps(
            request,
            session,
            slug,
            who,
            status_code=422,
            steps_error=exc.in_language(i18n.translator_for(request)),
            announce="De opgenomen stappen zijn niet toegevoegd.",
        )
    if not wants_fragment(request):
        return _back(slug)
    return _all_steps(
        request,
        session,
        slug,
        who,
        changed=True,
        announce="De opgenomen stappen zijn toegevoegd.",
    )
