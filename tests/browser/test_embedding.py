"""The ways into a host page other than the script tag, in a real browser: the bookmarklet
(its link clicked in the host page) and the Manifest V3 extension, loaded unpacked and
configured through chrome.storage.local as its options page does."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from overlay import LAUNCHER, open_panel, shown_task, wait_ready
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from epss.overlay.extension import write_extension
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ConsoleWatch

EXTENSION = Path(__file__).parents[2] / "overlay_js" / "extension"
SITES_JS = EXTENSION / "sites.js"


def test_the_bookmarklet_page_in_a_browser(page, stack) -> None:
    page.set_viewport_size({"width": 1100, "height": 1500})
    page.goto(f"{stack.service.url}/overlay/bookmarklet")
    link = page.get_by_role("link", name=re.compile(r"^EPSS Hulp \(Zaaksysteem"))
    expect(link).to_be_visible()
    assert link.get_attribute("href").startswith("javascript:")
    page.get_by_text("Code van de bladwijzer").click()  # the code, for keyboard users
    expect(page.locator("details pre").first).to_be_visible()
    page.screenshot(
        path=stack.screenshots / "bookmarklet-page.png", full_page=True, caret="initial"
    )
    for language in ("nl", "en"):
        page.goto(f"{stack.service.url}/overlay/bookmarklet?lang={language}")
        results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
        assert results.violations_count == 0, results.generate_report()


def test_the_bookmarklet_brings_the_overlay_once(page, stack) -> None:
    page.goto(f"{stack.service.url}/overlay/bookmarklet")
    href = page.locator("a.bookmarklet[data-epss-app='demo-zaaksysteem']").get_attribute("href")
    page.goto(stack.host_url("extension-plain"))
    assert page.evaluate("() => window.EPSS") is None
    # What a click on the bookmark does: run the javascript: URL in the host page.
    page.evaluate(
        """href => { const a = document.createElement('a'); a.href = href;
        a.textContent = 'bookmarklet'; document.body.append(a); }""",
        href,
    )
    page.get_by_text("bookmarklet", exact=True).click()
    wait_ready(page)
    open_panel(page)
    assert shown_task(page) == "Verhuizing doorgeven (adreswijziging)"
    page.get_by_text("bookmarklet", exact=True).click()  # again: no second overlay
    page.wait_for_timeout(300)
    assert page.locator("epss-overlay").count() == 1
    assert page.locator("script[data-epss-app]").count() == 1


def test_match_patterns_as_chrome_reads_them(page) -> None:
    """sites.js decides which configured site a page belongs to: its reading of match
    patterns must be Chrome's."""
    page.set_content("<!doctype html><title>x</title>")
    page.add_script_tag(content=SITES_JS.read_text(encoding="utf-8"))
    cases = [
        ("https://zaken.gemeente.nl/*", "https://zaken.gemeente.nl/zaak/1?x=1", True),
        ("https://zaken.gemeente.nl/*", "http://zaken.gemeente.nl/", False),
        ("*://zaken.gemeente.nl/*", "http://zaken.gemeente.nl/a", True),
        ("*://*.gemeente.nl/*", "https://gemeente.nl/a", True),
        ("*://*.gemeente.nl/*", "https://a.b.gemeente.nl/a", True),
        ("*://*.gemeente.nl/*", "https://evilgemeente.nl/a", False),
        ("http://127.0.0.1/*", "http://127.0.0.1:8123/x", True),
        ("http://127.0.0.1:8123/*", "http://127.0.0.1:8124/x", False),
        ("https://x.nl:443/*", "https://x.nl/", True),
        ("https://x.nl/zaken/*", "https://x.nl/other", False),
        ("https://x.nl/a.b", "https://x.nl/aXb", False),
        ("<all_urls>", "https://x.nl/", True),
        ("<all_urls>", "chrome://settings/", False),
    ]
    for pattern, url, expected in cases:
        got = page.evaluate(
            "([p, u]) => EPSSSites.matches(EPSSSites.parsePattern(p), u)", [pattern, url]
        )
        assert got is expected, (pattern, url)
    for bad in ["https://x.nl", "https://*x.nl/*", "foo://x/*", "https:///*", "file://x/*"]:
        assert page.evaluate("p => EPSSSites.parsePattern(p)", bad) is None, bad
    config = page.evaluate("""() => EPSSSites.normalize({service: 'https://epss.nl/hulp',
        sites: [{matches: ['https://a.nl/*', 'bad'], app: 'x'}, {matches: ['https://b.nl/*']}]})""")
    assert config["service"] == "https://epss.nl/hulp/"
    assert config["sites"] == [{"matches": ["https://a.nl/*"], "app": "x"}]
    assert len(config["problems"]) == 2


@pytest.fixture(scope="module")
def extension_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("extension") / "epss-extension"
    write_extension(folder)
    return folder


