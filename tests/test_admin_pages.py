"""The administration pages (/beheer) and one's own account (/account), as an admin and a
person use them: every page in Dutch (and English on request), each form's happy path and
each refusal, where a refusal shows the Dutch message at the form AND changes nothing in
the database; disabling stops a login and a token at once; the admin log in Dutch words.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.admin.log import COMMAND_LINE, Actor, record
from epss.auth.accounts import new_api_token
from epss.db import unit_of_work
from epss.i18n import ENGLISH
from epss.models import AdminAction, ApiToken, HostApp, LoginSession, PasswordReset, User
from epss.moments import moment
from epss.overlay import snippets
from epss.overlay.bundle import shipped_bundle
from epss.pages import admin_account, admin_accounts, admin_apps, admin_log
from tests.conftest import add_user, text_of

PASSWORD = "correct horse battery"
NEW_PASSWORD = "paard batterij nietje"
DEMO_APP = "demo-zaaksysteem"  # the shipped tasks' rules point at it


@pytest.fixture
def bea(client: TestClient) -> dict[str, str]:
    """The headers of bea, the one admin; eva (expert) is there too."""
    services = client.app.state.services
    headers = add_user(
        services, "bea", "beheerder", team="Informatievoorziening", password=PASSWORD
    )
    add_user(services, "eva", "expert", team="Kennisteam Burgerzaken", password=PASSWORD)
    return headers


def user(client: TestClient, name: str) -> User | None:
    with Session(client.app.state.services.engine) as session:
        return session.exec(select(User).where(User.name == name)).first()


def log(client: TestClient) -> list[AdminAction]:
    with Session(client.app.state.services.engine) as session:
        return list(session.exec(select(AdminAction).order_by(AdminAction.seq)).all())


def host_app(client: TestClient, app_id: str) -> HostApp | None:
    with Session(client.app.state.services.engine) as session:
        return session.get(HostApp, app_id)


def post(client: TestClient, url: str, who: dict, data: dict | None = None, **headers):
    return client.post(url, data=data or {}, headers={**who, **headers}, follow_redirects=False)


def form_token(client: TestClient, path: str = "/inloggen") -> str:
    page = client.get(path)
    return re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)


def log_in(client: TestClient, name: str, password: str) -> None:
    answer = client.post(
        "/inloggen",
        data={"csrftoken": form_token(client), "naam": name, "wachtwoord": password},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def reset_secret(page: str) -> str:
    return re.search(r"/account/herstel/([A-Za-z0-9_-]+)", page).group(1)


# ---- the pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/beheer", "Beheer"),
        ("/beheer/accounts", "Accounts"),
        ("/beheer/accounts/eva", "Account eva"),
        ("/beheer/apps", "Hostapplicaties"),
        (f"/beheer/apps/{DEMO_APP}", DEMO_APP),
        ("/beheer/log", "Beheerlog"),
        ("/account", "Mijn account"),
    ],
)
def test_every_page_as_the_admin(client: TestClient, bea: dict, path: str, heading: str) -> None:
    page = client.get(path, headers=bea)
    assert page.status_code == 200
    assert re.search(r"<h1[^>]*>\s*" + re.escape(heading), page.text)
    assert '<html lang="nl">' in page.text and 'href="/beheer"' in page.text
    for code in ("account.created", "host_app", "roles_changed", "kwaliteit<"):
        assert code not in page.text


def test_the_menu_leads_to_administration_and_my_account(client: TestClient, bea: dict) -> None:
    home = client.get("/", headers=bea).text
    assert '<a href="/beheer">Beheer</a>' in home and '<a href="/account">Mijn account</a>' in home
    assert "/beheer/inzage-log" not in home  # reached through /beheer now
    employee = add_user(client.app.state.services, "rvisser", "medewerker")
    home = client.get("/", headers=employee).text
    assert 'href="/beheer"' not in home and '<a href="/account">Mijn account</a>' in home
    index = client.get("/beheer", headers=bea).text
    for link in ("/beheer/accounts", "/beheer/apps", "/beheer/log", "/beheer/inzage-log"):
        assert f'href="{link}"' in index


def test_only_admins_come_in(client: TestClient, bea: dict) -> None:
    employee = add_user(client.app.state.services, "rvisser", "medewerker")
    for path in ("/beheer", "/beheer/accounts", "/beheer/apps", "/beheer/log"):
        assert client.get(path, headers=employee).status_code == 403
    assert client.get("/account", headers=employee).status_code == 200
    assert (
        client.get("/beheer/accounts", headers={"Accept": "text/html"}, follow_redirects=False)
        .headers["location"]
        .startswith("/inloggen")
    )


def test_the_accounts_list_searches_and_filters(client: TestClient, bea: dict) -> None:
    page = text_of(client.get("/beheer/accounts", headers=bea).text)
    assert "2 accounts" in page
    assert "bea beheerder Informatievoorziening ingeschakeld wachtwoord 1 nog nooit" in page
    assert "eva expert Kennisteam Burgerzaken ingeschakeld wachtwoord 1 nog nooit" in page

    fragment = client.get(
        "/beheer/accounts", params={"rol": "expert"}, headers={**bea, "HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="accounts"')
    assert "/beheer/accounts/eva" in fragment.text and "/beheer/accounts/bea" not in fragment.text
    assert "1 account" in fragment.headers["HX-Trigger"]
    assert "HX-Request" in fragment.headers["Vary"]

    by_team = client.get("/beheer/accounts", params={"zoek": "kennis"}, headers=bea).text
    assert "/beheer/accounts/eva" in by_team and "/beheer/accounts/bea" not in by_team
    team = client.get(
        "/beheer/accounts", params={"team": "Informatievoorziening"}, headers=bea
    ).text
    assert "/beheer/accounts/bea" in team and "/beheer/accounts/eva" not in team
    disabled = client.get("/beheer/accounts", params={"status": "uitgeschakeld"}, headers=bea).text
    assert "Geen accounts met deze zoekterm en filters." in disabled
    # The filters are a plain GET form: they work without JavaScript.
    assert re.search(
        r'<form class="filters" method="get" action="/beheer/accounts"',
        client.get("/beheer/accounts", headers=bea).text,
    )


def test_how_people_log_in_and_when_they_last_did(client: TestClient, bea: dict) -> None:
    services = client.app.state.services
    add_user(services, "script", "medewerker")
    add_user(services, "s.sso", "medewerker")
    with unit_of_work(services.engine) as session:
        sso = session.exec(select(User).where(User.name == "s.sso")).one()
        sso.sso_subject = "https://idp.example|123"
    log_in(client, "eva", PASSWORD)
    page = text_of(client.get("/beheer/accounts", headers=bea).text)
    assert "s.sso medewerker ingeschakeld organisatie (SSO)" in page
    assert "script medewerker ingeschakeld alleen API-token 1 nog nooit" in page
    when = re.search(r"eva expert .*? wachtwoord 1 (\d\d-\d\d-\d{4} \d\d:\d\d)", page).group(1)
    assert when == moment(user(client, "eva").last_login_at)  # Dutch time


# ---- adding an account --------------------------------------------------------------------


def test_add_an_account_with_a_reset_link_and_use_it_once(client: TestClient, bea: dict) -> None:
    answer = post(
        client,
        "/beheer/accounts",
        bea,
        {
            "naam": "j.devries",
            "rollen": ["medewerker", "expert"],
            "team": "Stadswinkel",
            "inloggen": "herstellink",
        },
    )
    assert answer.status_code == 200
    page = text_of(answer.text)
    assert "Het account is toegevoegd." in page and "Herstellink voor j.devries" in page
    assert "24 uur geldig" in page and "U ziet de link alleen nu" in page
    link = re.search(r"http://testserver/account/herstel/[A-Za-z0-9_-]+", answer.text).group(0)
    secret = reset_secret(link)
    added = user(client, "j.devries")
    assert added.roles == ["expert", "medewerker"] and added.team == "Stadswinkel"
    assert added.password_hash is None
    assert [e.action for e in log(client)] == ["account.created", "account.reset_link_made"]
    assert secret not in client.get("/beheer/accounts/j.devries", headers=bea).text  # once

    client.cookies.clear()
    form = client.get(f"/account/herstel/{secret}")
    assert form.status_code == 200 and "j.devries" in form.text
    assert 'name="nieuw"' in form.text
    short = client.post(
        f"/account/herstel/{secret}",
        data={
            "csrftoken": form_token(client, f"/account/herstel/{secret}"),
            "nieuw": "kort",
            "herhaling": "kort",
        },
        follow_redirects=False,
    )
    assert short.status_code == 422
    assert "Het wachtwoord moet minstens 12 tekens lang zijn." in short.text
    assert 'aria-invalid="true"' in short.text
    assert user(client, "j.devries").password_hash is None

    done = client.post(
        f"/account/herstel/{secret}",
        data={
            "csrftoken": form_token(client, f"/account/herstel/{secret}"),
            "nieuw": NEW_PASSWORD,
            "herhaling": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/inloggen?volgende=%2Faccount&hersteld=1"
    assert (
        "Uw wachtwoord is ingesteld. Log in met uw nieuwe wachtwoord."
        in client.get(done.headers["location"]).text
    )
    set_hash = user(client, "j.devries").password_hash
    assert set_hash is not None
    log_in(client, "j.devries", NEW_PASSWORD)
    assert "j.devries" in client.get("/account").text

    again = client.get(f"/account/herstel/{secret}")
    assert "Deze herstellink is al gebruikt. Vraag uw beheerder om een nieuwe." in again.text
    twice = client.post(
        f"/account/herstel/{secret}",
        data={
            "csrftoken": form_token(client),
            "nieuw": "nog een wachtwoord",
            "herhaling": "nog een wachtwoord",
        },
        follow_redirects=False,
    )
    assert twice.status_code == 422 and "al gebruikt" in twice.text
    assert user(client, "j.devries").password_hash == set_hash


def test_a_reset_link_after_24_hours_and_an_unknown_one(client: TestClient, bea: dict) -> None:
    answer = post(client, "/beheer/accounts/eva/herstellink", bea)
    assert answer.status_code == 200 and "Herstellink voor eva" in answer.text
    secret = reset_secret(answer.text)
    before = user(client, "eva").password_hash
    with unit_of_work(client.app.state.services.engine) as session:
        for reset in session.exec(select(PasswordReset)).all():
            reset.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            session.add(reset)
    client.cookies.clear()
    expired = client.get(f"/account/herstel/{secret}")
    assert "Deze herstellink is verlopen (hij is 24 uur geldig)." in expired.text
    assert 'name="nieuw"' not in expired.text
    tried = client.post(
        f"/account/herstel/{secret}",
        data={"csrftoken": form_token(client), "nieuw": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert tried.status_code == 422 and "verlopen" in tried.text
    assert user(client, "eva").password_hash == before
    unknown = client.get("/account/herstel/geen-echte-link")
    assert unknown.status_code == 404 and "Deze herstellink bestaat niet." in unknown.text


def test_add_an_account_with_a_password_or_for_tokens_only(client: TestClient, bea: dict) -> None:
    answer = post(
        client,
        "/beheer/accounts",
        bea,
        {
            "naam": "k.jansen",
            "rollen": "kwaliteit",
            "inloggen": "wachtwoord",
            "wachtwoord": NEW_PASSWORD,
            "herhaling": NEW_PASSWORD,
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/beheer/accounts/k.jansen?klaar=toegevoegd")
    page = client.get(answer.headers["location"], headers=bea).text
    assert "Het account is toegevoegd." in page and "kwaliteitsmedewerker" in page
    assert "/account/herstel/" not in page
    client.cookies.clear()
    log_in(client, "k.jansen", NEW_PASSWORD)
    client.cookies.clear()
    tokens_only = post(
        client,
        "/beheer/accounts",
        bea,
        {"naam": "koppeling", "rollen": "medewerker", "inloggen": "token"},
    )
    assert tokens_only.status_code == 303
    assert user(client, "koppeling").password_hash is None
    assert "alleen API-token" in text_of(client.get("/beheer/accounts/koppeling", headers=bea).text)


@pytest.mark.parametrize(
    ("form", "message", "field"),
    [
        (
            {"naam": "Jan de Vries", "rollen": "medewerker"},
            "Naam 'jan de vries': gebruik 2 tot 80 kleine letters",
            "nieuw-naam",
        ),
        ({"naam": "eva", "rollen": "medewerker"}, "De naam 'eva' is al in gebruik.", "nieuw-naam"),
        (
            {"naam": "piet", "rollen": ["medewerker", "baas"]},
            "Rol: kies uit medewerker, expert, redacteur, kwaliteit, beheerder (onbekend: baas).",
            "nieuw-rol-medewerker",
        ),
        ({"naam": "piet"}, "Rol: geef minstens één van", "nieuw-rol-medewerker"),
        (
            {
                "naam": "piet",
                "rollen": "medewerker",
                "inloggen": "wachtwoord",
                "wachtwoord": "kort",
                "herhaling": "kort",
            },
            "Het wachtwoord moet minstens 12 tekens lang zijn.",
            "nieuw-wachtwoord",
        ),
        (
            {
                "naam": "piet",
                "rollen": "medewerker",
                "inloggen": "wachtwoord",
                "wachtwoord": NEW_PASSWORD,
                "herhaling": NEW_PASSWORD + "!",
            },
            "De twee wachtwoorden zijn niet gelijk.",
            "nieuw-herhaling",
        ),
        (
            {"naam": "piet", "rollen": "medewerker", "team": "x" * 201},
            "Team: hooguit 200 tekens.",
            "nieuw-team",
        ),
    ],
)
def test_adding_an_account_refused(
    client: TestClient, bea: dict, form: dict, message: str, field: str
) -> None:
    before = log(client)
    answer = post(client, "/beheer/accounts", bea, {"inloggen": "herstellink", **form})
    assert answer.status_code == 422
    assert message in html.unescape(answer.text)
    assert re.search(r'<p class="message message-error" role="alert" id="nieuw-fout"', answer.text)
    control = re.search(rf'<input[^>]*id="{field}"[^>]*>', answer.text).group(0)
    assert 'aria-invalid="true"' in control
    described = (
        re.search(r"<fieldset[^>]*>\s*<legend>Rollen", answer.text).group(0)
        if field.startswith("nieuw-rol")
        else control
    )
    assert 'aria-describedby="nieuw-fout"' in described or 'nieuw-fout"' in described
    if "naam" in form and form["naam"] != "eva":  # what was typed is there again
        assert f'value="{html.escape(form["naam"])}"' in answer.text
    assert NEW_PASSWORD not in answer.text  # never a password
    assert user(client, "piet") is None and user(client, "jan de vries") is None
    assert log(client) == before
    with Session(client.app.state.services.engine) as session:
        assert session.exec(select(PasswordReset)).all() == []


# ---- one account --------------------------------------------------------------------------


def test_change_roles_and_team(client: TestClient, bea: dict) -> None:
    answer = post(
        client,
        "/beheer/accounts/eva/rollen",
        bea,
        {"rollen": ["expert", "redacteur"], "team": "Kwaliteit en Control"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/beheer/accounts/eva?klaar=rollen")
    eva = user(client, "eva")
    assert eva.roles == ["expert", "redacteur"] and eva.team == "Kwaliteit en Control"
    page = text_of(client.get(answer.headers["location"], headers=bea).text)
    assert "Rollen, team en e-mailadres zijn opgeslagen." in page
    assert "Rollen gewijzigd" in page and "Team gewijzigd" in page
    assert "Rollen: expert werd expert, redacteur" in page
    assert "Team: Kennisteam Burgerzaken werd Kwaliteit en Control" in page

    fragment = post(
        client,
        "/beheer/accounts/eva/rollen",
        bea,
        {"rollen": ["expert"], "team": ""},
        **{"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="account"')
    assert "Rollen, team en e-mailadres zijn opgeslagen." in fragment.headers["HX-Trigger"]
    assert "data-focus-after-swap" in fragment.text
    assert user(client, "eva").team is None


def test_the_last_admin_keeps_the_role_and_cannot_disable_herself(
    client: TestClient, bea: dict
) -> None:
    before = log(client)
    answer = post(
        client, "/beheer/accounts/bea/rollen", bea, {"rollen": ["expert"], "team": "Ander team"}
    )
    assert answer.status_code == 409
    assert (
        "'bea' is de laatste actieve beheerder. Geef eerst iemand anders de rol beheerder."
    ) in html.unescape(answer.text)
    assert 'id="rollen-fout"' in answer.text
    assert 'value="Ander team"' in answer.text  # what was typed, shown again
    bea_now = user(client, "bea")
    assert bea_now.roles == ["beheerder"] and bea_now.team == "Informatievoorziening"

    fragment = post(
        client, "/beheer/accounts/bea/rollen", bea, {"rollen": ["expert"]}, **{"HX-Request": "true"}
    )
    assert fragment.status_code == 409 and fragment.headers["X-Editor-Fragment"] == "1"
    assert "laatste actieve beheerder" in html.unescape(fragment.text)

    own = client.get("/beheer/accounts/bea", headers=bea).text
    assert "Uw eigen account kunt u niet uitschakelen." in own
    assert "/beheer/accounts/bea/uitschakelen" not in own
    refused = post(client, "/beheer/accounts/bea/uitschakelen", bea)
    assert refused.status_code == 422
    assert "U kunt uw eigen account niet uitschakelen. Vraag een andere beheerder." in refused.text
    assert user(client, "bea").active and log(client) == before
    assert client.get("/api/v1/me", headers=bea).status_code == 200


def test_with_a_second_admin_the_role_may_go(client: TestClient, bea: dict) -> None:
    post(client, "/beheer/accounts/eva/rollen", bea, {"rollen": ["expert", "beheerder"]})
    answer = post(client, "/beheer/accounts/bea/rollen", bea, {"rollen": ["expert"]})
    assert answer.status_code == 303 and answer.headers["location"] == "/account"
    assert user(client, "bea").roles == ["expert"]
    assert client.get("/beheer", headers=bea).status_code == 403


@pytest.mark.parametrize("role", ["baas", ""])
def test_an_unknown_role_or_none_is_refused(client: TestClient, bea: dict, role: str) -> None:
    before = log(client)
    answer = post(
        client,
        "/beheer/accounts/eva/rollen",
        bea,
        {"rollen": ["expert", role] if role else [], "team": "Nieuw"},
    )
    assert answer.status_code == 422
    assert "Rol:" in answer.text and 'id="rollen-fout"' in answer.text
    checkbox = re.search(r'<input[^>]*id="rol-expert"[^>]*>', answer.text).group(0)
    assert 'aria-invalid="true"' in checkbox
    eva = user(client, "eva")
    assert eva.roles == ["expert"] and eva.team == "Kennisteam Burgerzaken"
    assert log(client) == before


def test_disable_and_enable_stop_and_allow_login_and_token_at_once(
    client: TestClient, bea: dict
) -> None:
    services = client.app.state.services
    with unit_of_work(services.engine) as session:
        eva = session.exec(select(User).where(User.name == "eva")).one()
        token = {"Authorization": f"Bearer {new_api_token(session, eva)}"}
    log_in(client, "eva", PASSWORD)  # the client's cookie: eva's browser
    assert client.get("/api/v1/me").json()["name"] == "eva"
    assert client.get("/api/v1/me", headers=token).status_code == 200

    confirm = client.get("/beheer/accounts/eva/uitschakelen", headers=bea)
    assert confirm.status_code == 200
    assert "Dit account uitschakelen?" in confirm.text and "Ja, uitschakelen" in confirm.text
    assert user(client, "eva").active  # asking is not doing
    fragment = client.get(
        "/beheer/accounts/eva/uitschakelen", headers={**bea, "HX-Request": "true"}
    )
    assert "<html" not in fragment.text and "Ja, uitschakelen" in fragment.text

    answer = post(client, "/beheer/accounts/eva/uitschakelen", bea)
    assert answer.status_code == 303
    assert not user(client, "eva").active
    assert client.get("/api/v1/me").status_code == 401  # the cookie: at once
    assert client.get("/api/v1/me", headers=token).status_code == 401  # the token too
    assert (
        client.get("/account", headers={"Accept": "text/html"}, follow_redirects=False)
        .headers["location"]
        .startswith("/inloggen")
    )
    with Session(services.engine) as session:
        eva_id = user(client, "eva").id
        assert session.exec(select(LoginSession).where(LoginSession.user_id == eva_id)).all() == []
        assert session.exec(select(ApiToken).where(ApiToken.user_id == eva_id)).all() == []
    page = text_of(client.get(answer.headers["location"], headers=bea).text)
    assert "Het account is uitgeschakeld: inloggen en API-tokens werken niet meer" in page
    assert "Status: ingeschakeld werd uitgeschakeld" in page

    reset = post(client, "/beheer/accounts/eva/herstellink", bea)
    assert reset.status_code == 422
    assert "Het account &#39;eva&#39; is uitgeschakeld. Schakel het eerst in." in reset.text

    assert (
        "Dit account weer inschakelen?"
        in client.get("/beheer/accounts/eva/inschakelen", headers=bea).text
    )
    assert post(client, "/beheer/accounts/eva/inschakelen", bea).status_code == 303
    assert user(client, "eva").active
    log_in(client, "eva", PASSWORD)
    assert client.get("/api/v1/me").status_code == 200
    assert [e.action for e in log(client)] == ["account.disabled", "account.enabled"]


def test_set_a_password_and_revoke_tokens(client: TestClient, bea: dict) -> None:
    log_in(client, "eva", PASSWORD)
    before = user(client, "eva").password_hash
    short = post(
        client, "/beheer/accounts/eva/wachtwoord", bea, {"wachtwoord": "kort", "herhaling": "kort"}
    )
    assert short.status_code == 422
    assert "Het wachtwoord moet minstens 12 tekens lang zijn." in short.text
    assert re.search(r'<input[^>]*id="wachtwoord"[^>]*aria-invalid="true"', short.text)
    assert '<details class="fold" open>' in short.text
    assert user(client, "eva").password_hash == before
    assert client.get("/api/v1/me").status_code == 200  # still logged in

    answer = post(
        client,
        "/beheer/accounts/eva/wachtwoord",
        bea,
        {"wachtwoord": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
    )
    assert answer.status_code == 303
    assert user(client, "eva").password_hash != before
    assert client.get("/api/v1/me").status_code == 401  # her sessions ended
    log_in(client, "eva", NEW_PASSWORD)

    page = text_of(client.get("/beheer/accounts/eva", headers=bea).text)
    assert "Dit account heeft 1 API-token." in page
    assert post(client, "/beheer/accounts/eva/tokens-intrekken", bea).status_code == 303
    page = text_of(client.get("/beheer/accounts/eva?klaar=tokens", headers=bea).text)
    assert "De API-tokens van dit account zijn ingetrokken." in page
    assert "Aantal API-tokens: 0." in page and "API-tokens: 1 werd 0" in page


def test_an_unknown_account_is_not_found(client: TestClient, bea: dict) -> None:
    page = client.get("/beheer/accounts/niemand", headers={**bea, "Accept": "text/html"})
    assert page.status_code == 404 and "Er is geen account &#39;niemand&#39;." in page.text


# ---- host applications --------------------------------------------------------------------


def test_the_apps_list_and_an_apps_page(client: TestClient, bea: dict) -> None:
    page = text_of(client.get("/beheer/apps", headers=bea).text)
    assert "2 hostapplicaties" in page and DEMO_APP in page
    assert "Losse hulp (/paneel)" in page  # the standalone panel's, built in
    assert "Verhuizing doorgeven (adreswijziging)" in page  # a task whose rules point at it
    assert "nog nooit" in page
    fragment = client.get("/beheer/apps", headers={**bea, "HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="apps"')


def test_add_an_app_and_copy_its_embed_material(client: TestClient, bea: dict) -> None:
    origin = "https://zaken.dijkhaven.nl"
    answer = post(
        client,
        "/beheer/apps",
        bea,
        {
            "id": "zaken-dijkhaven",
            "naam": "Zaken Dijkhaven",
            "herkomsten": f"{origin}\nhttp://10.0.0.5:8080, {origin}",
            "zaaktypen": "PAS01 = BZ-REISDOC\nRB02: BZ-RIJBEWIJS",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/beheer/apps/zaken-dijkhaven?klaar=")
    app = host_app(client, "zaken-dijkhaven")
    assert app.allowed_origins == [origin, "http://10.0.0.5:8080"]
    assert app.zaaktype_map == {"PAS01": "BZ-REISDOC", "RB02": "BZ-RIJBEWIJS"}
    # No restart, no wait: applied in this process before the answer came.
    allowed = client.get("/api/v1/apps/zaken-dijkhaven/manifest", headers={"Origin": origin})
    assert allowed.headers.get("access-control-allow-origin") == origin

    page = client.get(answer.headers["location"], headers=bea).text
    service = "http://testserver/"
    version = shipped_bundle().version
    for snippet in (
        snippets.script_tag(service, "zaken-dijkhaven", version),
        snippets.script_tag(service, "zaken-dijkhaven"),
        snippets.bookmarklet(service, "zaken-dijkhaven"),
        "\n".join(snippets.csp_lines(service)),
        snippets.managed_policy(service, "zaken-dijkhaven", app.allowed_origins),
    ):
        assert html.escape(snippet, quote=False) in page.replace("&#34;", '"').replace("&#39;", "'")
    assert page.count("data-copy=") == 5 and 'draggable="true"' in page
    assert "zonder herstart" in page and "binnen een paar seconden" in page
    assert "PAS01 = BZ-REISDOC\nRB02 = BZ-RIJBEWIJS" in page
    assert "Hostapplicatie toegevoegd" in page


@pytest.mark.parametrize(
    ("origins", "shown"),
    [
        ("http://x/y", "'http://x/y' is geen herkomst (origin)."),
        ("*", "'*' is geen herkomst (origin)."),
        ("javascript:alert(1)", "'javascript:alert(1)' is geen herkomst (origin)."),
        ("https://ok.nl\nhttps://user@evil.nl", "'https://user@evil.nl' is geen herkomst"),
    ],
)
def test_a_wrong_origin_is_refused_and_adds_nothing(
    client: TestClient, bea: dict, origins: str, shown: str
) -> None:
    before = log(client)
    answer = post(
        client, "/beheer/apps", bea, {"id": "nieuw-systeem", "naam": "Nieuw", "herkomsten": origins}
    )
    assert answer.status_code == 422
    assert shown in html.unescape(answer.text)
    area = re.search(r'<textarea[^>]*id="nieuw-herkomsten"[^>]*>', answer.text).group(0)
    assert 'aria-invalid="true"' in area and "nieuw-fout" in area
    assert f">{html.escape(origins)}</textarea>" in answer.text  # as typed
    assert host_app(client, "nieuw-systeem") is None and log(client) == before


@pytest.mark.parametrize(
    ("form", "shown", "field"),
    [
        ({"id": DEMO_APP}, f"Er is al een hostapplicatie met het id '{DEMO_APP}'.", "nieuw-id"),
        ({"id": "Zaken!"}, "Id 'Zaken!': gebruik 2 tot 80 kleine letters", "nieuw-id"),
        ({"naam": " "}, "Naam: vul 1 tot 200 tekens in.", "nieuw-naam"),
        (
            {"zaaktypen": "PAS01 BZ-REISDOC"},
            "Zaaktypen, regel 1: schrijf 'eigen code = zaaktype'",
            "nieuw-zaaktypen",
        ),
    ],
)
def test_adding_an_app_refused(
    client: TestClient, bea: dict, form: dict, shown: str, field: str
) -> None:
    before = log(client)
    data = {"id": "nieuw-systeem", "naam": "Nieuw", "herkomsten": "https://x.nl", **form}
    answer = post(client, "/beheer/apps", bea, data)
    assert answer.status_code in (409, 422)
    assert shown in html.unescape(answer.text)
    assert re.search(rf'<(input|textarea)[^>]*id="{field}"[^>]*aria-invalid="true"', answer.text)
    assert host_app(client, "nieuw-systeem") is None and log(client) == before
    assert host_app(client, DEMO_APP).name != "Nieuw"


def test_change_an_app_or_change_nothing(client: TestClient, bea: dict) -> None:
    before = host_app(client, DEMO_APP)
    # A valid name with a wrong origin: the name must not be saved either.
    refused = post(
        client,
        f"/beheer/apps/{DEMO_APP}",
        bea,
        {"naam": "Andere naam", "herkomsten": "https://goed.nl\nhttps://fout.nl/pad"},
    )
    assert refused.status_code == 422
    assert "'https://fout.nl/pad' is geen herkomst" in html.unescape(refused.text)
    assert 'value="Andere naam"' in refused.text and 'id="wijzigen-fout"' in refused.text
    after = host_app(client, DEMO_APP)
    assert (after.name, after.allowed_origins) == (before.name, before.allowed_origins)
    assert log(client) == []

    origin = "https://nieuw.dijkhaven.nl"
    assert (
        client.get(f"/api/v1/apps/{DEMO_APP}/manifest", headers={"Origin": origin}).headers.get(
            "access-control-allow-origin"
        )
        is None
    )
    changed = post(
        client,
        f"/beheer/apps/{DEMO_APP}",
        bea,
        {"naam": "Zaaksysteem Dijkhaven", "herkomsten": origin, "zaaktypen": ""},
        **{"HX-Request": "true"},
    )
    assert changed.status_code == 200 and changed.text.lstrip().startswith('<div id="app"')
    assert "De wijzigingen zijn opgeslagen." in changed.text
    assert host_app(client, DEMO_APP).allowed_origins == [origin]
    # In force in this process before the answer came (in others within seconds).
    allowed = client.get(f"/api/v1/apps/{DEMO_APP}/manifest", headers={"Origin": origin})
    assert allowed.headers.get("access-control-allow-origin") == origin
    entry = log(client)[-1]
    assert entry.action == "host_app.changed" and set(entry.after) == {"name", "origins"}
    page = text_of(client.get("/beheer/log", headers=bea).text)
    was = ", ".join(before.allowed_origins) or "geen"
    assert f"Herkomsten: {was} werd {origin}" in page


def test_remove_an_app_only_without_rules(client: TestClient, bea: dict) -> None:
    assert (
        "Deze hostapplicatie verwijderen?"
        in client.get(f"/beheer/apps/{DEMO_APP}/verwijderen", headers=bea).text
    )
    refused = post(client, f"/beheer/apps/{DEMO_APP}/verwijderen", bea)
    assert refused.status_code == 409
    assert (
        f"Naar de hostapplicatie '{DEMO_APP}' wijzen nog contextregels van taken"
        in html.unescape(refused.text)
    )
    assert host_app(client, DEMO_APP) is not None and log(client) == []

    post(
        client,
        "/beheer/apps",
        bea,
        {"id": "weg", "naam": "Weg ermee", "herkomsten": "https://weg.nl"},
    )
    gone = post(client, "/beheer/apps/weg/verwijderen", bea)
    assert gone.status_code == 303 and gone.headers["location"] == "/beheer/apps?klaar=verwijderd"
    assert host_app(client, "weg") is None
    assert (
        "De hostapplicatie is verwijderd." in client.get(gone.headers["location"], headers=bea).text
    )
    htmx = post(client, "/beheer/apps", bea, {"id": "weg2", "naam": "Weg", "herkomsten": ""})
    assert htmx.status_code == 303
    answer = post(client, "/beheer/apps/weg2/verwijderen", bea, **{"HX-Request": "true"})
    assert answer.headers["HX-Redirect"] == "/beheer/apps?klaar=verwijderd"
    page = text_of(client.get("/beheer/log", headers=bea).text)
    assert "Hostapplicatie verwijderd Hostapplicatie weg Naam: was Weg ermee" in page


# ---- the admin log ------------------------------------------------------------------------


def test_the_admin_log_says_each_action_in_dutch(client: TestClient, bea: dict) -> None:
    post(
        client,
        "/beheer/accounts",
        bea,
        {"naam": "piet", "rollen": "medewerker", "team": "Balie", "inloggen": "herstellink"},
    )
    post(
        client,
        "/beheer/accounts/piet/rollen",
        bea,
        {"rollen": ["medewerker", "expert"], "team": "Balie 2", "email": "piet@dijkhaven.nl"},
    )
    post(
        client,
        "/beheer/accounts/piet/wachtwoord",
        bea,
        {"wachtwoord": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
    )
    post(client, "/beheer/accounts/piet/tokens-intrekken", bea)
    post(client, "/beheer/accounts/piet/uitschakelen", bea)
    post(client, "/beheer/accounts/piet/inschakelen", bea)
    post(client, "/beheer/apps", bea, {"id": "los", "naam": "Los", "herkomsten": "https://a.nl"})
    post(
        client,
        "/beheer/apps/los",
        bea,
        {"naam": "Los 2", "herkomsten": "https://a.nl", "zaaktypen": "A = B"},
    )
    post(client, "/beheer/apps/los/verwijderen", bea)
    with unit_of_work(client.app.state.services.engine) as session:
        record(
            session,
            Actor("root", COMMAND_LINE),
            "account.team_changed",
            "account",
            "eva",
            {"team": "Oud"},
            {"team": None},
        )
    codes = {e.action for e in log(client)}
    assert codes == set(admin_log.ACTION_LABELS)

    answer = client.get("/beheer/log", headers=bea)
    page = text_of(answer.text)
    for label in admin_log.ACTION_LABELS.values():
        assert label in page
    for code in admin_log.ACTION_LABELS:
        assert code not in answer.text
    assert "root opdrachtregel Team gewijzigd Account eva Team: Oud werd geen" in page
    assert (
        "bea web Account toegevoegd Account piet Rollen: medewerker Team: Balie "
        "Status: ingeschakeld" in page
    )
    assert "Rollen: medewerker werd medewerker, expert" in page
    assert "Status: uitgeschakeld werd ingeschakeld" in page
    assert "Zaaktypen: geen werd A = B" in page and "Naam: Los werd Los 2" in page
    assert not re.search(r"[\[\]{}]", page.split("Beheerlog", 2)[-1])  # no raw JSON
    assert re.search(r"\d\d-\d\d-\d{4} \d\d:\d\d bea web", page)  # Dutch time

    newest = log(client)[-1].at
    shown = re.search(r"(\d\d-\d\d-\d{4} \d\d:\d\d) root", page).group(1)
    assert shown == moment(newest)


def test_the_admin_log_in_pages(client: TestClient, bea: dict) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        for n in range(admin_log.PAGE_SIZE + 5):
            record(
                session,
                Actor("root", COMMAND_LINE),
                "account.team_changed",
                "account",
                "eva",
                {"team": f"T{n}"},
                {"team": f"T{n + 1}"},
            )
    first = client.get("/beheer/log", headers=bea).text
    assert "55 wijzigingen" in first and "Pagina 1 / 2" in first
    assert 'href="/beheer/log?pagina=2"' in first and "Team: T54 werd T55" in text_of(first)
    second = client.get("/beheer/log?pagina=2", headers={**bea, "HX-Request": "true"})
    assert "<html" not in second.text and second.text.lstrip().startswith("<section")
    assert "Team: T0 werd T1" in text_of(second.text) and "Nieuwere" in second.text
    assert "Pagina 2 / 2" in second.headers["HX-Trigger"]
    only_eva = client.get("/beheer/log?onderwerp=eva", headers=bea).text
    assert "Over eva: 55 wijzigingen" in only_eva
    account = client.get("/beheer/accounts/eva", headers=bea).text
    assert "Alle 55 wijzigingen van dit account" in account


# ---- /account -----------------------------------------------------------------------------


def test_my_account_and_changing_my_password(client: TestClient, bea: dict) -> None:
    log_in(client, "eva", PASSWORD)
    mine = client.cookies.get("epss_session")
    other = TestClient(client.app)
    log_in(other, "eva", PASSWORD)  # eva on another computer
    page = text_of(client.get("/account").text)
    assert (
        "Naam eva Rollen expert Team Kennisteam Burgerzaken E-mailadres geen "
        "Inloggen via wachtwoord" in page
    )
    assert 'href="/mijn-gegevens"' in client.get("/account").text
    before = user(client, "eva").password_hash

    def change(current: str, new: str, repeat: str):
        return client.post(
            "/account/wachtwoord",
            data={
                "csrftoken": form_token(client, "/account"),
                "huidig": current,
                "nieuw": new,
                "herhaling": repeat,
            },
            follow_redirects=False,
        )

    wrong = change("niet het wachtwoord", NEW_PASSWORD, NEW_PASSWORD)
    assert wrong.status_code == 422
    assert "Het huidige wachtwoord klopt niet." in wrong.text
    assert re.search(r'<input[^>]*id="huidig"[^>]*aria-invalid="true"', wrong.text)
    assert user(client, "eva").password_hash == before
    assert other.get("/api/v1/me").status_code == 200  # nothing ended
    assert (
        "De twee wachtwoorden zijn niet gelijk."
        in change(PASSWORD, NEW_PASSWORD, "iets anders hier").text
    )
    assert "minstens 12 tekens" in change(PASSWORD, "kort", "kort").text
    assert user(client, "eva").password_hash == before

    done = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/account?klaar=wachtwoord"
    assert user(client, "eva").password_hash != before
    assert client.cookies.get("epss_session") == mine
    assert "Uw wachtwoord is gewijzigd." in client.get(done.headers["location"]).text
    assert other.get("/api/v1/me").status_code == 401  # the other session ended
    log_in(other, "eva", NEW_PASSWORD)


def test_my_account_without_a_password(client: TestClient, bea: dict) -> None:
    tokens_only = add_user(client.app.state.services, "koppeling", "medewerker")
    page = client.get("/account", headers=tokens_only).text
    assert "alleen API-token" in page and 'name="huidig"' not in page


# ---- language -----------------------------------------------------------------------------


def test_the_pages_in_english(client: TestClient, bea: dict) -> None:
    post(client, "/beheer/accounts/eva/uitschakelen", bea)
    accounts = client.get("/beheer/accounts?lang=en", headers=bea).text
    assert '<html lang="en">' in accounts and "Add account" in accounts
    assert "Login name" in accounts and "desk employee" in accounts and "disabled" in accounts
    assert "Account toevoegen" not in accounts
    log_page = text_of(client.get("/beheer/log", headers=bea).text)  # the cookie keeps it
    assert "Admin log" in log_page and "Account disabled" in log_page
    assert "Status: enabled became disabled" in log_page
    app = client.get(f"/beheer/apps/{DEMO_APP}", headers=bea).text
    assert "Script tag with version" in app and "without a restart" in app
    refused = post(client, "/beheer/apps", bea, {"id": "x1", "naam": "X", "herkomsten": "*"})
    assert "&#39;*&#39; is not an origin." in refused.text
    mine = client.get("/account", headers=bea).text
    assert "My account" in mine and "administrator" in mine
    client.get("/?lang=nl")


def test_every_label_of_the_admin_pages_has_english() -> None:
    labels = [
        *admin_log.ROLE_LABELS.values(),
        *admin_log.ROLE_HINTS.values(),
        *admin_log.VIA_LABELS.values(),
        *admin_log.ACTION_LABELS.values(),
        *admin_log.SUBJECT_LABELS.values(),
        *admin_log.FIELD_LABELS.values(),
        *admin_log.LOGIN_LABELS.values(),
        *admin_account.DONE.values(),
        *admin_accounts.STATE_LABELS.values(),
        *admin_apps.DONE.values(),
        "Beheerhandeling",
        "Onderwerp",
        "geen",
        "ingeschakeld",
        "uitgeschakeld",
        "1 account",
        "accounts",
        "De twee wachtwoorden zijn niet gelijk. Typ het nieuwe wachtwoord twee keer hetzelfde.",
    ]
    assert [label for label in labels if label not in ENGLISH] == []


def test_guessing_my_current_password_is_throttled_like_a_login(
    client: TestClient, bea: dict
) -> None:
    log_in(client, "eva", PASSWORD)
    throttle = client.app.state.services.login_throttle
    throttle.clock = lambda: dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)

    def change(current: str):
        return client.post(
            "/account/wachtwoord",
            data={
                "csrftoken": form_token(client, "/account"),
                "huidig": current,
                "nieuw": NEW_PASSWORD,
                "herhaling": NEW_PASSWORD,
            },
            follow_redirects=False,
        )

    before = user(client, "eva").password_hash
    assert [change(f"gok nummer {n}").status_code for n in range(4)] == [422] * 4
    fifth = change("gok nummer 5")
    assert fifth.status_code == 429
    assert "Probeer het opnieuw om 10:00:30 (over 30 seconden)." in fifth.text
    assert change(PASSWORD).status_code == 429  # even the right one waits
    assert user(client, "eva").password_hash == before
