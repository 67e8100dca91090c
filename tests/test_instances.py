"""Several `epss serve` processes on one PostgreSQL database, as an operator runs them behind
a load balancer, with the `epss` command line as a third process: what one of them changes
holds in the others at once (a disabled account) or within seconds (a host application's
origins), without a restart; and what the command line does is in the admin log.

Real processes throughout: the installed `epss` console script, one data folder per
instance, fresh PostgreSQL databases (one for the instances, one per command-line test).
Without PostgreSQL these tests skip with the reason (fail under EPSS_TEST_REQUIRE_POSTGRES=1),
as in tests/conftest.py.
`pytest -s tests/test_instances.py` prints the measured CORS propagation times.

Two tests hold bugs found on the way: a token made on the command line was not in the admin
log, and two admins disabled at the same moment could leave none.
"""

from __future__ import annotations

import contextlib
import getpass
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from epss import migrations
from epss.admin.log import COMMAND_LINE, WEB, admin_log
from epss.auth.accounts import create_user, new_api_token
from epss.models import AdminAction, ApiToken, LoginSession, User
from tests.conftest import TASKS_DIR, scratch_postgres
from tests.instances_support import (
    Deployment,
    browser,
    start,
    stop,
    wait_until_up,
)

PASSWORD = "een-lang-wachtwoord-42"
ORIGIN = "http://127.0.0.1:9999"  # the host application's pages (nothing needs to run there)
PROPAGATION_LIMIT = 2.0  # seconds within which every instance follows a host app change
ME = "/api/v1/me"
ACCOUNTS_PAGE = "/beheer/accounts"
ADMIN_LOCK = 0x45505353  # the admin log's PostgreSQL advisory lock (epss.admin.log)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Instances 'a' and 'b' serving one fresh PostgreSQL database, migrated and with the
    shipped tasks imported through the command line."""
    with scratch_postgres() as url:
        deployment = Deployment(url, tmp_path_factory.mktemp("instances"))
        engine = sa.create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        deployment.epss("import", str(TASKS_DIR))
        running: list[subprocess.Popen] = []
        try:
            started = []
            for name in ("a", "b"):
                process, log, base = start(deployment, name)
                running.append(process)
                started.append((name, process, log, base))
            for name, process, log, base in started:
                wait_until_up(base, process, log)
                deployment.instances[name] = base
            yield deployment
        finally:
            for process in running:
                stop(process)


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Deployment]:
    """A migrated, empty PostgreSQL database of its own and the command line, no instances."""
    with scratch_postgres() as url:
        engine = sa.create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        yield Deployment(url, tmp_path)


def _log_in(client: httpx.Client, base: str, name: str, password: str) -> httpx.Response:
    """Log in through the login form, as a person does."""
    form = client.get(base + "/inloggen")
    csrf = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf, form.text
    return client.post(
        base + "/inloggen", data={"naam": name, "wachtwoord": password, "csrftoken": csrf.group(1)}
    )


def _csrf_of(client: httpx.Client, page: httpx.Response) -> str:
    """The CSRF token a page's form carries (asgi-csrf: the same as its cookie)."""
    hidden = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    return hidden.group(1) if hidden else client.cookies["csrftoken"]


def _add_account(url: str, name: str, roles: list[str], *, password: str | None = None) -> None:
    """An account made directly in the database (where how it is made is not the point)."""
    engine = sa.create_engine(url)
    try:
        with Session(engine) as session:
            create_user(session, name, roles, password=password)
            session.commit()
    finally:
        engine.dispose()


def _admin_on(deployment: Deployment, base: str, name: str) -> httpx.Client:
    """A browser with an admin logged in on instance `base`."""
    _add_account(deployment.database_url, name, ["beheerder"], password=PASSWORD)
    admin = browser()
    assert _log_in(admin, base, name, PASSWORD).status_code == 303
    return admin


