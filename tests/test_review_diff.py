"""The review screen "Wat is er veranderd" (/redactie/taken/{slug}/wijzigingen) on real
changes, on SQLite and PostgreSQL: the submitted draft against the published version per
task field and per step (a step added, one moved, one reworded, a task field changed),
the words marked in the rendered text with Dutch labels and hidden words for screen
readers, who changed what, the open feedback on the changed steps; and the same readable
difference between two published versions, with the task files only as downloads."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session

from epss.db import unit_of_work
from epss.drafts.changes import compare
from epss.drafts.editing import draft_view
from epss.models import Feedback
from epss.pages.marked_html import marked_html
from tests.editor_support import step_form

SLUG = "aangifte-geboorte"
HTMX = {"HX-Request": "true"}


def draft(client: TestClient) -> dict:
    with Session(client.app.state.services.engine) as session:
        return draft_view(session, SLUG)


def feedback(client: TestClient, step_id: str | None, comment: str) -> str:
    with unit_of_work(client.app.state.services.engine) as session:
        row = Feedback(
            id=str(uuid.uuid4()),
            task_slug=SLUG,
            task_version=1,
            step_key=step_id,
            kind="onduidelijk",
            comment=comment,
        )
        session.add(row)
        return row.id


def make_changes(client: TestClient, people: dict) -> dict:
    """Eva rewords the second step and makes it advice, erik adds a step and moves the
    last one to the top, eva changes the task's goal; eva submits."""
    eva, erik = people["expert"], people["expert2"]
    before = draft(client)
    second = before["steps"][1]
    reworded = second["instruction"].replace("Vul", "Vul altijd", 1)
    assert reworded != second["instruction"]
    advice = {k: v for k, v in step_form(second, instructie=reworded).items() if k != "verplicht"}
    answer = client.post(
        f"/redactie/taken/{SLUG}/stappen/{second['id']}",
        headers=eva,
        data=advice,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    added = client.post(
        f"/redactie/taken/{SLUG}/stappen",
        headers=erik,
        data={
            "stappenversie": before["steps_version"],
            "stap_id": "bel-de-ouders",
            "titel": "Bel de ouders",
            "instructie": "Bel *beide* ouders.",
            "positie": "3",
            "verplicht": "ja",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    now = draft(client)
    last = now["steps"][-1]
    for _ in range(len(now["steps"]) - 1):
        moved = client.post(
            f"/redactie/taken/{SLUG}/stappen/{last['id']}/verplaatsen",
            headers=erik,
            data={"stappenversie": draft(client)["steps_version"], "richting": "omhoog"},
            follow_redirects=False,
        )
        assert moved.status_code == 303
    fields = draft(client)
    form = {
        "versie": fields["version"],
        "titel": fields["title"],
        "domein": fields["domain"],
        "doel": fields["goal"] + " Binnen drie werkdagen.",
        "aanleiding": fields["trigger"],
        "norm": fields["standard"],
        "kritiek": fields["criticality"],
        "eigenaar": fields["owner"],
        "controle_voor": fields["review_by"],
        "interval": str(fields["review_interval_months"]),
        "trefwoorden": ", ".join(fields["tags"]),
        "zaaktypen": ", ".join(fields["zaaktypen"]),
        "bron_id": [s["id"] for s in fields["sources"]],
        "bron_titel": [s["title"] for s in fields["sources"]],
        "bron_uitgever": [s.get("publisher") or "" for s in fields["sources"]],
        "bron_artikel": [s.get("section") or "" for s in fields["sources"]],
        "bron_datum": [s.get("date") or "" for s in fields["sources"]],
        "bron_url": [s.get("url") or "" for s in fields["sources"]],
        "gecontroleerd_op": fields["checked_on"] or "",
    }
    saved = client.post(
        f"/redactie/taken/{SLUG}/velden", headers=eva, data=form, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    assert (
        client.post(
            f"/redactie/taken/{SLUG}/indienen", headers=eva, follow_redirects=False
        ).status_code
        == 303
    )
    return {"second": second, "last": last, "before": before}


def test_the_review_screen_shows_what_the_submission_changes(
    client: TestClient, people: dict
) -> None:
    made = make_changes(client, people)
    about_second = feedback(client, made["second"]["id"], "Welke geboorteplaats precies?")
    feedback(client, made["before"]["steps"][3]["id"], "Over een stap die bleef.")
    page = client.get(f"/redactie/taken/{SLUG}/wijzigingen", headers=people["redacteur"])
    assert page.status_code == 200
    text = page.text
    assert "Concept naast versie 1" in text and "ingediend door expert" in text
    # The summary and the Dutch labels, no code names.
    assert re.search(
        r"1 stap toegevoegd, 1 stap verplaatst, 1 stap gewijzigd; "
        r"taakgegevens: Doel\.",
        text,
    ), text
    for label in ("Instructie", "Verplicht of advies", "Doel"):
        assert f"<dt>{label}</dt>" in text
    for code in ("mandatory", "instruction", "<code>"):
        assert code not in text.split('id="wijzigingen"')[1]
    # A step added, with its text marked as new.
    added = _section(text, "bel-de-ouders")
    assert "Stap 4: Bel de ouders" in added and "Nieuw" in added
    assert '<em><ins><span class="visually-hidden">[toegevoegd:] </span>beide</ins></em>' in added
    # A step moved from the end to the top.
    moved = _section(text, made["last"]["id"])
    count = len(made["before"]["steps"])
    assert f"Stap 1: {made['last']['title']}" in moved
    assert f"Verplaatst van plaats {count} naar plaats 1." in moved
    # A step reworded: the word, marked in the rendered text; advice instead of mandatory.
    second = _section(text, made["second"]["id"])
    assert '<ins><span class="visually-hidden">[toegevoegd:] </span>altijd</ins>' in second
    assert '<del><span class="visually-hidden">[verwijderd:] </span>Verplicht</del>' in second
    assert '<ins><span class="visually-hidden">[toegevoegd:] </span>Advies</ins>' in second
    assert "<strong>" in second  # the Markdown is rendered, not shown as **…**
    assert "Gewijzigd door expert (" in second
    # The open feedback on the changed step, and a count of the rest.
    assert "Welke geboorteplaats precies?" in second and about_second in second
    assert "Over een stap die bleef." not in text
    assert "1 open melding over een stap die niet veranderde" in text
    # The task's goal, word by word; who did it.
    goal = text.split("<dt>Doel</dt>")[1].split("</dd>")[0]
    assert '<ins><span class="visually-hidden">[toegevoegd:] </span>Binnen drie werkdagen.' in goal
    assert "Gewijzigd door expert" in goal
    assert "Bewerkt door</dt><dd>expert, expert2" in text
    # The reviewer publishes from here.
    assert 'action="/redactie/taken/aangifte-geboorte/publiceren"' in text
    fragment = client.get(
        f"/redactie/taken/{SLUG}/wijzigingen", headers={**people["redacteur"], **HTMX}
    )
    assert "<html" not in fragment.text and 'id="wijzigingen"' in fragment.text
    english = client.get(
        f"/redactie/taken/{SLUG}/wijzigingen?lang=en", headers=people["redacteur"]
    ).text
    assert "[added:]" in english and "What changed" in english


def _section(text: str, step_id: str) -> str:
    return text.split(f'id="wijziging-{step_id}"')[1].split("</li>\n      <li")[0]


def test_the_editor_links_to_the_review_screen(client: TestClient, people: dict) -> None:
    make_changes(client, people)
    page = client.get(f"/redactie/taken/{SLUG}", headers=people["redacteur"]).text
    box = page.split('id="werkstroom"')[1].split("</section>")[0]
    assert f'href="/redactie/taken/{SLUG}/wijzigingen"' in box
    assert box.index("Wat is er veranderd") < box.index(">Publiceren</button>")


def test_two_published_versions_compare_readably(client: TestClient, people: dict) -> None:
    make_changes(client, people)
    published = client.post(
        f"/redactie/taken/{SLUG}/publiceren", headers=people["redacteur"], follow_redirects=False
    )
    assert published.status_code == 303
    for url in (
        f"/redactie/taken/{SLUG}/wijzigingen?van=1&naar=2",
        f"/redactie/taken/{SLUG}/versies?van=1&naar=2",
    ):
        text = client.get(url, headers=people["expert"]).text
        assert "Versie 1 naast versie 2" in text, url
        assert "[toegevoegd:] </span>altijd</ins>" in text
        assert "@@" not in text and "mandatory: " not in text  # no YAML diff
        assert f'href="/redactie/export/{SLUG}.yaml?versie=1"' in text  # YAML: a download
        assert f'href="/redactie/export/{SLUG}.yaml?versie=2"' in text
        assert "Gewijzigd door expert" in text
    versions = client.get(f"/redactie/taken/{SLUG}/versies", headers=people["expert"]).text
    assert f'href="/redactie/taken/{SLUG}/wijzigingen?van=1&amp;naar=2"' in versions
    same = client.get(
        f"/redactie/taken/{SLUG}/wijzigingen?van=2&naar=2", headers=people["expert"]
    ).text
    assert "Er is geen verschil" in same
    assert (
        client.get(
            f"/redactie/taken/{SLUG}/wijzigingen?van=1&naar=7", headers=people["expert"]
        ).status_code
        == 404
    )


def test_words_are_marked_in_the_rendered_text_and_the_html_stays_safe() -> None:
    old = (
        "<p>Vraag om een <strong>geldig</strong> document.</p>\n<ul>\n<li>paspoort</li>\n"
        "<li>rijbewijs</li>\n</ul>"
    )
    new = (
        "<p>Vraag om een <strong>geldig</strong> paspoort.</p>\n<ul>\n<li>paspoort</li>\n"
        '</ul>\n<p>Nieuw &amp; <a href="https://x.nl">link</a>.</p>'
    )
    marked = str(marked_html(old, new, "toegevoegd:", "verwijderd:"))
    assert '<del><span class="visually-hidden">[verwijderd:] </span>document</del>' in marked
    assert '<ins><span class="visually-hidden">[toegevoegd:] </span>paspoort</ins>' in marked
    assert "<li><del>" in marked  # a removed item stays a list item
    assert "&amp;" in marked and "<strong>geldig</strong>" in marked
    evil = str(marked_html("<p>a</p>", "<p>a <script>alert(1)</script></p>", "+", "-"))
    assert "<script" not in evil


def test_compare_names_added_removed_moved_and_changed_steps() -> None:
    def step(key: str, text: str = "x") -> dict:
        return {"id": key, "title": key.upper(), "instruction": text}

    old = {"title": "T", "steps": [step("a"), step("b"), step("c"), step("d")]}
    new = {"title": "T2", "steps": [step("d"), step("a", "y"), step("c"), step("e")]}
    result = compare(old, new)
    assert [(s["id"], s["change"], s["from"], s["to"]) for s in result["steps"]] == [
        ("d", "moved", 4, 1),
        ("a", "changed", 1, 2),
        ("b", "removed", 2, None),
        ("c", "same", 3, 3),
        ("e", "added", None, 4),
    ]
    assert result["counts"] == {"added": 1, "removed": 1, "changed": 1, "moved": 1}
    assert [f["field"] for f in result["fields"]] == ["title"]
