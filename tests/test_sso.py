"""Single sign-on against a real OpenID Connect provider (tests/oidc, npm oidc-provider): the
provider's own login and consent forms, followed with cookies as a browser would. Accounts
are made at the first login; roles and team follow the groups at every login; every ID
token that is not right, a replayed callback, an unknown group, a taken name, a disabled
account and a provider that is down each get a clear Dutch page and change nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from epss.admin.log import admin_log
from epss.app import create_app
from epss.auth import sso
from epss.auth.sso import account_name, local_login_allowed
from epss.i18n import ENGLISH
from epss.models import LoginSession, User
from epss.settings import Settings
from tests.conftest import add_user, text_of
from tests.oidc_support import (
    ORGANISATION,
    Provider,
    running_provider,
    sso_settings,
    through_provider,
)

SERVICE = "http://testserver"  # where TestClient serves the app
CALLBACK = f"{SERVICE}/inloggen/sso/terug"
NO_ROLE = (
    "Uw account bij Gemeente Dijkhaven geeft geen toegang tot EPSS; vraag uw beheerder om een rol."
)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider(tmp_path_factory.mktemp("oidc"), [CALLBACK], [f"{SERVICE}/"]) as provider:
        yield provider


@contextmanager
def service(settings: Settings, issuer: str, **changes: object) -> Iterator[TestClient]:
    with TestClient(create_app(sso_settings(settings, issuer, **changes))) as client:
        yield client


@pytest.fixture
def client(settings: Settings, provider: Provider) -> Iterator[TestClient]:
    """The service with single sign-on, on SQLite and on PostgreSQL."""
    with service(settings, provider.issuer) as client:
        yield client


@pytest.fixture
def sqlite_client(sqlite_settings: Settings, provider: Provider) -> Iterator[TestClient]:
    with service(sqlite_settings, provider.issuer) as client:
        yield client


def start_login(client: TestClient, volgende: str = "/redactie") -> httpx.Response:
    start = client.get("/inloggen/sso", params={"volgende": volgende}, follow_redirects=False)
    assert start.status_code == 302, start.text
    return start


def log_in(client: TestClient, login: str, volgende: str = "/redactie") -> httpx.Response:
    """Log in at the provider as `login`; the service's answer at the callback."""
    callback = through_provider(start_login(client, volgende), login, CALLBACK)
    return client.get(callback, follow_redirects=False)


def account(client: TestClient, name: str) -> User | None:
    with Session(client.app.state.services.engine) as session:
        return session.exec(select(User).where(User.name == name)).first()


def admin_actions(client: TestClient, name: str) -> list[tuple[str, dict | None, dict | None]]:
    with Session(client.app.state.services.engine) as session:
        entries, _ = admin_log(session, limit=50, subject=name)
    return [(e.action, e.before, e.after) for e in reversed(entries)]


def login_sessions(client: TestClient) -> int:
    with Session(client.app.state.services.engine) as session:
        return len(session.exec(select(LoginSession)).all())


def form_token(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    return re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)


def policy_of(page: httpx.Response) -> set[str]:
    return {part.strip() for part in page.headers["content-security-policy"].split(";")}


def test_the_first_login_makes_the_account_with_the_groups_roles_and_team(
    client: TestClient, provider: Provider
) -> None:
    provider.set_person(
        "anna.de.vries",
        ["grp-kennis", "grp-burgerzaken", "grp-overig"],
        preferred_username="Anna.de.Vries@dijkhaven.nl",
        sub="a-1",
    )
    answer = log_in(client, "anna.de.vries", volgende="/redactie")
    assert answer.status_code == 303 and answer.headers["location"] == "/redactie"
    cookie = answer.headers.get_list("set-cookie")[0]
    assert "epss_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie

    assert client.get("/api/v1/me").json() == {
        "name": "anna.de.vries",
        "roles": ["expert", "redacteur"],
        "team": "Burgerzaken",
        "email": "anna.de.vries@dijkhaven.example",  # the provider's `email` claim
    }
    assert client.get("/redactie").status_code == 200
    user = account(client, "anna.de.vries")
    assert user.sso_subject == f"{provider.issuer}|a-1" and user.password_hash is None
    assert user.last_login_at is not None
    assert user.email == "anna.de.vries@dijkhaven.example"  # the provider's `email` claim
    assert admin_actions(client, "anna.de.vries") == [
        (
            "account.created",
            None,
            {
                "roles": ["expert", "redacteur"],
                "team": "Burgerzaken",
                "sso_subject": f"{provider.issuer}|a-1",
                "email": "anna.de.vries@dijkhaven.example",
            },
        )
    ]
    with Session(client.app.state.services.engine) as session:
        entries, _ = admin_log(session, limit=1, subject="anna.de.vries")
    assert entries[0].via == "single sign-on" and entries[0].actor == "anna.de.vries"


