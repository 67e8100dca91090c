"""The panel in a real browser, on host pages of our own served from another origin:
the right steps, ticking off (kept over a reload), deviating, feedback, search, the
shortcut and the keyboard, accessibility, and what happens when the service is down."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from overlay import (
    LAUNCHER,
    PANEL,
    current_step,
    open_panel,
    queued_events,
    sent_events,
    shown_task,
    wait_ready,
)
from playwright.sync_api import expect
from webpages import publish

from tests.conftest import shipped_document

VERHUIZING = "Verhuizing doorgeven (adreswijziging)"


def step(page, step_id: str):
    return page.locator(f'.epss-step[data-step="{step_id}"]')


def test_the_panel_shows_the_steps_of_the_task_on_screen(page, stack) -> None:
    page.goto(stack.host_url("plain"))
    open_panel(page)
    assert shown_task(page) == VERHUIZING
    assert page.locator(".epss-step").count() == 10
    first = step(page, "neem-melding-aan")
    expect(first.locator(".epss-step-body")).to_be_visible()  # the current step is open
    expect(first.locator(".epss-why")).to_contain_text("Waarom")
    expect(first.locator(".epss-check")).to_contain_text("Controle")
    expect(first.locator(".epss-badge")).to_have_text("Advies")
    expect(step(page, "controleer-verhuisdatum").locator(".epss-badge")).to_have_text("Verplicht")
    expect(step(page, "identificeer-melder").locator(".epss-step-body")).to_be_hidden()
    expect(page.locator(".epss-version")).to_contain_text("Versie 1, gepubliceerd")
    page.screenshot(path=stack.screenshots / "panel-plain.png", caret="initial")


def test_guidance_is_fetched_only_when_help_is_near(page, stack) -> None:
    """A page load fetches the manifest only; the screen's guidance comes when the pointer
    reaches the launcher, and the click that follows needs no further request."""
    fetched: list[str] = []
    page.on("request", lambda r: "/panel" in r.url and fetched.append(r.url))
    page.goto(stack.host_url("plain"))
    wait_ready(page)
    expect(page.locator(LAUNCHER)).to_have_attribute(
        "title", "Hulp bij: Verhuizing doorgeven (adreswijziging)"
    )
    page.wait_for_timeout(500)
    assert fetched == []
    page.locator(LAUNCHER).hover()
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some((e) => e.name.includes('/panel'))"
    )
    page.locator(LAUNCHER).click()
    shown_task(page)
    assert len(fetched) == 1 and "verhuizing-doorgeven/panel" in fetched[0]


def test_ticked_steps_survive_a_reload_and_the_next_step_opens(page, stack) -> None:
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)
    step(page, "neem-melding-aan").locator(".epss-tick").check()
    assert current_step(page) == "identificeer-melder"
    expect(step(page, "identificeer-melder").locator(".epss-step-body")).to_be_visible()
    expect(page.locator(".epss-progress")).to_have_text("1 van 10 stappen gedaan")

    page.reload()
    open_panel(page)
    shown_task(page)
    expect(step(page, "neem-melding-aan").locator(".epss-tick")).to_be_checked()
    assert current_step(page) == "identificeer-melder"


def test_deviation_and_feedback_are_recorded_as_events(page, stack) -> None:
    """The task lists its reasons to deviate: one is chosen, or "Anders" in one's words."""
    sent = sent_events(page)  # what went over the wire; the rest still waits
    page.goto(stack.host_url("plain?bsn=999993653#stap"))
    open_panel(page)
    shown_task(page)
    first = step(page, "neem-melding-aan")
    first.get_by_role("button", name="Ik wijk af, omdat…").click()
    reasons = first.get_by_role("group", name="Reden van afwijken")
    expect(reasons.get_by_role("radio")).to_have_count(5)  # four of the task's, and "Anders"
    own_words = reasons.get_by_role("textbox", name="Anders, namelijk:")
    # This service keeps free text, filtered: the person is told before typing, and after.
    expect(own_words).to_have_accessible_description(
        "Noem geen gegevens van burgers; wat erop lijkt, wordt eruit gehaald."
    )
    expect(page.get_by_label("Zoeken in de hulp")).to_have_accessible_description(
        "Wat u zoekt, wordt bewaard, met nummers, datums en namen eruit gehaald."
    )
    first.get_by_role("button", name="Vastleggen").click()  # nothing chosen: asked first
    expect(reasons.get_by_role("radio").first).to_be_focused()
    assert reasons.get_by_role("radio").first.evaluate("el => el.validationMessage") == (
        "Kies eerst een reden."
    )
    reasons.get_by_role("radio", name="Anders, namelijk:").check()
    own_words.fill("Melder is de curator")
    first.get_by_role("button", name="Vastleggen").click()
    expect(first.locator(".epss-said")).to_have_text("Afwijking vastgelegd.")
    first.get_by_role("button", name="Ik wijk af, omdat…").click()  # again: a reason chosen
    reasons.get_by_role("radio", name="Een apparaat of systeem is in storing").check()
    expect(own_words).to_be_disabled()
    first.get_by_role("button", name="Vastleggen").click()
    expect(first.get_by_role("button", name="Ik wijk af, omdat…")).to_be_focused()
    first.get_by_role("button", name="Onduidelijk").click()
    first.get_by_role("button", name="Versturen").click()
    expect(first.locator(".epss-said")).to_have_text("Bedankt, de redactie kijkt ernaar.")
    events = {e["id"]: e for e in [*sent, *queued_events(page)]}.values()
    deviated = [e for e in events if e["type"] == "step_deviated"]
    assert [e["details"] for e in deviated] == [{"reason": "Melder is de curator"}, {"choice": 3}]
    assert deviated[0]["task_slug"] == "verhuizing-doorgeven"
    assert deviated[0]["step_id"] == "neem-melding-aan"
    assert deviated[0]["user"] == "t.tester" and deviated[0]["team"] == "Balie 1"
    assert deviated[0]["url"] == stack.host_url("plain")  # no query string, no fragment
    # Feedback is not an event any more: it goes to /api/v1/feedback (test_overlay_feedback.py).
    assert not any(e["type"] == "feedback" for e in events)


