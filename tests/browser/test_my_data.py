"""'Wat wordt over mij vastgelegd' (/mijn-gegevens) in a real browser: an employee logged in
through the form sees only their own events and feedback, in words (task and step titles,
no codes), downloads them, and the page has no serious or critical accessibility finding
and no address broken letter by letter; the admin's log of individual-level views
likewise."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from webpages import axe_findings, log_in

from epss.app import create_app
from epss.cli import prepare_demo
from epss.db import unit_of_work
from epss.demo import DEMO_APP_ID
from epss.feedback import accept
from epss.settings import Settings

BSN = "999993653"
TASK = "reisdocument-aanvragen"
TASK_TITLE = "Identiteit vaststellen bij aanvraag paspoort of identiteitskaart"
STEP = "vergelijk-gezicht"
STEP_TITLE = "Vergelijk het gezicht met de foto in het document"
ANSWER = "Klopt: bij twijfel vraagt u nu eerst een tweede document."


@dataclass
class Service:
    url: str
    shots: Path


def _event(user: str, **changes) -> dict:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    return {
        "id": str(uuid.uuid4()),
        "type": "step_checked",
        "occurred_at": when.isoformat(),
        "app": DEMO_APP_ID,
        "url": f"http://127.0.0.1/demo/personen/{BSN}/reisdocumenten/aanvraag?bsn={BSN}",
        "task_slug": TASK,
        "task_version": 1,
        "step_id": STEP,
        "user": user,
        "team": "Burgerzaken Stadswinkel",
        **changes,
    }


@pytest.fixture(scope="module")
def service(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A demo service of our own, with events and feedback of rvisser (the demo employee,
    one answered by an expert) and of eva."""
    live_server = type(stack.service)  # conftest's LiveServer
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("my-data-service"),
        demo=True,
        secret_key="my-data-browser-test",
    )
    server = live_server(create_app(settings))
    prepare_demo(settings, origin=server.url)
    server.start()
    events = [
        _event("rvisser", type="task_viewed", step_id=None, details={"source": "rule"}),
        _event("rvisser", case_ref="Z-2026-000101"),
        _event("rvisser", type="step_viewed", step_id="stap-die-er-niet-meer-is"),
        _event(
            "rvisser",
            type="search",
            step_id=None,
            details={"query": f"bsn {BSN} verhuizing", "results": 0},
        ),
        _event("eva", task_slug="aangifte-geboorte", step_id=None, type="task_viewed"),
    ]
    answer = httpx.post(f"{server.url}/api/v1/events", json={"events": events})
    assert answer.status_code == 202, answer.text
    sent = {}
    for user, kind, comment in (
        ("rvisser", "onduidelijk", "Wat doe ik als het gezicht maar een beetje lijkt?"),
        ("rvisser", "suggestie", "Een voorbeeldfoto zou helpen."),
        ("eva", "klopt_niet", "Melding van eva"),
    ):
        body = {
            "id": str(uuid.uuid4()),
            "app": DEMO_APP_ID,
            "task_slug": TASK,
            "task_version": 1,
            "step_id": STEP,
            "kind": kind,
            "comment": comment,
            "user": user,
        }
        answer = httpx.post(f"{server.url}/api/v1/feedback", json=body)
        assert answer.status_code == 201, answer.text
        sent[comment] = body["id"]
    with unit_of_work(server.app.state.services.engine) as session:
        accept(
            session,
            sent["Wat doe ik als het gezicht maar een beetje lijkt?"],
            by="eva",
            answer=ANSWER,
        )
    stack.screenshots.mkdir(parents=True, exist_ok=True)
    yield Service(server.url, stack.screenshots)
    server.server.should_exit = True


def _line_height(page: Page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")


def test_an_employee_sees_and_downloads_only_their_own_events(page: Page, service: Service) -> None:
    log_in(page, service.url, "rvisser", "/mijn-gegevens")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat wordt over mij vastgelegd")
    rows = page.locator("table.my-events tbody tr")
    expect(rows).to_have_count(4)
    table = page.locator("table.my-events").inner_text()
    assert "aangifte-geboorte" not in table and BSN not in page.content()
    # the query as it was kept: what looked like personal data replaced
    assert "Gezocht" in table and "Resultaten: 0" in table and "bsn [nummer] verhuizing" in table
    assert "zaak (versleuteld)" in table and "Z-2026" not in page.content()
    assert TASK_TITLE in table and STEP_TITLE in table and "Stap: (verwijderde stap)" in table
    assert "Geopend: automatisch, bij dit scherm" in table
    for code in (TASK, STEP, "stap-die-er-niet-meer-is", "rule", "task_viewed", DEMO_APP_ID):
        assert code not in table, code
    feedback = page.locator("table.my-feedback")
    expect(feedback.locator("tbody tr")).to_have_count(2)
    expect(feedback).to_contain_text(ANSWER)
    expect(feedback).to_contain_text("Aangenomen")
    expect(feedback).to_contain_text("In behandeling")
    expect(feedback).not_to_contain_text("Melding van eva")
    expect(page.get_by_text("Gebeurtenissen worden 12 maanden bewaard")).to_be_visible()
    # An address wraps where it must, not letter by letter: its cell keeps room for it.
    address = page.locator("table.my-events .url").first
    assert address.bounding_box()["height"] <= 3 * _line_height(page, "table.my-events .url")
    page.screenshot(path=service.shots / "my-data.png", full_page=True, caret="initial")
    assert axe_findings(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="gebeurtenissen als CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("occurred_at,type,") and len(lines) == 5
    with page.expect_download() as download:
        page.get_by_role("link", name="meldingen als CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("created_at,kind,") and len(lines) == 3
    assert ANSWER in "\n".join(lines)
    with page.expect_download() as download:
        page.get_by_role("link", name="alles als JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert len(data["events"]) == 4 and len(data["feedback"]) == 2


def test_the_page_stays_readable_on_a_narrow_screen(page: Page, service: Service) -> None:
    page.set_viewport_size({"width": 800, "height": 900})
    log_in(page, service.url, "rvisser", "/mijn-gegevens")
    page.screenshot(path=service.shots / "my-data-narrow.png", full_page=True, caret="initial")
    screen = page.locator("table.my-events td.screen").first
    assert screen.bounding_box()["width"] > 200  # room for words, not a column of letters


def test_the_admin_sees_the_quality_officers_case_lookup(
    browser: Browser, page: Page, service: Service
) -> None:
    officer = browser.new_context()
    try:
        kim = officer.new_page()
        log_in(kim, service.url, "kim", "/mijn-gegevens")
        answer = kim.request.get(
            f"{service.url}/api/v1/audit/case",
            params={"ref": "z-2026-000101", "purpose": "Klacht van de burger over de aanvraag"},
        )
        assert answer.status == 200 and len(answer.json()["events"]) == 1
    finally:
        officer.close()
    log_in(page, service.url, "bea", "/beheer/inzage-log")
    table = page.locator("table.view-log")
    expect(table).to_contain_text("Klacht van de burger over de aanvraag")
    expect(table).to_contain_text("kim")
    page.screenshot(path=service.shots / "view-log.png", full_page=True, caret="initial")
    assert axe_findings(page) == []
