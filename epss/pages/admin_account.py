"""One account (/beheer/accounts/{name}): roles, team and e-mail address, a new password or
a one-time reset link, revoking API tokens, disabling and enabling (after a confirmation
step), and this account's entries of the admin log.

Every form posts to its own URL. With htmx the answer is the account's part of the page
(`_admin_account.html`), refusals included; without JavaScript a change redirects back to
the page with a notice, and a refusal shows the page with the message at the form.
A refusal changes nothing: the unit of work is rolled back before the page is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from epss import i18n
from epss.admin.accounts import (
    disable,
    enable,
    find_accounts,
    make_reset_link,
    revoke_tokens,
    set_email,
    set_password,
    set_roles,
    set_team,
    teams,
)
from epss.auth.accounts import user_by_name
from epss.db import attempt
from epss.errors import EpssError
from epss.moments import moment
from epss.pages import wants_fragment
from epss.pages.admin_log import (
    LOGIN_LABELS,
    ROLE_HINTS,
    ROLE_LABELS,
    Admin,
    acting,
    log_helpers,
    log_of,
    login_kind,
    role_names,
    said,
)
from epss.pages.editor import page
from epss.pages.own_account import RESET_PATH, same_passwords
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
PATH = "/beheer/accounts"
Password = Annotated[str, Form(max_length=200)]

# What the page says after a change (?klaar=…).
DONE = {
    "toegevoegd": "Het account is toegevoegd.",
    "rollen": "Rollen, team en e-mailadres zijn opgeslagen.",
    "wachtwoord": (
        "Het nieuwe wachtwoord is ingesteld. De persoon is overal uitgelogd; geef "
        "het wachtwoord persoonlijk door."
    ),
    "herstellink": (
        "De herstellink is gemaakt. Een eerdere, nog niet gebruikte link werkt niet meer."
    ),
    "tokens": "De API-tokens van dit account zijn ingetrokken.",
    "uitgeschakeld": (
        "Het account is uitgeschakeld: inloggen en API-tokens werken niet meer, in elke instantie."
    ),
    "ingeschakeld": "Het account is weer ingeschakeld.",
}
# Which field a refusal is about, by the start of its Dutch text.
_FIELDS = (
    ("Naam", "naam"),
    ("De naam", "naam"),
    ("Rol", "rollen"),
    ("Team", "team"),
    ("E-mailadres", "email"),
    ("'{address}' is geen e-mailadres", "email"),
    ("'", "rollen"),
    ("Het wachtwoord", "wachtwoord"),
    ("De twee wachtwoorden", "herhaling"),
)


def field_of(exc: EpssError, default: str) -> str:
    """The form field a refusal is about (for aria-invalid and aria-describedby)."""
    return next((field for start, field in _FIELDS if exc.template.startswith(start)), default)


def account_helpers(request: Request) -> dict:
    """What the templates of accounts need to put roles, logins and moments in words."""
    translate = i18n.translator_for(request)
    return {
        "role_labels": ROLE_LABELS,
        "role_hints": ROLE_HINTS,
        "moment": moment,
        "roles_text": lambda roles: role_names(roles, translate),
        "login_label": lambda a: translate(
            LOGIN_LABELS[login_kind(a.single_sign_on, a.has_password)]
        ),
    }


def _summary(session: Session, name: str):
    found = [a for a in find_accounts(session, text=name) if a.name == name]
    if not found:
        user_by_name(session, name)  # raises NotFound
    return found[0]


def account_page_response(
    request: Request,
    session: Session,
    name: str,
    *,
    notice: str | None = None,
    reset_link: str | None = None,
    error: dict | None = None,
    typed: dict | None = None,
    confirm: str | None = None,
    status_code: int = 200,
    headers: dict | None = None,
) -> HTMLResponse:
    """The account's page, or for htmx only its part (`#account`)."""
    account = _summary(session, name)
    entries, total = log_of(session, name)
    link = (str(request.base_url).rstrip("/") + RESET_PATH + reset_link) if reset_link else None
    context = {
        "section": "accounts",
        "account": account,
        "log": entries,
        "log_total": total,
        "teams": teams(session),
        "notice": DONE.get(notice or ""),
        "reset_link": link,
        "error": error,
        "confirm": confirm,
        "typed": typed
        or {"rollen": account.roles, "team": account.team or "", "email": account.email or ""},
        **account_helpers(request),
        **log_helpers(request),
    }
    # editor.js swaps a refusal (4xx) that carries X-Editor-Fragment: the form shows it.
    return page(
        request,
        "admin_account.html",
        "_admin_account.html",
        context,
        status_code=status_code,
        headers={**(headers or {}), "X-Editor-Fragment": "1"},
        announce=error["text"] if error else context["notice"],
    )