def test_the_search_says_what_is_kept_also_when_the_panel_opened_before_the_manifest(
    page, stack
) -> None:
    """The panel is built at once; the service's manifest, which says what is kept, comes a
    moment later (here: 1.5 s). The search's hint follows it."""

    delayed: list[bool] = []

    def late(route) -> None:
        if not delayed:  # the first answer only; a revalidation goes through at once
            delayed.append(True)
            page.wait_for_timeout(1500)
        route.continue_()

    page.route("**/manifest", late)
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)
    expect(page.get_by_label("Zoeken in de hulp")).to_have_accessible_description(
        "Wat u zoekt, wordt bewaard, met nummers, datums en namen eruit gehaald."
    )
    # A handler still running when the page closes must not fail the next test.
    page.unroute_all(behavior="ignoreErrors")


def test_a_service_that_keeps_no_free_text_says_so_before_one_types(page, stack) -> None:
    """EPSS_STORE_FREE_TEXT=false, as the manifest tells the panel: the words under
    "Anders" are not kept, a reason chosen from the task's list is."""

    def keeps_none(route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "stores_free_text": False})

    page.route("**/manifest", keeps_none)
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)
    first = step(page, "neem-melding-aan")
    first.get_by_role("button", name="Ik wijk af, omdat…").click()
    reasons = first.get_by_role("group", name="Reden van afwijken")
    own_words = reasons.get_by_role("textbox", name="Anders, namelijk:")
    expect(own_words).to_have_accessible_description("Wat u bij ‘anders’ typt, wordt niet bewaard.")
    expect(page.get_by_label("Zoeken in de hulp")).to_have_accessible_description(
        "Wat u zoekt, wordt niet bewaard."
    )
    reasons.get_by_role("radio", name="Anders, namelijk:").check()
    own_words.fill("Melder is de curator")
    first.get_by_role("button", name="Vastleggen").click()
    expect(first.locator(".epss-said")).to_have_text("Afwijking vastgelegd, zonder de reden.")
    first.get_by_role("button", name="Ik wijk af, omdat…").click()
    reasons.get_by_role("radio", name="Op aanwijzing van een collega of leidinggevende").check()
    first.get_by_role("button", name="Vastleggen").click()
    expect(first.locator(".epss-said")).to_have_text("Afwijking vastgelegd.")
    page.unroute_all(behavior="ignoreErrors")


def test_search_in_the_panel_opens_another_task(page, stack) -> None:
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)
    page.get_by_label("Zoeken in de hulp").fill("rijbewijs aanvragen")
    page.get_by_label("Zoeken in de hulp").press("Enter")
    results = page.locator(".epss-results li button")
    expect(results.first).to_be_visible()
    expect(page.locator(".epss-results mark").first).to_be_visible()
    results.first.click()
    expect(page.locator(".epss-title")).to_have_text(
        "Rijbewijs aanvragen of vernieuwen aan de balie"
    )


def test_the_shortcut_escape_and_focus_return(page, stack) -> None:
    page.goto(stack.host_url("plain"))
    wait_ready(page)
    page.locator("input[name=straat]").focus()
    page.keyboard.press("Alt+Shift+H")
    expect(page.locator(PANEL)).to_be_visible()
    # The guidance is fetched on opening: a person sees the steps before tabbing to them.
    expect(step(page, "neem-melding-aan").locator(".epss-tick")).to_be_visible()
    assert (
        page.evaluate("() => document.querySelector('epss-overlay').shadowRoot.activeElement.id")
        == "epss-title"
    )
    focused = (
        "() => document.querySelector('epss-overlay').shadowRoot"
        ".activeElement.getAttribute('aria-label')"
    )
    for expected in ("Inklappen", "Naar links", "Sluiten"):  # the panel's own buttons
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == expected
    page.keyboard.press("Tab")  # the goal, unfolded the first time
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # ticks the first step
    expect(step(page, "neem-melding-aan").locator(".epss-tick")).to_be_checked()
    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    assert page.evaluate("() => document.activeElement.name") == "straat"
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "false")


