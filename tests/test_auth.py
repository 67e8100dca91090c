"""Accounts as people use them: log in with a password, stay logged in with a cookie that
scripts cannot read, log out for real, scripts with a personal token; wrong passwords are
rate-limited and forms without the CSRF token are refused."""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from epss.app import create_app
from epss.cli import app as cli
from epss.models import LoginSession, LoginThrottle, User
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user

PASSWORD = "correct horse battery"
runner = CliRunner()


@pytest.fixture
def anna(client: TestClient) -> str:
    add_user(client.app.state.services, "anna", "expert", password=PASSWORD)
    return "anna"


def form_token(client: TestClient, path: str = "/inloggen") -> str:
    page = client.get(path)
    return re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)


def log_in(client: TestClient, name: str, password: str, **extra) -> object:
    return client.post(
        "/inloggen",
        data={"csrftoken": form_token(client), "naam": name, "wachtwoord": password, **extra},
        follow_redirects=False,
    )


def test_log_in_and_out(client: TestClient, anna: str) -> None:
    answer = log_in(client, anna, PASSWORD, volgende="/zoeken")
    assert answer.status_code == 303 and answer.headers["location"] == "/zoeken"
    cookie = answer.headers["set-cookie"]
    assert "epss_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; see the next test
    me = {"name": "anna", "roles": ["expert"], "team": None, "email": None}
    assert client.get("/api/v1/me").json() == me
    assert "Ingelogd als anna" in client.get("/").text

    stolen = client.cookies.get("epss_session")
    out = client.post(
        "/uitloggen", data={"csrftoken": form_token(client, "/")}, follow_redirects=False
    )
    assert out.status_code == 303
    assert client.get("/api/v1/me").status_code == 401
    # The session ended on the server: a copy of the old cookie no longer works.
    client.cookies.set("epss_session", stolen)
    assert client.get("/api/v1/me").status_code == 401


def test_cookies_are_secure_when_configured(settings: Settings) -> None:
    settings = settings.model_copy(update={"secure_cookies": True})
    with TestClient(create_app(settings)) as client:
        add_user(client.app.state.services, "anna", "expert", password=PASSWORD)
        answer = log_in(client, "anna", PASSWORD)
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_or_name_says_so_and_logs_nobody_in(client: TestClient, anna: str) -> None:
    for name, password in [(anna, "wrong password!"), ("nobody", PASSWORD)]:
        answer = log_in(client, name, password)
        assert answer.status_code == 401
        assert "De naam of het wachtwoord klopt niet." in answer.text
        assert "epss_session" not in answer.headers.get("set-cookie", "")
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_passwords_slow_down_that_name_from_that_address_only(
    client: TestClient, anna: str
) -> None:
    throttle = client.app.state.services.login_throttle
    start = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    throttle.clock = lambda: start
    for _ in range(4):
        assert log_in(client, anna, "wrong password!").status_code == 401
    fifth = log_in(client, anna, "wrong password!")  # says at once how long to wait
    assert fifth.status_code == 429 and fifth.headers["retry-after"] == "30"
    limited = log_in(client, anna, PASSWORD)  # even the right password has to wait
    assert limited.status_code == 429 and limited.headers["retry-after"] == "30"
    assert (
        "Te veel mislukte pogingen met deze naam vanaf deze computer. Probeer het "
        "opnieuw om 10:00:30 (over 30 seconden)."
    ) in limited.text  # Dutch time
    assert client.get("/api/v1/me").status_code == 401

    # The real person, at their own desk, is not locked out by a stranger's guesses.
    own_desk = TestClient(client.app, client=("10.1.2.3", 50000))
    assert log_in(own_desk, anna, PASSWORD).status_code == 303

    # Each further failure after a wait doubles it.
    throttle.clock = lambda: start + dt.timedelta(seconds=31)
    again = log_in(client, anna, "wrong password!")
    assert again.status_code == 429 and again.headers["retry-after"] == "60"
    throttle.clock = lambda: start + dt.timedelta(seconds=92)
    assert log_in(client, anna, PASSWORD).status_code == 303  # and success starts afresh
    client.cookies.clear()
    assert log_in(client, anna, "wrong password!").status_code == 401


def test_colleagues_behind_one_address_do_not_lock_each_other_out(
    client: TestClient, anna: str
) -> None:
    throttle = client.app.state.services.login_throttle
    throttle.clock = lambda: dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    for number in range(60):  # many names mistyped at one shared address (NAT, Citrix)
        log_in(client, f"naam{number // 6}", "wrong password!")
    assert log_in(client, anna, PASSWORD).status_code == 303


