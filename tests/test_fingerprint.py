"""A step's field fingerprint (epss/taskfile/fingerprint.py): in the task file and its schema,
refused with a Dutch reason when it names nothing, shown to the expert in words, kept while
the step points at the same field and dropped when it points elsewhere, and served to the
panel without touching the ticks at the desk."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from epss.drafts.editing import draft_view
from epss.render import step_hash
from epss.taskfile import TaskFileError, dump_document, load_text
from epss.taskfile.fingerprint import FieldFingerprint
from tests.conftest import shipped_document, text_of
from tests.editor_support import basis, step_form

SLUG, STEP = "verhuizing-doorgeven", "controleer-verhuisdatum"
HTMX = {"HX-Request": "true"}


def _step(client: TestClient) -> dict:
    with Session(client.app.state.services.engine) as session:
        return next(s for s in draft_view(session, SLUG)["steps"] if s["id"] == STEP)


def test_the_shipped_field_keeps_its_fingerprint_through_a_file() -> None:
    document = shipped_document(SLUG)
    step = next(s for s in document.steps if s.id == STEP)
    assert step.target_fingerprint == FieldFingerprint(
        tag="input",
        type="text",
        id="verhuisdatum",
        name="verhuisdatum",
        label="Verhuisdatum",
        role="textbox",
        heading="2. Nieuw adres en datum",
        position=7,
    )
    text = dump_document(document)
    assert "    target_fingerprint:\n      tag: input\n" in text
    assert "placeholder" not in text.split(f"- id: {STEP}")[1].split("- id:")[0]  # unset: left out
    assert dump_document(load_text(text, SLUG)) == text


@pytest.mark.parametrize(
    ("fingerprint", "said"),
    [
        ("{tag: input, role: textbox}", "hebben een id, naam, label"),
        ("{tag: input, name: x, data: {veld: datum}}", "Data-attributen"),
        ("{tag: Input, name: x}", "Soort element"),
        ("{tag: input, name: x, position: 0}", "Positie"),
    ],
)
def test_a_fingerprint_that_cannot_be_one_is_refused_with_its_dutch_name(
    fingerprint: str, said: str
) -> None:
    text = dump_document(shipped_document(SLUG))
    before, after = text.split(f"- id: {STEP}")
    head, rest = after.split("    target_fingerprint:\n", 1)
    rest = rest.split("\n", 8)[-1]  # the shipped fingerprint's eight lines out
    bad = before + f"- id: {STEP}" + head + f"    target_fingerprint: {fingerprint}\n" + rest
    with pytest.raises(TaskFileError) as refused:
        load_text(bad, SLUG)
    assert "Kenmerken van het veld" in str(refused.value) and said in str(refused.value)


def test_a_fingerprint_needs_a_field_to_belong_to() -> None:
    document = shipped_document(SLUG)
    data = document.model_dump(mode="json")
    step = next(s for s in data["steps"] if s["id"] == STEP)
    step["target"], step["field_tip"], step["field_checks"] = [], None, []
    with pytest.raises(TaskFileError, match="hebben een veld nodig"):
        load_text(json.dumps(data), SLUG)


def test_the_expert_reads_what_the_field_is_recognised_by(client: TestClient, people: dict) -> None:
    page = client.get(f"/redactie/taken/{SLUG}/stappen/{STEP}/bewerken", headers=people["expert"])
    said = text_of(page.text)
    assert "Het paneel herkent dit veld ook aan:" in said
    assert "Labeltekst ‘Verhuisdatum’" in said and "Kop erboven ‘2. Nieuw adres" in said
    assert "target_fingerprint" not in said and "aria_label" not in said
    shown = client.get(f"/redactie/taken/{SLUG}", headers=people["expert"]).text
    assert "ook herkend aan kenmerken" in shown


def test_the_fingerprint_stays_with_its_field_and_goes_when_the_step_points_elsewhere(
    client: TestClient, people: dict
) -> None:
    step = _step(client)
    had = step["target_fingerprint"]
    kept = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert"], **HTMX},
        data=step_form(step, titel="Controleer de verhuisdatum goed"),
    )
    assert kept.status_code == 200, kept.text
    assert _step(client)["target_fingerprint"] == had
    step = _step(client)
    moved = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert"], **HTMX},
        data=step_form(step, doelveld="#datum-verhuizing"),
    )
    assert moved.status_code == 200, moved.text
    after = _step(client)
    assert after["target"] == ["#datum-verhuizing"] and after["target_fingerprint"] is None
    assert "Het paneel herkent dit veld ook aan:" not in moved.text


def test_the_panel_gets_the_fingerprint_and_a_new_one_keeps_the_ticks(
    client: TestClient,
) -> None:
    panel = client.get(f"/api/v1/tasks/{SLUG}/panel").json()
    step = next(s for s in panel["steps"] if s["id"] == STEP)
    assert step["target_fingerprint"]["label"] == "Verhuisdatum"
    shipped = next(s for s in shipped_document(SLUG).steps if s.id == STEP)
    content = shipped.model_dump(mode="json")
    repicked = {**content, "target_fingerprint": {"tag": "input", "name": "datum"}}
    assert step_hash(repicked) == step_hash(content) == step["hash"]


def test_a_field_pointed_at_comes_with_its_fingerprint_and_a_bad_one_changes_nothing(
    client: TestClient, people: dict
) -> None:
    """The form as editor_pick.js fills it: the selector and, in `kenmerken`, what the
    field pointed at looks like; what cannot be one is refused and the step stays."""
    url = f"/redactie/taken/{SLUG}/stappen/{STEP}"
    headers = {**people["expert"], **HTMX}
    before = _step(client)
    for sent, said in [
        ("{niet af", "wat over het aangewezen veld werd meegestuurd, is onleesbaar"),
        ('["#postcode"]', "wat over het aangewezen veld werd meegestuurd, is onleesbaar"),
        (json.dumps({"tag": "input", "position": 2}), "Kenmerken van het veld"),
    ]:
        refused = client.post(
            url, headers=headers, data=step_form(before, doelveld="#postcode", kenmerken=sent)
        )
        assert refused.status_code == 422, sent
        assert said in text_of(refused.text)
        assert _step(client) == before
    pointed = {"tag": "input", "type": "text", "id": "postcode", "label": "Postcode"}
    saved = client.post(
        url,
        headers=headers,
        data=step_form(before, doelveld="#postcode", kenmerken=json.dumps(pointed)),
    )
    assert saved.status_code == 200, saved.text
    after = _step(client)
    assert after["target"] == ["#postcode"]
    assert after["target_fingerprint"] == pointed
    assert "ook herkend aan kenmerken" in text_of(saved.text)


def test_keeping_my_version_keeps_the_field_i_pointed_at(client: TestClient, people: dict) -> None:
    """Erik points at another field while Eva renames the step: on the merge form,
    "Mijn versie houden" saves Erik's step with what his field looks like."""
    url = f"/redactie/taken/{SLUG}/stappen/{STEP}"
    before = _step(client)
    theirs = client.post(
        url,
        headers={**people["expert"], **HTMX},
        data=step_form(before, basis=basis(before), titel="Controleer de datum van verhuizen"),
    )
    assert theirs.status_code == 200, theirs.text
    pointed = {"tag": "input", "type": "text", "id": "postcode", "label": "Postcode"}
    mine = step_form(
        before,
        basis=basis(before),
        titel="Controleer de verhuisdatum nauwkeurig",
        doelveld="#postcode",
        kenmerken=json.dumps(pointed),
    )
    stale = client.post(url, headers={**people["expert2"], **HTMX}, data=mine)
    assert stale.status_code == 412, stale.text
    keep = stale.text.split("Mijn versie houden")[0].rsplit("<form", 1)[1]
    sent: dict[str, list[str]] = {}
    for name, double, single in re.findall(
        r'<input type="hidden" name="([^"]+)" value=(?:"([^"]*)"|\'([^\']*)\')', keep
    ):
        sent.setdefault(name, []).append(html.unescape(double or single))
    kept = client.post(url, headers={**people["expert2"], **HTMX}, data=sent)
    assert kept.status_code == 200, kept.text
    after = _step(client)
    assert after["title"] == "Controleer de verhuisdatum nauwkeurig"
    assert after["target"] == ["#postcode"] and after["target_fingerprint"] == pointed
    unchanged = ("instruction", "why", "warning", "check", "sources", "branches", "field_checks")
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
