"""Administration as an admin and an operator meet it, below the pages: accounts (roles,
team, disable, passwords, reset links, tokens) and host applications (origins, zaaktype
codes, removal), every change in the hash-chained admin log, the same on the command line,
and each refusal saying what is wrong while changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from epss.admin import accounts, hostapps
from epss.admin.log import COMMAND_LINE, Actor, admin_log, verify_admin_log
from epss.auth.accounts import identity_from_login, log_in, reset_link_user, use_reset_link
from epss.cli import app as cli
from epss.db import unit_of_work
from epss.errors import Conflict, EpssError, InvalidInput, NotFound
from epss.hostapps import parse_origin
from epss.i18n import translator
from epss.models import AdminAction, ApiToken, HostApp, PasswordReset, User
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user

PASSWORD = "correct horse battery"
BEA = Actor("bea", user_id=None)
APP = "demo-zaaksysteem"
runner = CliRunner()


@pytest.fixture
def admin(client: TestClient) -> Services:
    """The client's services with an admin 'bea' and an expert 'erik' (both with a
    password)."""
    services = client.app.state.services
    add_user(services, "bea", "beheerder", password=PASSWORD)
    add_user(services, "erik", "expert", team="Kennisteam", password=PASSWORD)
    return services


def as_bea(services: Services) -> Actor:
    with Session(services.engine) as session:
        bea = session.exec(select(User).where(User.name == "bea")).one()
    return Actor("bea", user_id=bea.id)


def refused(services: Services, change, error: type[EpssError] = EpssError) -> str:
    """Run `change(session)`, which must be refused; returns the Dutch message and checks
    that the admin log (and so the change) did not grow."""
    before = count_actions(services)
    with pytest.raises(error) as caught, unit_of_work(services.engine) as session:
        change(session)
    assert count_actions(services) == before
    return caught.value.detail


def count_actions(services: Services) -> int:
    with Session(services.engine) as session:
        return len(session.exec(select(AdminAction)).all())


def user(services: Services, name: str) -> User:
    with Session(services.engine) as session:
        return session.exec(select(User).where(User.name == name)).one()


# -- accounts ---------------------------------------------------------------------------


def test_roles_and_team_change_and_are_logged_with_before_and_after(admin: Services) -> None:
    with unit_of_work(admin.engine) as session:
        accounts.set_roles(session, BEA, "erik", ["expert", "redacteur"])
        accounts.set_team(session, BEA, "erik", "  Kwaliteit en Control ")
        accounts.set_team(session, BEA, "erik", "Kwaliteit en Control")  # no change, no entry
    erik = user(admin, "erik")
    assert erik.roles == ["expert", "redacteur"] and erik.team == "Kwaliteit en Control"
    with Session(admin.engine) as session:
        entries, total = admin_log(session, limit=10, subject="erik")
    assert total == 2
    assert (entries[0].action, entries[0].before, entries[0].after) == (
        "account.team_changed",
        {"team": "Kennisteam"},
        {"team": "Kwaliteit en Control"},
    )
    assert (entries[1].action, entries[1].after) == (
        "account.roles_changed",
        {"roles": ["expert", "redacteur"]},
    )


def test_accounts_are_found_by_text_role_team_and_state(admin: Services) -> None:
    add_user(admin, "kim", "kwaliteit", team="Kwaliteit en Control")
    with unit_of_work(admin.engine) as session:
        accounts.disable(session, BEA, "kim")
    with Session(admin.engine) as session:

        def names(**filters) -> list[str]:
            return [row.name for row in accounts.find_accounts(session, **filters)]

        assert names(text="KWALITEIT") == ["kim"]  # the team, in any case
        assert names(role="expert") == ["erik"]
        assert names(team="Kennisteam") == ["erik"]
        assert names(active=False) == ["kim"]
        assert names(active=True) == ["bea", "erik"]
        assert accounts.teams(session) == ["Kennisteam", "Kwaliteit en Control"]


def test_a_disabled_account_stops_at_once_and_keeps_its_history(
    client: TestClient, admin: Services
) -> None:
    token = add_user(admin, "rob", "redacteur", password=PASSWORD)
    with unit_of_work(admin.engine) as session:
        secret = log_in(session, "rob", PASSWORD)
    assert client.get("/api/v1/me", headers=token).status_code == 200
    with unit_of_work(admin.engine) as session:
        accounts.disable(session, BEA, "rob")
    assert client.get("/api/v1/me", headers=token).status_code == 401
    client.cookies.set("epss_session", secret)
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()
    with Session(admin.engine) as session:
        assert log_in(session, "rob", PASSWORD) is None
    assert user(admin, "rob").active is False  # the account (and what points at it) stays
    with unit_of_work(admin.engine) as session:
        accounts.enable(session, BEA, "rob")
    assert client.get("/api/v1/me", headers=token).status_code == 401  # tokens stay gone
    with Session(admin.engine) as session:
        assert log_in(session, "rob", PASSWORD) is not None


def test_the_last_admin_cannot_be_disabled_or_lose_the_role(admin: Services) -> None:
    bea = as_bea(admin)
    kees = Actor("kees", user_id=None)
    message = refused(admin, lambda s: accounts.disable(s, kees, "bea"), Conflict)
    assert message == (
        "'bea' is de laatste actieve beheerder. Geef eerst iemand anders de rol beheerder."
    )
    refused(admin, lambda s: accounts.set_roles(s, bea, "bea", ["expert"]), Conflict)
    assert user(admin, "bea").roles == ["beheerder"] and user(admin, "bea").active
    with unit_of_work(admin.engine) as session:  # with a second admin, it may
        accounts.set_roles(session, bea, "erik", ["beheerder"])
        accounts.set_roles(session, bea, "bea", ["expert"])
    assert user(admin, "bea").roles == ["expert"]


def test_nobody_disables_themselves(admin: Services) -> None:
    add_user(admin, "ben", "beheerder")
    message = refused(admin, lambda s: accounts.disable(s, as_bea(admin), "bea"), InvalidInput)
    assert message.startswith("U kunt uw eigen account niet uitschakelen.")


@pytest.mark.parametrize(
    ("roles", "says"),
    [
        (
            ["baas"],
            "Rol: kies uit medewerker, expert, redacteur, kwaliteit, beheerder (onbekend: baas).",
        ),
        ([], "Rol: geef minstens één van"),
    ],
)
def test_an_unknown_or_missing_role_is_refused(admin: Services, roles, says) -> None:
    message = refused(admin, lambda s: accounts.set_roles(s, BEA, "erik", roles), InvalidInput)
    assert message.startswith(says)
    assert user(admin, "erik").roles == ["expert"]


def test_messages_are_dutch_with_english_available(admin: Services) -> None:
    with pytest.raises(InvalidInput) as caught, unit_of_work(admin.engine) as session:
        accounts.add_account(session, BEA, "erik", ["expert"], None, None)
    assert caught.value.detail == "De naam 'erik' is al in gebruik."
    assert caught.value.in_language(translator("en")) == "name 'erik' is already taken"


def test_a_reset_link_works_once_within_a_day(admin: Services) -> None:
    with unit_of_work(admin.engine) as session:
        secret = accounts.make_reset_link(session, BEA, "erik")
        stored = session.exec(select(PasswordReset.token_hash)).all()
    assert secret not in stored  # only a hash
    with unit_of_work(admin.engine) as session:
        assert reset_link_user(session, secret).name == "erik"
        use_reset_link(session, secret, "a brand new passphrase")
    with Session(admin.engine) as session:
        assert log_in(session, "erik", "a brand new passphrase") is not None
    with pytest.raises(InvalidInput, match="al gebruikt"), unit_of_work(admin.engine) as session:
        use_reset_link(session, secret, "yet another passphrase")
    with Session(admin.engine) as session:
        assert log_in(session, "erik", "a brand new passphrase") is not None

    with unit_of_work(admin.engine) as session:
        late = accounts.make_reset_link(session, BEA, "erik")
        session.exec(
            text("UPDATE password_reset SET expires_at = :t WHERE used_at IS NULL").bindparams(
                t=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            )
        )
    with pytest.raises(InvalidInput, match="verlopen"), unit_of_work(admin.engine) as session:
        use_reset_link(session, late, "yet another passphrase")
    with pytest.raises(NotFound), unit_of_work(admin.engine) as session:
        use_reset_link(session, "made-up", "yet another passphrase")


def test_a_new_reset_link_cancels_the_previous_one(admin: Services) -> None:
    with unit_of_work(admin.engine) as session:
        first = accounts.make_reset_link(session, BEA, "erik")
        accounts.make_reset_link(session, BEA, "erik")
    with pytest.raises(NotFound), Session(admin.engine) as session:
        reset_link_user(session, first)


def test_an_admin_sets_a_password_and_the_persons_sessions_end(admin: Services) -> None:
    with unit_of_work(admin.engine) as session:
        old = log_in(session, "erik", PASSWORD)
        accounts.set_password(session, BEA, "erik", "set by the admin!")
    with Session(admin.engine) as session:
        assert log_in(session, "erik", "set by the admin!") is not None
        assert identity_from_login(session, old) is None
    assert (
        refused(admin, lambda s: accounts.set_password(s, BEA, "erik", "kort"), InvalidInput)
        == "Het wachtwoord moet minstens 12 tekens lang zijn."
    )


def test_a_single_sign_on_account_has_no_password_here(admin: Services) -> None:
    with unit_of_work(admin.engine) as session:
        accounts.add_account(session, BEA, "s.jansen", ["medewerker"], None, None)
        session.exec(select(User).where(User.name == "s.jansen")).one().sso_subject = "x|1"
    for change in (
        lambda s: accounts.set_password(s, BEA, "s.jansen", "long enough pass"),
        lambda s: accounts.make_reset_link(s, BEA, "s.jansen"),
    ):
        assert "single sign-on" in refused(admin, change, InvalidInput)


def test_revoking_tokens_removes_them_all(client: TestClient, admin: Services) -> None:
    token = add_user(admin, "robot", "kwaliteit")
    with unit_of_work(admin.engine) as session:
        assert accounts.revoke_tokens(session, BEA, "robot") == 1
    assert client.get("/api/v1/me", headers=token).status_code == 401
    robot = user(admin, "robot")
    with Session(admin.engine) as session:
        assert session.exec(select(ApiToken).where(ApiToken.user_id == robot.id)).all() == []


# -- host applications ------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://x/y",
        "*",
        "javascript:alert(1)",
        "https://user@zaken.nl",
        "https://zaken.nl?x=1",
        "https://zaken.nl#top",
        "ftp://zaken.nl",
        "https://",
        "http://zaken.nl:99999",
        "https://zaken nl",
        "null",
        "zaken.gemeente.nl",
    ],
)
def test_an_origin_that_is_not_an_origin_is_refused(admin: Services, origin: str) -> None:
    message = refused(
        admin, lambda s: hostapps.add_app(s, BEA, "mijn-app", "Mijn app", [origin]), InvalidInput
    )
    assert message.startswith(f"'{origin}' is geen herkomst (origin).")
    with Session(admin.engine) as session:
        assert session.get(HostApp, "mijn-app") is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://Zaken.Gemeente.nl/", "https://zaken.gemeente.nl"),
        ("https://zaken.gemeente.nl:443", "https://zaken.gemeente.nl"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_origins_are_stored_as_browsers_send_them(given: str, stored: str) -> None:
    assert parse_origin(given) == stored


def test_an_app_is_added_changed_and_allowed_by_cors(client: TestClient, admin: Services) -> None:
    origin = "https://zaken.dijkhaven.nl"
    asked = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    assert (
        "access-control-allow-origin" not in client.options("/api/v1/events", headers=asked).headers
    )
    with unit_of_work(admin.engine) as session:
        hostapps.add_app(session, BEA, "zaken", "Zaaksysteem", [f"{origin}\nhttp://10.0.0.5"])
    admin.resolver.check_now()
    assert (
        client.options("/api/v1/events", headers=asked).headers["access-control-allow-origin"]
        == origin
    )
    assert (
        refused(admin, lambda s: hostapps.add_app(s, BEA, "zaken", "Dubbel", []), Conflict)
        == "Er is al een hostapplicatie met het id 'zaken'."
    )
    with unit_of_work(admin.engine) as session:
        hostapps.change_app(session, BEA, "zaken", origins=["http://10.0.0.5"])
    admin.resolver.check_now()
    assert (
        "access-control-allow-origin" not in client.options("/api/v1/events", headers=asked).headers
    )
    with Session(admin.engine) as session:
        entry = admin_log(session, limit=1)[0][0]
    assert (entry.action, entry.before, entry.after) == (
        "host_app.changed",
        {"origins": [origin, "http://10.0.0.5"]},
        {"origins": ["http://10.0.0.5"]},
    )


def test_an_app_with_rules_is_not_removed(admin: Services) -> None:
    message = refused(admin, lambda s: hostapps.remove_app(s, BEA, APP), Conflict)
    assert message.startswith(f"Naar de hostapplicatie '{APP}' wijzen nog contextregels")
    with unit_of_work(admin.engine) as session:
        hostapps.add_app(session, BEA, "leeg", "Zonder regels", [])
    with unit_of_work(admin.engine) as session:
        hostapps.remove_app(session, BEA, "leeg")
    with Session(admin.engine) as session:
        assert session.get(HostApp, "leeg") is None
        assert session.get(HostApp, APP) is not None


def test_the_apps_own_case_type_codes_select_the_task(client: TestClient, admin: Services) -> None:
    page = {"app": APP, "url": "/zaken/8123", "title": "Zaak", "zaaktype": "PAS01"}
    before = client.post("/api/v1/context/resolve", json=page).json()["matches"]
    assert all(m["source"] != "rule" for m in before)
    with unit_of_work(admin.engine) as session:
        hostapps.change_app(session, BEA, APP, zaaktype_map={"PAS01": "BZ-REISDOC-AANVR"})
    admin.resolver.check_now()
    matches = client.post("/api/v1/context/resolve", json=page).json()["matches"]
    assert matches[0]["task"] == "reisdocument-aanvragen"
    assert matches[0]["source"] == "rule" and "PAS01" in matches[0]["reason"]
    manifest = client.get(f"/api/v1/apps/{APP}/manifest").json()
    assert {"PAS01", "BZ-REISDOC-AANVR"} <= {r["zaaktype"] for r in manifest["rules"]}


def test_an_overview_says_which_tasks_point_at_an_app_and_when_it_last_called(
    client: TestClient, admin: Services
) -> None:
    with Session(admin.engine) as session:
        demo = hostapps.overview(session, APP)[0]
    assert demo.last_call is None and demo.rules >= 6
    assert "reisdocument-aanvragen" in [slug for slug, _title in demo.tasks]
    event = {
        "id": "0b6c3a4e-8d6f-4e8e-9f5e-1a2b3c4d5e6f",
        "type": "panel_opened",
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
        "app": APP,
        "url": "https://zaken.example/demo/",
    }
    assert client.post("/api/v1/events", json={"events": [event]}).status_code == 202
    with Session(admin.engine) as session:
        assert hostapps.overview(session, APP)[0].last_call is not None


# -- the admin log ----------------------------------------------------------------------


def test_a_changed_or_removed_admin_action_is_detected(admin: Services, env: Settings) -> None:
    with unit_of_work(admin.engine) as session:
        for team in ("A", "B", "C"):
            accounts.set_team(session, BEA, "erik", team)
    with Session(admin.engine) as session:
        assert verify_admin_log(session) is None
        seqs = [a.seq for a in admin_log(session, limit=10)[0]][::-1]
    assert runner.invoke(cli, ["audit", "verify"]).output.endswith("The admin log holds.\n")
    with admin.engine.begin() as connection:
        connection.execute(
            text("UPDATE admin_action SET actor = 'iemand' WHERE seq = :s"), {"s": seqs[1]}
        )
    with Session(admin.engine) as session:
        assert verify_admin_log(session) == seqs[1]
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1 and f"action {seqs[1]} was changed" in result.output
    with admin.engine.begin() as connection:
        connection.execute(text("DELETE FROM admin_action WHERE seq = :s"), {"s": seqs[1]})
    with Session(admin.engine) as session:
        assert verify_admin_log(session) == seqs[2]


# -- the command line -------------------------------------------------------------------


def invoke(*arguments: str, stdin: str = "") -> object:
    return runner.invoke(cli, list(arguments), input=stdin)


def test_accounts_on_the_command_line(env: Settings) -> None:
    assert invoke("users", "add", "bea", "--role", "beheerder").exit_code == 0
    assert (
        invoke(
            "users",
            "add",
            "erik",
            "--role",
            "expert",
            "--team",
            "Kennisteam",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ).exit_code
        == 0
    )
    assert invoke("users", "token", "erik").exit_code == 0
    listed = invoke("users", "list").output.splitlines()
    assert listed[1].split("\t")[:5] == ["erik", "expert", "Kennisteam", "active", "password"]
    assert invoke("users", "list", "--role", "beheerder").output.startswith("bea\t")

    assert (
        invoke("users", "set-roles", "erik", "--role", "expert", "--role", "redacteur").output
        == "'erik' now has the role(s): expert, redacteur.\n"
    )
    assert invoke("users", "set-team", "erik", "Kwaliteit").exit_code == 0
    assert (
        invoke("users", "revoke-tokens", "erik").output == "Revoked the API tokens of 'erik': 1.\n"
    )
    assert invoke("users", "disable", "erik").exit_code == 0
    assert invoke("users", "list", "--disabled").output.startswith("erik\t")
    assert invoke("users", "enable", "erik").exit_code == 0
    link = invoke("users", "reset-password", "erik", "--base-url", "https://epss.nl/")
    assert link.output.splitlines()[-1].startswith("https://epss.nl/account/herstel/")
    assert (
        invoke(
            "users", "reset-password", "erik", "--password-stdin", stdin="a new one, long enough\n"
        ).exit_code
        == 0
    )

    services = Services.from_settings(env)
    with Session(services.engine) as session:
        erik = session.exec(select(User).where(User.name == "erik")).one()
        assert (erik.roles, erik.team, erik.active) == (["expert", "redacteur"], "Kwaliteit", True)
        assert log_in(session, "erik", "a new one, long enough") is not None
        entries, _ = admin_log(session, limit=20)
    services.close()
    assert {e.via for e in entries} == {COMMAND_LINE}
    assert [e.action for e in entries][:3] == [
        "account.password_set",
        "account.reset_link_made",
        "account.enabled",
    ]


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["users", "disable", "bea"], "'bea' is the last active administrator"),
        (["users", "set-roles", "bea", "--role", "expert"], "'bea' is the last active"),
        (["users", "disable", "nobody"], "there is no account 'nobody'"),
        (["users", "reset-password", "bea", "--password-stdin"], "at least 12 characters"),
        (
            ["apps", "add", "x-app", "--name", "X", "--origin", "http://x/y"],
            "'http://x/y' is not an origin",
        ),
        (["apps", "add", "demo", "--name", "Dubbel"], "already a host application with the id"),
        (["apps", "set-origins", "demo", "--origin", "*"], "'*' is not an origin"),
        (["apps", "remove", "nergens"], "There is no host application 'nergens'"),
    ],
)
def test_command_line_refusals_say_what_is_wrong_and_change_nothing(
    env: Settings, arguments: list[str], says: str
) -> None:
    invoke("users", "add", "bea", "--role", "beheerder")
    invoke("apps", "add", "demo", "--name", "Demo", "--origin", "http://127.0.0.1:8000")
    result = invoke(*arguments, stdin="kort\n")
    assert result.exit_code == 1 and says in result.output, result.output
    services = Services.from_settings(env)
    with Session(services.engine) as session:
        assert admin_log(session, limit=10)[1] == 2  # only the two set-up actions
        assert session.get(HostApp, "demo").allowed_origins == ["http://127.0.0.1:8000"]
    services.close()


def test_host_apps_on_the_command_line(env: Settings) -> None:
    assert (
        invoke(
            "apps",
            "add",
            "zaken",
            "--name",
            "Zaaksysteem",
            "--origin",
            "https://zaken.nl/",
            "--zaaktypen",
            "PAS01=BZ-REISDOC;GEB=BZ-GEBOORTE",
        ).exit_code
        == 0
    )
    assert (
        invoke(
            "apps",
            "set-origins",
            "zaken",
            "--origin",
            "https://zaken.nl",
            "--origin",
            "http://10.0.0.5:8080",
        ).output
        == "'zaken' now runs at: https://zaken.nl, http://10.0.0.5:8080.\n"
    )
    standalone = "epss-paneel\tLosse hulp (/paneel)\t-\t0 rule(s)\t-\n"  # built in
    assert invoke("apps", "list").output == standalone + (
        "zaken\tZaaksysteem\thttps://zaken.nl http://10.0.0.5:8080\t0 rule(s)\t-\n"
    )
    assert invoke("apps", "remove", "zaken").exit_code == 0
    assert invoke("apps", "list").output == standalone


@pytest.mark.parametrize("then", ["password set", "disabled"])
def test_a_reset_link_ends_when_the_password_is_set_or_the_account_disabled(
    admin: Services, then: str
) -> None:
    with unit_of_work(admin.engine) as session:
        secret = accounts.make_reset_link(session, BEA, "erik")
    with unit_of_work(admin.engine) as session:
        if then == "disabled":
            accounts.disable(session, BEA, "erik")
            accounts.enable(session, BEA, "erik")
        else:
            accounts.set_password(session, BEA, "erik", "set by the admin!")
    with pytest.raises(NotFound), Session(admin.engine) as session:
        reset_link_user(session, secret)


def test_the_access_log_never_holds_a_reset_links_secret() -> None:
    import logging

    from epss.operations.logs import AccessLineFilter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/account/herstel/geheim123?x=1", "1.1", 200),
        None,
    )
    AccessLineFilter().filter(record)
    assert "geheim123" not in record.getMessage()
    assert "/account/herstel/" in record.getMessage()
