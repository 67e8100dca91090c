"""Progress in the panel belongs to a case: two citizens in a row each get their own ticks;
without a case hint the ticks last one visit; a new version keeps the ticks of unchanged
steps, marks the changed ones, and says once what changed."""

from __future__ import annotations

from overlay import open_panel, shown_task
from playwright.sync_api import Page, expect
from webpages import publish

from tests.conftest import shipped_document

PROGRESS = ".epss-progress"


def step(page: Page, step_id: str):
    return page.locator(f'.epss-step[data-step="{step_id}"]')


def on_case(page: Page, case: str | None) -> None:
    """The case software shows another case (or none): its data-epss-case hint changes.
    The overlay reads the page again at most every 250 ms."""
    page.evaluate(
        """(c) => {
          const hints = document.querySelectorAll('[data-epss-case]');
          hints.forEach((e) => e.removeAttribute('data-epss-case'));
          if (c) document.body.setAttribute('data-epss-case', c);
        }""",
        case,
    )
    page.wait_for_timeout(400)


def test_two_citizens_in_a_row_each_get_their_own_ticks(page: Page, stack) -> None:
    page.goto(stack.host_url("plain"))
    on_case(page, "Z-2026-0001")
    open_panel(page)
    shown_task(page)
    step(page, "neem-melding-aan").locator(".epss-tick").check()
    step(page, "identificeer-melder").locator(".epss-tick").check()
    expect(page.locator(PROGRESS)).to_have_text("2 van 10 stappen gedaan")

    on_case(page, "Z-2026-0002")  # the next citizen at the desk
    expect(page.locator(PROGRESS)).to_have_text("0 van 10 stappen gedaan")
    expect(step(page, "neem-melding-aan").locator(".epss-tick")).not_to_be_checked()

    on_case(page, "Z-2026-0001")  # back to the first case, ticks and all
    expect(page.locator(PROGRESS)).to_have_text("2 van 10 stappen gedaan")

    page.reload()  # kept in this browser for the case
    on_case(page, "Z-2026-0001")
    open_panel(page)
    expect(page.locator(PROGRESS)).to_have_text("2 van 10 stappen gedaan")
    stored = page.evaluate("() => Object.keys(localStorage).join(' ')")
    assert "Z-2026-0001" not in stored  # the case number is not spelled out in storage


def test_without_a_case_hint_the_ticks_end_with_the_visit(page: Page, stack) -> None:
    page.goto(stack.host_url("plain"))
    on_case(page, None)
    open_panel(page)
    shown_task(page)
    for toggle in page.locator(".epss-tick").all():
        toggle.check()
    expect(page.locator(PROGRESS)).to_have_text("Alle stappen zijn gedaan.")
    page.reload()  # finished: the next citizen starts afresh
    on_case(page, None)
    open_panel(page)
    expect(page.locator(PROGRESS)).to_have_text("0 van 10 stappen gedaan")
    on_case(page, "Z-2026-0003")  # a case appears: nothing of the visit is carried over
    expect(page.locator(PROGRESS)).to_have_text("0 van 10 stappen gedaan")


