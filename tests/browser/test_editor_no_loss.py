"""Nothing typed in the editor is lost, in a real browser: text typed in a step survives
clicking "Geschiedenis" (the browser asks first, and the text is back when the editor is
opened again), survives moving another step, and "Annuleren" asks before it drops it.
Two experts editing the same step: changes that do not overlap are merged by themselves
and saved once each; a real conflict is chosen word by word, by keyboard. And the review
screen "Wat is er veranderd", from which a redacteur publishes. Screenshots of the merge
forms and the review screen; axe-core on each."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, Route, expect
from webpages import DemoService, axe_findings, log_in, start_demo_service


@pytest.fixture(scope="module")
def service(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    """A demo service of our own, so the edits here touch no other test's tasks."""
    service = start_demo_service(
        stack, tmp_path_factory.mktemp("no-loss-service"), "no-loss-browser-test"
    )
    yield service
    service.stop()


def new_context(browser: Browser, console) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5000)
    context.on(
        "page",
        lambda p: (
            p.on("console", lambda m: m.type == "error" and console.add(f"console: {m.text}")),
            p.on("pageerror", lambda e: console.add(f"uncaught: {e}")),
        ),
    )
    return context


@pytest.fixture
def expert(browser, console, service) -> Iterator[Page]:
    context = new_context(browser, console)
    page = context.new_page()
    yield page
    context.close()
    assert console.errors == [], "the page logged errors"


def open_step(page: Page, step_id: str) -> Locator:
    item = page.locator(f"#stap-{step_id}")
    item.get_by_role("link", name="Bewerken").click()
    expect(item.locator(f"#stap-{step_id}-titel")).to_be_focused()
    return item


def tab_to(page: Page, target: Locator, *, limit: int = 150) -> None:
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


class Dialogs:
    """The dialogs a page opens, answered as told (dismissed unless `accept`)."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        self.accept = False
        page.on("dialog", self._answer)

    def wait_for(self, page: Page, count: int) -> None:
        for _ in range(50):
            if len(self.seen) >= count:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"expected {count} dialog(s), saw {self.seen}")

    def _answer(self, dialog: Dialog) -> None:
        self.seen.append(dialog.type)
        dialog.accept() if self.accept else dialog.dismiss()


# ---- one person: typed text is kept ---------------------------------------------------------


def test_text_typed_in_a_step_survives_clicking_geschiedenis(expert: Page, service) -> None:
    slug, step_id = "verhuizing-doorgeven", "controleer-verhuisdatum"
    log_in(expert, service.url, "eva", f"/redactie/taken/{slug}")
    dialogs = Dialogs(expert)
    item = open_step(expert, step_id)
    instruction = item.locator(f"#stap-{step_id}-instructie")
    instruction.click()
    expert.keyboard.press("Control+End")
    expert.keyboard.type(" Vraag ook naar de sleuteloverdracht.")
    typed = instruction.input_value()

    # Leaving asks; staying keeps the text where it was.
    expert.get_by_role("link", name="Geschiedenis").click(no_wait_after=True)
    dialogs.wait_for(expert, 1)
    assert dialogs.seen == ["beforeunload"]
    assert expert.url.endswith(f"/redactie/taken/{slug}")
    expect(instruction).to_have_value(typed)

    # Leaving anyway: the text comes back when the editor is opened again.
    dialogs.accept = True
    expert.get_by_role("link", name="Geschiedenis").click()
    expect(expert).to_have_url(f"{service.url}/redactie/taken/{slug}/geschiedenis")
    expert.goto(f"{service.url}/redactie/taken/{slug}")
    restored = expert.locator(f"#stap-{step_id}-instructie")
    expect(restored).to_have_value(typed)
    expect(item.locator(".restored-notice")).to_contain_text("staat weer in het formulier")
    assert axe_findings(expert) == []
    assert service.step(slug, step_id)["instruction"] != typed  # not saved by itself
    item.get_by_role("button", name="Stap opslaan").click()
    expect(item).to_have_attribute("data-mode", "view")
    assert service.step(slug, step_id)["instruction"] == typed
    expert.reload()  # saved: nothing left to put back, nothing to ask
    expect(expert.locator(f"#stap-{step_id}")).to_have_attribute("data-mode", "view")
    dialogs.accept = False
    expert.get_by_role("link", name="Geschiedenis").click()
    expect(expert).to_have_url(f"{service.url}/redactie/taken/{slug}/geschiedenis")
    assert dialogs.seen == ["beforeunload", "beforeunload"]


def test_logging_out_forgets_the_kept_text(expert: Page, service) -> None:
    """Desk computers are shared: what one person typed is not left for the next."""
    slug, step_id = "aangifte-geboorte", "controleer-termijn"
    log_in(expert, service.url, "erik", f"/redactie/taken/{slug}")
    dialogs = Dialogs(expert)
    dialogs.accept = True  # yes, leave the page with unsaved text
    item = open_step(expert, step_id)
    item.locator(f"#stap-{step_id}-instructie").fill("Tekst die niet bewaard wordt.")
    kept = "() => Object.keys(sessionStorage).filter(k => k.startsWith('epss-unsaved:'))"
    expert.wait_for_function(f"({kept})().length > 0")  # kept while not saved

    def answer_late(route: Route) -> None:
        """The login has ended on the server, but this page is still shown for a while
        (a busy network): longer than the text's preview waits before it asks."""
        answer = route.fetch(max_redirects=0)
        time.sleep(0.6)
        route.fulfill(response=answer)

    expert.route("**/uitloggen", answer_late)
    expert.get_by_role("button", name="Uitloggen").click()
    expert.wait_for_url(f"{service.url}/")
    assert expert.evaluate(kept) == []
    # The expert fixture then checks that no refused request was logged: the preview
    # the typing asked for was not sent after the login ended.


