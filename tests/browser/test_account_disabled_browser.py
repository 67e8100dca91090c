"""An account disabled while its owner has the editor open: the editor's live stream ends
and the page goes to the login form, where the account no longer gets in."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from webpages import DemoService, log_in, start_demo_service

from epss.admin.accounts import disable
from epss.admin.log import Actor
from epss.db import unit_of_work

EDITOR = "/redactie/taken/verhuizing-doorgeven"


@pytest.fixture(scope="module")
def service(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    """A service of our own: disabling erik here touches no other test."""
    service = start_demo_service(
        stack, tmp_path_factory.mktemp("disable-service"), "disable-browser-test"
    )
    yield service
    service.stop()


def test_disabling_an_account_ends_its_open_editor(page: Page, console, service) -> None:
    console.allow("401 (Unauthorized)")  # the browser logs the refused reconnect itself
    services = service.server.app.state.services
    engine = services.engine
    log_in(page, service.url, "erik", EDITOR)
    deadline = time.monotonic() + 5
    while services.drafts.editors("verhuizing-doorgeven") != ["erik"]:  # the stream is open
        assert time.monotonic() < deadline, "the editor's live stream did not open"
        time.sleep(0.05)

    with unit_of_work(engine) as session:
        disable(session, Actor("bea"), "erik")

    expect(page).to_have_url(
        f"{service.url}/inloggen?volgende=%2Fredactie%2Ftaken%2Fverhuizing-doorgeven",
        timeout=10_000,
    )
    page.get_by_label("Naam").fill("erik")
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("#login-error")).to_have_text("De naam of het wachtwoord klopt niet.")
