"""The spotlight (overlay_js/src/highlight.js) on its own, in real Chromium: util.js,
locate.js and highlight.js minified as the bundle does, a shadow root with highlight.css
adopted, and a layer, on a host page of our own (tests/browser/hostpages/highlight-basic.html)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rjsmin

from epss.overlay.bundle import minify_css

SRC = Path(__file__).parents[2] / "overlay_js" / "src"

# Counts the listeners and observers the page holds, so a test can see that hide() undoes
# every setup. Loaded before highlight.js, so its observers are the counting ones.
TRACKER = """
window.__listeners = [];
window.__observers = new Set();
const add = EventTarget.prototype.addEventListener;
const remove = EventTarget.prototype.removeEventListener;
const capture = (o) => (typeof o === 'boolean' ? o : !!(o && o.capture));
EventTarget.prototype.addEventListener = function (type, fn, o) {
  __listeners.push([this, type, fn, capture(o)]);
  return add.call(this, type, fn, o);
};
EventTarget.prototype.removeEventListener = function (type, fn, o) {
  const i = __listeners.findIndex(
    ([t, y, f, c]) => t === this && y === type && f === fn && c === capture(o));
  if (i >= 0) __listeners.splice(i, 1);
  return remove.call(this, type, fn, o);
};
for (const name of ['MutationObserver', 'ResizeObserver']) {
  const Base = window[name];
  window[name] = class extends Base {
    observe(...a) { __observers.add(this); return super.observe(...a); }
    disconnect() { __observers.delete(this); return super.disconnect(); }
  };
}
"""

SETUP = """
({css, waitMs}) => {
  const host = document.createElement('div');
  host.style.cssText = 'position: fixed; top: 0; left: 0; z-index: 2147483647';  // as the overlay's
  document.body.append(host);
  const root = host.attachShadow({mode: 'open'});
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [sheet];
  const layer = document.createElement('div');
  root.append(layer);
  window.layer = layer;
  window.missing = [];
  window.found = [];
  window.hl = createHighlighter(layer, {
    waitMs,
    onMissing: (s) => missing.push(s),
    onFound: (m) => found.push(m.element.id),
  });
  window.spot = () => {
    const box = layer.querySelector('.hl-box');
    return box && box.getBoundingClientRect().toJSON();
  };
  // Whether the spotlight lies on the element (within a pixel).
  window.spotOn = (selector) => {
    const box = spot();
    const el = document.querySelector(selector);
    const r = el && el.getBoundingClientRect();
    const near = (k) => Math.abs(box[k] - r[k]) <= 1;
    return !!box && !!el && ['left', 'top', 'width', 'height'].every(near);
  };
  window.frames = (n = 2) => new Promise((done) => {
    const next = () => (n-- > 0 ? requestAnimationFrame(next) : done());
    next();
  });
}
"""


def load(page, stack, wait_ms: int = 1500) -> None:
    page.goto(stack.host_url("highlight-basic"))
    page.add_script_tag(content=TRACKER)
    code = "\n".join(
        (SRC / f).read_text(encoding="utf-8") for f in ("util.js", "locate.js", "highlight.js")
    )
    page.add_script_tag(content="'use strict';\n" + rjsmin.jsmin(code))
    css = minify_css((SRC / "highlight.css").read_text(encoding="utf-8"))
    page.evaluate(SETUP, {"css": css, "waitMs": wait_ms})


def box_style(page, prop: str) -> str:
    return page.evaluate("p => getComputedStyle(layer.querySelector('.hl-box'))[p]", prop)


def spot_on(page, selector: str) -> dict:
    """Waits until the spotlight lies on the element; its rectangle."""
    page.wait_for_function("s => spotOn(s)", arg=selector, timeout=2000)
    return page.evaluate("spot()")


@pytest.fixture
def still(page):
    """No smooth scrolling, so the page stands still once show() returns."""
    page.emulate_media(reduced_motion="reduce")
    return page


def test_spotlight_lies_on_the_target(still, stack):
    load(still, stack)
    assert still.evaluate("hl.show(['#name']).then((el) => el.id)") == "name"
    box = spot_on(still, "#name")
    assert box["width"] > 100
    assert still.evaluate("found") == ["name"]
    assert still.evaluate("missing") == []
    assert box_style(still, "pointerEvents") == "none"
    assert still.evaluate("getComputedStyle(layer).pointerEvents") == "none"
    # The host page stays usable: a click lands in the field under the spotlight.
    still.click("#name")
    assert still.evaluate("document.activeElement.id") == "name"


def test_a_field_half_under_the_hosts_sticky_bar_is_scrolled_clear(still, stack):
    load(still, stack)
    # The page's fixed header (56 px) covers the field's top edge, not its middle.
    still.evaluate("scrollBy(0, document.querySelector('#name').getBoundingClientRect().top - 40)")
    top = still.evaluate("document.querySelector('#name').getBoundingClientRect().top")
    assert top == pytest.approx(40, abs=1)
    still.evaluate("hl.show(['#name'])")
    box = spot_on(still, "#name")
    assert box["top"] >= 56


def test_first_visible_match_wins(still, stack):
    load(still, stack)
    shown = still.evaluate("hl.show(['#hidden-field', '.dup', '#name']).then((el) => el.id)")
    assert shown == "dup-2"
    spot_on(still, "#dup-2")


def test_follows_page_and_inner_scrolling(still, stack):
    load(still, stack)
    still.evaluate("hl.show(['#inner'])")
    before = spot_on(still, "#inner")
    still.evaluate("scrollBy(0, 120)")
    after = spot_on(still, "#inner")
    assert after["top"] == pytest.approx(before["top"] - 120, abs=1)
    still.evaluate("document.querySelector('#scroller').scrollTop += 60")
    inner = spot_on(still, "#inner")
    assert inner["top"] == pytest.approx(after["top"] - 60, abs=1)


def test_follows_a_viewport_resize(still, stack):
    load(still, stack)
    still.evaluate("hl.show(['#name'])")
    wide = spot_on(still, "#name")
    still.set_viewport_size({"width": 800, "height": 600})
    narrow = spot_on(still, "#name")
    assert narrow["width"] < wide["width"] - 100


def test_follows_layout_changes(still, stack):
    load(still, stack)
    still.evaluate("hl.show(['#bsn'])")
    before = spot_on(still, "#bsn")
    still.evaluate("document.querySelector('#spacer').style.height = '90px'")
    after = spot_on(still, "#bsn")
    assert after["top"] > before["top"] + 80
    # A size change of the target itself.
    still.evaluate("document.querySelector('#bsn').style.width = '400px'")
    assert spot_on(still, "#bsn")["width"] >= 400


def test_target_in_a_fixed_bar(still, stack):
    load(still, stack)
    still.evaluate("hl.show(['#fixed-field'])")
    before = spot_on(still, "#fixed-field")
    still.evaluate("scrollBy(0, 500)")
    still.evaluate("frames()")
    assert spot_on(still, "#fixed-field") == pytest.approx(before, abs=1)


def test_target_in_a_transformed_box(still, stack):
    load(still, stack)
    still.evaluate("hl.show(['#scaled'])")
    box = spot_on(still, "#scaled")
    width = still.evaluate("document.querySelector('#scaled').offsetWidth")
    assert box["width"] > width * 1.4  # scaled by 1.5 (and turned a little)
    still.evaluate("document.querySelector('#turned').style.transform = 'scale(0.8)'")
    assert spot_on(still, "#scaled")["width"] < width


def test_waits_for_a_late_element(still, stack):
    load(still, stack)
    found = still.evaluate("""async () => {
        setTimeout(() => {
          const el = document.createElement('input');
          el.id = 'late';
          document.querySelector('#dark').append(el);
        }, 500);
        const start = performance.now();
        const el = await hl.show(['#late']);
        return {id: el && el.id, ms: performance.now() - start};
    }""")
    assert found["id"] == "late"
    assert 450 <= found["ms"] < 1400
    spot_on(still, "#late")
    assert still.evaluate("missing") == []


def test_a_missing_target_is_reported_once(still, stack):
    load(still, stack, wait_ms=600)
    count = "[__listeners.length, __observers.size]"
    before = still.evaluate(count)
    result = still.evaluate("""async () => {
        const start = performance.now();
        const el = await hl.show(['#nowhere', '.neither']);
        return {el, ms: performance.now() - start};
    }""")
    assert result["el"] is None
    assert result["ms"] >= 590
    still.wait_for_timeout(700)
    assert still.evaluate("missing") == [["#nowhere", ".neither"]]
    assert still.evaluate("spot()") is None
    assert still.evaluate("found") == []
    assert still.evaluate(count) == before  # no longer waiting


def test_invalid_selectors_match_nothing(still, stack):
    load(still, stack, wait_ms=300)
    assert still.evaluate("hl.show(['##kapot', 'input[', '#name']).then((el) => el.id)") == "name"
    assert still.evaluate("hl.show(['::nope(']).then((el) => el)") is None
    assert still.evaluate("missing") == [["::nope("]]


def test_a_new_show_replaces_the_current_one(still, stack):
    load(still, stack)
    result = still.evaluate("""async () => {
        const waiting = hl.show(['#not-yet']);
        const shown = await hl.show(['#bsn']);
        return {first: await waiting, second: shown.id, boxes: layer.children.length};
    }""")
    assert result == {"first": None, "second": "bsn", "boxes": 1}
    spot_on(still, "#bsn")
    still.wait_for_timeout(1700)  # past waitMs of the replaced show(): nothing reported
    assert still.evaluate("missing") == []


def test_a_target_that_goes_away_is_awaited_quietly(still, stack):
    load(still, stack, wait_ms=400)
    still.evaluate("hl.show(['#bsn'])")
    spot_on(still, "#bsn")
    still.evaluate("document.querySelector('#bsn').classList.add('gone')")
    still.wait_for_function("spot() === null", timeout=2000)
    still.evaluate("document.querySelector('#bsn').classList.remove('gone')")
    spot_on(still, "#bsn")
    # Removed and put back as a new element (a re-render).
    still.evaluate("""() => {
        const old = document.querySelector('#bsn');
        const copy = old.cloneNode();
        old.remove();
        setTimeout(() => document.querySelector('#name').after(copy), 600);
    }""")
    still.wait_for_function("spot() === null", timeout=2000)
    spot_on(still, "#bsn")
    assert still.evaluate("missing") == []
    assert still.evaluate("found") == ["bsn"]


def test_hide_undoes_everything(still, stack):
    load(still, stack)
    count = "[__listeners.length, __observers.size]"
    before = still.evaluate(count)
    still.evaluate("hl.show(['#far'])")
    spot_on(still, "#far")
    listening = still.evaluate(count)
    assert listening[0] > before[0] and listening[1] == before[1] + 2
    still.evaluate("hl.hide()")
    assert still.evaluate(count) == before
    assert still.evaluate("layer.children.length") == 0
    still.evaluate("scrollBy(0, -300)")
    still.set_viewport_size({"width": 1000, "height": 700})
    still.evaluate("document.querySelector('#spacer').style.height = '50px'")
    still.wait_for_timeout(300)
    assert still.evaluate("layer.children.length") == 0
    # A pending wait ends with hide() as well: resolved, not reported.
    assert still.evaluate("""async () => {
        const waiting = hl.show(['#never']);
        hl.destroy();
        return [await waiting, await hl.show(['#name'])];
    }""") == [None, None]
    still.wait_for_timeout(1700)
    assert still.evaluate("missing") == []
    assert still.evaluate(count) == before
    assert still.evaluate("layer.children.length") == 0


def test_reduced_motion_scrolls_at_once_without_animation(still, stack):
    load(still, stack)
    scrolled = still.evaluate("hl.show(['#far']); scrollY")
    assert scrolled > 1000
    box = spot_on(still, "#far")
    assert abs(box["top"] + box["height"] / 2 - 400) < 20  # centred in the 800px viewport
    assert box_style(still, "animationName") == "none"


def test_scrolls_smoothly_otherwise(page, stack):
    load(page, stack)
    assert page.evaluate("hl.show(['#far']); scrollY") < 200  # still on its way
    page.wait_for_function("scrollY > 1000", timeout=3000)
    spot_on(page, "#far")
    assert box_style(page, "animationName") == "hl-in"


def test_a_target_in_view_is_not_scrolled_to(still, stack):
    load(still, stack)
    still.evaluate("hl.show(['#bsn'])")
    assert still.evaluate("scrollY") == 0
    # One under the fixed bar is covered: scrolled to.
    still.evaluate("scrollTo(0, 180)")
    still.evaluate("hl.show(['#name'])")
    assert still.evaluate("scrollY") < 180
    spot_on(still, "#name")


def test_screenshot(page, stack):
    load(page, stack)
    page.evaluate("hl.show(['#name'])")
    spot_on(page, "#name")
    page.wait_for_timeout(300)  # the fade-in
    stack.screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=stack.screenshots / "highlight-light.png", caret="initial")
    page.evaluate("hl.show(['#dark-field'])")
    spot_on(page, "#dark-field")
    page.wait_for_timeout(300)
    page.screenshot(path=stack.screenshots / "highlight-dark.png", caret="initial")
