"""Help at the field, on the demo desk: the open step's tip beside its field, its checks on
what is typed (a mistyped BSN, a date outside the window, a postcode's form), told at the
field and in the panel, and nothing typed ever sent; the case software's finish button,
pressed with mandatory steps unticked, makes the overlay warn without stopping it."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from overlay import open_panel, shown_task
from playwright.sync_api import Page, expect

from epss.resources import shipped
from epss.taskfile import load_paths

DOCUMENTS = {item.document.slug: item.document for item in load_paths([shipped("tasks")])}
NOTE = ".hl-note"


def open_step(page: Page, step_id: str) -> None:
    step = page.locator(f'.epss-step[data-step="{step_id}"]')
    toggle = step.locator(".epss-step-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.locator(".hl-box")).to_be_visible()


def serious_findings(page: Page) -> list:
    results = Axe().run(page, context="epss-overlay")
    return [
        (v["id"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def said_in_panel(page: Page, step_id: str):
    return page.locator(f'.epss-step[data-step="{step_id}"] .epss-atfield-said')


def test_a_mistyped_bsn_is_flagged_at_the_field_and_never_sent(page: Page, stack) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.url} {r.post_data or ''}"))
    page.goto(stack.service.url + "/demo/erkenning")
    open_panel(page)
    shown_task(page)
    open_step(page, "vul-bsn-geboren-kind-in")
    expect(page.locator(NOTE)).to_have_text("Alleen bij een kind dat al geboren is.")

    page.locator("#kind-bsn").fill("123456789")
    expect(page.locator(f"{NOTE} .hl-problem")).to_have_text(
        "⚠ Dit is geen geldig BSN: het heeft 9 cijfers en moet de elfproef doorstaan."
    )
    expect(said_in_panel(page, "vul-bsn-geboren-kind-in")).to_have_text(
        "Bij het veld: Dit is geen geldig BSN: het heeft 9 cijfers en moet de elfproef doorstaan."
    )
    page.locator("#kind-bsn").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('#kind-bsn').scrollIntoView({block: 'center'})")
    page.wait_for_timeout(400)
    page.screenshot(path=stack.screenshots / "field-help-bsn.png", caret="initial")
    page.locator("#kind-bsn").press("Tab")  # the next field is not hidden under the note
    page.wait_for_function(
        """() => {
          const f = document.activeElement.getBoundingClientRect();
          const note = document.querySelector('epss-overlay').shadowRoot.querySelector('.hl-note');
          const n = note && note.getBoundingClientRect();
          const apart = f.right <= n.left || n.right <= f.left;
          return n && (apart || f.bottom <= n.top || n.bottom <= f.top);
        }""",
        timeout=2000,
    )

    page.locator("#kind-bsn").fill("111222333")
    expect(page.locator(f"{NOTE} .hl-problem")).to_have_count(0)
    expect(said_in_panel(page, "vul-bsn-geboren-kind-in")).to_have_text("Bij het veld: in orde")
    assert serious_findings(page) == []
    page.wait_for_timeout(300)  # what the queue would send, it has sent by now
    assert not [r for r in sent if "123456789" in r or "111222333" in r]


def test_a_date_outside_the_window_is_told_in_the_authors_words(page: Page, stack) -> None:
    page.goto(stack.service.url + "/demo/geboorte/aangifte")
    open_panel(page)
    shown_task(page)
    open_step(page, "controleer-termijn")
    step = DOCUMENTS["aangifte-geboorte"].steps
    [termijn] = [s for s in step if s.id == "controleer-termijn"]
    [window] = [c for c in termijn.field_checks if c.kind == "date"]
    # The demo's cases are of 17-03-2026 (data-epss-today): the child born on the 14th is in time.
    expect(said_in_panel(page, "controleer-termijn")).to_have_text("Bij het veld: in orde")
    expect(page.locator(NOTE)).to_have_text(termijn.field_tip or "")

    page.locator("#geboortedatum").fill("10-03-2026")
    expect(page.locator(f"{NOTE} .hl-problem")).to_have_text(f"⚠ {window.message}")
    page.locator("#geboortedatum").fill("31-02-2026")
    expect(page.locator(f"{NOTE} .hl-problem")).to_have_text(
        "⚠ Dit is geen datum; schrijf dd-mm-jjjj."
    )
    page.locator("#geboortedatum").fill("")
    expect(page.locator(f"{NOTE} .hl-problem")).to_have_count(0)  # not until the person leaves
    page.locator("#geboortedatum").blur()
    expect(page.locator(f"{NOTE} .hl-problem")).to_have_text("⚠ Dit veld is nog leeg.")
    page.screenshot(path=stack.screenshots / "field-help-date.png", caret="initial")


def test_a_postcode_of_the_wrong_form_is_flagged(page: Page, stack) -> None:
    page.goto(stack.service.url + "/demo/verhuizing")
    open_panel(page)
    shown_task(page)
    open_step(page, "vraag-nieuw-adres")
    page.locator("#postcode").fill("4871 hw")
    expect(said_in_panel(page, "vraag-nieuw-adres")).to_have_text(
        "Bij het veld: Een postcode is 4 cijfers en 2 hoofdletters, zoals 1234 AB."
    )
    page.locator("#postcode").fill("4871 HW")
    expect(said_in_panel(page, "vraag-nieuw-adres")).to_have_text("Bij het veld: in orde")
    # Another step: the field's help goes with the ring.
    open_step(page, "controleer-verhuisdatum")
    expect(said_in_panel(page, "vraag-nieuw-adres")).to_have_text("Bij het veld: in orde")
    expect(page.locator(NOTE)).to_have_text(
        "Niet eerder dan 4 weken vóór en niet later dan 5 dagen na de verhuizing."
    )


def mandatory_titles(slug: str) -> list[str]:
    return [s.title for s in DOCUMENTS[slug].steps if s.mandatory]


def test_finishing_with_mandatory_steps_unticked_warns_on_the_next_page(page: Page, stack) -> None:
    page.goto(stack.service.url + "/demo/reisdocument/aanvraag")
    open_panel(page)
    shown_task(page)
    first = page.locator(".epss-step").first
    first.locator(".epss-tick").check()
    page.locator(".epss-close").click()

    page.get_by_role("button", name="Aanvraag afronden").click()  # a form: the page reloads
    expect(page).to_have_url(re.compile(r"actie=afronden"))  # the press went through
    notice = page.locator(".epss-notice")
    left = mandatory_titles("reisdocument-aanvragen")[1:]
    expect(notice).to_be_visible()
    title = DOCUMENTS["reisdocument-aanvragen"].title
    expect(notice.locator("p")).to_have_text(
        f'Let op: {len(left)} verplichte stappen van "{title}" zijn nog niet afgevinkt:'
    )
    expect(notice.locator("li").first).to_have_text(f"Stap 2: {left[0]}")
    page.screenshot(path=stack.screenshots / "finish-warning.png", caret="initial")
    assert serious_findings(page) == []
    notice.get_by_role("button", name="Toon de stappen").click()
    expect(notice).to_be_hidden()
    expect(page.locator(".epss-panel")).to_be_visible()
    page.reload()  # told once: closed, it does not come back
    expect(page.locator(".epss-launcher")).to_be_visible()
    page.wait_for_timeout(500)
    expect(notice).to_be_hidden()


def test_finishing_with_every_mandatory_step_ticked_says_nothing(page: Page, stack) -> None:
    page.goto(stack.service.url + "/demo/app/verhuizing")  # the single-page variant
    open_panel(page)
    shown_task(page)
    for step in DOCUMENTS["verhuizing-doorgeven"].steps:
        if step.mandatory:
            page.locator(f'.epss-step[data-step="{step.id}"] .epss-tick').check()
    page.locator(".epss-close").click()
    page.get_by_role("button", name="Verhuizing verwerken").click()
    page.wait_for_timeout(500)
    expect(page.locator(".epss-notice")).to_be_hidden()

    page.locator(".epss-launcher").click()
    page.locator('[data-step="verwerk-in-brp"] .epss-tick').uncheck()  # a mandatory step undone
    page.locator(".epss-close").click()
    page.get_by_role("button", name="Verhuizing verwerken").click()
    expect(page.locator(".epss-notice")).to_contain_text("1 verplichte stap van")


def test_without_a_case_hint_a_finished_visit_ends_with_the_finish_button(
    page: Page, stack
) -> None:
    """The host page says no case: the ticks last the visit. Done and finished, the next
    citizen at the same screen starts afresh, and their finish is warned about again."""
    page.goto(stack.host_url("plain"))
    page.evaluate(
        """() => {
          const hints = document.querySelectorAll('[data-epss-case]');
          hints.forEach((e) => e.removeAttribute('data-epss-case'));
          const finish = document.createElement('button');
          finish.type = 'button'; finish.name = 'actie'; finish.className = 'knop--primair';
          finish.textContent = 'Verhuizing verwerken';
          document.body.append(finish);
        }"""
    )
    page.wait_for_timeout(400)  # the overlay reads the page again every 250 ms
    open_panel(page)
    shown_task(page)
    for tick in page.locator(".epss-tick").all():
        tick.check()
    page.locator(".epss-close").click()
    finish = page.get_by_role("button", name="Verhuizing verwerken")
    finish.click()
    page.wait_for_timeout(500)
    expect(page.locator(".epss-notice")).to_be_hidden()  # every step was done

    finish.click()  # the next citizen, nothing ticked
    expect(page.locator(".epss-notice")).to_contain_text(
        f"{len(mandatory_titles('verhuizing-doorgeven'))} verplichte stappen"
    )
