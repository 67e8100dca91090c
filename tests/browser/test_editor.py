"""The editor pages in a real browser, logged in through the login form: a step edited and
moved by keyboard alone, the live Markdown preview, axe-core on every page (no serious or
critical finding), and two experts in two browsers on one task: different steps both
saved, the same step merged with both texts kept (chosen where both changed the same
words), each seeing the other; and what a
colleague submits or restores showing in an editor that is open."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from webpages import DemoService, axe_findings, log_in, start_demo_service

from epss.catalog import import_documents
from epss.db import make_engine, unit_of_work
from epss.drafts.steps import remove_step
from epss.services import Services
from epss.settings import Settings
from tests.conftest import shipped_document


@pytest.fixture(scope="module")
def editors(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    """A service of our own (the demo, with its accounts), so edits here touch no other
    test's tasks."""
    service = start_demo_service(
        stack,
        tmp_path_factory.mktemp("editor-service"),
        "editor-browser-test",
        prepare=_review_dates_due,
    )
    yield service
    service.stop()


def _review_dates_due(settings: Settings) -> None:
    """Two tasks to check: one overdue, one due soon (each a second published version)."""
    today = dt.date.today()
    services = Services.from_settings(settings)
    try:
        with unit_of_work(services.engine) as session:
            documents = [
                shipped_document(slug).model_copy(update={"review_by": today + days})
                for slug, days in (
                    ("twijfel-identiteit-of-document", dt.timedelta(days=-3)),
                    ("reisdocument-uitreiken", dt.timedelta(days=12)),
                )
            ]
            import_documents(session, documents, by="test")
        services.refresh_search_index()
    finally:
        services.close()


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


