"""Single sign-on in Chromium: log in through the provider's own form (tests/oidc), land in
EPSS with the role the groups give, log out at the provider and come back; a person
without a mapped group reads why not. The pages pass axe."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from epss.app import create_app
from epss.settings import Settings
from tests.browser.conftest import SCREENSHOTS, ConsoleWatch, LiveServer
from tests.browser.webpages import axe_findings
from tests.oidc_support import Provider, free_port, running_provider, sso_settings


@dataclass
class SsoStack:
    service: LiveServer
    provider: Provider


@pytest.fixture(scope="module")
def sso_stack(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[SsoStack]:
    """The service with single sign-on at the test provider, both running. The provider's
    port is chosen first (the service's settings name it), the service's socket is bound
    next (the provider's client names its callback)."""
    folder = tmp_path_factory.mktemp("sso-browser")
    shutil.copy(sqlite_template, folder / "epss.sqlite3")
    port = free_port()
    base = Settings(data_dir=folder, secret_key="browser-sso-secret")
    service = LiveServer(create_app(sso_settings(base, f"http://127.0.0.1:{port}")))
    with running_provider(
        folder, [f"{service.url}/inloggen/sso/terug"], [f"{service.url}/"], port=port
    ) as provider:
        service.start()
        yield SsoStack(service, provider)
        service.server.should_exit = True


def test_log_in_at_the_provider_work_with_the_role_and_log_out_there_too(
    page: Page, sso_stack: SsoStack
) -> None:
    service, provider = sso_stack.service.url, sso_stack.provider
    provider.set_person("eva", ["grp-kennis", "grp-burgerzaken"], name="Eva Jansen")
    page.goto(f"{service}/inloggen?volgende=/redactie")
    assert axe_findings(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "sso-login.png", full_page=True, caret="initial")

    page.get_by_role("link", name="Inloggen met Gemeente Dijkhaven").click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    page.locator("input[name=login]").fill("eva")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent

    expect(page).to_have_url(f"{service}/redactie")
    expect(page.get_by_text("Ingelogd als eva")).to_be_visible()
    expect(page.get_by_role("link", name="Redactie", exact=True)).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(re.escape(provider.end_session_endpoint)))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{service}/")
    expect(page.get_by_role("link", name="Inloggen", exact=True)).to_be_visible()

    # Logged out at the provider too: logging in again asks for the name again.
    page.goto(f"{service}/inloggen/sso?volgende=/redactie")
    expect(page.locator("input[name=login]")).to_be_visible()


def test_someone_without_a_mapped_group_reads_why_not(
    page: Page, sso_stack: SsoStack, console: ConsoleWatch
) -> None:
    service, provider = sso_stack.service.url, sso_stack.provider
    provider.set_person("frits", ["grp-overig"])
    page.goto(f"{service}/inloggen/sso?volgende=/redactie")
    page.locator("input[name=login]").fill("frits")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    console.allow("403 (Forbidden)")  # the refusal's own status
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Inloggen lukt niet")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "Uw account bij Gemeente Dijkhaven geeft geen toegang tot EPSS; vraag uw beheerder "
        "om een rol."
    )
    assert axe_findings(page) == []
    page.screenshot(path=SCREENSHOTS / "sso-refused.png", full_page=True, caret="initial")
