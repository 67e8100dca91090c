"""The administration pages (/beheer) and /account in a real browser: a screenshot and no
serious or critical axe finding on every page, a keyboard-only walk (Tab, Enter, Space)
that disables and enables an account and copies the script tag, and the "done when" of
host applications: bea registers a case system served from another port, that page uses
exactly the script tag shown, and the overlay works there at once, without a restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from overlay import LAUNCHER, PANEL, wait_ready
from playwright.sync_api import Page, expect
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from webpages import axe_findings, log_in

from epss.app import create_app
from epss.cli import prepare_demo
from epss.models import User
from epss.settings import Settings


@dataclass
class Service:
    url: str
    shots: Path
    settings: Settings
    engine: object


@pytest.fixture(scope="module")
def service(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A demo service of our own: these tests change accounts and host applications."""
    live_server = type(stack.service)  # conftest's LiveServer
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("admin-service"),
        demo=True,
        secret_key="admin-browser-test",
    )
    app = create_app(settings)
    server = live_server(app)
    prepare_demo(settings, origin=server.url)
    server.start()
    stack.screenshots.mkdir(parents=True, exist_ok=True)
    yield Service(server.url, stack.screenshots, settings, app.state.services.engine)
    server.server.should_exit = True


@dataclass
class CaseSystem:
    """Another case system, on a port of its own: its page holds whatever script tag and
    CSP the admin pasted in."""

    url: str
    tag: str = ""
    csp: str = ""


@pytest.fixture(scope="module")
def case_system(stack) -> Iterator[CaseSystem]:
    live_server = type(stack.service)
    system = CaseSystem("")

    def screen(request: Request) -> Response:
        body = (
            '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            "<title>Zaken Oost – Verhuizing</title></head><body>"
            "<h1>Zaken Oost</h1><p>Zaak Z-2026-000123: verhuizing binnen de gemeente.</p>"
            f"{system.tag}</body></html>"
        )
        headers = {"Content-Security-Policy": system.csp} if system.csp else {}
        return HTMLResponse(body, headers=headers)

    server = live_server(
        Starlette(
            routes=[
                Route("/favicon.ico", lambda request: Response(status_code=204)),
                Route("/zaken/{rest:path}", screen),
            ]
        )
    )
    system.url = server.url
    server.start()
    yield system
    server.server.should_exit = True


def shoot(page: Page, service: Service, name: str) -> None:
    """A full-page screenshot. caret="initial": Playwright's caret hiding leaves style=""
    on inputs, which htmx's settling then copies, which the page's CSP refuses (noise that
    no person would cause)."""
    page.screenshot(path=service.shots / f"admin-{name}.png", full_page=True, caret="initial")


