"""The auditor's lookup by task and moment in a real browser, by keyboard alone: kim
chooses the task by its title, types a Dutch date and time, and lands on the answer (the
version, its hash and text, that day's use with a small group hidden); a refused moment
is named at its field. axe finds nothing serious; screenshots for a person to look at."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select
from webpages import axe_findings, log_in

from epss.app import create_app
from epss.catalog import publish, write_working_copy
from epss.cli import prepare_demo
from epss.db import unit_of_work
from epss.events import parse_batch
from epss.models import Event, Task, TaskVersion
from epss.services import Services
from epss.settings import Settings
from tests.conftest import set_clock, shipped_document
from tests.quality_support import APP, PASPOORT

TITLE = "Identiteit vaststellen bij aanvraag paspoort of identiteitskaart"
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
V1 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
V2 = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.UTC)  # 03-03-2026 10:30 Dutch time


def _events(services: Services) -> None:
    """03-03-2026: six people on version 2 after 10:30, two on version 1 before it."""
    events = [
        {
            "id": str(uuid.uuid4()),
            "type": "task_viewed",
            "app": APP,
            "occurred_at": f"2026-03-03T{hour:02d}:{minute:02d}:00+01:00",
            "url": "https://zaken.example/zaak/paspoort",
            "task_slug": PASPOORT,
            "task_version": version,
            "user": user,
            "team": "Balie A",
        }
        for version, hour, minute, user in [(1, 9, 5, "balie1"), (1, 9, 40, "balie2")]
        + [(2, 10 + n, 45, f"balie{n + 3}") for n in range(6)]
    ]
    batch = parse_batch(
        json.dumps({"events": events}), now=NOW, is_known_app=lambda _: True, store_free_text=False
    )
    services.event_writer.record(batch, secret_key=services.settings.secret_key, received_at=NOW)


@dataclass
class Auditor:
    url: str
    seq: int  # an event on version 2


@pytest.fixture(scope="module")
def auditor(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Auditor]:
    """A demo service of our own, its clock at NOW, with version 2 of the passport task
    published on 03-03-2026 at 10:30 Dutch time: edited by eva and erik, approved by rob."""
    live_server = type(stack.service)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("on-screen-service"),
        demo=True,
        secret_key="on-screen-browser-test",
    )
    app = create_app(settings)
    set_clock(app, NOW)
    service = live_server(app)
    prepare_demo(settings, origin=service.url)
    services = Services.from_settings(settings)
    document = shipped_document(
        PASPOORT,
        instruction="Begroet de aanvrager en vraag naar het **reisdocument** dat vervangen wordt.",
    )
    with unit_of_work(services.engine) as session:
        task = session.execute(select(Task).where(Task.slug == PASPOORT)).scalar_one()
        publish(
            session,
            write_working_copy(session, task, document),
            document,
            by="rob",
            approved_by="rob",
            submitted_by="eva",
            edited_by=["eva", "erik"],
        )
    with unit_of_work(services.engine) as session:
        for version in session.execute(
            select(TaskVersion).join(Task).where(Task.slug == PASPOORT)
        ).scalars():
            version.published_at = {1: V1, 2: V2}[version.number]
    _events(services)
    with services.engine.connect() as connection:
        seq = connection.execute(
            select(func.max(Event.seq)).where(Event.task_slug == PASPOORT, Event.task_version == 2)
        ).scalar_one()
    services.close()
    service.start()
    stack.screenshots.mkdir(parents=True, exist_ok=True)
    yield Auditor(service.url, seq)
    service.server.should_exit = True


@pytest.fixture
def kim(page: Page, auditor: Auditor) -> Page:
    log_in(page, auditor.url, "kim", "/kwaliteit/scherm")
    return page


def fact(page: Page, label: str) -> Locator:
    """The value beside `label` in the version's facts."""
    return (
        page.locator(".screen-facts div")
        .filter(has=page.get_by_text(label, exact=True))
        .locator("dd")
    )


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_by_keyboard_from_task_and_moment_to_the_version(kim: Page, stack) -> None:
    expect(kim.get_by_text("Nederlandse tijd (Europe/Amsterdam)")).to_be_visible()
    kim.get_by_label("Taak").focus()
    kim.keyboard.type("Identiteit")  # a closed list chooses by typing the title
    expect(kim.get_by_label("Taak")).to_have_value(PASPOORT)
    kim.keyboard.press("Tab")
    assert focused(kim) == "f-datum"
    kim.keyboard.type("03-03-2026")
    kim.keyboard.press("Tab")
    assert focused(kim) == "f-tijd"
    kim.keyboard.type("10:42")
    kim.keyboard.press("Enter")
    heading = kim.get_by_role("heading", level=2, name=f"{TITLE}, versie 2")
    expect(heading).to_be_focused()  # the answer is where the keyboard is
    answer = kim.locator(".screen-answer")
    expect(answer).to_contain_text(
        "Op 03-03-2026 10:42 (Nederlandse tijd, wintertijd, "
        "UTC+01:00) was versie 2 de gepubliceerde versie"
    )
    expect(answer).to_contain_text("03-03-2026 10:30:00 (Nederlandse tijd)")
    for label, value in [
        ("Goedgekeurd door", "rob"),
        ("Ingediend door", "eva"),
        ("Bewerkt door", "erik, eva"),
    ]:
        expect(fact(kim, label)).to_have_text(value)
    expect(answer).to_contain_text(
        "Versie 2 werd deze dag 6 keer geopend of bekeken, door 6 verschillende mensen."
    )
    row = kim.locator("table.screen-day tbody tr").first
    expect(row).to_contain_text("< 5")  # version 1: two people that day
    expect(answer.locator("strong").get_by_text("reisdocument", exact=True)).to_be_visible()
    for slug in (PASPOORT, "ontvang-aanvrager", "task_viewed"):
        expect(kim.locator("main")).not_to_contain_text(slug)
    assert axe_findings(kim) == []
    shots = stack.screenshots
    kim.screenshot(path=shots / "kwaliteit-scherm-taak-moment.png", full_page=True, caret="initial")
    kim.screenshot(
        path=shots / "kwaliteit-scherm-antwoord.png", caret="initial"
    )  # where the answer begins
    kim.locator("table.screen-day").scroll_into_view_if_needed()
    kim.screenshot(path=shots / "kwaliteit-scherm-dag.png", caret="initial")
    kim.keyboard.press("Tab")  # on from the answer: into its links, not back to the top
    assert kim.evaluate("document.activeElement.closest('.screen-answer') !== null")