def test_roles_and_team_follow_the_groups_at_every_login(
    client: TestClient, provider: Provider
) -> None:
    provider.set_person("bram", ["grp-kennis", "grp-vergunningen", "grp-burgerzaken"])
    assert log_in(client, "bram").status_code == 303
    # The team of the first group in EPSS_OIDC_TEAM_MAP, whatever the claim's order.
    assert client.get("/api/v1/me").json()["team"] == "Burgerzaken"

    provider.set_person("bram", ["grp-balie"])  # moved to the desk
    client.cookies.clear()
    assert log_in(client, "bram", volgende="/").status_code == 303
    assert client.get("/api/v1/me").json() == {
        "name": "bram",
        "roles": ["medewerker"],
        "team": None,
        "email": "bram@dijkhaven.example",
    }
    assert client.get("/redactie", headers={"Accept": "text/html"}).status_code == 403
    assert admin_actions(client, "bram")[1:] == [
        ("account.roles_changed", {"roles": ["expert", "redacteur"]}, {"roles": ["medewerker"]}),
        ("account.team_changed", {"team": "Burgerzaken"}, {"team": None}),
    ]

    provider.set_person("bram", [])  # left every group: no login, and nothing changes
    client.cookies.clear()
    refused = log_in(client, "bram")
    assert refused.status_code == 403 and NO_ROLE in refused.text
    assert account(client, "bram").roles == ["medewerker"]
    assert client.get("/api/v1/me").status_code == 401


def test_the_email_claim_is_stored_and_followed_at_every_login(
    client: TestClient, provider: Provider
) -> None:
    provider.set_person("dirk", ["grp-balie"], email="Dirk.Smit@Dijkhaven.NL")
    assert log_in(client, "dirk", volgende="/").status_code == 303
    assert account(client, "dirk").email == "Dirk.Smit@dijkhaven.nl"
    assert "E-mailadres Dirk.Smit@dijkhaven.nl" in text_of(client.get("/account").text)

    provider.set_person("dirk", ["grp-balie"], email="d.smit@dijkhaven.nl")  # a new address
    client.cookies.clear()
    assert log_in(client, "dirk", volgende="/").status_code == 303
    assert account(client, "dirk").email == "d.smit@dijkhaven.nl"
    provider.set_person("dirk", ["grp-balie"], email="geen adres")  # unusable: kept, logged in
    client.cookies.clear()
    assert log_in(client, "dirk", volgende="/").status_code == 303
    assert account(client, "dirk").email == "d.smit@dijkhaven.nl"
    assert admin_actions(client, "dirk")[1:] == [
        (
            "account.email_changed",
            {"email": "Dirk.Smit@dijkhaven.nl"},
            {"email": "d.smit@dijkhaven.nl"},
        ),
    ]


def test_someone_without_a_mapped_group_gets_no_account(
    client: TestClient, provider: Provider
) -> None:
    provider.set_person("cor", ["grp-overig"])
    refused = log_in(client, "cor")
    assert refused.status_code == 403
    assert NO_ROLE in refused.text and "epss_session" not in refused.headers.get("set-cookie", "")
    assert 'href="/inloggen?volgende=/redactie"' in refused.text  # the password way, too
    assert account(client, "cor") is None and login_sessions(client) == 0

    client.get("/", params={"lang": "en"})
    english = log_in(client, "cor")
    assert (
        "Your account at Gemeente Dijkhaven does not give access to EPSS; ask your "
        "administrator for a role."
    ) in english.text


