"""What the overlay kept in a browser before it spelled out its stored keys still shows.

"Uw meldingen" lives in localStorage (`epss:feedback:<app>:<user>`). It was kept as
`{id, k, t, n, s, v, a}` (kind, task title, step number, status with `x` for refused,
changed in version, answer); now the keys are spelled out. The overlay converts the old
objects when it first reads them and stores them again, so the person still sees each item
with its status, and what the service says of it later lands in the new keys."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from overlay import open_panel, shown_task
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

APP = "demo-zaaksysteem"
MINE = f"epss:feedback:{APP}:t.tester"  # the user of the plain host page
TASK = "verhuizing-doorgeven"
VERHUIZING = "Verhuizing doorgeven (adreswijziging)"
KEYS = {"id", "kind", "task_title", "step_number", "status", "changed_in_version", "answer"}


def _stored(page: Page) -> list[dict]:
    return page.evaluate(f"() => JSON.parse(localStorage.getItem('{MINE}'))")


def test_feedback_kept_with_one_letter_keys_shows_with_its_status(page: Page, stack) -> None:
    # One item the service knows (its status comes back as "new"); the others it does not,
    # so what the panel says of them is what the browser kept.
    known = str(uuid.uuid4())
    sent = httpx.post(
        f"{stack.service.url}/api/v1/feedback",
        json={
            "id": known,
            "app": APP,
            "task_slug": TASK,
            "task_version": 1,
            "step_id": "identificeer-melder",
            "kind": "onduidelijk",
        },
        timeout=10,
    )
    assert sent.status_code == 201, sent.text
    declined, changed, refused = (str(uuid.uuid4()) for _ in range(3))
    old = [
        {"id": known, "k": "onduidelijk", "t": VERHUIZING, "n": 2},
        {
            "id": declined,
            "k": "suggestie",
            "t": VERHUIZING,
            "n": 1,
            "s": "declined",
            "a": "Het BSN van de partner staat al in stap 5",
        },
        {
            "id": changed,
            "k": "klopt_niet",
            "t": VERHUIZING,
            "n": 3,
            "s": "accepted",
            "v": 2,
            "a": "De lijst met geldige documenten staat er nu bij.",
        },
        {"id": refused, "k": "onduidelijk", "t": VERHUIZING, "n": 4, "s": "x"},
    ]
    page.add_init_script(  # before the overlay loads; once, so a reload keeps what it made
        "if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1');"
        f"localStorage.setItem('{MINE}', JSON.stringify({json.dumps(old)})); }}"
    )
    page.goto(stack.host_url("plain"))
    open_panel(page)
    shown_task(page)

    mine = page.locator(".epss-body > section:last-child")
    expect(mine.get_by_role("heading", name="Uw meldingen")).to_be_visible()
    items = mine.locator("li")
    expect(items).to_have_count(4)
    expect(items.nth(0)).to_contain_text("U meldde: onduidelijk bij stap 2 — in behandeling")
    expect(items.nth(1)).to_contain_text("U meldde: suggestie bij stap 1 — afgewezen")
    expect(items.nth(1).locator("q")).to_have_text("Het BSN van de partner staat al in stap 5")
    expect(items.nth(2)).to_contain_text("U meldde: klopt niet bij stap 3 — aangepast in versie 2")
    expect(items.nth(2).locator("q")).to_have_text(
        "De lijst met geldige documenten staat er nu bij."
    )
    expect(items.nth(3)).to_contain_text("U meldde: onduidelijk bij stap 4 — niet verstuurd")
    for item in items.all():
        expect(item.locator("strong")).to_have_text(VERHUIZING)

    # Stored again with the spelled-out keys (the service's status merged into them).
    assert _stored(page) == [
        {
            "id": known,
            "kind": "onduidelijk",
            "task_title": VERHUIZING,
            "step_number": 2,
            "status": "new",
            "changed_in_version": None,
            "answer": "",
        },
        {
            "id": declined,
            "kind": "suggestie",
            "task_title": VERHUIZING,
            "step_number": 1,
            "status": "declined",
            "answer": "Het BSN van de partner staat al in stap 5",
        },
        {
            "id": changed,
            "kind": "klopt_niet",
            "task_title": VERHUIZING,
            "step_number": 3,
            "status": "accepted",
            "changed_in_version": 2,
            "answer": "De lijst met geldige documenten staat er nu bij.",
        },
        {
            "id": refused,
            "kind": "onduidelijk",
            "task_title": VERHUIZING,
            "step_number": 4,
            "status": "refused",
        },
    ]

    # A later page reads the new shape as it is: the same list, the same keys.
    page.reload()
    open_panel(page)
    expect(items.nth(0)).to_contain_text("in behandeling")
    expect(items.nth(3)).to_contain_text("niet verstuurd")
    assert all(set(item) <= KEYS for item in _stored(page))
    assert [item["id"] for item in _stored(page)] == [known, declined, changed, refused]