def test_a_moment_that_never_was_is_named_at_the_time_field(
    kim: Page, auditor, stack, console
) -> None:
    console.allow("422")  # the browser logs the refused page
    kim.get_by_label("Taak").select_option(label=TITLE)
    kim.get_by_label("Datum").fill("29-03-2026")
    kim.locator("#f-tijd").fill("02:30")
    kim.get_by_role("button", name="Toon de versie").press("Enter")
    summary = kim.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Het tijdstip 02:30 op 29-03-2026 bestond in Nederland niet")
    expect(kim.locator("#f-tijd")).to_have_attribute("aria-invalid", "true")
    expect(kim.locator("#fout-tijd")).to_be_visible()
    assert axe_findings(kim) == []
    kim.screenshot(
        path=stack.screenshots / "kwaliteit-scherm-fout.png", full_page=True, caret="initial"
    )


def test_not_yet_published_says_so(kim: Page, auditor) -> None:
    kim.goto(f"{auditor.url}/kwaliteit/scherm?taak={PASPOORT}&datum=28-02-2026&tijd=12:00")
    heading = kim.get_by_role("heading", level=2)
    expect(heading).to_have_text(f"{TITLE}: nog niet gepubliceerd")
    expect(kim.locator(".screen-answer")).to_contain_text(
        "De eerste versie werd gepubliceerd op 01-03-2026 10:00:00 (Nederlandse tijd)."
    )
    assert axe_findings(kim) == []


def test_the_lookup_from_an_event_by_keyboard(kim: Page, auditor, stack) -> None:
    summary = kim.get_by_text("Of zoek vanuit een gebeurtenis")
    summary.focus()
    kim.keyboard.press("Enter")  # opens the fold
    kim.keyboard.press("Tab")
    assert focused(kim) == "f-event"
    kim.keyboard.type(str(auditor.seq))
    kim.keyboard.press("Enter")
    expect(kim.get_by_role("heading", level=2)).to_be_focused()
    expect(kim.get_by_role("heading", level=2)).to_contain_text(f"{TITLE}, versie 2")
    expect(kim.locator(".screen-event")).to_contain_text("Taak bekeken")
    assert axe_findings(kim) == []
    kim.screenshot(path=stack.screenshots / "kwaliteit-scherm-gebeurtenis.png", caret="initial")