def test_text_typed_in_a_step_survives_moving_another_step(expert: Page, service) -> None:
    slug = "rijbewijs-aanvragen"
    steps = service.draft(slug)["steps"]
    editing, moving = steps[2]["id"], steps[0]["id"]
    log_in(expert, service.url, "erik", f"/redactie/taken/{slug}")
    item = open_step(expert, editing)
    item.locator(f"#stap-{editing}-waarom").fill("Erik: zo weet je het zeker.")
    expert.locator(f"#stap-{moving}").get_by_role("button", name="Omlaag").click()
    expect(expert.locator(".step-item").nth(1)).to_have_attribute("data-step", moving)
    # The list was replaced; the open form came back with what was typed.
    expect(expert.locator(f"#stap-{editing}-waarom")).to_have_value("Erik: zo weet je het zeker.")
    expect(expert.locator(f"#stap-{editing}")).to_have_attribute("data-mode", "edit")
    expert.locator(f"#stap-{editing}").get_by_role("button", name="Stap opslaan").click()
    expect(expert.locator(f"#stap-{editing}")).to_have_attribute("data-mode", "view")
    assert service.step(slug, editing)["why"] == "Erik: zo weet je het zeker."


def test_cancel_asks_before_it_drops_typed_text(expert: Page, service) -> None:
    slug, step_id = "aangifte-geboorte", "noteer-namen"
    log_in(expert, service.url, "eva", f"/redactie/taken/{slug}")
    dialogs = Dialogs(expert)
    item = open_step(expert, step_id)
    item.locator(f"#stap-{step_id}-letop").fill("Spelling van de voornamen nagaan.")
    item.get_by_role("link", name="Annuleren").click()
    dialogs.wait_for(expert, 1)
    assert dialogs.seen == ["confirm"]
    expect(item.locator(f"#stap-{step_id}-letop")).to_have_value(
        "Spelling van de voornamen nagaan."
    )
    dialogs.accept = True
    item.get_by_role("link", name="Annuleren").click()
    expect(item).to_have_attribute("data-mode", "view")
    expert.reload()
    expect(expert.locator(f"#stap-{step_id}")).to_have_attribute("data-mode", "view")


# ---- two experts, one step -------------------------------------------------------------------


