"""XSS in a real browser: a task whose every step carries a payload of
tests/data/xss-payloads.txt is published, then shown on the task page /taken/{slug} and in
the overlay's panel on a host page, steps expanded, every link clicked. Nothing may run:
no dialog opens, window.__xss (which the payloads try to set) stays undefined, no request
goes to xss.invalid, and the rendered DOM holds no handler, script, frame or unsafe link.

Neither the service's nor the host page's Content-Security-Policy may be what saves us:
the task page is loaded with its CSP header removed, and the panel is shown on a host page
without any CSP (and on one with a strict CSP that also forbids innerHTML)."""

from __future__ import annotations

import datetime as dt

import pytest
from overlay import TITLE as TITLE_SELECTOR
from overlay import open_panel, wait_ready
from playwright.sync_api import Page, expect
from webpages import publish

from epss.taskfile import TaskDocument
from tests.xss_support import MARKDOWN_STEP_FIELDS, RICH_TAGS, load_payloads, payload_line

SLUG = "xss-proef"
TITLE = "XSS-proef <img src=x onerror=window.__xss=1> <script>window.__xss=1</script>"
PAYLOADS = load_payloads()

# Before any script of the page: a click on a link that a browser would follow to an
# http(s), mailto or tel address is stopped (so the test stays on the page); any other
# link (javascript:, vbscript:, data:) is left to do whatever it does.
WATCH = """
addEventListener('click', (e) => {
  const a = e.composedPath().find((n) => n instanceof HTMLAnchorElement);
  if (a && ['http:', 'https:', 'mailto:', 'tel:'].includes(a.protocol)) e.preventDefault();
}, true);
"""

# In the given containers (of the document, or of the overlay's shadow root): what is
# there that should not be; then the events that handlers wait for, and a click on every link.
PROBE = """([inShadow, selector, richTags]) => {
  const root = inShadow ? document.querySelector('epss-overlay').shadowRoot : document;
  const found = [];
  const allowed = new Set(richTags);
  const safe = ['http:', 'https:', 'mailto:', 'tel:'];
  const containers = [...root.querySelectorAll(selector)];
  const elements = containers.flatMap((c) => [...c.querySelectorAll('*')]);
  for (const el of elements) {
    const tag = el.localName;
    if (!allowed.has(tag)) found.push(`<${tag}>`);
    const ns = el.namespaceURI;
    if (ns !== 'http://www.w3.org/1999/xhtml') found.push(`${tag} in ${ns}`);
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith('on')) found.push(`<${tag} ${attr}>`);
      if (attr === 'style') found.push(`<${tag} style>`);
    }
    if (tag === 'a' && el.hasAttribute('href') && !safe.includes(el.protocol)) {
      found.push(`<a href=${el.getAttribute('href')}>`);
    }
  }
  let links = 0;
  for (const el of elements) {
    for (const type of ['mouseover', 'mouseenter', 'pointerenter', 'focus', 'blur']) {
      el.dispatchEvent(new Event(type));
    }
    if (el.localName === 'a') { el.click(); links += 1; }
  }
  return { found, elements: elements.length, links };
}"""


@pytest.fixture(scope="module")
def xss_task(stack) -> TaskDocument:
    """The payload task, published in the running service: one step per payload, the
    payload in every Markdown field and (on one line) as the title of its step; all
    payloads together as the goal; sources with a javascript: and an https URL."""
    steps = [
        {
            "id": f"stap-{n:03d}",
            "title": payload_line(payload),
            "mandatory": n % 2 == 0,
            **dict.fromkeys(MARKDOWN_STEP_FIELDS, payload),
            "sources": ["bron-js", "bron-ok"] if n == 0 else [],
        }
        for n, payload in enumerate(PAYLOADS)
    ]
    document = TaskDocument.model_validate(
        {
            "slug": SLUG,
            "title": TITLE,
            "domain": "burgerzaken",
            "goal": "\n\n".join(PAYLOADS),
            "trigger": PAYLOADS[0],
            "standard": PAYLOADS[1],
            "owner": "<b onmouseover=window.__xss=1>Redactie</b>",
            "review_by": dt.date.today() + dt.timedelta(days=365),
            "sources": [
                {
                    "id": "bron-js",
                    "title": "Bron met javascript:-adres",
                    "url": "javascript:window.__xss=1",
                },
                {
                    "id": "bron-ok",
                    "title": "Bron <img src=x onerror=window.__xss=1>",
                    "url": "https://ok.example/bron",
                },
            ],
            "steps": steps,
        }
    )
    publish(stack.settings, document, by="xss-test")
    return document


