"""The editor pages (/redactie) through HTTP, on SQLite and PostgreSQL: every page renders
in full and as the fragment htmx asks for, the filters filter, the forms change the draft,
a form based on an old version shows both sides and changes nothing, imports are all or
nothing with problems naming file, line and field, exports give the task files, and only
experts and redacteuren get in."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.catalog import published_version
from epss.db import unit_of_work
from epss.drafts import editing
from epss.drafts.editing import draft_view
from epss.drafts.history import history_view
from epss.models import Task, TaskVersion
from epss.pages.editor_merge import value_writer
from epss.resources import shipped
from epss.taskfile import dump_document, load_paths
from tests.conftest import set_clock
from tests.editor_support import basis, step_form

SLUG = "aangifte-geboorte"  # high, not critical
CRITICAL = "reisdocument-aanvragen"
STEP = "controleer-termijn"
HTML = {"Accept": "text/html"}
HTMX = {"HX-Request": "true"}


def draft(client: TestClient, slug: str = SLUG) -> dict:
    with Session(client.app.state.services.engine) as session:
        return draft_view(session, slug)


def step_of(client: TestClient, step_id: str = STEP, slug: str = SLUG) -> dict:
    return next(s for s in draft(client, slug)["steps"] if s["id"] == step_id)


def version_count(client: TestClient) -> int:
    with Session(client.app.state.services.engine) as session:
        return len(session.exec(select(TaskVersion)).all())


# ---- pages -----------------------------------------------------------------------------

PAGES = [
    "/redactie",
    f"/redactie/taken/{SLUG}",
    f"/redactie/taken/{SLUG}/geschiedenis",
    f"/redactie/taken/{SLUG}/versies",
    "/redactie/controle",
    "/redactie/export",
]


def test_every_editor_page_renders_in_full_and_as_a_fragment(
    client: TestClient, people: dict
) -> None:
    for url in PAGES:
        full = client.get(url, headers=people["expert"])
        assert full.status_code == 200, (url, full.text[:500])
        assert "<html" in full.text and "/static/editor.css" in full.text, url
        assert "content-security-policy" in full.headers
        fragment = client.get(url, headers={**people["expert"], **HTMX})
        assert fragment.status_code == 200, url
        assert "<html" not in fragment.text and "HX-Request" in fragment.headers["vary"], url
    page = client.get(f"/redactie/taken/{SLUG}", headers=people["expert"]).text
    assert page.count('class="step-item') == len(step_of(client) and draft(client)["steps"])
    assert 'name="csrftoken"' in page and "Contextregels" in page
    assert "Zo toont het paneel deze taak" in page and "Wie bewerkt nu" in page


def test_the_task_list_filters_by_status_domain_owner_and_review_date(
    client: TestClient, people: dict
) -> None:
    expert = people["expert"]
    step = step_of(client)
    client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        data=step_form(step, titel="Controleer de termijn van drie dagen"),
        headers=expert,
    )

    def listed(**params) -> list[str]:
        text = client.get("/redactie", params=params, headers={**expert, **HTMX}).text
        return re.findall(r'href="/redactie/taken/([a-z0-9-]+)"', text)

    shipped_tasks = len(list(shipped("tasks").glob("*.yaml")))
    assert len(listed()) == shipped_tasks
    assert listed(status="draft") == [SLUG]
    assert SLUG not in listed(status="published")
    assert len(listed(status="published")) == shipped_tasks - 1
    assert listed(domein="bestaat-niet") == []
    owner = draft(client)["owner"]
    same_owner = sorted(
        t.document.slug for t in load_paths([shipped("tasks")]) if t.document.owner == owner
    )
    assert SLUG in same_owner and sorted(listed(eigenaar=owner)) == same_owner
    assert listed(controle="overdue") == []
    with unit_of_work(client.app.state.services.engine) as session:
        task = session.exec(select(Task).where(Task.slug == CRITICAL)).one()
        task.review_by = client.app.state.services.today() - dt.timedelta(days=1)
        other = session.exec(select(Task).where(Task.slug == "rijbewijs-aanvragen")).one()
        other.review_by = client.app.state.services.today() + dt.timedelta(days=10)
    assert listed(controle="overdue") == [CRITICAL]
    assert sorted(listed(controle="due")) == sorted([CRITICAL, "rijbewijs-aanvragen"])
    page = client.get("/redactie", params={"controle": "due"}, headers=expert).text
    assert "te laat" in page and "binnenkort" in page and "selected>Binnenkort" in page
    bad = client.get("/redactie", params={"status": "weg"}, headers={**expert, **HTML})
    assert bad.status_code == 422 and "status" in bad.text


def test_the_preview_is_sanitised_markdown(client: TestClient, people: dict) -> None:
    answer = client.post(
        "/redactie/voorbeeld",
        headers=people["expert"],
        data={
            "tekst": "**Vet** en [link](javascript:alert(1)) <script>alert(2)</script>"
            "<img src=x onerror=alert(3)>"
        },
    )
    assert answer.status_code == 200
    assert "<strong>Vet</strong>" in answer.text
    for bad in ("<script", 'href="javascript', "<img"):
        assert bad not in answer.text
    assert not re.search(r"<[^>]*onerror", answer.text)
    assert "&lt;script&gt;" in answer.text  # shown as text, never run
    assert client.post("/redactie/voorbeeld", data={"tekst": "x"}).status_code == 401


# ---- editing ---------------------------------------------------------------------------


def test_a_step_form_changes_the_draft_and_answers_the_step_fragment(
    client: TestClient, people: dict
) -> None:
    step = step_of(client)
    answer = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert"], **HTMX},
        data=step_form(step, waarom="Omdat de **wet** het zegt."),
    )
    assert answer.status_code == 200, answer.text
    assert answer.text.lstrip().startswith(f'<li id="stap-{STEP}"')
    head = answer.text.lstrip().split(">", 1)[0]  # the saved step, shown (not in a form)
    assert f'data-version="{step["version"] + 1}"' in head and 'data-mode="view"' in head
    assert 'id="taakstatus" hx-swap-oob="true"' in answer.text and "Concept" in answer.text
    assert "epss-announce" in answer.headers["hx-trigger"]
    saved = step_of(client)
    assert saved["why"] == "Omdat de **wet** het zegt." and saved["version"] == step["version"] + 1
    assert draft(client)["status"] == "draft"
    # Without htmx the form goes back to the page.
    again = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers=people["expert"],
        data=step_form(saved, titel="Nieuwe titel"),
        follow_redirects=False,
    )
    assert again.status_code == 303 and again.headers["location"].endswith(f"#stap-{STEP}")
    history = client.get(f"/redactie/taken/{SLUG}/geschiedenis", headers=people["expert"]).text
    assert history.count("Stap gewijzigd") == 2 and "door expert" in history
    assert "</span>Nieuwe</ins>" in history and "<ins>" in history and "<del>" in history


def test_a_stale_step_form_with_a_real_conflict_shows_it_and_changes_nothing(
    client: TestClient, people: dict
) -> None:
    old = step_of(client)
    first = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert"], **HTMX},
        data=step_form(old, controle="Hun controletekst.", basis=basis(old)),
    )
    assert first.status_code == 200
    stale = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert2"], **HTMX},
        data=step_form(old, controle="Mijn controletekst.", basis=basis(old)),
    )
    assert stale.status_code == 412
    assert stale.headers["x-editor-fragment"] == "1"
    text = stale.text
    assert "heeft deze stap intussen gewijzigd" in text and "expert" in text
    assert "Hun controletekst." in text and "Mijn controletekst." in text
    assert "Hun versie nemen" in text and "Mijn versie houden" in text
    current = step_of(client)
    assert current["check"] == "Hun controletekst."
    assert f'name="versie" value="{current["version"]}"' in text  # re-save on the new one
    # Both wrote the whole check text: one place to choose, no text field glued together.
    assert 'name="controle"' not in text.split('class="step-form"')[1]
    assert text.count('name="keuze-check-1"') == 3 and 'name="keuze-check-2"' not in text
    state = re.search(r'name="samenvoegen" value="([^"]*)"', text).group(1)
    choose = {**step_form(current, basis=basis(current)), "samenvoegen": html.unescape(state)}
    choose.pop("controle")
    undecided = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}", headers={**people["expert2"], **HTMX}, data=choose
    )
    assert undecided.status_code == 422 and "Kies bij elke plaats" in undecided.text
    assert step_of(client) == current  # nothing changed
    applied = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert2"], **HTMX},
        data={**choose, "keuze-check-1": "mine", "toepassen": "1"},
    )
    assert applied.status_code == 200 and "nog niet opgeslagen" in applied.text
    assert re.search(r'name="controle"[^>]*>Mijn controletekst\.</textarea>', applied.text)
    assert f'name="versie" value="{current["version"]}"' in applied.text
    assert step_of(client) == current  # applying the choices saves nothing
    both = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert2"], **HTMX},
        data={**choose, "keuze-check-1": "both"},
    )
    assert both.status_code == 200, both.text
    assert step_of(client)["check"] == "Hun controletekst. Mijn controletekst."


def test_a_stale_step_form_merges_changes_that_do_not_overlap(
    client: TestClient, people: dict
) -> None:
    """Eva reworded the start of the instruction, Erik added a sentence at its end and a
    field in the case software: the merge form holds both, each once, and says so."""
    old = step_of(client)
    instruction = old["instruction"]
    theirs = "Kijk eerst goed: " + instruction
    client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert"], **HTMX},
        data=step_form(old, instructie=theirs, basis=basis(old)),
    )
    mine = instruction + " Noteer de datum."
    stale = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert2"], **HTMX},
        data=step_form(old, instructie=mine, doelveld="#geboortedatum", basis=basis(old)),
    )
    assert stale.status_code == 412
    assert "keuze-" not in stale.text  # nothing to choose
    assert "beide wijzigingen staan hieronder al in het formulier" in stale.text
    merged = html.unescape(
        re.search(r'name="instructie"[^>]*>([^<]*)</textarea>', stale.text).group(1)
    )
    assert merged == "Kijk eerst goed: " + instruction + " Noteer de datum."
    assert re.search(r'name="doelveld"[^>]*>\s*#geboortedatum</textarea>', stale.text)
    assert "Wat expert veranderde" in stale.text and "Wat u veranderde" in stale.text
    current = step_of(client)
    saved = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert2"], **HTMX},
        data=step_form(current, instructie=merged, doelveld="#geboortedatum", basis=basis(current)),
    )
    assert saved.status_code == 200
    assert step_of(client)["instruction"].count("Noteer de datum.") == 1
    assert step_of(client)["instruction"].count("Kijk eerst goed:") == 1


def test_an_invalid_step_form_names_the_field_and_changes_nothing(
    client: TestClient, people: dict
) -> None:
    step = step_of(client)
    answer = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert"], **HTMX},
        data=step_form(step, titel="", instructie="Iets"),
    )
    assert answer.status_code == 422
    assert "Niet opgeslagen" in answer.text and "title" in answer.text
    assert 'value=""' in answer.text  # what was typed stays in the form
    assert step_of(client) == step


def test_steps_are_added_moved_and_removed(client: TestClient, people: dict) -> None:
    expert = {**people["expert"], **HTMX}
    before = draft(client)
    added = client.post(
        f"/redactie/taken/{SLUG}/stappen",
        headers=expert,
        data={
            "stappenversie": before["steps_version"],
            "stap_id": "bel-de-ouders",
            "titel": "Bel de ouders",
            "instructie": "Bel *beide* ouders.",
            "positie": "2",
        },
    )
    assert added.status_code == 200, added.text
    ids = [s["id"] for s in draft(client)["steps"]]
    assert ids[1] == "bel-de-ouders" and len(ids) == len(before["steps"]) + 1
    assert 'id="stap-bel-de-ouders-titel"' in added.text  # opened to fill in the rest

    moved = client.post(
        f"/redactie/taken/{SLUG}/stappen/bel-de-ouders/verplaatsen",
        headers=expert,
        data={"stappenversie": draft(client)["steps_version"], "richting": "omhoog"},
    )
    assert moved.status_code == 200
    assert draft(client)["steps"][0]["id"] == "bel-de-ouders"
    # The focus stays on a move button of the moved step; "omhoog" is now disabled.
    item = re.search(r'<li id="stap-bel-de-ouders".*?</li>', moved.text, re.S).group(0)
    assert re.search(r'value="omlaag"[^>]*\s+data-focus-after-swap', item)
    stale = client.post(
        f"/redactie/taken/{SLUG}/stappen/bel-de-ouders/verplaatsen",
        headers=expert,
        data={"stappenversie": before["steps_version"], "richting": "omlaag"},
    )
    assert stale.status_code == 412 and "intussen verplaatst" in stale.text
    assert draft(client)["steps"][0]["id"] == "bel-de-ouders"

    confirm = client.get(
        f"/redactie/taken/{SLUG}/stappen/bel-de-ouders/verwijderen", headers=expert
    )
    assert "Deze stap verwijderen?" in confirm.text and "Ja, verwijderen" in confirm.text
    assert "bel-de-ouders" in [s["id"] for s in draft(client)["steps"]]  # asking removes nothing
    step = step_of(client, "bel-de-ouders")
    removed = client.post(
        f"/redactie/taken/{SLUG}/stappen/bel-de-ouders/verwijderen",
        headers=expert,
        data={"versie": step["version"]},
    )
    assert removed.status_code == 200
    assert "bel-de-ouders" not in [s["id"] for s in draft(client)["steps"]]


def test_a_duplicate_step_id_is_refused_and_the_new_step_stays_in_the_form(
    client: TestClient, people: dict
) -> None:
    before = draft(client)
    answer = client.post(
        f"/redactie/taken/{SLUG}/stappen",
        headers={**people["expert"], **HTMX},
        data={
            "stappenversie": before["steps_version"],
            "stap_id": STEP,
            "titel": "Dubbel",
            "instructie": "Mijn tekst.",
        },
    )
    assert answer.status_code == 422 and "heeft al een stap met het id" in answer.text
    assert "Mijn tekst." in answer.text and draft(client)["steps"] == before["steps"]


def test_the_task_fields_form_and_its_conflict(client: TestClient, people: dict) -> None:
    before = draft(client)
    form = {
        "versie": before["version"],
        "titel": before["title"],
        "domein": before["domain"],
        "doel": before["goal"],
        "aanleiding": before["trigger"],
        "norm": before["standard"],
        "kritiek": "critical",
        "eigenaar": "Team Geboorte",
        "controle_voor": "2027-05-01",
        "interval": "6",
        "trefwoorden": "baby, geboorte",
        "zaaktypen": "BZ-GEBOORTE",
        "bron_id": [s["id"] for s in before["sources"]],
        "bron_titel": [s["title"] for s in before["sources"]],
        "bron_uitgever": [s.get("publisher") or "" for s in before["sources"]],
        "bron_artikel": [s.get("section") or "" for s in before["sources"]],
        "bron_datum": [s.get("date") or "" for s in before["sources"]],
        "bron_url": [s.get("url") or "" for s in before["sources"]],
        "gecontroleerd_op": before["checked_on"] or "",
    }
    saved = client.post(
        f"/redactie/taken/{SLUG}/velden", data=form, headers={**people["expert"], **HTMX}
    )
    assert saved.status_code == 200, saved.text
    after = draft(client)
    assert (after["owner"], after["criticality"], after["review_by"]) == (
        "Team Geboorte",
        "critical",
        "2027-05-01",
    )
    assert after["tags"] == ["baby", "geboorte"] and after["review_interval_months"] == 6
    stale = client.post(
        f"/redactie/taken/{SLUG}/velden",
        data={**form, "eigenaar": "Ander"},
        headers={**people["expert2"], **HTMX},
    )
    assert stale.status_code == 412
    assert "Team Geboorte" in stale.text and "Ander" in stale.text
    assert f'name="versie" value="{after["version"]}"' in stale.text
    assert draft(client)["owner"] == "Team Geboorte"
    bad = client.post(
        f"/redactie/taken/{SLUG}/velden",
        data={**form, "versie": after["version"], "controle_voor": "morgen"},
        headers={**people["expert"], **HTMX},
    )
    assert bad.status_code == 422 and "Controle vóór: &#39;morgen&#39; is geen datum" in bad.text


def test_a_sources_article_and_date_and_the_checked_date_are_edited(
    client: TestClient, people: dict
) -> None:
    before = draft(client)
    page = client.get(f"/redactie/taken/{SLUG}", headers={**people["expert"], **HTML})
    assert 'name="bron_artikel"' in page.text and 'name="bron_datum"' in page.text
    assert 'name="gecontroleerd_op" type="date" value="2026-12-04"' in page.text
    sources = before["sources"]
    form = {
        "versie": before["version"],
        "titel": before["title"],
        "domein": before["domain"],
        "doel": before["goal"],
        "aanleiding": before["trigger"],
        "norm": before["standard"],
        "kritiek": before["criticality"],
        "eigenaar": before["owner"],
        "controle_voor": before["review_by"],
        "gecontroleerd_op": "05-12-2026",
        "interval": "12",
        "trefwoorden": ", ".join(before["tags"]),
        "zaaktypen": ", ".join(before["zaaktypen"]),
        "bron_id": [s["id"] for s in sources],
        "bron_titel": [s["title"] for s in sources],
        "bron_uitgever": [s.get("publisher") or "" for s in sources],
        "bron_artikel": ["art. 1:19e lid 8"] + [s.get("section") or "" for s in sources[1:]],
        "bron_datum": ["01-11-2026"] + [s.get("date") or "" for s in sources[1:]],
        "bron_url": [s.get("url") or "" for s in sources],
    }
    saved = client.post(
        f"/redactie/taken/{SLUG}/velden", data=form, headers={**people["expert"], **HTMX}
    )
    assert saved.status_code == 200, saved.text
    after = draft(client)
    assert after["checked_on"] == "2026-12-05"
    assert (after["sources"][0]["section"], after["sources"][0]["date"]) == (
        "art. 1:19e lid 8",
        "2026-11-01",
    )
    assert after["sources"][1:] == sources[1:]  # the others as they were
    bad = client.post(
        f"/redactie/taken/{SLUG}/velden",
        headers={**people["expert"], **HTMX},
        data={
            **form,
            "versie": after["version"],
            "bron_datum": ["vorige week", *form["bron_datum"][1:]],
        },
    )
    assert bad.status_code == 422
    assert "Bron 1, Datum: &#39;vorige week&#39; is geen datum" in bad.text
    bad = client.post(
        f"/redactie/taken/{SLUG}/velden",
        headers={**people["expert"], **HTMX},
        data={**form, "versie": after["version"], "gecontroleerd_op": "gisteren"},
    )
    assert bad.status_code == 422
    assert "Laatst gecontroleerd op: &#39;gisteren&#39; is geen datum" in bad.text
    assert draft(client)["sources"] == after["sources"]


def test_context_rules_are_edited_and_tested_with_the_services_matching(
    client: TestClient, people: dict
) -> None:
    expert = {**people["expert"], **HTMX}
    rules = draft(client)["context_rules"]
    test = client.post(
        f"/redactie/taken/{SLUG}/regels/test",
        headers=expert,
        data={
            "test_url": "https://zaak.example/demo/geboorte/aangifte?bsn=1",
            "test_titel": "",
            "test_app": rules[0]["app"],
        },
    )
    assert test.status_code == 200 and "Het paneel toont deze taak" in test.text
    assert "past" in test.text and "adres /demo/geboorte/aangifte past bij" in test.text
    miss = client.post(
        f"/redactie/taken/{SLUG}/regels/test",
        headers=expert,
        data={"test_url": "/demo/verhuizing", "test_app": rules[0]["app"]},
    )
    assert "Geen van de regels past" in miss.text
    form = {
        "versie": draft(client)["version"],
        "regel_app": ["demo-zaaksysteem"],
        "regel_url": ["/zaken/:id/geboorte"],
        "regel_titel": [""],
        "regel_markers": [""],
        "regel_zaaktype": [""],
        "regel_prioriteit": ["5"],
        "regel_startstap": [""],
    }
    saved = client.post(f"/redactie/taken/{SLUG}/regels", headers=expert, data=form)
    assert saved.status_code == 200, saved.text
    assert draft(client)["context_rules"] == [
        {
            "app": "demo-zaaksysteem",
            "url": "/zaken/:id/geboorte",
            "title": None,
            "markers": [],
            "zaaktype": None,
            "priority": 5,
            "start_step": None,
        }
    ]
    hit = client.post(
        f"/redactie/taken/{SLUG}/regels/test",
        headers=expert,
        data={"test_url": "/zaken/Z-1/geboorte"},
    )
    assert "Het paneel toont deze taak" in hit.text
    bad = client.post(
        f"/redactie/taken/{SLUG}/regels",
        headers=expert,
        data={**form, "versie": draft(client)["version"], "regel_url": ["zaken zonder slash"]},
    )
    assert bad.status_code == 422
    assert "Contextregel 1, Adrespatroon: een adrespatroon begint met &#39;/&#39;" in bad.text
    assert "context_rules[0]" not in bad.text  # the rule as people count, not its path
    assert draft(client)["context_rules"] == [
        {  # unchanged
            "app": "demo-zaaksysteem",
            "url": "/zaken/:id/geboorte",
            "title": None,
            "markers": [],
            "zaaktype": None,
            "priority": 5,
            "start_step": None,
        }
    ]


def test_saving_a_step_keeps_the_order_of_its_sources(client: TestClient, people: dict) -> None:
    """The source boxes stand in the task's order; a step that cites its sources in
    another order keeps that order when only its title is saved, and its history shows
    no change of sources."""
    task = draft(client, "reisdocument-uitreiken")
    step = next(s for s in task["steps"] if len(s["sources"]) >= 2)
    in_task_order = [src["id"] for src in task["sources"] if src["id"] in step["sources"]]
    cited = list(reversed(in_task_order))
    with Session(client.app.state.services.engine) as session:  # the step as its author wrote it
        editing.update_step(
            session,
            "reisdocument-uitreiken",
            step["id"],
            step["version"],
            {"sources": cited},
            by="eva",
        )
        session.commit()
    step = step_of(client, step["id"], "reisdocument-uitreiken")
    saved = client.post(
        f"/redactie/taken/reisdocument-uitreiken/stappen/{step['id']}",
        headers={**people["expert"], **HTMX},
        data=step_form(step, titel=step["title"] + " nu", bronnen=in_task_order, basis=basis(step)),
    )
    assert saved.status_code == 200
    after = step_of(client, step["id"], "reisdocument-uitreiken")
    assert after["title"] == step["title"] + " nu" and after["sources"] == cited
    with Session(client.app.state.services.engine) as session:
        newest = history_view(session, "reisdocument-uitreiken", step_id=step["id"])[0]
    assert [field["field"] for field in newest["fields"]] == ["title"]


def test_the_panel_preview_shows_the_draft(client: TestClient, people: dict) -> None:
    step = step_of(client)
    client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers=people["expert"],
        data=step_form(step, instructie="Tel *drie* werkdagen."),
    )
    preview = client.get(f"/redactie/taken/{SLUG}/paneel", headers={**people["expert"], **HTMX})
    assert preview.status_code == 200 and 'id="paneelvoorbeeld"' in preview.text
    assert "Tel <em>drie</em> werkdagen." in preview.text


# ---- workflow --------------------------------------------------------------------------


def test_submit_publish_and_the_four_eyes_refusal(client: TestClient, people: dict) -> None:
    step = (
        step_of(client, "controleer-aanvrager", CRITICAL)
        if any(s["id"] == "controleer-aanvrager" for s in draft(client, CRITICAL)["steps"])
        else draft(client, CRITICAL)["steps"][0]
    )
    client.post(
        f"/redactie/taken/{CRITICAL}/stappen/{step['id']}",
        headers=people["redacteur"],
        data=step_form(step, waarom="Gewijzigd door de redacteur."),
    )
    page = client.get(f"/redactie/taken/{CRITICAL}", headers=people["expert"]).text
    assert "Indienen ter controle" in page and "Publiceren</button>" not in page
    submitted = client.post(
        f"/redactie/taken/{CRITICAL}/indienen", headers=people["expert"], follow_redirects=False
    )
    assert submitted.status_code == 303 and "gedaan=ingediend" in submitted.headers["location"]
    assert draft(client, CRITICAL)["status"] == "submitted"
    assert (
        client.post(
            f"/redactie/taken/{CRITICAL}/publiceren", headers={**people["expert"], **HTML}
        ).status_code
        == 403
    )
    page = client.get(f"/redactie/taken/{CRITICAL}", headers=people["redacteur"]).text
    assert "Terugsturen met opmerking" in page and "U heeft dit concept zelf bewerkt" in page
    # What a redacteur's open editor fetches when a colleague submitted: the box as it is
    # now, and the status in the heading out of band.
    box = client.get(
        f"/redactie/taken/{CRITICAL}/werkstroom", headers={**people["redacteur"], **HTMX}
    )
    assert box.status_code == 200 and "<html" not in box.text
    assert re.search(r'<section id="werkstroom"(?![^>]*hx-swap-oob)', box.text)
    assert "Ingediend door expert" in box.text and "Publiceren</button>" in box.text
    assert re.search(r'<span id="taakstatus" hx-swap-oob="true"[^>]*>Ingediend<', box.text)
    versions = version_count(client)
    refused = client.post(
        f"/redactie/taken/{CRITICAL}/publiceren", headers={**people["redacteur"], **HTML}
    )
    assert refused.status_code == 403
    assert "Publiceren door een tweede persoon" in refused.text
    assert "tweede persoon nodig" in refused.text and version_count(client) == versions
    published = client.post(
        f"/redactie/taken/{CRITICAL}/publiceren",
        headers=people["redacteur2"],
        follow_redirects=False,
    )
    assert published.status_code == 303 and "gedaan=gepubliceerd" in published.headers["location"]
    assert draft(client, CRITICAL)["published_version"] == 2
    with Session(client.app.state.services.engine) as session:
        assert published_version(session, CRITICAL).approved_by == "redacteur2"


def test_a_send_back_comment_is_shown_to_the_editors(client: TestClient, people: dict) -> None:
    step = step_of(client)
    client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers=people["expert"],
        data=step_form(step, waarom="Nieuw."),
    )
    client.post(f"/redactie/taken/{SLUG}/indienen", headers=people["expert"])
    empty = client.post(
        f"/redactie/taken/{SLUG}/terugsturen",
        data={"opmerking": " "},
        headers={**people["redacteur"], **HTML},
    )
    assert empty.status_code == 422 and "Opmerking: schrijf op wat er moet veranderen" in empty.text
    assert draft(client)["status"] == "submitted"
    client.post(
        f"/redactie/taken/{SLUG}/terugsturen",
        headers=people["redacteur"],
        data={"opmerking": "Noem de wettelijke termijn."},
    )
    page = client.get(f"/redactie/taken/{SLUG}", headers=people["expert"]).text
    assert "Teruggestuurd met opmerking" in page and "Noem de wettelijke termijn." in page


def test_versions_diff_and_restore(client: TestClient, people: dict) -> None:
    step = step_of(client)
    client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers=people["expert"],
        data=step_form(step, titel="Controleer de termijn (drie werkdagen)"),
    )
    client.post(f"/redactie/taken/{SLUG}/indienen", headers=people["expert"])
    client.post(f"/redactie/taken/{SLUG}/publiceren", headers=people["redacteur"])
    page = client.get(f"/redactie/taken/{SLUG}/versies", headers=people["expert"])
    assert "versie 2" in page.text and "versie 1" in page.text
    diff = client.get(
        f"/redactie/taken/{SLUG}/versies",
        params={"van": 1, "naar": 2},
        headers={**people["expert"], **HTMX},
    )
    assert diff.status_code == 200 and 'id="versieverschil"' in diff.text
    # The readable difference: the title's new words marked, no YAML diff.
    assert "Versie 1 naast versie 2" in diff.text and "@@" not in diff.text
    assert "[toegevoegd:] </span>de termijn (drie werkdagen)</ins>" in diff.text
    assert "<dt>Titel</dt>" in diff.text
    missing = client.get(
        f"/redactie/taken/{SLUG}/versies",
        params={"van": 1, "naar": 9},
        headers={**people["expert"], **HTML},
    )
    assert missing.status_code == 404 and "9" in missing.text
    restored = client.post(
        f"/redactie/taken/{SLUG}/versies/herstellen",
        data={"versie": 1},
        headers=people["expert"],
        follow_redirects=False,
    )
    assert restored.status_code == 303
    assert step_of(client)["title"] == step["title"] and draft(client)["status"] == "draft"


def test_the_review_list_and_still_correct(client: TestClient, people: dict) -> None:
    set_clock(client.app, dt.date(2027, 1, 20))
    page = client.get("/redactie/controle", headers=people["expert"]).text
    overdue, due = page.split('id="kop-due"')
    assert "Geen taken met een verstreken controledatum" in overdue
    assert f"/redactie/taken/{CRITICAL}" in due and "binnenkort" in due
    set_clock(client.app, dt.date(2027, 2, 2))
    page = client.get("/redactie/controle", headers=people["expert"]).text
    assert "te laat" in page.split('id="kop-due"')[0]
    before = version_count(client)
    asked = client.get(
        f"/redactie/controle/{CRITICAL}/bevestigen", headers={**people["expert"], **HTMX}
    )
    assert asked.status_code == 200 and "Is deze taak nog steeds juist?" in asked.text
    assert "02-02-2028" in asked.text and 'name="notitie"' in asked.text
    assert version_count(client) == before and "Bevestigd" not in asked.text  # only asked
    confirmed = client.post(
        f"/redactie/controle/{CRITICAL}/bevestigen", headers={**people["expert"], **HTMX}
    )
    assert confirmed.status_code == 200 and "Bevestigd als nog steeds juist" in confirmed.text
    assert "02-02-2028" in confirmed.text and version_count(client) == before
    again = client.post(
        f"/redactie/controle/{CRITICAL}/bevestigen", headers={**people["expert"], **HTMX}
    )
    assert again.status_code == 409 and "al bevestigd" in again.text
    assert version_count(client) == before


# ---- import and export -----------------------------------------------------------------


def shipped_text(slug: str) -> str:
    return (shipped("tasks") / f"{slug}.yaml").read_text(encoding="utf-8")


def test_an_import_with_a_problem_names_file_line_and_field_and_changes_nothing(
    client: TestClient, people: dict
) -> None:
    good = shipped_text(SLUG).replace(
        "title: Aangifte geboorte opnemen", "title: Aangifte geboorte opnemen (nieuw)"
    )
    broken = shipped_text("verhuizing-doorgeven").replace("review_by:", "herzien_op:")
    before = version_count(client)
    answer = client.post(
        "/redactie/import",
        headers={**people["redacteur"], **HTMX},
        files=[
            ("bestanden", ("geboorte.yaml", good.encode(), "application/yaml")),
            ("bestanden", ("verhuizing.yaml", broken.encode(), "application/yaml")),
        ],
    )
    assert answer.status_code == 422
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "herzien_op" in text)
    shown = html.unescape(answer.text)
    assert (
        f"verhuizing.yaml, regel {line}, het veld 'herzien_op': dit veld hoort niet bij "
        "het taakformaat (een tikfout?)"
    ) in shown
    assert re.search(r"verhuizing\.yaml, regel \d+, Controle vóór: dit veld ontbreekt", shown)
    assert "Niets geïmporteerd" in answer.text and "/tmp" not in answer.text
    assert version_count(client) == before
    assert draft(client)["title"] == "Aangifte geboorte opnemen"
    not_yaml = client.post(
        "/redactie/import",
        headers={**people["redacteur"], **HTMX},
        files=[("bestanden", ("notities.txt", b"x", "text/plain"))],
    )
    assert not_yaml.status_code == 422 and "notities.txt" in not_yaml.text


def test_an_import_is_submitted_for_review_and_an_expert_may_not_import(
    client: TestClient, people: dict
) -> None:
    good = shipped_text(SLUG).replace(
        "title: Aangifte geboorte opnemen", "title: Aangifte geboorte opnemen (nieuw)"
    )
    files = [("bestanden", ("geboorte.yaml", good.encode(), "application/yaml"))]
    assert (
        client.post(
            "/redactie/import", files=files, headers={**people["expert"], **HTML}
        ).status_code
        == 403
    )
    assert client.get("/redactie/import", headers={**people["expert"], **HTML}).status_code == 403
    answer = client.post("/redactie/import", files=files, headers=people["redacteur"])
    assert answer.status_code == 200 and "Geïmporteerd en ingediend ter controle" in answer.text
    assert "0 nieuw, 1 bijgewerkt, 0 ongewijzigd" in answer.text
    assert draft(client)["title"] == "Aangifte geboorte opnemen (nieuw)"
    assert (draft(client)["status"], draft(client)["submitted_by"]) == ("submitted", "redacteur")
    assert draft(client)["published_version"] == 1  # not published: that needs a review
    hits = client.get("/api/v1/search", params={"q": "nieuw opnemen"}).json()["results"]
    assert not any(h["task_title"].endswith("(nieuw)") for h in hits)


def test_export_gives_the_task_files(client: TestClient, people: dict) -> None:
    one = client.get(f"/redactie/export/{SLUG}.yaml", headers=people["expert"])
    assert one.status_code == 200
    assert one.headers["content-disposition"] == f'attachment; filename="{SLUG}.yaml"'
    assert one.text == shipped_text(SLUG)
    with Session(client.app.state.services.engine) as session:
        assert one.text == dump_document(published_version(session, SLUG).document)
    archive = client.get("/redactie/export/taken.zip", headers=people["expert"])
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    files = len(list(shipped("tasks").glob("*.yaml")))  # and the schema and the credits
    assert f"{SLUG}.yaml" in names and "task.schema.json" in names and len(names) == files + 2
    assert "versions.json" in names  # the credits of every version, beside the files
    page = client.get("/redactie/export", headers=people["expert"]).text
    assert f'href="/redactie/export/{SLUG}.yaml"' in page
    assert (
        client.get(
            "/redactie/export/bestaat-niet.yaml", headers={**people["expert"], **HTML}
        ).status_code
        == 404
    )


# ---- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*PAGES, "/redactie/import"])
def test_anonymous_people_are_sent_to_the_login_and_desk_staff_refused(
    client: TestClient, people: dict, url: str
) -> None:
    anonymous = client.get(url, headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/inloggen?volgende=%2Fredactie")
    htmx = client.get(url, headers=HTMX, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/inloggen")
    for role in ("medewerker", "kwaliteit", "beheerder"):
        refused = client.get(url, headers={**people[role], **HTML})
        assert refused.status_code == 403 and "Geen toegang" in refused.text


def test_a_form_without_a_csrf_token_is_refused(client: TestClient, people: dict) -> None:
    """A browser (a login cookie, no token) cannot be made to post an edit from elsewhere."""
    step = step_of(client)
    client.cookies.set("epss_session", "whatever")
    answer = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}", data=step_form(step, titel="Van elders")
    )
    assert answer.status_code == 403 and step_of(client) == step


def test_restoring_what_the_draft_already_is_is_refused_on_the_page(
    client: TestClient, people: dict
) -> None:
    answer = client.post(
        f"/redactie/taken/{SLUG}/versies/herstellen",
        data={"versie": 1},
        headers={**people["expert"], **HTML},
    )
    assert answer.status_code == 409
    assert "Niet teruggezet" in answer.text and "er is niets terug te zetten" in answer.text
    assert draft(client)["status"] == "published"


def test_without_scripts_each_step_link_opens_the_whole_page(
    client: TestClient, people: dict
) -> None:
    page = client.get(f"/redactie/taken/{SLUG}/stappen/{STEP}/bewerken", headers=people["expert"])
    assert page.status_code == 200 and "<html" in page.text
    assert f'id="stap-{STEP}-titel"' in page.text  # that step's form is open
    assert page.text.count('data-mode="edit"') == 1
    confirm = client.get(
        f"/redactie/taken/{SLUG}/stappen/{STEP}/verwijderen", headers=people["expert"]
    )
    assert "<html" in confirm.text and "Deze stap verwijderen?" in confirm.text


def test_the_editor_speaks_english_on_request(client: TestClient, people: dict) -> None:
    page = client.get(
        f"/redactie/taken/{SLUG}", params={"lang": "en"}, headers=people["expert"]
    ).text
    for text in (
        "Edit tasks",
        "Save the task details",
        "Who is editing now",
        "Test against an address and title",
        "How the panel shows this task",
    ):
        assert text in page
    assert "Taakgegevens opslaan" not in page


def test_the_sources_of_a_step_are_told_apart_by_their_article(
    client: TestClient, people: dict
) -> None:
    """Three articles of the Wet BRP are three sources with one title: the boxes of a step
    and the words a conflict shows name each by its article."""
    slug = "verhuizing-doorgeven"
    page = client.get(
        f"/redactie/taken/{slug}",
        params={"bewerk": "controleer-verhuisdatum"},
        headers=people["expert"],
    )
    assert page.status_code == 200
    labels = [html.unescape(t) for t in re.findall(r'-bron-[^"]*">([^<]*)</label>', page.text)]
    assert len(labels) == len(set(labels)) == 5, labels
    fine = "Wet basisregistratie personen (Wet BRP), art. 4.17 (bestuurlijke boete)"
    assert fine in labels
    with Session(client.app.state.services.engine) as session:
        shown = value_writer(draft_view(session, slug), lambda text: text)
    assert shown("sources", ["wet-brp-art-4-17"]) == fine