def test_a_new_version_keeps_the_ticks_of_unchanged_steps_and_says_what_changed(
    page: Page, stack
) -> None:
    first = shipped_document("verhuizing-doorgeven").model_copy(
        update={"slug": "voortgang-proef", "context_rules": []}
    )
    publish(stack.settings, first)

    def open_the_task() -> None:
        page.goto(stack.host_url("plain"))
        page.evaluate("() => document.body.setAttribute('data-epss-task', 'voortgang-proef')")
        on_case(page, "Z-2026-0004")
        open_panel(page)
        shown_task(page)

    open_the_task()
    step(page, "neem-melding-aan").locator(".epss-tick").check()
    step(page, "identificeer-melder").locator(".epss-tick").check()
    expect(page.locator(".epss-news")).to_be_hidden()  # first time: nothing to tell

    steps = list(first.steps)
    steps[1] = steps[1].model_copy(update={"instruction": steps[1].instruction + "\n\nNieuw."})
    publish(stack.settings, first.model_copy(update={"steps": steps}))  # a colleague's change

    open_the_task()
    expect(step(page, "neem-melding-aan").locator(".epss-tick")).to_be_checked()
    changed = step(page, "identificeer-melder")
    expect(changed.locator(".epss-tick")).not_to_be_checked()
    expect(changed.locator(".epss-changed")).to_have_text("gewijzigd sinds u deze stap afvinkte")
    expect(page.locator(".epss-news")).to_contain_text("Gewijzigd sinds u deze taak opende:")
    expect(page.locator(".epss-news li")).to_have_text([f"Stap 2: {steps[1].title}"])
    expect(page.locator(PROGRESS)).to_have_text("1 van 10 stappen gedaan")
    page.screenshot(path=stack.screenshots / "panel-changed-since-ticked.png", caret="initial")

    changed.locator(".epss-tick").check()  # read again and ticked: no longer marked
    expect(changed.locator(".epss-changed")).to_have_count(0)
    open_the_task()  # told once
    expect(page.locator(".epss-news")).to_be_hidden()
    expect(page.locator(PROGRESS)).to_have_text("2 van 10 stappen gedaan")


def test_starting_again_asks_first_and_the_goal_folds_after_the_first_reading(
    page: Page, stack
) -> None:
    page.goto(stack.host_url("plain"))
    on_case(page, "Z-2026-0005")
    open_panel(page)
    shown_task(page)
    expect(page.locator("details.epss-goal")).to_have_attribute("open", "")  # first reading
    step(page, "neem-melding-aan").locator(".epss-tick").check()
    page.get_by_role("button", name="Opnieuw beginnen").click()
    expect(page.get_by_role("button", name="Ja, opnieuw beginnen")).to_be_focused()
    page.get_by_role("button", name="Nee", exact=True).click()  # changed their mind
    expect(page.get_by_role("button", name="Opnieuw beginnen")).to_be_focused()
    expect(page.locator(PROGRESS)).to_have_text("1 van 10 stappen gedaan")
    page.get_by_role("button", name="Opnieuw beginnen").click()
    page.get_by_role("button", name="Ja, opnieuw beginnen").click()
    expect(page.locator(PROGRESS)).to_have_text("0 van 10 stappen gedaan")

    page.reload()
    open_panel(page)
    shown_task(page)
    expect(page.locator("details.epss-goal")).not_to_have_attribute("open", "")  # read before


def test_at_the_demo_desk_the_next_citizen_for_a_passport_starts_with_no_ticks(
    page: Page, stack
) -> None:
    """The demo's work queue has two passport applications: each one's screen tells its
    case, so each citizen has their own ticks, by the links a person follows."""
    page.goto(stack.service.url + "/demo/")
    page.get_by_role("link", name="Behandelen zaak Z-2026-000101").click()
    open_panel(page)
    shown_task(page)
    first = page.locator(".epss-step").first
    first.locator(".epss-tick").check()
    expect(page.locator(PROGRESS)).to_contain_text("1 van ")
    page.get_by_role("button", name="Sluiten").click()

    page.goto(stack.service.url + "/demo/")
    page.get_by_role("link", name="Behandelen zaak Z-2026-000112").click()
    expect(page.locator("[data-epss-case]")).to_have_attribute("data-epss-case", "Z-2026-000112")
    expect(page.get_by_text("Samira Hoekstra").first).to_be_visible()  # the next citizen's case
    open_panel(page)
    shown_task(page)
    expect(page.locator(PROGRESS)).to_contain_text("0 van ")

    page.go_back()
    page.get_by_role("link", name="Behandelen zaak Z-2026-000101").click()
    open_panel(page)
    shown_task(page)
    expect(page.locator(PROGRESS)).to_contain_text("1 van ")