class Watch:
    """What the payloads could do that the test would see."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", lambda r: "xss.invalid" in r.url and self.requests.append(r.url))
        page.add_init_script(WATCH)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        if len(self.dialogs) < 20:
            dialog.dismiss()
        else:  # an endless chain (autofocus + onfocus=alert) would hang the test: end it
            self.page.close()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if self.page.is_closed():  # closed by _dialog: say why the test could not go on
            raise AssertionError(f"endless dialogs: {self.dialogs[:5]}") from error

    def assert_nothing_ran(self, url: str) -> None:
        self.page.wait_for_timeout(500)  # time for onerror, animations, a meta refresh
        assert self.dialogs == []
        assert self.page.evaluate("() => typeof window.__xss") == "undefined"
        assert self.requests == []
        assert self.page.url == url


def test_the_task_page_runs_no_payload_even_without_its_csp(
    page: Page, stack, xss_task: TaskDocument
) -> None:
    stripped = []

    def without_csp(route) -> None:
        response = route.fetch()
        headers = {
            k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"
        }
        stripped.append(len(headers) < len(response.headers))
        route.fulfill(response=response, headers=headers)

    url = f"{stack.service.url}/taken/{SLUG}"
    page.route(url, without_csp)
    with Watch(page) as watch:
        page.goto(url)
        assert stripped == [True]  # the page really came without its CSP
        watch.assert_nothing_ran(url)
        expect(page.locator("h1")).to_contain_text(TITLE)  # shown as text, not markup
        assert page.title() == f"{TITLE} — EPSS"
        steps = page.locator("ol.steps > li.step")
        expect(steps).to_have_count(len(PAYLOADS))
        for n in (0, len(PAYLOADS) // 2, len(PAYLOADS) - 1):
            expect(steps.nth(n).locator("h3")).to_contain_text(xss_task.steps[n].title)
        probe = page.evaluate(
            PROBE,
            [
                False,
                ".task-intro > div, ol.steps .instruction, "
                "ol.steps .why, ol.steps .warning, ol.steps .check",
                sorted(RICH_TAGS),
            ],
        )
        assert probe["found"] == []
        assert probe["elements"] > len(PAYLOADS) and probe["links"] > 50
        watch.assert_nothing_ran(url)
        page.screenshot(path=stack.screenshots / "xss-task-page.png", caret="initial")


@pytest.mark.parametrize("host_page", ["plain", "strict"])
def test_the_panel_runs_no_payload_on_a_host_page(
    page: Page, stack, xss_task: TaskDocument, host_page: str
) -> None:
    """On the host page "plain" (no CSP at all) and "strict" (a strict CSP with Trusted
    Types), the host's script names the task on screen with a data-epss-task hint."""
    with Watch(page) as watch:
        url = stack.host_url(host_page)
        csp = page.goto(url).headers.get("content-security-policy")
        assert (csp is None) == (host_page == "plain")
        wait_ready(page)
        page.evaluate(f"() => document.body.setAttribute('data-epss-task', '{SLUG}')")
        open_panel(page)
        expect(page.locator(TITLE_SELECTOR)).to_have_text(TITLE)
        watch.assert_nothing_ran(url)
        toggles = page.locator(".epss-step-toggle")
        expect(toggles).to_have_count(len(PAYLOADS))
        expect(toggles.first).to_have_attribute("aria-expanded", "true")  # the current step
        for n in range(1, len(PAYLOADS)):
            toggles.nth(n).click()
        shown_titles = toggles.evaluate_all("(all) => all.map((t) => t.textContent)")
        for step, shown_title in zip(xss_task.steps, shown_titles, strict=True):
            assert step.title in shown_title  # as text, not markup
        expect(page.locator(".epss-step-body:visible")).to_have_count(len(PAYLOADS))
        probe = page.evaluate(
            PROBE,
            [True, ".epss-goal-text, .epss-text, .epss-note, .epss-sources", sorted(RICH_TAGS)],
        )
        assert probe["found"] == []
        assert probe["elements"] > len(PAYLOADS) and probe["links"] > 50
        # The source with a javascript: URL is shown without a link; the https one keeps it.
        sources = page.locator('.epss-step[data-step="stap-000"] .epss-sources a')
        expect(sources).to_have_count(2)
        assert sources.nth(0).get_attribute("href") is None
        assert sources.nth(1).get_attribute("href") == "https://ok.example/bron"
        watch.assert_nothing_ran(url)
        page.screenshot(path=stack.screenshots / f"xss-panel-{host_page}.png", caret="initial")