def test_no_serious_accessibility_findings_in_the_panel(page, stack) -> None:
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)
    step(page, "identificeer-melder").locator(".epss-step-toggle").click()
    results = Axe().run(page, context="epss-overlay")
    serious = [
        (v["id"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []


def test_the_overlay_adds_one_global_and_leaves_the_host_styles_alone(page, stack, console) -> None:
    probe = """() => { const s = (q) => { const c = getComputedStyle(document.querySelector(q));
        return [c.color, c.fontFamily, c.fontSize, c.backgroundColor, c.display]; };
        return [s('button'), s('a'), s('mark'), s('body'), s('legend')]; }"""
    console.allow("net::ERR_FAILED")  # the page without the overlay, for comparison
    page.route("**/overlay.js", lambda route: route.abort())
    page.goto(stack.host_url("plain"))
    before_globals = set(page.evaluate("() => Object.keys(window)"))
    before_styles = page.evaluate(probe)
    page.unroute("**/overlay.js")
    page.reload()
    open_panel(page)
    shown_task(page)
    assert set(page.evaluate("() => Object.keys(window)")) - before_globals == {"EPSS"}
    assert page.evaluate(probe) == before_styles


def test_strict_csp_and_hostile_css_change_nothing_in_the_panel(browser, stack) -> None:
    geometry = """() => ['.epss-panel', '.epss-title', '.epss-step-toggle', '.epss-launcher']
        .map((q) => { const r = document.querySelector('epss-overlay').shadowRoot
        .querySelector(q).getBoundingClientRect(); return [q, r.x, r.y, r.width, r.height]; })"""
    seen = {}
    for name in ("plain", "strict"):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        errors = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.goto(stack.host_url(name))
        open_panel(page)
        shown_task(page)
        seen[name] = page.evaluate(geometry)
        page.screenshot(path=stack.screenshots / f"panel-{name}-csp.png", caret="initial")
        context.close()
        assert errors == [], name
    assert seen["strict"] == seen["plain"]


def test_an_unreachable_service_leaves_the_host_working(page, stack, console) -> None:
    console.allow("Failed to load resource")
    page.route("**/api/v1/**", lambda route: route.abort("connectionrefused"))
    page.goto(stack.host_url("plain"))
    wait_ready(page)
    expect(page.locator(LAUNCHER)).to_have_text("?Hulp niet beschikbaar")
    page.locator("input[name=naam]").fill("still works")
    page.locator(LAUNCHER).click()
    expect(page.locator(".epss-title")).to_have_text("Hulp niet beschikbaar")
    page.unroute("**/api/v1/**")
    page.get_by_role("button", name="Opnieuw proberen").click()
    assert shown_task(page) == VERHUIZING


def test_the_overlay_waits_until_the_host_page_has_loaded(page, stack) -> None:
    """The host page's own start comes first: the launcher appears once the page has
    loaded (here held back by an image that is slow to arrive), not before."""
    held: list = []
    page.route("**/assets/slow.png", lambda route: held.append(route))
    page.goto(stack.host_url("slow-image"), wait_until="domcontentloaded")
    page.wait_for_function("() => window.EPSS")  # the script has run
    page.wait_for_timeout(800)
    assert page.evaluate("() => document.readyState") != "complete"
    assert page.locator("epss-overlay").count() == 0
    held[0].fulfill(status=204)
    wait_ready(page)


def test_a_page_that_never_finishes_loading_still_gets_the_overlay(page, stack) -> None:
    page.route("**/assets/slow.png", lambda route: None)  # never answered
    page.goto(stack.host_url("slow-image"), wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelector('epss-overlay')", timeout=8000)
    assert page.evaluate("() => document.readyState") != "complete"
    wait_ready(page)


def test_a_step_says_about_how_long_it_takes(page, stack) -> None:
    """A step's estimated minutes, set by an expert, show under its title in the panel."""
    document = shipped_document("verhuizing-doorgeven", estimated_minutes=4)
    document = document.model_copy(update={"slug": "duur-proef", "context_rules": []})
    publish(stack.settings, document)
    page.goto(stack.host_url("plain"))
    wait_ready(page)
    page.evaluate("() => document.body.setAttribute('data-epss-task', 'duur-proef')")
    open_panel(page)
    first = step(page, "neem-melding-aan")
    expect(first.locator(".epss-duration")).to_have_text("ongeveer 4 min.")
    expect(step(page, "identificeer-melder").locator(".epss-duration")).to_have_count(0)


def test_the_panels_code_comes_only_when_help_is_near(page, stack) -> None:
    """A page that embeds the overlay loads its first script only; the panel's script
    follows the pointer to the launcher, once."""
    fetched: list[str] = []
    page.on("request", lambda r: "/overlay-panel.js" in r.url and fetched.append(r.url))
    page.goto(stack.host_url("plain"))
    wait_ready(page)
    page.wait_for_timeout(300)
    assert fetched == []
    page.locator(LAUNCHER).hover()
    page.locator(LAUNCHER).click()
    shown_task(page)
    page.locator(".epss-close").click()  # closed, and opened again: no second fetch
    page.locator(LAUNCHER).click()
    shown_task(page)
    assert len(fetched) == 1
