"""The accounts list (/beheer/accounts): search and filter (live with htmx, a plain GET
form without JavaScript), and the form to add an account. One account's own page is in
admin_account.py."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from epss import i18n
from epss.admin.accounts import add_account, find_accounts, make_reset_link, teams
from epss.auth import Role
from epss.db import attempt
from epss.errors import EpssError
from epss.pages import render
from epss.pages.admin_account import PATH, account_helpers, account_page_response, field_of
from epss.pages.admin_log import Admin, acting, said
from epss.pages.editor import page
from epss.pages.own_account import same_passwords
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
STATES = {"alle": None, "ingeschakeld": True, "uitgeschakeld": False}
STATE_LABELS = {"alle": "Alle", "ingeschakeld": "Ingeschakeld", "uitgeschakeld": "Uitgeschakeld"}
Password = Annotated[str, Form(max_length=200)]


def _list_context(request: Request, session: Session, filters: dict, **more) -> dict:
    rows = find_accounts(
        session,
        text=filters["zoek"],
        role=filters["rol"] or None,
        team=filters["team"] or None,
        active=STATES[filters["status"]],
    )
    return {
        "section": "accounts",
        "accounts": rows,
        "filters": filters,
        "teams": teams(session),
        "states": STATE_LABELS,
        "new": {
            "naam": "",
            "rollen": ["medewerker"],
            "team": "",
            "email": "",
            "inloggen": "herstellink",
        },
        "error": None,
        **account_helpers(request),
        **more,
    }


@router.get(PATH, response_class=HTMLResponse)
def accounts_page(
    request: Request,
    who: Admin,
    session: SessionDep,
    zoek: Annotated[str, Query(max_length=100)] = "",
    rol: Annotated[str, Query(pattern="^(|" + "|".join(Role) + ")$")] = "",
    team: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(pattern="^(alle|ingeschakeld|uitgeschakeld)$")] = "alle",
) -> HTMLResponse:
    """Every account, or those the search and filters ask for."""
    filters = {"zoek": zoek.strip(), "rol": rol, "team": team, "status": status}
    context = _list_context(request, session, filters)
    translate = i18n.translator_for(request)
    count = len(context["accounts"])
    heard = translate("1 account") if count == 1 else f"{count} {translate('accounts')}"
    return page(
        request, "admin_accounts.html", "_admin_accounts_list.html", context, announce=heard
    )


@router.post(PATH, response_class=HTMLResponse)
def add_account_form(
    request: Request,
    who: Admin,
    session: SessionDep,
    naam: Annotated[str, Form(max_length=100)] = "",
    rollen: Annotated[list[str] | None, Form()] = None,
    team: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    inloggen: Annotated[str, Form(pattern="^(herstellink|wachtwoord|token)$")] = "herstellink",
    wachtwoord: Password = "",
    herhaling: Password = "",
) -> Response:
    """Add an account. With a reset link, the link is shown once, on the account's page;
    otherwise the browser goes to that page."""
    name, roles = naam.strip().lower(), rollen or []
    secret = None
    try:
        with attempt(session):
            if inloggen == "wachtwoord":
                same_passwords(wachtwoord, herhaling)
            add_account(
                session,
                acting(who),
                name,
                roles,
                team,
                wachtwoord if inloggen == "wachtwoord" else None,
                email or None,
            )
            if inloggen == "herstellink":
                secret = make_reset_link(session, acting(who), name)
    except EpssError as exc:
        filters = {"zoek": "", "rol": "", "team": "", "status": "alle"}
        context = _list_context(
            request,
            session,
            filters,
            new={
                "naam": naam,
                "rollen": roles,
                "team": team,
                "email": email,
                "inloggen": inloggen,
            },
            error={"text": said(request, exc), "field": field_of(exc, "naam")},
        )
        return render(request, "admin_accounts.html", context, status_code=exc.status)
    if secret is None:
        return RedirectResponse(
            f"{PATH}/{quote(name)}?klaar=toegevoegd#account-klaar", status_code=303
        )
    return account_page_response(request, session, name, notice="toegevoegd", reset_link=secret)