def tab_to(page: Page, name: str, presses: int = 80) -> None:
    """Press Tab until the focus is on the control whose text starts with `name`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.value || '').trim()"
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"Tab never reached '{name}'")


def focused_text(page: Page) -> str:
    return page.evaluate("() => document.activeElement.innerText.trim()")


def active(service: Service, name: str) -> bool:
    with Session(service.engine) as session:
        return session.exec(select(User.active).where(User.name == name)).one()


def test_every_admin_page_looks_right_and_has_no_serious_axe_finding(
    page: Page, service: Service, console
) -> None:
    console.allow("status of 422")  # the refused form and the used link answer 422
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, service.url, "bea", "/beheer")
    pages = [
        ("index", "/beheer"),
        ("accounts", "/beheer/accounts"),
        ("account", "/beheer/accounts/eva"),
        ("account-confirm", "/beheer/accounts/eva/uitschakelen"),
        ("apps", "/beheer/apps"),
        ("app", "/beheer/apps/demo-zaaksysteem"),
        ("log", "/beheer/log"),
        ("my-account", "/account"),
        ("accounts-en", "/beheer/accounts?lang=en"),
        ("app-en", "/beheer/apps/demo-zaaksysteem"),
    ]
    for name, path in pages:
        page.goto(service.url + path)
        expect(page.locator("h1")).to_be_visible()
        shoot(page, service, name)
        assert axe_findings(page) == [], f"{path}: axe"
    page.goto(service.url + "/beheer?lang=nl")

    # A refused form: the message at the form, the field marked.
    page.goto(service.url + "/beheer/accounts")
    page.get_by_label("Inlognaam").fill("Jan de Vries")
    page.get_by_role("button", name="Account toevoegen").click()
    error = page.locator("#nieuw-fout")
    expect(error).to_contain_text("Niet toegevoegd: Naam 'jan de vries'")
    expect(error).to_be_focused()
    expect(page.get_by_label("Inlognaam")).to_have_attribute("aria-invalid", "true")
    shoot(page, service, "accounts-refused")
    assert axe_findings(page) == []

    # A new account with a reset link: the link shown once, then used by the person.
    page.get_by_label("Inlognaam").fill("j.devries")
    page.get_by_label("Team Optioneel").fill("Stadswinkel")
    page.get_by_label("expert").check()
    page.get_by_role("button", name="Account toevoegen").click()
    expect(page.get_by_role("heading", name="Herstellink voor j.devries")).to_be_focused()
    shoot(page, service, "account-reset-link")
    assert axe_findings(page) == []
    link = page.get_by_label("Herstellink", exact=True).input_value()
    assert link.startswith(f"{service.url}/account/herstel/")

    page.goto(service.url + "/account")
    page.get_by_role("button", name="Uitloggen").click()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw wachtwoord kiezen")
    shoot(page, service, "password-reset")
    assert axe_findings(page) == []
    page.get_by_label("Nieuw wachtwoord Minstens").fill("een nieuw wachtwoord")
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill("een nieuw wachtwoord")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page).to_have_url(re.compile(r"/inloggen\?volgende=%2Faccount"))
    page.get_by_label("Naam").fill("j.devries")
    page.get_by_label("Wachtwoord").fill("een nieuw wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{service.url}/account")
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("Deze herstellink is al gebruikt.")
    shoot(page, service, "password-reset-used")
    assert axe_findings(page) == []


def test_an_address_the_browser_takes_but_epss_refuses(
    page: Page, service: Service, console
) -> None:
    """type="email" lets 'eva@gemeente' through (no dot needed); EPSS refuses it at the
    form, then takes a real one. The person sets their own on /account."""
    console.allow("status of 422")  # the refused form answers 422
    log_in(page, service.url, "bea", "/beheer/accounts/eva")
    field = page.get_by_role("textbox", name="E-mailadres")
    field.fill("eva@gemeente")
    page.get_by_role("button", name="Rollen, team en e-mailadres opslaan").click()
    error = page.locator("#rollen-fout")
    expect(error).to_contain_text("Niet gelukt: 'eva@gemeente' is geen e-mailadres")
    expect(error).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("eva@gemeente")
    shoot(page, service, "account-email-refused")
    assert axe_findings(page) == []
    field.fill("eva@gemeente.nl")
    page.get_by_role("button", name="Rollen, team en e-mailadres opslaan").click()
    expect(page.locator("#account-klaar")).to_contain_text("e-mailadres zijn opgeslagen")
    expect(page.locator(".account-facts")).to_contain_text("eva@gemeente.nl")

    page.goto(service.url + "/account")
    page.get_by_role("textbox", name="E-mailadres").fill("bea@gemeente.nl")
    page.get_by_role("button", name="E-mailadres opslaan").click()
    expect(page.locator("#account-klaar")).to_have_text("Uw e-mailadres is bijgewerkt.")
    expect(page.locator(".account-facts")).to_contain_text("bea@gemeente.nl")
    shoot(page, service, "my-account-email")
    assert axe_findings(page) == []


def test_keyboard_only_disable_enable_and_copy(page: Page, service: Service) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=service.url)
    log_in(page, service.url, "bea", "/beheer/accounts/erik")

    tab_to(page, "Account uitschakelen")
    page.keyboard.press("Enter")
    question = page.locator("#bevestig-vraag")
    expect(question).to_be_focused()
    expect(question).to_contain_text("Dit account uitschakelen?")
    assert active(service, "erik")  # asking is not doing
    tab_to(page, "Ja, uitschakelen")
    page.keyboard.press("Space")
    expect(page.locator("#account-klaar")).to_be_focused()
    expect(page.locator("#account-klaar")).to_contain_text("Het account is uitgeschakeld")
    expect(page.locator("#editor-status")).to_contain_text("Het account is uitgeschakeld")
    expect(page.locator("h1")).to_contain_text("uitgeschakeld")
    assert not active(service, "erik")
    shoot(page, service, "keyboard-disabled")

    tab_to(page, "Account inschakelen")
    page.keyboard.press("Enter")
    expect(page.locator("#bevestig-vraag")).to_be_focused()
    tab_to(page, "Ja, inschakelen")
    page.keyboard.press("Enter")
    expect(page.locator("#account-klaar")).to_contain_text("Het account is weer ingeschakeld.")
    assert active(service, "erik")
    expect(page.locator(".admin-log tbody tr")).to_have_count(2)

    page.goto(service.url + "/beheer/apps/demo-zaaksysteem")
    tab_to(page, "Kopiëren")
    assert page.evaluate("() => document.activeElement.dataset.copy") == "scripttag"
    page.keyboard.press("Enter")
    expect(page.locator("#scripttag-status")).to_have_text("Gekopieerd")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.locator("#scripttag").input_value()
    assert copied.startswith(f'<script src="{service.url}/overlay.js?v=')
    shoot(page, service, "keyboard-copied")


def test_a_new_case_system_gets_the_overlay_from_the_script_tag_shown(
    browser, page: Page, service: Service, case_system: CaseSystem
) -> None:
    log_in(page, service.url, "bea", "/beheer/apps")
    page.get_by_label("Id").fill("zaken-oost")
    page.get_by_label("Naam", exact=False).first.fill("Zaken Oost")
    page.get_by_label("Herkomsten (origins)").fill(case_system.url)
    page.get_by_role("button", name="Hostapplicatie toevoegen").click()
    expect(page.locator("#app-klaar")).to_contain_text("De hostapplicatie is toegevoegd.")
    shoot(page, service, "app-added")

    # The case system's page gets exactly what the admin copies from this page.
    case_system.tag = page.locator("#scripttag").input_value()
    case_system.csp = "default-src 'self'; " + "; ".join(
        page.locator("#csp").input_value().splitlines()
    )
    assert case_system.tag.startswith(f'<script src="{service.url}/overlay.js?v=')

    calls: list[tuple[str, int]] = []
    host = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        screen = host.new_page()
        errors: list[str] = []
        screen.on("console", lambda m: m.type == "error" and errors.append(m.text))
        screen.on(
            "response", lambda r: r.url.startswith(service.url) and calls.append((r.url, r.status))
        )
        screen.goto(f"{case_system.url}/zaken/Z-2026-000123")
        wait_ready(screen)
        screen.locator(LAUNCHER).click()
        expect(screen.locator(PANEL)).to_be_visible()
        search = screen.get_by_label("Zoeken in de hulp")
        search.fill("verhuizing")
        search.press("Enter")
        results = screen.locator(".epss-results li button")
        expect(results.first).to_be_visible()
        results.first.click()
        expect(screen.locator(".epss-title")).to_have_text("Verhuizing doorgeven (adreswijziging)")
        screen.screenshot(path=service.shots / "admin-case-system-overlay.png", caret="initial")
        for _ in range(50):  # the overlay sends its events within a few seconds
            if any("/api/v1/events" in url and status == 202 for url, status in calls):
                break
            screen.wait_for_timeout(100)
        assert errors == []
        assert any("/apps/zaken-oost/manifest" in url for url, _ in calls)
        assert any("/api/v1/search" in url for url, _ in calls)
        assert any("/api/v1/events" in url and status == 202 for url, status in calls)
        assert [c for c in calls if c[1] >= 400] == []
    finally:
        host.close()

    page.goto(service.url + "/beheer/apps")
    row = page.locator("tr", has=page.get_by_role("link", name="Zaken Oost"))
    expect(row).to_contain_text(case_system.url)
    expect(row).not_to_contain_text("nog nooit")  # the overlay's call is recorded
