"""The administration's front door (/beheer) and its log (/beheer/log): every admin action
in Dutch words (who, when, via which road, what, before and after), newest first.

Also what the other admin pages share: who may come in, the actor of a change, a refusal
in the reader's language, and the Dutch names of roles, actions and fields.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, func, select

from epss import i18n
from epss.admin.log import COMMAND_LINE, SINGLE_SIGN_ON, WEB, Actor, admin_log
from epss.auth import Identity, Role, allow
from epss.errors import EpssError
from epss.models import AdminAction, HostApp, User
from epss.moments import moment
from epss.pages import MAX_PAGE, render
from epss.pages.editor import page
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
Admin = Annotated[Identity, allow(Role.beheerder)]
PAGE_SIZE = 50

ROLE_LABELS = {
    "medewerker": "medewerker",
    "expert": "expert",
    "redacteur": "redacteur",
    "kwaliteit": "kwaliteitsmedewerker",
    "beheerder": "beheerder",
}
ROLE_HINTS = {
    "medewerker": "gebruikt het hulppaneel aan de balie en doet meldingen",
    "expert": "schrijft en wijzigt werkinstructies",
    "redacteur": "controleert en publiceert werkinstructies",
    "kwaliteit": "ziet wat er is geraadpleegd, in totalen",
    "beheerder": "beheert accounts en hostapplicaties",
}
VIA_LABELS = {WEB: "web", COMMAND_LINE: "opdrachtregel", SINGLE_SIGN_ON: "single sign-on"}
ACTION_LABELS = {
    "account.created": "Account toegevoegd",
    "account.roles_changed": "Rollen gewijzigd",
    "account.team_changed": "Team gewijzigd",
    "account.email_changed": "E-mailadres gewijzigd",
    "account.disabled": "Account uitgeschakeld",
    "account.enabled": "Account ingeschakeld",
    "account.password_set": "Wachtwoord ingesteld",
    "account.reset_link_made": "Herstellink gemaakt",
    "account.tokens_revoked": "API-tokens ingetrokken",
    "host_app.created": "Hostapplicatie toegevoegd",
    "host_app.changed": "Hostapplicatie gewijzigd",
    "host_app.removed": "Hostapplicatie verwijderd",
}
SUBJECT_LABELS = {"account": "Account", "host_app": "Hostapplicatie"}
FIELD_LABELS = {
    "roles": "Rollen",
    "team": "Team",
    "email": "E-mailadres",
    "active": "Status",
    "tokens": "API-tokens",
    "name": "Naam",
    "origins": "Herkomsten",
    "zaaktype_map": "Zaaktypen",
    "finish_buttons": "Afrondknoppen",
}
LOGIN_LABELS = {"sso": "organisatie (SSO)", "password": "wachtwoord", "token": "alleen API-token"}


def acting(who: Identity) -> Actor:
    """The admin behind a change made on these pages, for the admin log."""
    return Actor(who.name, WEB, who.user_id)


def said(request: Request, exc: EpssError) -> str:
    """A domain refusal in the reader's language."""
    return exc.in_language(i18n.translator_for(request))


def role_names(roles, translate) -> str:
    """'medewerker, expert' in the order of the roles, in the reader's language."""
    return ", ".join(translate(ROLE_LABELS[r]) for r in ROLE_LABELS if r in roles) or translate(
        "geen"
    )


def login_kind(single_sign_on: bool, has_password: bool) -> str:
    return "sso" if single_sign_on else "password" if has_password else "token"


def _value(field: str, value, translate) -> str:
    """One value of a before or after, in words."""
    if field == "roles":
        return role_names(value or [], translate)
    if field == "active":
        return translate("ingeschakeld" if value else "uitgeschakeld")
    if field == "tokens":
        return str(value)
    if field == "origins":
        return ", ".join(value) if value else translate("geen")
    if field == "finish_buttons":  # '; ' because a selector may hold a comma itself
        return "; ".join(value) if value else translate("geen")
    if field == "zaaktype_map":
        return (
            "; ".join(f"{code} = {zt}" for code, zt in value.items())
            if value
            else translate("geen")
        )
    if value is None or value == "":
        return translate("geen")
    return str(value)


def changes(entry: AdminAction, translate) -> list[dict]:
    """What changed, field by field: label, before and after in words (one side may be
    None: a thing added or removed)."""
    before, after = entry.before or {}, entry.after or {}
    fields = [f for f in FIELD_LABELS if f in before or f in after]
    return [
        {
            "label": translate(FIELD_LABELS[f]),
            "before": _value(f, before[f], translate) if f in before else None,
            "after": _value(f, after[f], translate) if f in after else None,
        }
        for f in fields
    ]


def log_helpers(request: Request) -> dict:
    """What the templates of log entries need to put them in words."""
    translate = i18n.translator_for(request)
    return {
        "moment": moment,
        "action_label": lambda code: translate(ACTION_LABELS.get(code, "Beheerhandeling")),
        "via_label": lambda via: translate(VIA_LABELS.get(via, via)),
        "subject_label": lambda kind: translate(SUBJECT_LABELS.get(kind, "Onderwerp")),
        "changes": lambda entry: changes(entry, translate),
    }


@router.get("/beheer", response_class=HTMLResponse)
def admin_index(request: Request, who: Admin, session: SessionDep) -> HTMLResponse:
    """Where to go: accounts, host applications, the admin log and the view log."""
    accounts = session.exec(select(func.count()).select_from(User).where(User.active)).one()
    disabled = session.exec(
        select(func.count()).select_from(User).where(col(User.active).is_(False))
    ).one()
    apps = session.exec(select(func.count()).select_from(HostApp)).one()
    latest, total = admin_log(session, limit=1)
    return render(
        request,
        "admin_index.html",
        {
            "section": "index",
            "accounts": accounts,
            "disabled": disabled,
            "apps": apps,
            "latest": latest[0] if latest else None,
            "total": total,
            **log_helpers(request),
        },
    )


@router.get("/beheer/log", response_class=HTMLResponse)
def log_page(
    request: Request,
    who: Admin,
    session: SessionDep,
    pagina: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    onderwerp: Annotated[str, Query(max_length=300)] = "",
) -> HTMLResponse:
    """The admin log, newest first, 50 to a page; of one account or app with ?onderwerp=."""
    entries, total = admin_log(
        session, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE, subject=onderwerp.strip() or None
    )
    context = {
        "section": "log",
        "entries": entries,
        "total": total,
        "page": pagina,
        "pages": max(1, math.ceil(total / PAGE_SIZE)),
        "subject": onderwerp.strip(),
        **log_helpers(request),
    }
    translate = i18n.translator_for(request)
    heard = translate("Pagina") + f" {pagina} / {context['pages']}"
    return page(request, "admin_log.html", "_admin_log_table.html", context, announce=heard)


def log_of(session: Session, subject: str, limit: int = 20) -> tuple[list[AdminAction], int]:
    """The newest entries about one account or app, for its page."""
    return admin_log(session, limit=limit, subject=subject)
