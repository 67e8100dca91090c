"""The panel shares the screen: docked beside the page (which makes room), never dimming it;
folded to a slim strip with the current step; on the left or the right; as wide as the
person makes it, by pointer or keyboard; kept for the next time."""

from __future__ import annotations

from overlay import LAUNCHER, open_panel, shown_task
from playwright.sync_api import Page, expect

MARGIN = "(side) => getComputedStyle(document.documentElement)['margin' + side]"


def opened(page: Page, stack) -> None:
    """The panel open on the host page, in a window wide enough to dock it."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)


def panel_width(page: Page) -> int:
    return page.locator(".epss-panel").evaluate("(el) => el.offsetWidth")


def test_the_panel_docks_beside_the_page_and_never_dims_it(page: Page, stack) -> None:
    opened(page, stack)
    assert page.evaluate(MARGIN, "Right") == f"{panel_width(page)}px"  # the page makes room
    ring = page.locator(".hl-box")
    expect(ring).to_be_visible()  # the first step's field, pointed out
    assert "200vmax" not in ring.evaluate("(el) => getComputedStyle(el).boxShadow")
    page.keyboard.press("Escape")
    assert page.evaluate(MARGIN, "Right") == "0px"


def test_folded_to_a_strip_it_shows_the_current_step(page: Page, stack) -> None:
    opened(page, stack)
    page.get_by_role("button", name="Inklappen").click()
    strip = page.locator(".epss-strip")
    expect(strip).to_be_focused()
    expect(strip).to_have_text("Stap 1 van 10")
    expect(strip).to_have_accessible_name("Uitklappen: Stap 1 van 10, Neem de verhuismelding aan")
    expect(page.locator(".epss-steps")).to_be_hidden()
    assert page.evaluate(MARGIN, "Right") == f"{panel_width(page)}px" == "48px"
    page.screenshot(path=stack.screenshots / "panel-strip.png", caret="initial")
    page.keyboard.press("Enter")  # unfolded again, by keyboard
    expect(page.locator(".epss-steps")).to_be_visible()
    assert panel_width(page) == 380


def test_left_or_right_and_as_wide_as_wanted_kept_for_next_time(page: Page, stack) -> None:
    opened(page, stack)
    page.get_by_role("button", name="Naar links").click()
    assert page.locator(".epss-panel").evaluate("(el) => el.getBoundingClientRect().left") == 0
    assert page.evaluate(MARGIN, "Left") == "380px" and page.evaluate(MARGIN, "Right") == "0px"
    grip = page.get_by_role("separator", name="Breedte van het paneel")
    grip.focus()
    page.keyboard.press("ArrowRight")  # on the left, wider to the right
    page.keyboard.press("ArrowRight")
    assert panel_width(page) == 460
    expect(grip).to_have_attribute("aria-valuenow", "460")
    page.screenshot(path=stack.screenshots / "panel-left-wide.png", caret="initial")

    page.reload()
    page.locator(LAUNCHER).wait_for()
    open_panel(page)
    shown_task(page)
    assert panel_width(page) == 460
    assert page.evaluate(MARGIN, "Left") == "460px"
    expect(page.get_by_role("button", name="Naar rechts")).to_be_visible()


def test_in_a_narrower_window_it_narrows_to_stay_beside_the_page(page: Page, stack) -> None:
    """The page keeps 640 px beside the panel: at 1000 px the panel gives up 20 px of its
    380 to dock; where even 300 px would not leave that, it lies over the page at the width
    chosen; and it follows the window as it is resized."""
    opened(page, stack)
    page.set_viewport_size({"width": 1000, "height": 800})
    page.wait_for_function(
        "() => getComputedStyle(document.documentElement).marginRight === '360px'"
    )
    assert panel_width(page) == 360
    page.screenshot(path=stack.screenshots / "panel-1000.png", caret="initial")
    page.set_viewport_size({"width": 900, "height": 800})
    page.wait_for_function("() => getComputedStyle(document.documentElement).marginRight === '0px'")
    assert panel_width(page) == 380
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function(
        "() => getComputedStyle(document.documentElement).marginRight === '380px'"
    )
    assert panel_width(page) == 380
