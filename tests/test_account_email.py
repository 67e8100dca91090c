"""An account's e-mail address, where EPSS mails its notices: set, changed and cleared by a
beheerder on the account's page (with roles and team, one save) and on the command line, by
the person on /account, and taken from the provider's `email` claim at single sign-on. A bad
address gets a Dutch refusal at the form and changes nothing; every change is in the admin
log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from epss.admin.accounts import disable, set_email
from epss.admin.log import COMMAND_LINE, SINGLE_SIGN_ON, WEB, Actor
from epss.auth.accounts import email_address, email_of
from epss.auth.sso import Person, person_from_claims, sign_in
from epss.cli import app as cli
from epss.db import unit_of_work
from epss.errors import InvalidInput
from epss.models import AdminAction, User
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user, text_of

PASSWORD = "correct horse battery"
ISSUER = "https://login.dijkhaven.nl"


@pytest.fixture
def bea(client: TestClient) -> dict[str, str]:
    """The headers of bea, the admin; eva (expert, with a password) is there too."""
    services = client.app.state.services
    headers = add_user(services, "bea", "beheerder", password=PASSWORD)
    add_user(services, "eva", "expert", team="Kennisteam", password=PASSWORD)
    return headers


def account(services: Services, name: str) -> User:
    with Session(services.engine) as session:
        return session.exec(select(User).where(User.name == name)).one()


def email_log(services: Services, name: str) -> list[tuple[str, str, object, object]]:
    """(actor, via, before, after) of every change of `name`'s address, oldest first."""
    with Session(services.engine) as session:
        rows = session.exec(
            select(AdminAction)
            .where(AdminAction.subject == name, AdminAction.action == "account.email_changed")
            .order_by(AdminAction.seq)
        ).all()
    return [(r.actor, r.via, r.before["email"], r.after["email"]) for r in rows]


def save(client: TestClient, who: dict, name: str, email: str, **headers: str):
    """The roles-and-team form of `name`'s page, posted with eva's roles and team kept."""
    return client.post(
        f"/beheer/accounts/{name}/rollen",
        data={"rollen": ["expert"], "team": "Kennisteam", "email": email},
        headers={**who, **headers},
        follow_redirects=False,
    )