@pytest.mark.parametrize(
    ("fault", "technical"),
    [
        ("aud", "Invalid claim: 'aud'"),
        ("iss", "Invalid claim: 'iss'"),
        ("nonce", "Invalid claim: 'nonce'"),
        ("signature", "BadSignatureError"),
    ],
)
def test_an_id_token_that_is_not_right_is_refused(
    sqlite_client: TestClient,
    provider: Provider,
    fault: str,
    technical: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider.set_person("dirk", ["grp-kennis"])
    provider.tamper(fault)
    refused = log_in(sqlite_client, "dirk")
    assert refused.status_code == 400
    assert (
        "Het bewijs van inloggen dat EPSS van Gemeente Dijkhaven kreeg, klopt niet" in refused.text
    )
    # The technical reason is for the administrator, in the log under the page's reference.
    assert technical not in html.unescape(refused.text)
    reference = re.search(r"<code>([0-9a-f]{8})</code>", refused.text).group(1)
    assert any(reference in r.getMessage() and technical in r.getMessage() for r in caplog.records)
    assert account(sqlite_client, "dirk") is None and login_sessions(sqlite_client) == 0
    assert sqlite_client.get("/api/v1/me").status_code == 401

    assert log_in(sqlite_client, "dirk").status_code == 303  # the next, sound token is fine


def test_a_replayed_callback_or_one_this_browser_did_not_start_is_refused(
    sqlite_client: TestClient, provider: Provider
) -> None:
    provider.set_person("els", ["grp-kennis"])
    callback = through_provider(start_login(sqlite_client), "els", CALLBACK)
    other_browser = TestClient(sqlite_client.app)  # no state cookie of this login
    refused = other_browser.get(callback, follow_redirects=False)
    assert refused.status_code == 400
    assert "Deze inlogpoging is verlopen of al gebruikt." in refused.text
    assert account(sqlite_client, "els") is None

    assert sqlite_client.get(callback, follow_redirects=False).status_code == 303
    sqlite_client.cookies.delete("epss_session")
    replayed = sqlite_client.get(callback, follow_redirects=False)
    assert replayed.status_code == 400 and "verlopen of al gebruikt" in replayed.text
    assert login_sessions(sqlite_client) == 1


def test_a_login_the_provider_broke_off_says_so(sqlite_client: TestClient) -> None:
    start = start_login(sqlite_client)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    answer = sqlite_client.get(
        "/inloggen/sso/terug",
        params={
            "error": "access_denied",
            "error_description": "End-User aborted interaction",
            "state": state,
        },
    )
    assert answer.status_code == 400
    assert "Gemeente Dijkhaven heeft het inloggen niet afgerond." in answer.text


def test_a_provider_that_is_down_leaves_the_password_login_working(
    sqlite_settings: Settings,
) -> None:
    with running_provider(sqlite_settings.data_dir, [CALLBACK], [f"{SERVICE}/"]) as provider:
        issuer = provider.issuer
    # The provider has stopped: nothing listens at the issuer any more.
    with service(sqlite_settings, issuer) as client:
        add_user(client.app.state.services, "fien", "expert", password="een goed wachtwoord")
        page = client.get("/inloggen")
        assert page.status_code == 200 and "Inloggen met Gemeente Dijkhaven" in page.text
        down = client.get("/inloggen/sso", follow_redirects=False)
        assert down.status_code == 503
        assert (
            "Gemeente Dijkhaven is nu niet bereikbaar, dus inloggen via Gemeente "
            "Dijkhaven lukt even niet."
        ) in down.text
        assert 'href="/inloggen?volgende=/"' in down.text
        answer = client.post(
            "/inloggen",
            data={
                "csrftoken": form_token(client, "/inloggen"),
                "naam": "fien",
                "wachtwoord": "een goed wachtwoord",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert client.get("/api/v1/me").json()["name"] == "fien"


def test_without_local_login_the_login_page_offers_the_provider_only(
    sqlite_settings: Settings, provider: Provider
) -> None:
    with service(sqlite_settings, provider.issuer, local_login=False) as client:
        page = client.get("/inloggen", params={"volgende": "/redactie"})
        assert 'href="/inloggen/sso?volgende=/redactie"' in page.text
        assert "Inloggen met Gemeente Dijkhaven" in page.text
        assert 'name="wachtwoord"' not in page.text and "EPSS-naam" not in page.text
        assert not local_login_allowed(client.app.state.services.settings)
        provider.set_person("gert", ["grp-overig"])
        refused = log_in(client, "gert")
        assert refused.status_code == 403 and "EPSS-naam en wachtwoord" not in refused.text


def test_without_local_login_a_posted_password_is_refused(
    sqlite_settings: Settings, provider: Provider
) -> None:
    with service(sqlite_settings, provider.issuer, local_login=False) as client:
        add_user(client.app.state.services, "fien", "expert", password="een goed wachtwoord")
        page = client.get("/inloggen").text  # no form: the token from the page's htmx headers
        token = re.search(r'"x-csrftoken": "([^"]+)"', page).group(1)
        answer = client.post(
            "/inloggen",
            data={"csrftoken": token, "naam": "fien", "wachtwoord": "een goed wachtwoord"},
            follow_redirects=False,
        )
        assert answer.status_code == 403
        assert (
            "Inloggen met naam en wachtwoord staat uit. Log in via Gemeente Dijkhaven."
            in answer.text
        )
        assert 'href="/inloggen/sso?volgende=/"' in answer.text
        assert client.get("/api/v1/me").status_code == 401


def test_after_a_wrong_password_the_organisations_login_is_still_offered(
    client: TestClient,
) -> None:
    answer = client.post(
        "/inloggen",
        data={
            "csrftoken": form_token(client, "/inloggen"),
            "naam": "fien",
            "wachtwoord": "niet het goede",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 401 and "Inloggen met Gemeente Dijkhaven" in answer.text


def test_an_account_with_the_same_name_is_not_taken_over(
    client: TestClient, provider: Provider
) -> None:
    add_user(client.app.state.services, "hanna", "medewerker", password="haar eigen wachtwoord")
    provider.set_person("hanna", ["grp-kennis"], sub="someone-else")
    refused = log_in(client, "hanna")
    assert refused.status_code == 403
    assert (
        "Er is al een EPSS-account &#39;hanna&#39; dat niet bij uw account bij Gemeente "
        "Dijkhaven hoort."
    ) in refused.text
    user = account(client, "hanna")
    assert user.sso_subject is None and user.roles == ["medewerker"]
    assert admin_actions(client, "hanna") == [] and login_sessions(client) == 0


def test_a_disabled_account_cannot_log_in(client: TestClient, provider: Provider) -> None:
    provider.set_person("ids", ["grp-balie"])
    assert log_in(client, "ids").status_code == 303
    with Session(client.app.state.services.engine) as session:
        user = session.exec(select(User).where(User.name == "ids")).one()
        user.active = False
        session.add(user)
        session.commit()
    client.cookies.clear()
    refused = log_in(client, "ids")
    assert refused.status_code == 403 and "uitgeschakeld" in refused.text
    assert client.get("/api/v1/me").status_code == 401


def test_logging_out_ends_the_session_at_the_provider_too(
    client: TestClient, provider: Provider
) -> None:
    provider.set_person("joost", ["grp-kennis"])
    assert log_in(client, "joost").status_code == 303
    out = client.post("/uitloggen", data={"csrftoken": form_token(client)}, follow_redirects=False)
    assert out.status_code == 303
    location = urlsplit(out.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == provider.end_session_endpoint
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == [f"{SERVICE}/"]
    assert query["client_id"] == ["epss"] and query["id_token_hint"][0].count(".") == 2
    assert client.get("/api/v1/me").status_code == 401 and login_sessions(client) == 0
    # The provider asks, logs out, and sends the browser back to the service.
    assert through_provider(out, "joost", f"{SERVICE}/") == f"{SERVICE}/"


def test_a_password_login_logs_out_here_only(client: TestClient) -> None:
    add_user(client.app.state.services, "kees", "expert", password="een goed wachtwoord")
    client.post(
        "/inloggen",
        data={
            "csrftoken": form_token(client, "/inloggen"),
            "naam": "kees",
            "wachtwoord": "een goed wachtwoord",
        },
    )
    assert client.get("/api/v1/me").status_code == 200
    out = client.post("/uitloggen", data={"csrftoken": form_token(client)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"


def test_the_logout_form_may_lead_to_the_provider(client: TestClient, provider: Provider) -> None:
    assert f"form-action 'self' {provider.issuer}" in policy_of(client.get("/inloggen"))


def test_without_single_sign_on_nothing_of_it_shows(sqlite_settings: Settings) -> None:
    with TestClient(create_app(sqlite_settings)) as client:
        page = client.get("/inloggen")
        assert "/inloggen/sso" not in page.text and 'name="wachtwoord"' in page.text
        assert "form-action 'self'" in policy_of(page)
        assert client.get("/inloggen/sso").status_code == 404
        assert (
            "set-cookie" not in client.get("/").headers
            or "epss_sso" not in client.get("/").headers["set-cookie"]
        )


def test_the_settings_read_the_group_maps_and_refuse_what_cannot_work(tmp_path: Path) -> None:
    base = {
        "data_dir": tmp_path,
        "oidc_issuer": "https://login.dijkhaven.example",
        "oidc_client_id": "epss",
    }
    settings = Settings(
        **base,
        oidc_role_map="grp-balie=medewerker; grp-kennis=expert,redacteur",
        oidc_team_map="grp-a=Team A;grp-b=Team B",
    )
    assert settings.oidc_role_map == {
        "grp-balie": ["medewerker"],
        "grp-kennis": ["expert", "redacteur"],
    }
    assert list(settings.oidc_team_map) == ["grp-a", "grp-b"]
    for wrong, message in [
        (
            {**base, "oidc_role_map": "grp-x=admin"},
            "group 'grp-x' maps to the unknown role(s) admin; choose from medewerker, expert",
        ),
        ({**base, "oidc_role_map": "grp-x"}, "'grp-x' is not group=value"),
        ({**base}, "EPSS_OIDC_ROLE_MAP is needed"),
        (
            {**base, "oidc_role_map": "g=expert", "oidc_issuer": "http://idp.example"},
            "use an https:// URL",
        ),
        (
            {**base, "oidc_role_map": "g=expert", "oidc_client_id": ""},
            "EPSS_OIDC_CLIENT_ID is needed",
        ),
        ({**base, "oidc_role_map": "g=expert", "oidc_scopes": "profile"}, "must include openid"),
        ({"data_dir": tmp_path, "local_login": False}, "EPSS_LOCAL_LOGIN=false needs"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(message)):
            Settings(**wrong)


def test_the_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EPSS_OIDC_ISSUER", "https://login.dijkhaven.example/")
    monkeypatch.setenv("EPSS_OIDC_CLIENT_ID", "epss")
    monkeypatch.setenv("EPSS_OIDC_ROLE_MAP", "grp-kennis=expert,redacteur")
    monkeypatch.setenv("EPSS_OIDC_TEAM_MAP", "grp-burgerzaken=Burgerzaken")
    monkeypatch.setenv("EPSS_LOCAL_LOGIN", "false")
    settings = Settings(data_dir=tmp_path)
    assert settings.oidc_role_map == {"grp-kennis": ["expert", "redacteur"]}
    assert settings.oidc_team_map == {"grp-burgerzaken": "Burgerzaken"}
    assert not local_login_allowed(settings) and settings.sso_enabled


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("Anna.de.Vries@dijkhaven.nl", "anna.de.vries"),
        ("DIJKHAVEN\\Bram", "dijkhaven-bram"),
        ("Zoë Çelik", "zoe-celik"),
        ("  j  ", None),
        ("@dijkhaven.nl", None),
        ("x" * 90, "x" * 80),
    ],
)
def test_account_names_follow_the_account_rules(given: str, name: str | None) -> None:
    assert account_name(given) == name


def test_every_single_sign_on_text_has_its_english() -> None:
    texts = [
        value
        for key, value in vars(sso).items()  # the messages: sentences
        if key.isupper() and isinstance(value, str) and value.endswith(".")
    ]
    assert len(texts) == 11
    texts.append(sso.DEFAULT_ORGANISATION)
    assert [text for text in texts if text not in ENGLISH] == []
    assert ORGANISATION not in ENGLISH  # the organisation's own name stays as it is