def test_attempts_sent_at_once_are_counted_one_after_the_other(
    client: TestClient, anna: str
) -> None:
    throttle = client.app.state.services.login_throttle
    throttle.clock = lambda: dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    token = form_token(client)

    def attempt(_number: int) -> int:
        return client.post(
            "/inloggen",
            data={"csrftoken": token, "naam": anna, "wachtwoord": "wrong password!"},
            follow_redirects=False,
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        answers = sorted(pool.map(attempt, range(12)))
    # Five are weighed (four wrong, the fifth starts the wait); the rest wait unweighed.
    assert answers == [401] * 4 + [429] * 8
    with Session(client.app.state.services.engine) as session:
        assert [row.failures for row in session.exec(select(LoginThrottle))] == [5]


def test_the_throttle_keeps_no_names_or_addresses(client: TestClient, anna: str) -> None:
    log_in(client, anna, "wrong password!")
    with Session(client.app.state.services.engine) as session:
        rows = session.exec(select(LoginThrottle)).all()
    assert len(rows) == 1 and anna not in rows[0].key and "testclient" not in rows[0].key


def test_after_logging_in_only_a_path_on_this_site(client: TestClient, anna: str) -> None:
    for target in ["//evil.example/x", "https://evil.example/", "/\\evil.example"]:
        client.cookies.clear()
        answer = log_in(client, anna, PASSWORD, volgende=target)
        assert answer.headers["location"] == "/"


def test_forms_without_the_csrf_token_are_refused(client: TestClient, anna: str) -> None:
    client.get("/inloggen")  # the browser now holds the CSRF cookie
    answer = client.post("/inloggen", data={"naam": anna, "wachtwoord": PASSWORD})
    assert answer.status_code == 403 and answer.json()["error"] == "csrf"
    forged = client.post(
        "/inloggen", data={"csrftoken": "forged", "naam": anna, "wachtwoord": PASSWORD}
    )
    assert forged.status_code == 403
    assert log_in(client, anna, PASSWORD).status_code == 303
    assert client.post("/uitloggen").status_code == 403  # logging someone out needs it too
    assert client.get("/api/v1/me").status_code == 200


def test_a_browser_form_without_its_token_gets_a_page_that_says_to_reload(
    client: TestClient, anna: str
) -> None:
    """A person whose form expired (the cookie went, the page stayed open) reads what to do
    in their language, not a JSON answer."""
    client.get("/inloggen")
    for language, title, advice in (
        ("nl", "Formulier verlopen", "Laad de pagina opnieuw"),
        ("en", "Form expired", "Reload the page"),
    ):
        client.cookies.set("epss_lang", language)
        page = client.post(
            "/inloggen",
            data={"csrftoken": "verlopen", "naam": anna},
            headers={"Accept": "text/html,application/xhtml+xml"},
        )
        assert page.status_code == 403
        assert page.headers["content-type"].startswith("text/html")
        assert f"<h1>{title}</h1>" in page.text and advice in page.text
    client.cookies.delete("epss_lang")
    htmx = client.post("/uitloggen", headers={"HX-Request": "true", "Accept": "*/*"})
    assert htmx.status_code == 403 and htmx.json()["error"] == "csrf"


def test_the_overlay_api_needs_no_csrf_token_even_for_a_logged_in_browser(
    client: TestClient, anna: str
) -> None:
    log_in(client, anna, PASSWORD)
    answer = client.post(
        "/api/v1/context/resolve", json={"app": "demo-zaaksysteem", "url": "https://x/"}
    )
    assert answer.status_code == 200


def test_passwords_are_stored_as_argon2id_hashes(client: TestClient, anna: str) -> None:
    with Session(client.app.state.services.engine) as session:
        user = session.exec(select(User).where(User.name == anna)).one()
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        log_in(client, anna, PASSWORD)
        secret = client.cookies.get("epss_session")
        stored = session.exec(select(LoginSession.token_hash)).all()
    assert secret not in stored and len(stored) == 1  # only a hash of the cookie is kept


def test_a_token_only_account_cannot_log_in_with_any_password(client: TestClient) -> None:
    add_user(client.app.state.services, "robot", "kwaliteit")
    assert log_in(client, "robot", PASSWORD).status_code == 401


def test_users_from_the_command_line(env: Settings) -> None:
    added = runner.invoke(
        cli,
        [
            "users",
            "add",
            "j.devries",
            "--role",
            "expert",
            "--role",
            "redacteur",
            "--team",
            "Burgerzaken",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    robot = runner.invoke(cli, ["users", "add", "robot", "--role", "kwaliteit"], input="")
    assert robot.exit_code == 0 and "API tokens only" in robot.output

    made = runner.invoke(cli, ["users", "token", "robot"])
    assert made.exit_code == 0
    token = made.output.strip().splitlines()[-1]
    with TestClient(create_app(env)) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json() == {"name": "robot", "roles": ["kwaliteit"], "team": None, "email": None}
        assert log_in(client, "j.devries", PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["users", "add", "anna", "--role", "expert", "--password-stdin"], "already taken"),
        (["users", "add", "Anna Smit", "--role", "expert"], "lower-case letters"),
        (["users", "add", "kort", "--role", "expert", "--password-stdin"], "at least 12"),
        (["users", "token", "nobody"], "no account 'nobody'"),
    ],
)
def test_users_command_errors_say_what_is_wrong(
    env: Settings, arguments: list[str], says: str
) -> None:
    runner.invoke(cli, ["users", "add", "anna", "--role", "expert"], input="")
    result = runner.invoke(cli, arguments, input="short\n")
    assert result.exit_code == 1 and says in result.output
    services = Services.from_settings(env)
    with Session(services.engine) as session:
        assert session.exec(select(User.name)).all() == ["anna"]
    services.close()


def test_unknown_role_is_refused(env: Settings) -> None:
    result = runner.invoke(cli, ["users", "add", "x", "--role", "baas"], input="")
    assert result.exit_code == 2 and "baas" in result.output


def test_readme_documents_the_user_commands() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "epss users add" in readme and "epss users token" in readme