def _act(
    request: Request,
    session: Session,
    name: str,
    form: str,
    action: Callable,
    *,
    done: str,
    default_field: str,
    typed: dict | None = None,
) -> Response:
    """Run one change; show the refusal at its form, or the page with what was done."""
    try:
        with attempt(session):
            action()
    except EpssError as exc:
        error = {"form": form, "field": field_of(exc, default_field), "text": said(request, exc)}
        return account_page_response(
            request, session, name, error=error, typed=typed, status_code=exc.status
        )
    if wants_fragment(request):
        return account_page_response(request, session, name, notice=done)
    return RedirectResponse(f"{PATH}/{quote(name)}?klaar={done}#account-klaar", status_code=303)


@router.get(PATH + "/{name}", response_class=HTMLResponse)
def account_page(
    request: Request,
    name: str,
    who: Admin,
    session: SessionDep,
    klaar: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    return account_page_response(request, session, name, notice=klaar)


@router.post(PATH + "/{name}/rollen", response_class=HTMLResponse)
def roles_form(
    request: Request,
    name: str,
    who: Admin,
    session: SessionDep,
    rollen: Annotated[list[str] | None, Form()] = None,
    team: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Roles, team and e-mail address together: one form, one save (an entry in the log for
    each change)."""
    roles = rollen or []

    def change() -> None:
        set_roles(session, acting(who), name, roles)
        set_team(session, acting(who), name, team)
        set_email(session, acting(who), name, email)

    answer = _act(
        request,
        session,
        name,
        "rollen",
        change,
        done="rollen",
        default_field="rollen",
        typed={"rollen": roles, "team": team, "email": email},
    )
    if name == who.name and answer.status_code < 400 and "beheerder" not in roles:
        return _elsewhere(request, "/account")  # no admin any more: these pages are closed
    return answer


@router.post(PATH + "/{name}/wachtwoord", response_class=HTMLResponse)
def password_form(
    request: Request,
    name: str,
    who: Admin,
    session: SessionDep,
    wachtwoord: Password = "",
    herhaling: Password = "",
) -> Response:
    def change() -> None:
        same_passwords(wachtwoord, herhaling)
        set_password(session, acting(who), name, wachtwoord)

    return _act(
        request, session, name, "wachtwoord", change, done="wachtwoord", default_field="wachtwoord"
    )


@router.post(PATH + "/{name}/herstellink", response_class=HTMLResponse)
def reset_link_form(request: Request, name: str, who: Admin, session: SessionDep) -> Response:
    """A one-time link to set a password, shown this once (only its hash is stored)."""
    try:
        with attempt(session):
            secret = make_reset_link(session, acting(who), name)
    except EpssError as exc:
        error = {"form": "wachtwoord", "field": "", "text": said(request, exc)}
        return account_page_response(request, session, name, error=error, status_code=exc.status)
    return account_page_response(request, session, name, notice="herstellink", reset_link=secret)


@router.post(PATH + "/{name}/tokens-intrekken", response_class=HTMLResponse)
def revoke_form(request: Request, name: str, who: Admin, session: SessionDep) -> Response:
    return _act(
        request,
        session,
        name,
        "tokens",
        lambda: revoke_tokens(session, acting(who), name),
        done="tokens",
        default_field="",
    )


@router.get(PATH + "/{name}/uitschakelen", response_class=HTMLResponse)
def confirm_disable(request: Request, name: str, who: Admin, session: SessionDep) -> HTMLResponse:
    """The confirmation step before disabling (a page, or a part of it with htmx)."""
    return account_page_response(request, session, name, confirm="uitschakelen")


@router.post(PATH + "/{name}/uitschakelen", response_class=HTMLResponse)
def disable_form(request: Request, name: str, who: Admin, session: SessionDep) -> Response:
    return _act(
        request,
        session,
        name,
        "status",
        lambda: disable(session, acting(who), name),
        done="uitgeschakeld",
        default_field="",
    )


@router.get(PATH + "/{name}/inschakelen", response_class=HTMLResponse)
def confirm_enable(request: Request, name: str, who: Admin, session: SessionDep) -> HTMLResponse:
    return account_page_response(request, session, name, confirm="inschakelen")


@router.post(PATH + "/{name}/inschakelen", response_class=HTMLResponse)
def enable_form(request: Request, name: str, who: Admin, session: SessionDep) -> Response:
    return _act(
        request,
        session,
        name,
        "status",
        lambda: enable(session, acting(who), name),
        done="ingeschakeld",
        default_field="",
    )


def _elsewhere(request: Request, target: str) -> Response:
    if wants_fragment(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
