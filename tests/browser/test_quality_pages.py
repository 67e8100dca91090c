"""The quality pages in a real browser: every question's chart is drawn by Chart.js under the
strict Content-Security-Policy (no console errors), beside its data table; htmx filters
redraw it; axe finds nothing serious; screenshots for a person to look at."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from webpages import axe_findings, log_in

from epss.app import create_app
from epss.cli import prepare_demo
from epss.quality.questions import QUESTIONS
from epss.services import Services
from epss.settings import Settings
from tests.conftest import shipped_document
from tests.quality_support import PASPOORT, add_feedback, morning

SHOTS = Path(os.environ.get("EPSS_QUALITY_SHOTS", "/tmp/shots5"))
PERIOD = "from=2026-11-01&to=2026-11-30"
PAGES = [
    ("per-taak", ""),
    ("in-de-tijd", "&interval=week"),
    ("per-stap", f"&taak={PASPOORT}"),
    ("per-team", ""),
    ("trechter", f"&taak={PASPOORT}"),
    ("afwijkingen", ""),
    ("zoekvragen", ""),
    ("meldingen", ""),
]


@dataclass
class Quality:
    url: str
    paspoort_event: int  # the seq of an event on a step of the passport task


@pytest.fixture(scope="module")
def quality(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Quality]:
    """A service of our own (the demo, with its accounts) after a morning of desk work."""
    live_server = type(stack.service)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("quality-service"),
        demo=True,
        secret_key="quality-browser-test",
    )
    service = live_server(create_app(settings))
    prepare_demo(settings, origin=service.url)
    services = Services.from_settings(settings)
    morning(services)
    add_feedback(services)
    with services.engine.connect() as connection:
        paspoort_event = connection.execute(
            text("SELECT min(seq) FROM event WHERE task_slug = :task AND step_id IS NOT NULL"),
            {"task": PASPOORT},
        ).scalar()
    services.close()
    service.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield Quality(service.url, paspoort_event)
    service.server.should_exit = True


@pytest.fixture
def kim(page: Page, quality: Quality) -> Page:
    log_in(page, quality.url, "kim", "/kwaliteit")
    return page


def drawn_pixels(page: Page) -> int:
    """How many pixels of the chart's canvas are not transparent."""
    return page.locator("canvas[data-chart]").evaluate("""canvas => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0; for (let i = 3; i < data.length; i += 4) if (data[i]) n++; return n; }""")


def test_the_overview_lists_the_questions(kim: Page) -> None:
    expect(kim.get_by_role("heading", name="Kwaliteit van de werkinstructies")).to_be_visible()
    expect(kim.locator(".question-card")).to_have_count(len(QUESTIONS) + 1)  # and "op het scherm"
    assert axe_findings(kim) == []
    kim.screenshot(path=SHOTS / "kwaliteit-overzicht.png", full_page=True, caret="initial")


@pytest.mark.parametrize(("question", "extra"), PAGES)
def test_each_question_draws_its_chart_beside_its_table(
    kim: Page, quality, question, extra
) -> None:
    kim.goto(f"{quality.url}/kwaliteit/{question}?{PERIOD}{extra}")
    canvas = kim.locator("canvas[data-chart]")
    expect(canvas).to_have_attribute("data-drawn", "true")
    assert drawn_pixels(kim) > 500
    table = kim.locator("table.quality-table")
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 1
    expect(kim.get_by_role("link", name="Download deze tabel als CSV")).to_be_visible()
    assert axe_findings(kim) == []
    kim.screenshot(path=SHOTS / f"kwaliteit-{question}.png", full_page=True, caret="initial")


def test_a_chart_of_many_long_labels_names_every_bar_in_whole_lines(kim: Page, quality) -> None:
    """The demo's three weeks: "Effect op de zaak" has two bars for most tasks, each named
    by the task's title; none is skipped or cut, and the chart grows to hold them."""
    kim.goto(f"{quality.url}/kwaliteit/effect")
    canvas = kim.locator("canvas[data-chart]")
    expect(canvas).to_have_attribute("data-drawn", "true")
    shown = canvas.evaluate(
        """c => ({ticks: c.epssChart.scales.y.ticks.length,
                  labels: c.epssChart.data.labels.map(l => [].concat(l))})"""
    )
    assert shown["ticks"] == len(shown["labels"]) > 8  # every bar named
    assert max(len(line) for label in shown["labels"] for line in label) <= 40
    assert kim.locator("figure.quality-chart").bounding_box()["height"] > 16 * len(shown["labels"])


