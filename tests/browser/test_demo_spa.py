"""The single-page variant of the demo case software (/demo/app/) in a real browser:
client-side routing without page loads, back and forward, deep links, titles, focus,
"Twijfel melden", and the whole walk by keyboard.

The overlay script is replaced by a stub here: these tests are about the host app. The stub
records what the embedding gave it, so the script tag is checked in the browser as well.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

SUFFIX = " — Zaaksysteem Gemeente Dijkhaven"
OVERLAY_STUB = """
window.overlayStub = Object.assign({}, document.currentScript.dataset,
  {heading: document.querySelector('main h1').textContent});
"""
MARKER = "() => window.noPageLoad"


def url_of(stack, path: str) -> str:
    return stack.service.url + path


def stub_overlay(page: Page, body: str = "") -> None:
    page.route(
        "**/overlay.js", lambda route: route.fulfill(body=body, content_type="text/javascript")
    )


@pytest.fixture
def app(page: Page, stack) -> Page:
    """The single-page variant at its start screen, the overlay stubbed, and a marker on
    `window` that only a page load can remove."""
    stub_overlay(page, OVERLAY_STUB)
    page.goto(stack.service.url + "/demo/app/")
    page.evaluate("() => { window.noPageLoad = true; }")
    return page


def focused(page: Page) -> str:
    """The focused element: tag, id and text, for short assertions."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        return `${el.tagName.toLowerCase()}#${el.id} ${el.textContent.trim().slice(0, 40)}`;
    }""")


def expect_screen(page: Page, heading: str) -> None:
    """The screen shows `heading`, titled after it, with focus on the heading."""
    expect(page.locator("main h1")).to_have_text(heading)
    expect(page).to_have_title(heading + SUFFIX)
    assert page.evaluate("() => document.activeElement === document.querySelector('main h1')")


def test_links_change_the_screen_without_a_page_load(app: Page, stack) -> None:
    assert app.evaluate("() => window.overlayStub") == {
        "epssApp": "demo-zaaksysteem",
        "epssUser": "rvisser",
        "epssTeam": "Burgerzaken Stadswinkel",
        "heading": "Werkvoorraad",
    }
    entries = app.evaluate("() => history.length")
    nav = app.get_by_role("navigation", name="Schermen")
    nav.get_by_role("link", name="Verhuizing doorgeven").click()
    expect(app).to_have_url(url_of(stack, "/demo/app/verhuizing"))
    expect_screen(app, "Verhuizing doorgeven")
    expect(app.locator("main [data-epss-zaaktype]")).to_have_attribute(
        "data-epss-zaaktype", "BZ-VERHUIZING"
    )
    expect(nav.locator("[aria-current=page]")).to_have_text("Verhuizing doorgeven")
    expect(app.get_by_role("link", name="Naar de serverversie")).to_have_attribute(
        "href", "/demo/verhuizing"
    )

    crumbs = app.get_by_role("navigation", name="Kruimelpad")
    crumbs.get_by_role("link", name="Werkvoorraad").click()
    expect_screen(app, "Werkvoorraad")
    app.get_by_role("link", name="Z-2026-000101", exact=True).click()
    expect(app).to_have_url(url_of(stack, "/demo/app/zaken/Z-2026-000101"))
    expect_screen(app, "Zaak Z-2026-000101")
    expect(nav.locator("[aria-current=page]")).to_have_text("Werkvoorraad")
    app.get_by_role("link", name="Taakscherm openen: Aanvraag reisdocument").click()
    expect_screen(app, "Aanvraag reisdocument")
    assert app.locator("#gepresenteerd-document").get_attribute("name") == "gepresenteerd-document"
    assert app.evaluate(MARKER), "a page was loaded"
    assert app.evaluate("() => history.length") == entries + 4


def test_back_and_forward_show_the_screens_again(app: Page, stack) -> None:
    app.get_by_role("link", name="Aanvraag rijbewijs").click()
    expect_screen(app, "Aanvraag rijbewijs")
    app.get_by_role("link", name="Aangifte geboorte").click()
    expect_screen(app, "Aangifte geboorte")
    app.go_back()
    expect(app).to_have_url(url_of(stack, "/demo/app/rijbewijs/aanvraag"))
    expect_screen(app, "Aanvraag rijbewijs")
    app.go_back()
    expect(app).to_have_url(url_of(stack, "/demo/app/"))
    expect_screen(app, "Werkvoorraad")
    app.go_forward()
    expect_screen(app, "Aanvraag rijbewijs")
    expect(app.locator(".zijnav [aria-current=page]")).to_have_text("Aanvraag rijbewijs")
    assert app.evaluate(MARKER), "a page was loaded"


def test_a_deep_link_and_a_reload_show_the_same_screen(page: Page, stack) -> None:
    stub_overlay(page)
    page.goto(url_of(stack, "/demo/app/rijbewijs/aanvraag"))
    expect(page.locator("main h1")).to_have_text("Aanvraag rijbewijs")
    expect(page).to_have_title("Aanvraag rijbewijs" + SUFFIX)
    page.get_by_role("link", name="Uitreiking reisdocument").click()
    expect(page.locator("main h1")).to_have_text("Uitreiking reisdocument")
    page.reload()
    expect(page).to_have_url(url_of(stack, "/demo/app/reisdocument/uitreiking"))
    expect(page.locator("main h1")).to_have_text("Uitreiking reisdocument")
    expect(page.locator(".zijnav [aria-current=page]")).to_have_text("Uitreiking reisdocument")
    page.go_back()  # to the screen the server rendered first: shown by the app
    expect(page.locator("main h1")).to_have_text("Aanvraag rijbewijs")


def test_a_missing_case_is_rendered_by_the_server_also_after_back(
    page: Page, stack, console
) -> None:
    console.allow("status of 404")  # the browser logs the 404 of the page itself
    stub_overlay(page)
    assert page.goto(url_of(stack, "/demo/app/zaken/Z-2026-999999")).status == 404
    page.evaluate("() => { window.noPageLoad = true; }")
    page.get_by_role("link", name="Naar de werkvoorraad").click()
    expect(page.locator("main h1")).to_have_text("Werkvoorraad")
    assert page.evaluate(MARKER)
    page.go_back()  # no template for it: the app lets the server render it again
    expect(page.locator("main h1")).to_have_text("Zaak niet gevonden")
    assert not page.evaluate(MARKER)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/demo/app/reisdocument/aanvraag", "Aangehouden"),
        ("/demo/app/reisdocument/uitreiking", "Uitreiking aangehouden"),
    ],
)
def test_twijfel_melden_reveals_the_report_without_a_page_load(
    app: Page, stack, path: str, status: str
) -> None:
    app.goto(url_of(stack, path))
    app.evaluate("() => { window.noPageLoad = true; }")
    expect(app.locator("#twijfel-melding")).to_have_count(0)
    app.locator("#twijfel-melden").click()
    expect(app.locator("#twijfel-melding")).to_be_visible()
    expect(app).to_have_url(url_of(stack, path + "?twijfel=1#twijfel-melding"))
    expect(app.locator(".zaakkop .status")).to_have_text("Status: " + status)
    assert app.evaluate("() => document.activeElement.id") == "twijfel-melding"
    assert app.evaluate(MARKER), "a page was loaded"
    app.go_back()
    expect(app.locator("#twijfel-melding")).to_have_count(0)
    expect(app.locator("main h1")).to_be_focused()
    app.go_forward()
    expect(app.locator("#twijfel-melding")).to_be_visible()
    assert app.evaluate(MARKER), "a page was loaded"


def test_the_link_to_the_server_pages_loads_a_page(app: Page, stack) -> None:
    app.get_by_role("link", name="Verhuizing doorgeven").click()
    app.get_by_role("link", name="Naar de serverversie").click()
    expect(app).to_have_url(url_of(stack, "/demo/verhuizing"))
    expect(app.locator("main h1")).to_have_text("Verhuizing doorgeven")
    assert not app.evaluate(MARKER)
    assert app.locator("script[src$='zaaksysteem.js']").count() == 0


def tab_to(page: Page, description: str, limit: int = 120, key: str = "Tab") -> None:
    """Press Tab (or `key`) until the focused element's description (see `focused`)
    matches."""
    for _ in range(limit):
        page.keyboard.press(key)
        if re.search(description, focused(page)):
            return
    raise AssertionError(f"no {description!r} within {limit} Tabs; at {focused(page)}")


def test_keyboard_only_walk_through_the_app(app: Page, stack) -> None:
    tab_to(app, r"^a# Direct naar de hoofdinhoud")
    tab_to(app, r"^a# Aanvraag reisdocument")
    app.keyboard.press("Enter")
    expect_screen(app, "Aanvraag reisdocument")
    app.screenshot(path=stack.screenshots / "spa-keyboard-heading-focused.png", caret="initial")
    tab_to(app, r"^button#twijfel-melden")
    app.keyboard.press("Enter")
    expect(app.locator("#twijfel-melding")).to_be_focused()
    app.keyboard.press("Tab")
    assert focused(app).startswith("select#twijfel-reden")
    tab_to(app, r"^a# Werkvoorraad$", key="Shift+Tab")  # back up to the breadcrumb
    app.keyboard.press("Enter")
    expect_screen(app, "Werkvoorraad")
    tab_to(app, r"^a# Z-2026-000104")
    app.keyboard.press("Enter")
    expect_screen(app, "Zaak Z-2026-000104")
    tab_to(app, r"^a# Taakscherm openen")
    app.keyboard.press("Enter")
    expect_screen(app, "Verhuizing doorgeven")
    assert app.evaluate(MARKER), "a page was loaded"


SCREENS = [
    ("werkvoorraad", None),
    ("reisdocument-aanvraag", "Aanvraag reisdocument"),
    ("reisdocument-aanvraag-twijfel", "#twijfel-melden"),
    ("reisdocument-uitreiking", "Uitreiking reisdocument"),
    ("geboorte-aangifte", "Aangifte geboorte"),
    ("verhuizing", "Verhuizing doorgeven"),
    ("rijbewijs-aanvraag", "Aanvraag rijbewijs"),
    ("zaak-Z-2026-000103", "Werkvoorraad|Z-2026-000103"),
]


def test_screenshots_and_accessibility_of_every_screen(app: Page, stack) -> None:
    """Reached by clicking, as a person would; axe checks the DOM the app made."""
    axe = Axe()
    for name, how in SCREENS:
        if how and how.startswith("#"):
            app.locator(how).click()
        elif how:
            for link in how.split("|"):
                app.get_by_role("link", name=link, exact=True).first.click()
        app.screenshot(path=stack.screenshots / f"spa-{name}.png", caret="initial")
        results = axe.run(app, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
        assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    assert app.evaluate(MARKER), "a page was loaded"
