"""A real OpenID Connect provider for the single sign-on tests: tests/oidc/provider.mjs
(npm `oidc-provider` 8) in node, on a free 127.0.0.1 port, stopped by its process.

`.ci/run` installs its node_modules (`cd tests/oidc && npm install`). Without them, or
without node, the tests that need the provider are skipped with the reason, unless
EPSS_TEST_REQUIRE_OIDC=1 (as in CI), which makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from epss.settings import Settings
from tests.ports import free_port

OIDC_DIR = Path(__file__).parent / "oidc"
REQUIRE_OIDC = os.environ.get("EPSS_TEST_REQUIRE_OIDC") == "1"
CLIENT_ID = "epss"
CLIENT_SECRET = "epss-test-client-secret"
ORGANISATION = "Gemeente Dijkhaven"
ROLE_MAP = "grp-balie=medewerker;grp-kennis=expert,redacteur;grp-kwaliteit=kwaliteit"
TEAM_MAP = "grp-burgerzaken=Burgerzaken;grp-vergunningen=Vergunningen"


@dataclass
class Provider:
    """A running test provider: its issuer URL, and the people it knows."""

    issuer: str
    accounts: Path

    def set_person(self, login: str, groups: list[str], **claims: object) -> None:
        """What the provider says about `login` from the next login on."""
        known = json.loads(self.accounts.read_text(encoding="utf-8"))
        known[login] = {"groups": groups, **claims}
        self.accounts.write_text(json.dumps(known), encoding="utf-8")

    def tamper(self, mode: str) -> None:
        """Give the next token response an ID token with a fault: aud, iss, nonce or
        signature."""
        httpx.post(f"{self.issuer}/__test/tamper", params={"mode": mode}).raise_for_status()

    @property
    def end_session_endpoint(self) -> str:
        return f"{self.issuer}/session/end"


def _unavailable(message: str) -> None:
    if REQUIRE_OIDC:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def running_provider(
    folder: Path, redirect_uris: list[str], logout_uris: list[str], port: int | None = None
) -> Iterator[Provider]:
    """The provider (on `port`, or a free one), with one client (CLIENT_ID) that may come
    back to `redirect_uris` and be sent to `logout_uris` after logging out; its data and
    log in `folder`."""
    node = shutil.which("node")
    if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        _unavailable(
            "the test OpenID provider is not installed: install Node.js and run "
            "`cd tests/oidc && npm install` (.ci/run does)"
        )
    port = port or free_port()
    accounts = folder / "oidc-accounts.json"
    accounts.write_text("{}", encoding="utf-8")
    log_path = folder / "oidc-provider.log"
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_LOGOUT_URIS": ",".join(logout_uris),
        "OIDC_ACCOUNTS": str(accounts),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, "provider.mjs"], cwd=OIDC_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    provider = Provider(f"http://127.0.0.1:{port}", accounts)
    try:
        _wait_for_discovery(provider, process, log_path)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_for_discovery(provider: Provider, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the test OpenID provider stopped: {log.read_text(errors='replace')}")
        try:
            if (
                httpx.get(
                    f"{provider.issuer}/.well-known/openid-configuration", timeout=2
                ).status_code
                == 200
            ):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the test OpenID provider did not answer in 30 s: {log.read_text()}")


def sso_settings(base: Settings, issuer: str, **changes: object) -> Settings:
    """`base` (its database and folders) with single sign-on at `issuer`."""
    return Settings(
        **{
            "data_dir": base.data_dir,
            "database_url": base.database_url,
            "secret_key": base.secret_key,
            "oidc_issuer": issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_role_map": ROLE_MAP,
            "oidc_team_map": TEAM_MAP,
            "oidc_display_name": ORGANISATION,
            **changes,
        }
    )


class _Forms(HTMLParser):
    """The first form of a page: its action, its fields' names and values, and the first
    named button (which may stand outside the form: <button form="…">)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "form" and self.action is None:
            self.action, self._inside = found.get("action") or "", True
            return
        field = tag == "input" and self._inside
        first_button = tag == "button" and name not in self.fields
        if name and (field or first_button):
            self.fields[name] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def through_provider(start: httpx.Response, login: str, stop_at: str) -> str:
    """Follow the provider's pages as a browser would, from the service's redirect `start`:
    fill in the login form with `login` (any password) and press every button (consent,
    logout), until the provider sends the browser to a URL starting with `stop_at`;
    returns that URL."""
    location = start.headers["location"]
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        answer = browser.get(location)
        for _ in range(12):
            if answer.is_redirect:
                location = urljoin(str(answer.url), answer.headers["location"])
                if location.startswith(stop_at):
                    return location
                answer = browser.get(location)
                continue
            form = _Forms()
            form.feed(answer.text)
            assert form.action is not None, f"no form on the provider's page: {answer.text}"
            fields = dict(form.fields)
            if "login" in fields:
                fields |= {"login": login, "password": "any password"}
            answer = browser.post(urljoin(str(answer.url), form.action), data=fields)
    raise AssertionError(f"the provider did not send the browser to {stop_at}")
