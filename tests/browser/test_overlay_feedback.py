"""Feedback in a real browser: "Onduidelijk" in the panel on a host page reaches the experts'
inbox; the expert accepts it and a new version is published; reopening the panel shows the
sender "aangepast in versie 2". A suggestion declined from the inbox page by keyboard shows
as declined with its reason. A refused feedback item is dropped and the person is told.

These tests publish a new version, so they run against a service of their own (the other
browser tests share one and expect the shipped versions)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from overlay import open_panel, shown_task
from playwright.sync_api import Page, expect
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from webpages import axe_findings, log_in

from epss.app import create_app
from epss.cli import prepare_demo
from epss.db import make_engine
from epss.events import pseudonym
from epss.models import Feedback
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user, publish, shipped_document

HOST_PAGES = Path(__file__).parent / "hostpages"
PASSWORD = "een-lang-wachtwoord"
SECRET = "feedback-browser-secret"
TASK = "verhuizing-doorgeven"
OUTBOX = "() => localStorage.getItem('epss:feedback-out') === null"


@dataclass
class Own:
    service: object  # conftest.LiveServer
    host: object
    settings: Settings
    expert: dict[str, str]  # API token headers

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        return httpx.request(
            method, f"{self.service.url}/api/v1/{path}", headers=self.expert, timeout=10, **kwargs
        )


def _host_app(service_url) -> Starlette:
    """The plain host page (tests/browser/hostpages) with the overlay of our own service."""

    def plain(request: Request) -> Response:
        html = (HOST_PAGES / "plain.html").read_text(encoding="utf-8")
        body = (HOST_PAGES / "_verhuizing.html").read_text(encoding="utf-8")
        return HTMLResponse(
            html.replace("{{VERHUIZING}}", body).replace("{{SERVICE}}", service_url())
        )

    return Starlette(
        routes=[Route("/favicon.ico", lambda r: Response(status_code=204)), Route("/plain", plain)]
    )


@pytest.fixture(scope="module")
def own(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Own]:
    live_server = type(stack.service)  # conftest's LiveServer
    settings = Settings(data_dir=tmp_path_factory.mktemp("feedback-service"), secret_key=SECRET)
    service = live_server(create_app(settings))
    host = live_server(_host_app(lambda: service.url))
    prepare_demo(settings, origin=host.url)
    services = Services.from_settings(settings)
    expert = add_user(services, "e.expert", "expert", password=PASSWORD)
    services.close()
    service.start()
    host.start()
    yield Own(service, host, settings, expert)
    for server in (host, service):
        server.server.should_exit = True


def _stored(own: Own) -> list[Feedback]:
    engine = make_engine(own.settings)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Feedback)).all())
    finally:
        engine.dispose()


def _step(page: Page, step_id: str):
    return page.locator(f'.epss-step[data-step="{step_id}"]')


def _reopen(page: Page) -> None:
    page.get_by_role("button", name="Sluiten").click()
    open_panel(page)


def test_feedback_reaches_the_inbox_and_its_status_comes_back(
    page: Page, browser, own: Own, stack
) -> None:
    page.goto(f"{own.host.url}/plain")
    open_panel(page)
    shown_task(page)
    second = _step(page, "identificeer-melder")
    second.locator(".epss-step-toggle").click()
    second.get_by_role("button", name="Onduidelijk").click()  # a comment may stay empty
    expect(second.get_by_label("Wat is onduidelijk? (mag leeg blijven)")).to_be_focused()
    second.get_by_role("button", name="Versturen").click()
    expect(second.locator(".epss-said")).to_have_text("Bedankt, de redactie kijkt ernaar.")
    mine = page.locator(".epss-body > section:last-child")
    expect(mine.get_by_role("heading", name="Uw meldingen")).to_be_visible()
    expect(mine.locator("li").first).to_contain_text(
        "U meldde: onduidelijk bij stap 2 — in behandeling"
    )  # 201 from the service

    # A suggestion on the first step, typed in the panel.
    first = _step(page, "neem-melding-aan")
    first.get_by_role("button", name="Suggestie").click()
    idea = first.get_by_label("Uw suggestie")
    expect(idea).to_have_accessible_description("Noem geen gegevens van burgers.")
    idea.fill("   ")  # only spaces: not sent, and the field says why
    first.get_by_role("button", name="Versturen").click()
    assert idea.evaluate("(el) => el.validationMessage") == "Vul eerst iets in."
    expect(first.locator(".epss-said")).to_have_text("")
    idea.fill("Vraag ook naar het BSN 123456789 van de partner")
    first.get_by_role("button", name="Versturen").click()
    expect(first.locator(".epss-said")).to_have_text("Bedankt, de redactie kijkt ernaar.")
    page.wait_for_function(OUTBOX, timeout=10000)

    # In the inbox, as the service stored it.
    listed = own.api("GET", "feedback", params={"status": "new"}).json()["feedback"]
    unclear = next(i for i in listed if i["kind"] == "onduidelijk")
    suggestion = next(i for i in listed if i["kind"] == "suggestie")
    assert (unclear["task_slug"], unclear["step_id"], unclear["step_number"]) == (
        TASK,
        "identificeer-melder",
        2,
    )
    assert suggestion["comment"] == "Vraag ook naar het BSN ***** van de partner"
    stored = {f.id: f for f in _stored(own)}
    assert stored[unclear["id"]].actor == pseudonym(SECRET, "t.tester")
    assert stored[unclear["id"]].url == f"{own.host.url}/plain"

    # The expert's inbox page: checked with axe, then a decline done by keyboard only.
    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        log_in(editor, own.service.url, "e.expert", "/redactie/meldingen", PASSWORD)
        expect(editor.get_by_role("heading", name="Meldingen uit de praktijk")).to_be_visible()
        item = editor.locator(f"#melding-{suggestion['id']}")
        expect(item).to_contain_text("Vraag ook naar het BSN ***** van de partner")
        editor.screenshot(
            path=stack.screenshots / "feedback-inbox.png", full_page=True, caret="initial"
        )
        editor.locator(f"#melding-{unclear['id']} summary", has_text="Accepteren").click()
        expect(
            editor.locator(f"#melding-{unclear['id']}").get_by_label(
                "Koppel aan de volgende publicatie van de taak"
            )
        ).to_be_checked()
        editor.screenshot(
            path=stack.screenshots / "feedback-inbox-accept.png", full_page=True, caret="initial"
        )
        assert axe_findings(editor) == []

        item.locator("summary", has_text="Afwijzen").focus()
        editor.keyboard.press("Enter")
        reason = item.get_by_label("Reden")
        expect(reason).to_be_visible()
        editor.keyboard.press("Tab")
        assert editor.evaluate("() => document.activeElement.name") == "reden"
        editor.keyboard.type("Het BSN van de partner staat al in stap 5")
        editor.keyboard.press("Tab")
        editor.keyboard.press("Enter")
        handled = editor.locator(f"#melding-{suggestion['id']} .melding-handled")
        expect(handled).to_contain_text("Afgewezen door e.expert")
        expect(handled).to_be_focused()  # the focus stays on the item it handled
        expect(editor.locator("#editor-status")).to_have_text("Melding afgewezen.")
        editor.screenshot(
            path=stack.screenshots / "feedback-inbox-handled.png", full_page=True, caret="initial"
        )
    finally:
        editor.context.close()

    # The other one is accepted through the API, and the change is published.
    accepted = own.api(
        "POST",
        f"feedback/{unclear['id']}/accept",
        json={"answer": "De lijst met geldige documenten staat er nu bij."},
    )
    assert accepted.status_code == 200, accepted.text
    _reopen(page)
    expect(mine).to_contain_text("U meldde: onduidelijk bij stap 2 — aangenomen")
    services = Services.from_settings(own.settings)
    # Version 2 changes another step: no answer to this person's feedback on step 2 yet.
    publish(services, shipped_document(TASK, why="Zonder melding geen verhuizing."))
    _reopen(page)
    expect(mine.locator("li").nth(1)).to_contain_text(
        "U meldde: onduidelijk bij stap 2 — aangenomen"
    )
    # Version 3 rewords step 2: that is the answer.
    document = shipped_document(TASK)
    steps = list(document.steps)
    steps[1] = steps[1].model_copy(update={"instruction": steps[1].instruction + " Zie de lijst."})
    publish(services, document.model_copy(update={"steps": steps}))
    services.close()
    _reopen(page)
    expect(mine.locator("li").nth(1)).to_contain_text(
        "U meldde: onduidelijk bij stap 2 — aangepast in versie 3"
    )
    expect(mine.locator("li").nth(1)).to_contain_text(
        "De lijst met geldige documenten staat er nu bij."
    )
    expect(mine.locator("li").first).to_contain_text("U meldde: suggestie bij stap 1 — afgewezen")
    expect(mine.locator("li").first).to_contain_text("Het BSN van de partner staat al in stap 5")
    # No stray text between the parts of the panel (an empty list once showed as "0").
    assert (
        page.evaluate(
            "() => [...document.querySelector('epss-overlay').shadowRoot"
            ".querySelector('.epss-view').childNodes]"
            ".filter((n) => n.nodeType === Node.TEXT_NODE).length"
        )
        == 0
    )
    mine.scroll_into_view_if_needed()
    page.locator(".epss-panel").screenshot(
        path=stack.screenshots / "feedback-panel.png", caret="initial"
    )
    results = Axe().run(page, context="epss-overlay")
    assert [
        v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ] == []

    # At another workstation this browser's list is empty, but the panel points to all of
    # it: the person's own page on the service, signed in under the same name.
    services = Services.from_settings(own.settings)
    add_user(services, "t.tester", "medewerker", password=PASSWORD)
    services.close()
    elsewhere = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        elsewhere.goto(f"{own.host.url}/plain")
        open_panel(elsewhere)
        shown_task(elsewhere)
        there = elsewhere.locator(".epss-body > section:last-child")
        expect(there.locator("li")).to_have_count(0)
        there.scroll_into_view_if_needed()
        elsewhere.locator(".epss-panel").screenshot(
            path=stack.screenshots / "feedback-elsewhere.png",
            caret="initial",
        )
        link = there.get_by_role("link", name="Al uw meldingen en de antwoorden, op elke werkplek")
        with elsewhere.expect_popup() as opened:
            link.click()
        mine_page = opened.value
        mine_page.get_by_label("Naam").fill("t.tester")
        mine_page.get_by_label("Wachtwoord").fill(PASSWORD)
        mine_page.get_by_role("button", name="Inloggen").click()
        expect(mine_page).to_have_url(re.compile(re.escape(f"{own.service.url}/mijn-gegevens")))
        section = mine_page.locator("table.my-feedback")
        expect(mine_page.get_by_role("heading", name=re.compile(r"^Uw meldingen"))).to_be_visible()
        expect(section).to_contain_text("De lijst met geldige documenten staat er nu bij.")
        expect(section).to_contain_text("Het BSN van de partner staat al in stap 5")
    finally:
        elsewhere.context.close()


def test_refused_feedback_is_dropped_and_the_person_is_told(page: Page, own: Own, console) -> None:
    console.allow("422")  # the refused item, as the browser logs it
    bad = {
        "id": str(uuid.uuid4()),
        "app": "demo-zaaksysteem",
        "task_slug": TASK,
        "task_version": 99,
        "step_id": "neem-melding-aan",
        "kind": "onduidelijk",
    }
    good = {**bad, "id": str(uuid.uuid4()), "task_version": 1}
    mine = [
        {"id": bad["id"], "k": "onduidelijk", "t": "Verhuizing", "n": 1},
        {"id": good["id"], "k": "onduidelijk", "t": "Verhuizing", "n": 1},
    ]
    page.add_init_script(
        f"if (!sessionStorage.getItem('seeded')) {{ sessionStorage.setItem('seeded', '1');"
        f"localStorage.setItem('epss:feedback-out', JSON.stringify({json.dumps([bad, good])}));"
        f"localStorage.setItem('epss:feedback:demo-zaaksysteem:t.tester', "
        f"JSON.stringify({json.dumps(mine)})); }}"
    )
    page.goto(f"{own.host.url}/plain")
    open_panel(page)  # within the 3 s before the outbox sends what an earlier page left
    shown_task(page)
    expect(_step(page, "neem-melding-aan").locator(".epss-said")).to_have_text(
        "Uw melding is geweigerd.", timeout=10000
    )
    page.wait_for_function(OUTBOX, timeout=10000)
    listed = page.locator(".epss-body > section:last-child li")
    expect(listed.nth(0)).to_contain_text("niet verstuurd")
    expect(listed.nth(1)).to_contain_text("in behandeling")
    assert {f.id for f in _stored(own)} >= {good["id"]}
    assert bad["id"] not in {f.id for f in _stored(own)}


def test_a_double_click_sends_one_feedback(page: Page, own: Own) -> None:
    """A busy desk clicks twice: the form opens once and one feedback is stored."""
    page.goto(f"{own.host.url}/plain")
    open_panel(page)
    shown_task(page)
    step = _step(page, "neem-melding-aan")
    before = len(_stored(own))
    step.get_by_role("button", name="Klopt niet").dblclick()
    comment = step.get_by_label("Wat klopt er niet? (mag leeg blijven)")
    expect(comment).to_be_visible()
    comment.fill("De stap noemt het formulier niet")
    step.get_by_role("button", name="Versturen").dblclick()
    expect(step.locator(".epss-said")).to_have_text("Bedankt, de redactie kijkt ernaar.")
    page.wait_for_function(OUTBOX, timeout=10000)
    stored = _stored(own)
    assert len(stored) == before + 1
    assert [f.comment for f in stored].count("De stap noemt het formulier niet") == 1
    listed = page.locator(".epss-body > section:last-child li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("U meldde: klopt niet bij stap 1")