def test_two_experts_on_one_step_keep_both_changes_once(browser, console, service) -> None:
    """Eva rewords the start of an instruction, Erik adds a sentence at its end and a
    "let op": his save merges hers in by itself; he checks it and saves, each change once."""
    console.allow("status of 412")  # the browser logs the conflict answer; it is expected
    slug, step_id = "aangifte-geboorte", "controleer-termijn"
    before = service.step(slug, step_id)["instruction"]
    first_word = before.split()[0]
    eva_context, erik_context = new_context(browser, console), new_context(browser, console)
    try:
        eva, erik = eva_context.new_page(), erik_context.new_page()
        log_in(eva, service.url, "eva", f"/redactie/taken/{slug}")
        log_in(erik, service.url, "erik", f"/redactie/taken/{slug}")
        eva_step, erik_step = open_step(eva, step_id), open_step(erik, step_id)
        theirs = before.replace(first_word, f"{first_word} altijd", 1)
        eva_step.locator(f"#stap-{step_id}-instructie").fill(theirs)
        erik_step.locator(f"#stap-{step_id}-instructie").fill(
            before + " Noteer de datum van de aangifte."
        )
        erik_step.locator(f"#stap-{step_id}-letop").fill("Een weekend telt niet mee.")
        eva_step.get_by_role("button", name="Stap opslaan").click()
        expect(eva_step).to_have_attribute("data-mode", "view")
        erik_step.get_by_role("button", name="Stap opslaan").click()
        conflict = erik_step.locator(".conflict")
        expect(conflict).to_be_visible()
        expect(conflict.locator(f"#stap-{step_id}-conflict")).to_be_focused()
        expect(conflict).to_contain_text("beide wijzigingen staan hieronder al in het formulier")
        expect(erik_step.locator("input[type=radio]")).to_have_count(0)  # nothing to choose
        merged = erik_step.locator(f"#stap-{step_id}-instructie")
        expect(merged).to_have_value(theirs + " Noteer de datum van de aangifte.")
        expect(erik_step.locator(f"#stap-{step_id}-letop")).to_have_value(
            "Een weekend telt niet mee."
        )
        erik_step.scroll_into_view_if_needed()
        erik_step.screenshot(path=service.shots / "editor-merge-clean.png", caret="initial")
        assert axe_findings(erik) == []
        erik_step.get_by_role("button", name="Samengevoegde versie opslaan").click()
        expect(erik_step).to_have_attribute("data-mode", "view")
        saved = service.step(slug, step_id)
        assert saved["instruction"] == theirs + " Noteer de datum van de aangifte."
        assert saved["instruction"].count("altijd") == before.count("altijd") + 1
        assert saved["instruction"].count("Noteer de datum van de aangifte.") == 1
        assert saved["warning"] == "Een weekend telt niet mee."
        expect(eva.locator(f"#stap-{step_id}")).to_have_attribute("data-refreshed", "erik")
    finally:
        for context in (eva_context, erik_context):
            context.close()
    assert console.errors == [], "the pages logged errors"


def test_a_colleagues_save_does_not_take_the_focus_from_a_form_still_settling(
    browser, console, service
) -> None:
    """Erik opens a step; before his form has settled, Eva's save of another step refreshes
    that step on his page. His form still gets the focus: the quiet refresh takes nothing
    that is not its own. (htmx settles after a delay; here Erik's is made long, so the
    refresh always falls inside it, as it sometimes does on a busy machine.)"""
    slug = "aangifte-geboorte"
    erik_step_id, eva_step_id = "controleer-erkenning", "informeer-over-bsn"
    eva_context, erik_context = new_context(browser, console), new_context(browser, console)
    try:
        eva, erik = eva_context.new_page(), erik_context.new_page()
        log_in(eva, service.url, "eva", f"/redactie/taken/{slug}")
        log_in(erik, service.url, "erik", f"/redactie/taken/{slug}")
        eva_step = open_step(eva, eva_step_id)
        eva_step.locator(f"#stap-{eva_step_id}-letop").fill("Het BSN komt per post.")
        erik.evaluate(
            """() => document.addEventListener('htmx:beforeSwap', (event) => {
                 if (event.detail.pathInfo.requestPath.endsWith('/bewerken')) {
                   event.detail.swapOverride = 'outerHTML settle:6000ms';
                 }
               })"""
        )
        erik_step = erik.locator(f"#stap-{erik_step_id}")
        erik_step.get_by_role("link", name="Bewerken").click()
        erik_title = erik_step.locator(f"#stap-{erik_step_id}-titel")
        expect(erik_title).to_be_attached()  # swapped in; settles in 6 s
        eva_step.get_by_role("button", name="Stap opslaan").click()
        expect(erik.locator(f"#stap-{eva_step_id}")).to_have_attribute("data-refreshed", "eva")
        expect(erik_title).not_to_be_focused()  # still settling: the refresh came first
        expect(erik_title).to_be_focused(timeout=10_000)
    finally:
        for context in (eva_context, erik_context):
            context.close()
    assert console.errors == [], "the pages logged errors"