def tab_to(page: Page, target: Locator, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {target}")


@pytest.fixture
def expert(browser, console, editors) -> Iterator[Page]:
    context = new_context(browser, console)
    page = context.new_page()
    yield page
    context.close()
    assert console.errors == [], "the page logged errors"


# ---- one person, keyboard only ----------------------------------------------------------


def test_a_step_is_edited_by_keyboard_with_a_live_preview(expert: Page, editors) -> None:
    slug, step_id = "verhuizing-doorgeven", "controleer-verhuisdatum"
    log_in(expert, editors.url, "eva", f"/redactie/taken/{slug}")
    item = expert.locator(f"#stap-{step_id}")
    tab_to(expert, item.get_by_role("link", name="Bewerken"))
    expert.keyboard.press("Enter")
    title = expert.locator(f"#stap-{step_id}-titel")
    expect(title).to_be_focused()  # the form opened with the focus in its first field
    expert.keyboard.press("Control+A")
    expert.keyboard.type("Controleer de verhuisdatum (niet in de toekomst)")
    instruction = expert.locator(f"#stap-{step_id}-instructie")
    tab_to(expert, instruction)
    expert.keyboard.press("Control+End")
    expert.keyboard.type("\n\nLet op de **ingangsdatum**.")
    preview = expert.locator(f"#stap-{step_id}-instructie-voorbeeld")
    expect(preview.locator("strong", has_text="ingangsdatum")).to_be_visible()  # live preview
    expert.screenshot(path=editors.shots / "editor-step-form.png", full_page=False, caret="initial")
    assert axe_findings(expert) == []
    tab_to(expert, item.get_by_role("button", name="Stap opslaan"))
    expert.keyboard.press("Enter")
    expect(item.locator("h3")).to_contain_text("Controleer de verhuisdatum (niet in de toekomst)")
    expect(item.get_by_role("link", name="Bewerken")).to_be_focused()
    expect(expert.locator("#editor-status")).to_have_text("De stap is opgeslagen.")
    expect(expert.locator("#taakstatus")).to_have_text("Concept")
    expect(expert.locator("#paneelvoorbeeld")).to_contain_text("ingangsdatum")
    saved = editors.step(slug, step_id)
    assert saved["title"] == "Controleer de verhuisdatum (niet in de toekomst)"
    assert saved["instruction"].endswith("Let op de **ingangsdatum**.")


def test_steps_are_reordered_by_keyboard(expert: Page, editors) -> None:
    slug = "rijbewijs-aanvragen"
    log_in(expert, editors.url, "erik", f"/redactie/taken/{slug}")
    before = [s["id"] for s in editors.draft(slug)["steps"]]
    first = before[0]
    tab_to(expert, expert.locator(f"#stap-{first}").get_by_role("button", name="Omlaag"))
    expert.keyboard.press("Enter")
    expect(expert.locator(".step-item").nth(1)).to_have_attribute("data-step", first)
    expect(expert.locator(f"#stap-{first}").get_by_role("button", name="Omlaag")).to_be_focused()
    expert.keyboard.press("Space")  # again: the focus stayed on the button
    expect(expert.locator(".step-item").nth(2)).to_have_attribute("data-step", first)
    page_order = expert.locator(".step-item").evaluate_all("els => els.map(e => e.dataset.step)")
    assert page_order == [before[1], before[2], first, *before[3:]]
    assert [s["id"] for s in editors.draft(slug)["steps"]] == page_order
    tab_to(
        expert,
        expert.locator(f"#stap-{first}").get_by_role("button", name="Omhoog"),
        backwards=True,
    )
    expert.keyboard.press("Enter")
    expect(expert.locator(".step-item").nth(1)).to_have_attribute("data-step", first)
    expect(expert.locator("#editor-status")).to_have_text("De stap is omhoog verplaatst.")


def test_a_step_is_added_and_removed_after_a_confirmation(expert: Page, editors) -> None:
    slug = "rijbewijs-aanvragen"
    log_in(expert, editors.url, "erik", f"/redactie/taken/{slug}")
    count = expert.locator(".step-item").count()
    adding = expert.locator(".add-step")
    adding.locator("summary").click()
    expert.get_by_label("Id van de stap").fill("bel-terug")
    expert.locator("#nieuw-titel").fill("Bel de aanvrager terug")
    expert.locator("#nieuw-instructie").fill("Bel *binnen een dag* terug.")
    adding.locator("button[type=submit]").click()
    expect(expert.locator(".step-item")).to_have_count(count + 1)
    expect(expert.locator("#stap-bel-terug-titel")).to_be_focused()  # open to fill in
    expert.locator("#stap-bel-terug").get_by_role("link", name="Annuleren").click()
    expert.locator("#stap-bel-terug").get_by_role("link", name="Verwijderen").click()
    expect(expert.locator("#stap-bel-terug-vraag")).to_be_focused()
    assert axe_findings(expert) == []
    expert.get_by_role("button", name="Ja, verwijderen").click()
    expect(expert.locator(".step-item")).to_have_count(count)
    assert "bel-terug" not in [s["id"] for s in editors.draft(slug)["steps"]]


# ---- every page: accessible, and looked at ------------------------------------------------

PAGES = [
    ("editor-list", "/redactie"),
    ("editor-list-filtered", "/redactie?status=draft"),
    ("editor-task", "/redactie/taken/aangifte-geboorte"),
    ("editor-history", "/redactie/taken/verhuizing-doorgeven/geschiedenis"),
    ("editor-versions", "/redactie/taken/twijfel-identiteit-of-document/versies"),
    ("editor-versions-diff", "/redactie/taken/twijfel-identiteit-of-document/versies?van=1&naar=2"),
    ("editor-review", "/redactie/controle"),
    ("editor-import", "/redactie/import"),
    ("editor-export", "/redactie/export"),
]


def test_every_editor_page_has_no_serious_accessibility_finding(
    expert: Page, editors, console
) -> None:
    console.allow("status of 422")  # the browser logs the refused import; it is expected
    log_in(expert, editors.url, "rob", "/redactie")
    for name, path in PAGES:
        expert.goto(editors.url + path)
        expect(expert.locator("h1")).to_be_visible()
        expert.screenshot(path=editors.shots / f"{name}.png", full_page=True, caret="initial")
        assert axe_findings(expert) == [], path
    # "Still correct", the rule test and an import with problems, as shown.
    expert.goto(editors.url + "/redactie/controle")
    expect(expert.locator("#kop-overdue")).to_contain_text("(1)")
    expert.get_by_role("button", name=re.compile("Nog steeds juist.*Twijfel")).click()
    question = expert.locator(".confirm-review p[tabindex]")  # it asks first
    expect(question).to_be_focused()
    expect(question).to_contain_text("Is deze taak nog steeds juist?")
    expect(expert.locator("#kop-overdue")).to_contain_text("(1)")
    expert.screenshot(
        path=editors.shots / "editor-review-question.png", full_page=True, caret="initial"
    )
    assert axe_findings(expert) == []
    expert.keyboard.press("Tab")
    expect(expert.get_by_label("Notitie (niet verplicht)")).to_be_focused()
    expert.keyboard.type("Bronnen nagelopen.")
    expert.keyboard.press("Tab")
    expect(expert.get_by_role("button", name="Ja, nog steeds juist")).to_be_focused()
    expert.keyboard.press("Enter")
    expect(expert.locator("#controlelijsten .message-ok")).to_be_focused()
    expect(expert.locator("#kop-overdue")).to_contain_text("(0)")
    expert.screenshot(
        path=editors.shots / "editor-review-confirmed.png", full_page=True, caret="initial"
    )
    assert axe_findings(expert) == []
    expert.goto(editors.url + "/redactie/taken/aangifte-geboorte")
    expert.get_by_label("Adres (URL of pad)").fill("/demo/geboorte/aangifte")
    expert.get_by_role("button", name="Testen", exact=True).click()
    expect(expert.locator("#regeltest-uitkomst")).to_contain_text("Het paneel toont deze taak")
    expect(expert.locator("#regeltest-uitkomst")).to_be_focused()
    expert.locator("#regeltest-uitkomst").screenshot(
        path=editors.shots / "editor-rule-test.png", caret="initial"
    )
    assert axe_findings(expert) == []
    expert.goto(editors.url + "/redactie/import")
    expert.get_by_label("Taakbestanden (.yaml)").set_input_files(
        files=[
            {
                "name": "kapot.yaml",
                "mimeType": "application/yaml",
                "buffer": b"slug: kapot\ntitle: Kapot\nherzien_op: morgen\n",
            }
        ]
    )
    expert.get_by_role("button", name="Importeren").click()
    outcome = expert.locator("#import-uitkomst")
    expect(outcome).to_contain_text("kapot.yaml, regel 3, het veld 'herzien_op'")
    expect(outcome).to_be_focused()
    expert.screenshot(
        path=editors.shots / "editor-import-problems.png", full_page=True, caret="initial"
    )
    assert axe_findings(expert) == []


# ---- two experts, two browsers, one task -------------------------------------------------


def open_step(page: Page, step_id: str) -> Locator:
    item = page.locator(f"#stap-{step_id}")
    item.get_by_role("link", name="Bewerken").click()
    expect(item.locator(f"#stap-{step_id}-titel")).to_be_focused()
    return item


def test_two_experts_edit_one_task_at_once_and_nobody_loses_work(browser, console, editors) -> None:
    console.allow("status of 412")  # the browser logs the conflict answer; it is expected
    slug = "aangifte-geboorte"
    one, two, three = "identificeer-aangever", "controleer-geboorteplaats", "controleer-termijn"
    eva_context, erik_context = new_context(browser, console), new_context(browser, console)
    try:
        eva, erik = eva_context.new_page(), erik_context.new_page()
        log_in(eva, editors.url, "eva", f"/redactie/taken/{slug}")
        log_in(erik, editors.url, "erik", f"/redactie/taken/{slug}")
        expect(eva.locator("#aanwezig")).to_contain_text("erik")  # who is editing now
        expect(erik.locator("#aanwezig")).to_contain_text("eva")

        # Different steps: both saved, and each sees the other's step refreshed.
        eva_step, erik_step = open_step(eva, one), open_step(erik, two)
        eva_step.locator(f"#stap-{one}-titel").fill("Stel de identiteit vast (Eva)")
        erik_step.locator(f"#stap-{two}-titel").fill("Controleer de geboorteplaats (Erik)")
        eva_step.get_by_role("button", name="Stap opslaan").click()
        expect(eva_step.locator("h3")).to_contain_text("(Eva)")
        expect(erik.locator(f"#stap-{one} h3")).to_contain_text("(Eva)")  # refreshed there
        expect(erik.locator(f"#stap-{two}-titel")).to_have_value(
            "Controleer de geboorteplaats (Erik)"
        )  # and erik's open form left alone
        expect(erik.locator("#editor-status")).to_contain_text("eva")
        erik_step.get_by_role("button", name="Stap opslaan").click()
        expect(erik.locator(f"#stap-{two} h3")).to_contain_text("(Erik)")
        expect(eva.locator(f"#stap-{two} h3")).to_contain_text("(Erik)")
        assert editors.step(slug, one)["title"] == "Stel de identiteit vast (Eva)"
        assert editors.step(slug, two)["title"] == "Controleer de geboorteplaats (Erik)"

        # The same step, the same words: the second to save sees what each changed and
        # chooses (here: both texts); nothing is glued together behind their back.
        eva_step, erik_step = open_step(eva, three), open_step(erik, three)
        eva_step.locator(f"#stap-{three}-waarom").fill("Eva: de wet geeft drie werkdagen.")
        erik_step.locator(f"#stap-{three}-waarom").fill("Erik: te laat is een melding aan het OM.")
        eva_step.get_by_role("button", name="Stap opslaan").click()
        expect(eva.locator(f"#stap-{three}")).to_have_attribute("data-mode", "view")
        expect(erik_step.locator(".live-notice")).to_contain_text(
            "eva heeft deze stap intussen gewijzigd"
        )
        erik_step.get_by_role("button", name="Stap opslaan").click()
        conflict = erik.locator(f"#stap-{three} .conflict")
        expect(conflict).to_be_visible()
        expect(conflict.locator(f"#stap-{three}-conflict")).to_be_focused()
        expect(conflict.locator(".side-theirs")).to_contain_text("Eva: de wet geeft")
        expect(conflict.locator(".side-mine")).to_contain_text("Erik: te laat")
        choice = erik.locator(f"#stap-{three} .merge-field")
        expect(choice).to_contain_text("Waarom: kies per plaats welke tekst blijft")
        erik.screenshot(
            path=editors.shots / "editor-conflict.png", full_page=False, caret="initial"
        )
        conflict.screenshot(path=editors.shots / "editor-conflict-sides.png", caret="initial")
        assert axe_findings(erik) == []
        choice.get_by_label("Allebei:").check()
        erik.get_by_role("button", name="Samengevoegde versie opslaan").click()
        expect(erik.locator(f"#stap-{three}")).to_have_attribute("data-mode", "view")
        why = editors.step(slug, three)["why"]
        assert "Eva: de wet geeft drie werkdagen." in why
        assert "Erik: te laat is een melding aan het OM." in why
        expect(eva.locator("#paneelvoorbeeld")).to_contain_text("Erik: te laat")  # refreshed
        expect(eva.locator(f"#stap-{three}")).to_have_attribute("data-refreshed", "erik")
        expect(eva.locator(f"#stap-{three} .live-notice")).to_have_count(0)
        eva.screenshot(
            path=editors.shots / "editor-two-people.png", full_page=False, caret="initial"
        )

        erik_context.close()  # erik leaves: eva sees it
        expect(eva.locator("#aanwezig")).not_to_contain_text("erik")
    finally:
        for context in (eva_context, erik_context):
            context.close()
    assert console.errors == [], "the pages logged errors"


def test_a_colleagues_submit_and_restore_reach_an_open_editor(browser, console, editors) -> None:
    """Ruth (redacteur) has the task open while Eva changes a step, submits it, and then
    restores the published version: Ruth sees each without reloading, and the comment she
    is writing to send it back is left alone."""
    slug = "reisdocument-aanvragen"
    step = editors.draft(slug)["steps"][0]
    heading = f"#stap-{step['id']} h3"
    eva_context, ruth_context = new_context(browser, console), new_context(browser, console)
    try:
        eva, ruth = eva_context.new_page(), ruth_context.new_page()
        log_in(eva, editors.url, "eva", f"/redactie/taken/{slug}")
        log_in(ruth, editors.url, "ruth", f"/redactie/taken/{slug}")
        expect(ruth.locator("#aanwezig")).to_contain_text("eva")
        expect(ruth.locator("#taakstatus")).to_have_text("Gepubliceerd")

        item = open_step(eva, step["id"])
        item.locator(f"#stap-{step['id']}-titel").fill(f"{step['title']} (Eva)")
        item.get_by_role("button", name="Stap opslaan").click()
        expect(ruth.locator(heading)).to_contain_text("(Eva)")
        expect(ruth.locator("#taakstatus")).to_have_text("Concept")  # the status follows
        expect(ruth.locator("#werkstroom")).to_contain_text("Bewerkt door: eva")

        eva.get_by_role("button", name="Indienen ter controle").click()
        box = ruth.locator("#werkstroom")
        expect(box.get_by_role("button", name="Publiceren")).to_be_visible()
        expect(box).to_contain_text("Ingediend door eva")
        expect(ruth.locator("#taakstatus")).to_have_text("Ingediend")
        expect(ruth.locator("#editor-status")).to_have_text(
            "eva heeft het concept ingediend ter controle."
        )
        assert axe_findings(ruth) == []

        ruth.locator("#opmerking").fill("Stap 1 klopt nog niet")
        eva.goto(f"{editors.url}/redactie/taken/{slug}/versies")
        newest = editors.draft(slug)["published_version"]
        eva.get_by_role("button", name=f"Terugzetten als concept (versie {newest})").click()
        expect(ruth.locator(heading)).not_to_contain_text("(Eva)")
        expect(ruth.locator(heading)).to_contain_text(step["title"])
        expect(ruth.locator("#editor-status")).to_contain_text(
            "eva heeft een eerdere versie teruggezet"
        )
        expect(ruth.locator("#opmerking")).to_have_value("Stap 1 klopt nog niet")
        expect(box.locator(".live-notice")).to_contain_text(
            "eva heeft intussen de status van deze taak gewijzigd"
        )
        expect(ruth.locator("#taakstatus")).to_have_text("Gepubliceerd")
        ruth.screenshot(
            path=editors.shots / "editor-colleague-restored.png", full_page=False, caret="initial"
        )
    finally:
        for context in (eva_context, ruth_context):
            context.close()
    assert console.errors == [], "the pages logged errors"


def test_a_refusal_that_is_no_part_of_the_page_is_shown(expert: Page, console, editors) -> None:
    """A colleague removed the step this expert is about to edit: the service refuses, the
    page says why (in Dutch, in view, read out), and nothing of the page is replaced."""
    console.allow("404")  # the browser and htmx log the refused request themselves
    slug, step_id = "erkenning-en-naamskeuze", "bespreek-gezag"
    log_in(expert, editors.url, "eva", f"/redactie/taken/{slug}")
    item = expert.locator(f"#stap-{step_id}")
    expect(item).to_be_visible()
    engine = make_engine(editors.settings)
    try:
        with unit_of_work(engine) as session:
            version = editors.step(slug, step_id)["version"]
            remove_step(session, slug, step_id, version, by="erik")
    finally:
        engine.dispose()
    item.get_by_role("link", name="Bewerken").click()
    refused = expert.locator("#editor-refused")
    expect(refused).to_be_visible()
    expect(refused).to_be_focused()
    expect(refused).to_contain_text("heeft iemand hem verwijderd")
    expect(item.get_by_role("link", name="Bewerken")).to_be_visible()  # the list stayed
    expert.screenshot(path=editors.shots / "editor-refused.png", full_page=False, caret="initial")