def test_a_filter_redraws_the_chart_in_place(kim: Page, quality) -> None:
    kim.goto(f"{quality.url}/kwaliteit/in-de-tijd?{PERIOD}")
    expect(kim.locator("canvas[data-chart]")).to_have_attribute("data-drawn", "true")
    assert kim.locator("table.quality-table tbody tr").count() == 30
    kim.get_by_label("Per").select_option("week")
    kim.get_by_role("button", name="Toon").click()
    expect(kim.locator("table.quality-table tbody tr")).to_have_count(6)
    expect(kim.locator("canvas[data-chart]")).to_have_attribute("data-drawn", "true")
    assert "interval=week" in kim.url
    assert kim.locator("table.quality-table td", has_text="< 5").count() >= 1


def test_what_was_on_screen(kim: Page, quality) -> None:
    kim.goto(f"{quality.url}/kwaliteit/scherm")
    kim.get_by_text("Of zoek vanuit een gebeurtenis").click()  # the lookup by event
    kim.get_by_label("Gebeurtenis (nummer of id)").fill(str(quality.paspoort_event))
    kim.get_by_role("button", name="Toon bij deze gebeurtenis").click()
    expect(kim.locator(".step-shown")).to_be_visible()
    expect(kim.get_by_role("link", name="versie 1")).to_have_attribute(
        "href", f"/taken/{PASPOORT}?versie=1"
    )
    assert axe_findings(kim) == []
    kim.screenshot(path=SHOTS / "kwaliteit-scherm.png", full_page=True, caret="initial")


def test_a_refused_filter_shows_why_in_place(kim: Page, quality, console) -> None:
    console.allow("422")  # the browser logs the refused request
    kim.goto(f"{quality.url}/kwaliteit/per-taak?{PERIOD}")
    expect(kim.locator("canvas[data-chart]")).to_have_attribute("data-drawn", "true")
    kim.get_by_label("Van", exact=True).fill("2026-11-30")
    kim.get_by_label("Tot en met", exact=True).fill("2026-11-01")
    kim.get_by_role("button", name="Toon").click()
    expect(kim.get_by_role("alert")).to_contain_text("ligt na tot en met")
    expect(kim.locator("table.quality-table")).to_have_count(0)


def test_the_events_of_a_case(kim: Page, quality) -> None:
    event = {
        "type": "step_viewed",
        "occurred_at": "2026-11-20T09:30:00+01:00",
        "app": "demo-zaaksysteem",
        "url": "/demo/reisdocument/aanvraag",
        "task_slug": PASPOORT,
        "task_version": 1,
        "step_id": "ontvang-aanvrager",
        "user": "balie07",
        "team": "Balie A",
        "case_ref": "Z-2026-000101",
    }
    answer = httpx.post(
        f"{quality.url}/api/v1/events",
        json={
            "events": [
                {**event, "id": str(uuid.uuid4())},
                {**event, "id": str(uuid.uuid4()), "case_ref": "Z-2026-000999"},
            ]
        },
    )
    assert answer.status_code == 202, answer.text
    kim.goto(f"{quality.url}/kwaliteit")
    kim.get_by_role("link", name="Gebeurtenissen van een zaak").click()
    kim.get_by_label("Zaaknummer").fill("z-2026-000101")
    kim.get_by_label("Doel van deze inzage").fill("Klacht over de aanvraag")
    kim.get_by_role("button", name="Zoek").click()
    rows = kim.locator("table.quality-table tbody tr")
    expect(rows).to_have_count(1)
    first = shipped_document(PASPOORT).steps[0]
    assert first.id == "ontvang-aanvrager"
    expect(rows.first).to_contain_text(first.title)  # the step as people know it
    assert kim.url.endswith("/kwaliteit/zaak")  # the number is not in the address
    assert axe_findings(kim) == []
    kim.screenshot(path=SHOTS / "kwaliteit-zaak.png", full_page=True, caret="initial")
    rows.first.get_by_role("link").click()
    expect(kim.locator(".step-shown")).to_contain_text("zelf aan de balie staat")