def test_a_real_conflict_is_chosen_word_by_word_by_keyboard(browser, console, service) -> None:
    console.allow("status of 412")
    slug, step_id = "aangifte-geboorte", "controleer-erkenning"
    eva_context, erik_context = new_context(browser, console), new_context(browser, console)
    try:
        eva, erik = eva_context.new_page(), erik_context.new_page()
        log_in(eva, service.url, "eva", f"/redactie/taken/{slug}")
        log_in(erik, service.url, "erik", f"/redactie/taken/{slug}")
        eva_step, erik_step = open_step(eva, step_id), open_step(erik, step_id)
        eva_step.locator(f"#stap-{step_id}-waarom").fill("Eva: de wet geeft drie werkdagen.")
        erik_step.locator(f"#stap-{step_id}-waarom").fill(
            "Erik: te laat is een melding aan het OM."
        )
        eva_step.get_by_role("button", name="Stap opslaan").click()
        expect(eva_step).to_have_attribute("data-mode", "view")
        erik_step.get_by_role("button", name="Stap opslaan").click()
        choices = erik_step.locator(".merge-field")
        expect(choices).to_have_count(1)
        expect(choices).to_contain_text("Waarom: kies per plaats welke tekst blijft")
        expect(choices.locator(".merge-place")).to_have_count(1)
        expect(choices).to_contain_text("Tekst van eva:")
        expect(choices).to_contain_text("Eva: de wet geeft drie werkdagen.")
        expect(choices).to_contain_text("Erik: te laat is een melding aan het OM.")
        erik_step.scroll_into_view_if_needed()
        erik_step.screenshot(path=service.shots / "editor-merge-conflict.png", caret="initial")
        assert axe_findings(erik) == []
        both = erik_step.get_by_label("Allebei:")
        tab_to(erik, erik_step.get_by_label("Tekst van eva:"))
        erik.keyboard.press("ArrowDown")
        erik.keyboard.press("ArrowDown")
        expect(both).to_be_checked()
        tab_to(erik, erik_step.get_by_role("button", name="Samengevoegde versie opslaan"))
        erik.keyboard.press("Enter")
        expect(erik_step).to_have_attribute("data-mode", "view")
        why = service.step(slug, step_id)["why"]
        assert why == "Eva: de wet geeft drie werkdagen. Erik: te laat is een melding aan het OM."
    finally:
        for context in (eva_context, erik_context):
            context.close()
    assert console.errors == [], "the pages logged errors"


# ---- the review screen -----------------------------------------------------------------------


def test_the_reviewer_sees_what_changed_and_publishes(browser, console, service) -> None:
    slug = "reisdocument-uitreiken"  # critical: eva edits, ruth (a second person) publishes
    context = new_context(browser, console)
    try:
        eva = context.new_page()
        log_in(eva, service.url, "eva", f"/redactie/taken/{slug}")
        steps = service.draft(slug)["steps"]
        item = open_step(eva, steps[1]["id"])
        title = item.locator(f"#stap-{steps[1]['id']}-titel")
        title.fill(steps[1]["title"] + " en de woonsituatie")
        item.get_by_role("button", name="Stap opslaan").click()
        expect(item).to_have_attribute("data-mode", "view")
        eva.locator(f"#stap-{steps[-1]['id']}").get_by_role("button", name="Omhoog").click()
        expect(eva.locator(".step-item").nth(len(steps) - 2)).to_have_attribute(
            "data-step", steps[-1]["id"]
        )
        eva.get_by_role("button", name="Indienen ter controle").click()
        expect(eva.locator("#taakstatus")).to_have_text("Ingediend")
        # Leave the editor first: its live stream would meet the ended login with a 401.
        eva.goto("about:blank")
        context.clear_cookies()
        log_in(eva, service.url, "ruth", f"/redactie/taken/{slug}")
        box = eva.locator("#werkstroom")
        box.get_by_role("link", name="Wat is er veranderd").click()
        expect(eva).to_have_url(f"{service.url}/redactie/taken/{slug}/wijzigingen")
        expect(eva.locator(".changes-summary")).to_contain_text(
            "1 stap verplaatst, 1 stap gewijzigd"
        )
        changed = eva.locator(f"#wijziging-{steps[1]['id']}")
        expect(changed.locator("ins")).to_contain_text("en de woonsituatie")
        expect(changed).to_contain_text("Gewijzigd door eva")
        eva.screenshot(
            path=service.shots / "editor-review-diff.png", full_page=True, caret="initial"
        )
        assert axe_findings(eva) == []
        publish = eva.get_by_role("button", name="Publiceren")
        tab_to(eva, publish)
        eva.keyboard.press("Enter")
        expect(eva.locator("#taakstatus")).to_have_text("Gepubliceerd")
        newest = service.draft(slug)["published_version"]
        eva.goto(f"{service.url}/redactie/taken/{slug}/versies?van={newest - 1}&naar={newest}")
        expect(eva.locator("#versieverschil")).to_contain_text(
            f"Versie {newest - 1} naast versie {newest}"
        )
        expect(eva.locator("#versieverschil ins").first).to_be_visible()
        eva.screenshot(
            path=service.shots / "editor-versions-readable-diff.png",
            full_page=True,
            caret="initial",
        )
        assert axe_findings(eva) == []
    finally:
        context.close()
    assert console.errors == [], "the pages logged errors"