@pytest.mark.parametrize("how", ["command line", "admin page of instance a"])
def test_a_disabled_account_stops_working_at_once_in_every_instance(
    deployment: Deployment, how: str
) -> None:
    a, b = deployment.instances["a"], deployment.instances["b"]
    by_page = how.startswith("admin page")
    name = "e.pietersen" if by_page else "e.jansen"
    added = deployment.epss(
        "users", "add", name, "--role", "expert", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert added.stdout.strip() == f"Added '{name}' (expert), with a password."
    token = deployment.epss("users", "token", name).stdout.splitlines()[-1]
    bearer = {"Authorization": f"Bearer {token}"}
    with contextlib.ExitStack() as stack:
        person, script = stack.enter_context(browser()), stack.enter_context(browser())
        if by_page:
            admin = _admin_on(deployment, a, "a.beheerder")
            stack.callback(admin.close)
            confirm = admin.get(f"{a}{ACCOUNTS_PAGE}/{name}/uitschakelen")
            if confirm.status_code == 404:
                pytest.skip(f"instance a serves no admin page of accounts yet ({ACCOUNTS_PAGE})")
            assert confirm.status_code == 200, confirm.text
        assert _log_in(person, b, name, PASSWORD).status_code == 303
        assert person.get(b + ME).json()["name"] == name
        assert person.get(a + ME).status_code == 200  # one login, every instance
        assert script.get(b + ME, headers=bearer).json()["name"] == name
        assert script.get(a + ME, headers=bearer).status_code == 200

        if by_page:
            done = admin.post(
                f"{a}{ACCOUNTS_PAGE}/{name}/uitschakelen",
                data={"csrftoken": _csrf_of(admin, confirm)},
            )
            assert done.status_code == 303, done.text
            assert "klaar=uitgeschakeld" in done.headers["location"]
        else:
            result = deployment.epss("users", "disable", name)
            assert result.stdout.strip() == f"Disabled '{name}'."

        # The very next request, without waiting: both ways in are closed, in both instances.
        answers = {
            (instance, way): response.status_code
            for instance, base in (("b", b), ("a", a))
            for way, response in (
                ("token", script.get(base + ME, headers=bearer)),
                ("login", person.get(base + ME)),
            )
        }
        assert answers == {(i, w): 401 for i in "ba" for w in ("token", "login")}
        assert person.get(b + ME).json()["error"] == "unauthorized"
        assert _log_in(person, b, name, PASSWORD).status_code == 401  # no new login either
    with deployment.session() as session:
        user = session.exec(select(User).where(User.name == name)).one()
        assert not user.active
        assert not session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all()
        assert not session.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all()
        (entry,), _count = admin_log(session, limit=1, subject=name)
        assert (entry.action, entry.via, entry.actor) == (
            ("account.disabled", WEB, "a.beheerder")
            if by_page
            else ("account.disabled", COMMAND_LINE, getpass.getuser())
        )


def _cors(client: httpx.Client, base: str) -> tuple[str | None, str | None]:
    """What a browser on ORIGIN is told: the allowed origin of a preflight for the overlay's
    POST and of a simple GET of the manifest (None: not allowed)."""
    preflight = client.options(
        base + "/api/v1/context/resolve",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    simple = client.get(base + "/api/v1/apps/myapp/manifest", headers={"Origin": ORIGIN})
    return (
        preflight.headers.get("access-control-allow-origin"),
        simple.headers.get("access-control-allow-origin"),
    )


class _Watcher:
    """Asks one instance for its CORS answers over and over, from its own thread, as the
    overlay in many browsers would: the instance's once-a-second look at the database then
    falls at any moment relative to a change, not just after one."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.samples: list[tuple[float, tuple]] = []  # (time.time() of the answer, answers)
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with browser() as client:
            while not self._stop.is_set():
                try:
                    answers = _cors(client, self.base)
                except httpx.HTTPError as exc:
                    self.error = exc
                    return
                self.samples.append((time.time(), answers))
                time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def since(self, moment: float, holds: Callable[[tuple], bool]) -> float | None:
        """Seconds from `moment` until the answers held, and kept holding; None if they do
        not hold (yet)."""
        samples = list(self.samples)
        if not samples or not holds(samples[-1][1]):
            return None
        first = len(samples) - 1
        while first > 0 and holds(samples[first - 1][1]):
            first -= 1
        return samples[first][0] - moment


def _timed_change(
    deployment: Deployment, what: str, args: list[str], holds: Callable[[tuple], bool]
) -> dict[str, float | None]:
    """Run the command while both instances serve (and answer CORS requests all along);
    the seconds until each one follows, counted from the moment the change was recorded in
    the database (the admin log's time of the change)."""
    watchers = {name: _Watcher(base) for name, base in deployment.instances.items()}
    try:
        while not all(w.samples or w.error for w in watchers.values()):
            time.sleep(0.01)
        assert not any(holds(w.samples[0][1]) for w in watchers.values() if w.samples), "no change"
        deployment.epss(*args)
        with deployment.session() as session:
            (entry,), _count = admin_log(session, limit=1)
        changed_at = entry.at.timestamp()
        deadline = changed_at + PROPAGATION_LIMIT + 1
        while time.time() < deadline and not all(
            w.since(changed_at, holds) is not None for w in watchers.values()
        ):
            time.sleep(0.02)
        time.sleep(0.2)  # and it stays so
    finally:
        for watcher in watchers.values():
            watcher.stop()
    for watcher in watchers.values():
        assert watcher.error is None, f"{watcher.base} stopped answering: {watcher.error!r}"
    taken = {name: w.since(changed_at, holds) for name, w in watchers.items()}
    report = ", ".join(
        f"instance {name}: "
        + (f"{s:.2f} s" if s is not None else f"not within {PROPAGATION_LIMIT + 1:.0f} s")
        for name, s in taken.items()
    )
    print(f"\nCORS after `epss {' '.join(args)}` ({what}): {report}")
    assert all(s is not None and s <= PROPAGATION_LIMIT for s in taken.values()), (
        f"{what} took longer than {PROPAGATION_LIMIT} s to reach the instances: {report}"
    )
    return taken


def test_a_host_apps_origins_hold_in_every_instance_within_seconds(
    deployment: Deployment,
) -> None:
    def allowed(answers: tuple) -> bool:
        return answers == (ORIGIN, ORIGIN)

    def refused(answers: tuple) -> bool:
        return answers == (None, None)

    with browser() as client:
        for base in deployment.instances.values():
            assert _cors(client, base) == (None, None)
            assert (
                client.options(
                    base + "/api/v1/context/resolve",
                    headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
                ).status_code
                == 400
            )

    _timed_change(
        deployment,
        "a new host application's origin is allowed",
        ["apps", "add", "myapp", "--name", "Mijn zaaksysteem", "--origin", ORIGIN],
        allowed,
    )
    with browser() as client:
        for base in deployment.instances.values():
            manifest = client.get(base + "/api/v1/apps/myapp/manifest", headers={"Origin": ORIGIN})
            assert manifest.status_code == 200 and manifest.json()["app"] == "myapp"
            assert "origin" in manifest.headers.get("vary", "").lower()

    _timed_change(
        deployment, "the removed origin is refused", ["apps", "set-origins", "myapp"], refused
    )
    with browser() as client:  # the app still answers, but a browser may not read it
        for base in deployment.instances.values():
            manifest = client.get(base + "/api/v1/apps/myapp/manifest", headers={"Origin": ORIGIN})
            assert manifest.status_code == 200
            assert "access-control-allow-origin" not in manifest.headers

    _timed_change(
        deployment,
        "the origin set again is allowed",
        ["apps", "set-origins", "myapp", "--origin", ORIGIN],
        allowed,
    )


def _log_rows(session: Session) -> list[tuple]:
    rows, _count = admin_log(session, limit=100)
    return [(r.action, r.subject, r.actor, r.via, r.before, r.after) for r in reversed(rows)]


def test_the_admin_log_records_the_command_line_and_the_last_admin_stays(
    fresh_database: Deployment,
) -> None:
    cli, me = fresh_database, getpass.getuser()
    assert (
        cli.epss(
            "users", "add", "bea", "--role", "beheerder", "--password-stdin", stdin=PASSWORD + "\n"
        ).stdout.strip()
        == "Added 'bea' (beheerder), with a password."
    )
    assert (
        cli.epss(
            "users", "add", "j.devries", "--role", "expert", "--team", "Kennisteam Burgerzaken"
        ).stdout.strip()
        == "Added 'j.devries' (expert), for API tokens only."
    )
    with cli.session() as session:  # a token of hers, to see that it stays
        new_api_token(session, session.exec(select(User).where(User.name == "bea")).one())
        session.commit()
    cli.epss("users", "set-roles", "j.devries", "--role", "expert", "--role", "redacteur")
    cli.epss(
        "apps", "add", "zaken", "--name", "Zaaksysteem", "--origin", "https://zaken.gemeente.nl"
    )
    cli.epss("users", "disable", "j.devries")

    account = {"roles": ["expert"], "team": "Kennisteam Burgerzaken", "active": True}
    with cli.session() as session:
        assert _log_rows(session) == [
            (
                "account.created",
                "bea",
                me,
                COMMAND_LINE,
                None,
                {"roles": ["beheerder"], "team": None, "active": True},
            ),
            ("account.created", "j.devries", me, COMMAND_LINE, None, account),
            (
                "account.roles_changed",
                "j.devries",
                me,
                COMMAND_LINE,
                {"roles": ["expert"]},
                {"roles": ["expert", "redacteur"]},
            ),
            (
                "host_app.created",
                "zaken",
                me,
                COMMAND_LINE,
                None,
                {
                    "name": "Zaaksysteem",
                    "origins": ["https://zaken.gemeente.nl"],
                    "zaaktype_map": {},
                    "finish_buttons": [],
                },
            ),
            (
                "account.disabled",
                "j.devries",
                me,
                COMMAND_LINE,
                {"active": True},
                {"active": False},
            ),
        ]
        logged = session.exec(select(func.count()).select_from(AdminAction)).one()

    for refused in (["users", "disable", "bea"], ["users", "set-roles", "bea", "--role", "expert"]):
        result = cli.epss(*refused, expect=1)
        refusal = "Not disabled" if refused[1] == "disable" else "Roles not changed"
        assert result.stdout == ""
        assert result.stderr.splitlines()[-1] == (
            f"{refusal}: 'bea' is the last active administrator. Give someone else the role "
            "beheerder first."
        ), result.stderr

    with cli.session() as session:  # nothing changed
        bea = session.exec(select(User).where(User.name == "bea")).one()
        assert bea.active and bea.roles == ["beheerder"]
        assert len(session.exec(select(ApiToken).where(ApiToken.user_id == bea.id)).all()) == 1
        assert session.exec(select(func.count()).select_from(AdminAction)).one() == logged


def test_a_token_made_on_the_command_line_is_in_the_admin_log(
    fresh_database: Deployment,
) -> None:
    _add_account(fresh_database.database_url, "j.devries", ["expert"], password=PASSWORD)
    fresh_database.epss("users", "token", "j.devries")
    with fresh_database.session() as session:
        rows = _log_rows(session)
    assert [row[1:4] for row in rows] == [("j.devries", getpass.getuser(), COMMAND_LINE)], rows


def _waiting_on_locks(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
    finally:
        engine.dispose()


def test_two_admins_disabled_at_the_same_moment_leave_one(fresh_database: Deployment) -> None:
    """Two admins, each disabled by someone at the same moment: one command succeeds, the
    other is refused as for the last admin, and one admin is left."""
    for name in ("bea", "bram"):
        _add_account(fresh_database.database_url, name, ["beheerder"])
    engine = sa.create_engine(fresh_database.database_url)
    # Another admin action in progress holds the admin log's lock while both commands run:
    # that only widens the moment in which they overlap, which is short but real without it.
    holder = engine.connect()
    holder.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": ADMIN_LOCK})
    holder.commit()
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def disable(name: str) -> None:
        results[name] = fresh_database.epss("users", "disable", name, expect=None)

    threads = [threading.Thread(target=disable, args=(n,)) for n in ("bea", "bram")]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while (
            _waiting_on_locks(fresh_database.database_url) < 2
            and time.monotonic() < deadline
            and any(t.is_alive() for t in threads)
        ):
            time.sleep(0.05)
    finally:
        holder.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": ADMIN_LOCK})
        holder.close()
        for thread in threads:
            thread.join(60)
    with Session(engine) as session:
        active = [u.name for u in session.exec(select(User).where(User.active))]
    engine.dispose()
    codes = sorted(r.returncode for r in results.values())
    assert len(active) == 1 and codes == [0, 1], (
        f"active admins afterwards: {active}; exit codes: {codes}; "
        + "; ".join(f"{n}: {r.stdout.strip()} {r.stderr.strip()}" for n, r in results.items())
    )