@pytest.fixture
def extension(browser, extension_dir: Path, tmp_path: Path):
    """A Chromium profile with the extension loaded unpacked, and its service worker
    (started from the Playwright that runs `browser`: one per process)."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            f"--disable-extensions-except={extension_dir}",
            f"--load-extension={extension_dir}",
        ],
    )
    try:
        try:
            worker = (
                context.service_workers[0]
                if context.service_workers
                else context.wait_for_event("serviceworker", timeout=10000)
            )
        except PlaywrightError as exc:
            pytest.fail(
                f"the extension's service worker did not start ({exc}); does this "
                "Chromium accept --load-extension? (branded Google Chrome 137+ "
                "does not; Chromium and Chrome for Testing do)"
            )
        worker.evaluate("() => self.EPSSReady")
        yield context, worker
    finally:
        context.close()


def registered(worker) -> list[list[str]]:
    return worker.evaluate(
        "async () => (await chrome.scripting.getRegisteredContentScripts()).map(s => s.matches)"
    )


def configure(worker, config: dict | None, expect_registered: list[list[str]]) -> None:
    """As the options page does: chrome.storage.local; then wait until the worker has
    followed the change (storage.onChanged comes asynchronously)."""
    if config is None:
        worker.evaluate("() => chrome.storage.local.clear()")
    else:
        worker.evaluate("config => chrome.storage.local.set(config)", config)
    wait_registered(worker, expect_registered)


def wait_registered(worker, expected: list[list[str]]) -> None:
    deadline = time.monotonic() + 5
    while True:
        worker.evaluate("() => self.EPSSReady")
        if registered(worker) == expected:
            return
        assert time.monotonic() < deadline, f"registered: {registered(worker)}"
        time.sleep(0.05)


def test_the_extension_injects_the_overlay_on_configured_sites_only(
    extension, stack, console: ConsoleWatch
) -> None:
    context, worker = extension
    assert registered(worker) == []  # nothing configured, nothing injected
    configure(
        worker,
        {
            "service": stack.service.url,
            "sites": [
                {
                    "matches": [f"{stack.host.url}/extension-*"],
                    "app": "demo-zaaksysteem",
                    "team": "Balie 2",
                }
            ],
        },
        [[f"{stack.host.url}/extension-*"]],
    )

    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and console.add(f"console: {m.text}"))
    page.on("pageerror", lambda e: console.add(f"uncaught: {e}"))
    page.set_default_timeout(5000)
    page.goto(stack.host_url("extension-plain"))
    expect(page.locator("epss-overlay")).to_have_count(1)
    expect(page.locator(LAUNCHER)).to_be_visible()
    assert page.evaluate("() => window.EPSS") is None  # it lives in the extension's world
    page.locator(LAUNCHER).click()
    assert shown_task(page) == "Verhuizing doorgeven (adreswijziging)"
    page.screenshot(path=stack.screenshots / "extension-panel.png", caret="initial")

    page.goto(stack.host_url("plain"))  # not configured; embeds the script tag itself
    wait_ready(page)
    expect(page.locator("epss-overlay")).to_have_count(1)

    configure(worker, None, [])  # configuration removed: unregistered
    page.goto(stack.host_url("extension-plain"))
    page.wait_for_timeout(500)
    expect(page.locator("epss-overlay")).to_have_count(0)
    assert console.errors == []


def test_the_extension_works_where_the_page_csp_shuts_the_service_out(
    extension, stack, console: ConsoleWatch
) -> None:
    """extension-locked.html allows no script or connection to the service (and asks for
    Trusted Types): a script tag or bookmarklet cannot load there, the extension's content
    script can. Its requests carry the page's origin, so CORS still needs it registered."""
    context, worker = extension
    configure(
        worker,
        {
            "service": f"{stack.service.url}/",
            "sites": [{"matches": [f"{stack.host.url}/extension-*"], "app": "demo-zaaksysteem"}],
        },
        [[f"{stack.host.url}/extension-*"]],
    )
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and console.add(f"console: {m.text}"))
    page.on("pageerror", lambda e: console.add(f"uncaught: {e}"))
    page.set_default_timeout(5000)
    page.goto(stack.host_url("extension-locked"))
    expect(page.locator(LAUNCHER)).to_be_visible()
    page.locator(LAUNCHER).click()
    assert shown_task(page) == "Verhuizing doorgeven (adreswijziging)"
    page.screenshot(path=stack.screenshots / "extension-locked-csp.png", caret="initial")
    assert console.errors == []


def test_the_options_page_configures_a_pilot(extension, stack) -> None:
    context, worker = extension
    page = context.new_page()
    page.set_default_timeout(5000)
    page.goto(worker.url.replace("background.js", "options.html"))
    # In the browser's language (Debian's Chromium without chromium-l10n: English only).
    language = "nl" if page.evaluate("() => chrome.i18n.getUILanguage()").startswith("nl") else "en"
    messages = json.loads((EXTENSION / "_locales" / language / "messages.json").read_text())
    text = {key: value["message"] for key, value in messages.items()}
    assert page.evaluate("() => document.documentElement.lang") == language
    expect(page.get_by_role("heading", level=1)).to_have_text(text["optionsTitle"])
    page.get_by_label(text["serviceLabel"]).fill(stack.service.url)
    page.get_by_label(text["appLabel"]).fill("demo-zaaksysteem")
    page.get_by_label(text["matchesLabel"]).fill("not a pattern")
    page.get_by_role("button", name=text["save"]).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(text["notSaved"])
    expect(status).to_contain_text('not a match pattern: "not a pattern"')
    assert worker.evaluate("() => chrome.storage.local.get(null)") == {}  # nothing changed
    page.get_by_label(text["matchesLabel"]).fill(f"{stack.host.url}/extension-*\n")
    page.get_by_label(text["teamLabel"]).fill("Balie 3")
    page.get_by_role("button", name=text["save"]).click()
    expect(status).to_contain_text(text["saved"])
    page.screenshot(path=stack.screenshots / "extension-options.png", caret="initial")
    assert worker.evaluate("() => chrome.storage.local.get(null)") == {
        "service": stack.service.url,
        "sites": [
            {
                "app": "demo-zaaksysteem",
                "matches": [f"{stack.host.url}/extension-*"],
                "team": "Balie 3",
            }
        ],
    }
    wait_registered(worker, [[f"{stack.host.url}/extension-*"]])
    host = context.new_page()
    host.goto(stack.host_url("extension-plain"))
    expect(host.locator(LAUNCHER)).to_be_visible()