def form_token(client: TestClient, path: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', client.get(path).text).group(1)


def log_in(client: TestClient, name: str) -> None:
    answer = client.post(
        "/inloggen",
        data={"csrftoken": form_token(client, "/inloggen"), "naam": name, "wachtwoord": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


# ---- what counts as an address ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("", None),
        ("   ", None),
        (None, None),
        (" Eva.Jansen@Dijkhaven.NL ", "Eva.Jansen@dijkhaven.nl"),  # only the domain lower-cased
        ("e+meldingen@mail.gemeente.nl", "e+meldingen@mail.gemeente.nl"),
    ],
)
def test_an_address_is_trimmed_and_empty_means_none(typed: str | None, stored: str | None) -> None:
    assert email_address(typed) == stored


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("eva", "er hoort precies één @ in te staan."),
        ("eva@@dijkhaven.nl", "er hoort precies één @ in te staan."),
        ("eva@team@dijkhaven.nl", "er hoort precies één @ in te staan."),
        ("eva jansen@dijkhaven.nl", "er mogen geen spaties of andere onzichtbare tekens in staan."),
        ("eva@dijk\thaven.nl", "er mogen geen spaties of andere onzichtbare tekens in staan."),
        ("@dijkhaven.nl", "vóór de @ hoort een naam te staan."),
        ("eva@dijkhaven", "na de @ hoort een domein met een punt, zoals gemeente.nl."),
        ("eva@", "na de @ hoort een domein met een punt, zoals gemeente.nl."),
        ("eva@.nl", "na de @ hoort een domein met een punt, zoals gemeente.nl."),
        ("eva@dijkhaven.nl.", "na de @ hoort een domein met een punt, zoals gemeente.nl."),
        ("eva@dijkhaven..nl", "na de @ hoort een domein met een punt, zoals gemeente.nl."),
    ],
)
def test_what_is_not_an_address_is_refused_naming_why(typed: str, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        email_address(typed)
    assert refused.value.detail == f"'{typed.strip()}' is geen e-mailadres: {why}"


def test_an_address_is_at_most_254_characters() -> None:
    assert email_address("e" * 240 + "@dijkhaven.nl") is not None  # 253
    with pytest.raises(InvalidInput, match=r"E-mailadres: hooguit 254 tekens\."):
        email_address("e" * 242 + "@dijkhaven.nl")


# ---- the beheerder, on the account's page --------------------------------------------------


def test_the_beheerder_sets_changes_and_clears_an_address(client: TestClient, bea: dict) -> None:
    services = client.app.state.services
    page = client.get("/beheer/accounts/eva", headers=bea)
    assert 'type="email" id="email" name="email" value=""' in page.text
    assert "E-mailadres geen" in text_of(page.text)
    assert "Hierheen stuurt EPSS meldingen, zoals een veld van een stap" in page.text

    answer = save(client, bea, "eva", " Eva.Jansen@Dijkhaven.NL ")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/beheer/accounts/eva?klaar=rollen")
    assert account(services, "eva").email == "Eva.Jansen@dijkhaven.nl"
    page = client.get(answer.headers["location"], headers=bea).text
    assert "Rollen, team en e-mailadres zijn opgeslagen." in text_of(page)
    assert "E-mailadres Eva.Jansen@dijkhaven.nl" in text_of(page)
    assert 'name="email" value="Eva.Jansen@dijkhaven.nl"' in page

    fragment = save(client, bea, "eva", "e.jansen@dijkhaven.nl", **{"HX-Request": "true"})
    assert fragment.status_code == 200 and 'value="e.jansen@dijkhaven.nl"' in fragment.text
    assert save(client, bea, "eva", "e.jansen@dijkhaven.nl").status_code == 303  # the same
    assert save(client, bea, "eva", "").status_code == 303
    eva = account(services, "eva")
    assert eva.email is None and eva.roles == ["expert"] and eva.team == "Kennisteam"

    assert email_log(services, "eva") == [
        ("bea", WEB, None, "Eva.Jansen@dijkhaven.nl"),
        ("bea", WEB, "Eva.Jansen@dijkhaven.nl", "e.jansen@dijkhaven.nl"),
        ("bea", WEB, "e.jansen@dijkhaven.nl", None),
    ]
    english = client.get("/beheer/accounts/eva", headers=bea, params={"lang": "en"}).text
    assert "E-mail address" in english and "Save roles, team and e-mail address" in english
    client.get("/", params={"lang": "nl"})


@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_address_is_refused_at_the_form_and_changes_nothing(
    client: TestClient, bea: dict, htmx: bool
) -> None:
    services = client.app.state.services
    assert save(client, bea, "eva", "eva@dijkhaven.nl").status_code == 303
    before = len(email_log(services, "eva"))
    headers = {"HX-Request": "true"} if htmx else {}
    refused = client.post(
        "/beheer/accounts/eva/rollen",
        data={"rollen": ["expert", "redacteur"], "team": "Nieuw team", "email": "eva@dijkhaven"},
        headers={**bea, **headers},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert (
        "Niet gelukt: 'eva@dijkhaven' is geen e-mailadres: na de @ hoort een domein met een "
        "punt, zoals gemeente.nl." in text_of(refused.text)
    )
    # What was typed stays in the form, and the field is marked.
    assert re.search(
        r'name="email" value="eva@dijkhaven"[^>]*'
        r'aria-invalid="true" aria-describedby="rollen-fout"',
        refused.text,
    )
    assert 'value="Nieuw team"' in refused.text
    eva = account(services, "eva")
    assert (eva.email, eva.roles, eva.team) == ("eva@dijkhaven.nl", ["expert"], "Kennisteam")
    assert len(email_log(services, "eva")) == before
    with Session(services.engine) as session:
        roles_changed = session.exec(
            select(AdminAction).where(AdminAction.action == "account.roles_changed")
        ).all()
    assert roles_changed == []  # the roles saved before the refusal were undone too


def test_only_a_beheerder_sets_another_persons_address(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    services = client.app.state.services
    for role in ("medewerker", "expert", "redacteur", "kwaliteit"):
        assert client.get("/beheer/accounts/expert", headers=people[role]).status_code == 403
        answer = client.post(
            "/beheer/accounts/expert/rollen",
            data={"rollen": ["expert"], "email": f"{role}@dijkhaven.nl"},
            headers=people[role],
            follow_redirects=False,
        )
        assert answer.status_code == 403
    assert account(services, "expert").email is None
    answer = client.post(
        "/beheer/accounts/expert/rollen",
        data={"rollen": ["expert"], "email": "expert@dijkhaven.nl"},
        headers=people["beheerder"],
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert account(services, "expert").email == "expert@dijkhaven.nl"
    assert email_log(services, "expert") == [("beheerder", WEB, None, "expert@dijkhaven.nl")]


# ---- the person, on /account --------------------------------------------------------------


def test_a_person_sets_their_own_address(client: TestClient, bea: dict) -> None:
    services = client.app.state.services
    log_in(client, "eva")
    page = client.get("/account")
    assert "E-mailadres geen" in text_of(page.text)
    assert 'action="/account/e-mail"' in page.text

    def change(email: str, token: str | None = None):
        return client.post(
            "/account/e-mail",
            data={"csrftoken": token or form_token(client, "/account"), "email": email},
            follow_redirects=False,
        )

    answer = change("Eva@Dijkhaven.nl")
    assert answer.status_code == 303 and answer.headers["location"] == "/account?klaar=e-mail"
    page = text_of(client.get(answer.headers["location"]).text)
    assert "Uw e-mailadres is bijgewerkt." in page and "E-mailadres Eva@dijkhaven.nl" in page
    assert client.get("/api/v1/me").json()["email"] == "Eva@dijkhaven.nl"

    refused = change("eva dijkhaven.nl")
    assert refused.status_code == 422
    assert (
        "Niet gewijzigd: 'eva dijkhaven.nl' is geen e-mailadres: er mogen geen spaties"
        in text_of(refused.text)
    )
    assert re.search(
        r'name="email" value="eva dijkhaven.nl"[^>]*aria-invalid="true" '
        r'aria-describedby="email-fout"',
        refused.text,
    )
    assert 'id="wachtwoord-fout"' not in refused.text  # the refusal is at its own form
    assert account(services, "eva").email == "Eva@dijkhaven.nl"

    forged = change("iemand@elders.nl", token="vervalst")
    assert forged.status_code == 403
    assert account(services, "eva").email == "Eva@dijkhaven.nl"

    assert change("").status_code == 303
    assert account(services, "eva").email is None
    assert client.get("/api/v1/me").json()["email"] is None
    assert account(services, "bea").email is None  # only one's own
    assert email_log(services, "eva") == [
        ("eva", WEB, None, "Eva@dijkhaven.nl"),
        ("eva", WEB, "Eva@dijkhaven.nl", None),
    ]
    english = client.get("/account", params={"lang": "en"}).text
    assert "Change e-mail address" in english and "Save e-mail address" in english
    client.get("/", params={"lang": "nl"})


def test_the_beheerder_sees_what_the_person_set(client: TestClient, bea: dict) -> None:
    log_in(client, "eva")
    client.post(
        "/account/e-mail",
        data={"csrftoken": form_token(client, "/account"), "email": "eva@dijkhaven.nl"},
    )
    page = text_of(client.get("/beheer/accounts/eva", headers=bea).text)
    assert "E-mailadres eva@dijkhaven.nl" in page


# ---- where the mail part reads it ---------------------------------------------------------


def test_email_of_gives_the_address_of_an_active_account_only(services: Services) -> None:
    add_user(services, "eva", "expert")
    add_user(services, "bea", "beheerder")
    with unit_of_work(services.engine) as session:
        set_email(session, Actor("root", COMMAND_LINE), "eva", "eva@dijkhaven.nl")
    with unit_of_work(services.engine) as session:
        assert email_of(session, "eva") == "eva@dijkhaven.nl"
        assert email_of(session, "bea") is None  # none set
        assert email_of(session, "niemand") is None  # no such account
        disable(session, Actor("root", COMMAND_LINE), "eva")
    with unit_of_work(services.engine) as session:
        assert email_of(session, "eva") is None  # disabled: no mail


# ---- single sign-on ----------------------------------------------------------------------


def test_the_email_claim_becomes_the_address_unless_it_is_unverified(tmp_path: Path) -> None:
    sso = Settings(data_dir=tmp_path, oidc_role_map="grp-balie=medewerker")
    claims = {"iss": ISSUER, "sub": "d-1", "preferred_username": "dirk", "groups": ["grp-balie"]}

    def email(**extra: object) -> str | None:
        return person_from_claims({**claims, **extra}, sso).email

    assert email() is None
    assert email(email="Dirk@Dijkhaven.NL") == "Dirk@dijkhaven.nl"
    assert email(email="dirk@dijkhaven.nl", email_verified=True) == "dirk@dijkhaven.nl"
    assert email(email="dirk@dijkhaven.nl", email_verified=False) is None
    assert email(email="dirk@dijkhaven.nl", email_verified="false") is None
    assert email(email="geen adres") is None  # not an address: no address, still a login
    assert email(email=["dirk@dijkhaven.nl"]) is None


def test_single_sign_on_stores_the_address_and_keeps_following_it(services: Services) -> None:
    person = Person(f"{ISSUER}|d-1", "dirk", ("medewerker",), None, "dirk@dijkhaven.nl")
    with unit_of_work(services.engine) as session:
        assert sign_in(session, person, "Gemeente Dijkhaven").email == "dirk@dijkhaven.nl"
    with unit_of_work(services.engine) as session:  # set by hand in between
        set_email(session, Actor("dirk", WEB), "dirk", "d.smit@thuis.nl")
    with unit_of_work(services.engine) as session:  # the provider's address wins again
        assert sign_in(session, person, "Gemeente Dijkhaven").email == "dirk@dijkhaven.nl"
    without = Person(person.subject, "dirk", ("medewerker",), None, None)
    with unit_of_work(services.engine) as session:  # no address from the provider: kept
        assert sign_in(session, without, "Gemeente Dijkhaven").email == "dirk@dijkhaven.nl"
    assert email_log(services, "dirk") == [
        ("dirk", WEB, "dirk@dijkhaven.nl", "d.smit@thuis.nl"),
        ("dirk", SINGLE_SIGN_ON, "d.smit@thuis.nl", "dirk@dijkhaven.nl"),
    ]
    with Session(services.engine) as session:
        created = session.exec(
            select(AdminAction).where(AdminAction.action == "account.created")
        ).one()
    assert created.after["email"] == "dirk@dijkhaven.nl" and created.via == SINGLE_SIGN_ON


# ---- the command line --------------------------------------------------------------------


def test_the_command_line_sets_an_address(env: Settings) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["users", "add", "erik", "--role", "expert", "--email", "e@d.nl"])
    assert added.exit_code == 0, added.output
    changed = runner.invoke(cli, ["users", "set-email", "erik", "Erik@Dijkhaven.NL"])
    assert changed.output == "'erik' now gets notices at Erik@dijkhaven.nl.\n"
    listed = runner.invoke(cli, ["users", "list"]).output.splitlines()
    assert [line.split("\t")[-1] for line in listed] == ["Erik@dijkhaven.nl"]
    refused = runner.invoke(cli, ["users", "set-email", "erik", "erik"])
    assert refused.exit_code == 1
    assert (
        "E-mail address not changed: 'erik' is not an e-mail address: it should hold exactly "
        "one @." in refused.output
    )
    refused = runner.invoke(cli, ["users", "add", "fien", "--role", "expert", "--email", "x@y"])
    assert refused.exit_code == 1 and "Not added: 'x@y' is not an e-mail address" in refused.output
    cleared = runner.invoke(cli, ["users", "set-email", "erik", ""])
    assert cleared.output == "'erik' now gets no e-mail.\n"
    assert runner.invoke(cli, ["users", "list"]).output.split("\t")[-1] == "-\n"

    services = Services.from_settings(env)
    try:
        assert account(services, "erik").email is None
        with Session(services.engine) as session:
            assert session.exec(select(User).where(User.name == "fien")).first() is None
            created = session.exec(
                select(AdminAction).where(AdminAction.action == "account.created")
            ).one()
        assert created.after["email"] == "e@d.nl"
        me = created.actor
        assert email_log(services, "erik") == [
            (me, COMMAND_LINE, "e@d.nl", "Erik@dijkhaven.nl"),
            (me, COMMAND_LINE, "Erik@dijkhaven.nl", None),
        ]
    finally:
        services.close()


def test_a_new_account_gets_its_address_when_it_is_added(client: TestClient, bea: dict) -> None:
    services = client.app.state.services
    form = {"naam": "piet", "rollen": "expert", "inloggen": "token"}
    refused = client.post("/beheer/accounts", headers=bea, data={**form, "email": "piet@"})
    assert refused.status_code == 422
    page = text_of(refused.text)
    assert "'piet@' is geen e-mailadres" in page
    assert 'id="nieuw-email"' in refused.text and 'value="piet@"' in refused.text  # kept
    with Session(services.engine) as session:
        assert session.exec(select(User).where(User.name == "piet")).first() is None
    added = client.post(
        "/beheer/accounts",
        headers=bea,
        data={**form, "email": "Piet@Dijkhaven.NL"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert account(services, "piet").email == "Piet@dijkhaven.nl"
