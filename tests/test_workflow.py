"""Review and publication: draft → submitted → published (or sent back), the second person
for critical tasks, immutable versions, restoring and comparing versions. On SQLite and
PostgreSQL, through the JSON API."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from epss.catalog import import_documents
from epss.db import unit_of_work
from epss.drafts.document import draft_document
from epss.drafts.working import find as find_task
from epss.taskfile import dump_document, load_text
from tests.conftest import TASKS_DIR, publish, shipped_document
from tests.workflow_support import (
    CRITICAL,
    NORMAL,
    Editor,
    history,
    step_editor,
    step_row,
    task_row,
    version_numbers,
    write_step,
)

API = "/api/v1/tasks"
MANIFEST = "/api/v1/apps/demo-zaaksysteem/manifest"


@pytest.fixture
def edit(client: TestClient, people: dict) -> Editor:
    return step_editor(client, people)


def submit(client: TestClient, slug: str, who: dict) -> dict:
    answer = client.post(f"{API}/{slug}/draft/submit", headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()


def manifest_versions(client: TestClient, slug: str) -> set[int]:
    return {r["version"] for r in client.get(MANIFEST).json()["rules"] if r["task"] == slug}


def test_a_published_draft_is_a_new_version_everyone_sees_at_once(
    client: TestClient, people: dict, edit: Editor
) -> None:
    assert manifest_versions(client, NORMAL) == {1}  # the overlay's rules, now cached
    old_panel = client.get(f"{API}/{NORMAL}/panel").json()
    edit(
        "expert",
        NORMAL,
        "neem-melding-aan",
        instruction="Vraag eerst naar de kwispelcontrole van het nieuwe adres.",
    )
    assert client.get("/api/v1/search", params={"q": "kwispelcontrole"}).json()["results"] == []

    state = submit(client, NORMAL, people["expert"])
    assert (state["status"], state["submitted_by"]) == ("submitted", "expert")
    answer = client.post(f"{API}/{NORMAL}/draft/publish", headers=people["redacteur"])
    assert answer.status_code == 200, answer.text
    version = answer.json()
    assert version["number"] == 2 and version["status"] == "published"
    assert (version["published_by"], version["approved_by"], version["edited_by"]) == (
        "redacteur",
        "redacteur",
        ["expert"],
    )
    assert re.fullmatch(r"[0-9a-f]{64}", version["content_hash"])

    # The moment the answer is there, search, panel and the overlay's rules show version 2.
    hits = client.get("/api/v1/search", params={"q": "kwispelcontrole"}).json()["results"]
    assert [(h["task_slug"], h["task_version"]) for h in hits][:1] == [(NORMAL, 2)]
    panel = client.get(f"{API}/{NORMAL}/panel").json()
    assert panel["version"] == 2 and "kwispelcontrole" in json.dumps(panel)
    assert "kwispelcontrole" not in json.dumps(old_panel)
    assert manifest_versions(client, NORMAL) == {2}
    newest = client.get(f"{API}/{NORMAL}").json()
    assert (newest["version"], newest["content_hash"]) == (2, version["content_hash"])
    assert "kwispelcontrole" in newest["steps"][0]["instruction"]

    # The old version stays readable, unchanged.
    old = client.get(f"{API}/{NORMAL}", params={"version": 1}).json()
    assert (old["version"], old["latest_version"]) == (1, 2)
    assert "kwispelcontrole" not in old["steps"][0]["instruction"]
    assert old["content_hash"] != version["content_hash"]

    listed = client.get(f"{API}/{NORMAL}/versions", headers=people["kwaliteit"]).json()
    assert [
        (
            v["number"],
            v["published_by"],
            v["approved_by"],
            v["submitted_by"],
            v["edited_by"],
            v["import_unreviewed"],
        )
        for v in listed
    ] == [
        (2, "redacteur", "redacteur", "expert", ["expert"], False),
        (1, "test", None, None, ["test"], True),
    ]
    assert history(client, NORMAL)[-3:] == [
        ("expert", "step_updated", None),
        ("expert", "submitted", None),
        ("redacteur", "published", 2),
    ]
    task = task_row(client, NORMAL)
    assert (task.status, task.published_version, task.submitted_by) == ("published", 2, None)


def test_each_step_of_the_workflow_refuses_the_wrong_state(
    client: TestClient, people: dict, edit: Editor
) -> None:
    url = f"{API}/{NORMAL}/draft"
    nothing = client.post(f"{url}/submit", headers=people["expert"])
    assert nothing.status_code == 409
    title = shipped_document(NORMAL).title
    assert nothing.json()["detail"] == (
        f"Er is niets in te dienen: het concept van '{title}' "
        "is gelijk aan de gepubliceerde versie 1."
    )
    published = client.post(f"{url}/publish", headers=people["redacteur"])
    assert (
        published.status_code == 409 and "gepubliceerd als versie 1" in published.json()["detail"]
    )

    edit("expert", NORMAL, "vraag-nieuw-adres", title="Vraag het nieuwe adres en de postcode")
    draft = client.post(f"{url}/publish", headers=people["redacteur"])
    assert draft.status_code == 409 and draft.json()["status"] == "draft"
    assert "Dien het eerst in." in draft.json()["detail"]
    not_submitted = client.post(
        f"{url}/send-back", json={"comment": "Nee."}, headers=people["redacteur"]
    )
    assert (
        not_submitted.status_code == 409
        and "kan niet worden teruggestuurd: het concept is nog niet ingediend"
        in not_submitted.json()["detail"]
    )

    submit(client, NORMAL, people["expert"])
    again = client.post(f"{url}/submit", headers=people["expert2"])
    assert again.status_code == 409 and "al ingediend ter controle" in again.json()["detail"]
    assert "(door expert)" in again.json()["detail"]
    assert task_row(client, NORMAL).submitted_by == "expert"

    edit("expert2", NORMAL, "vraag-nieuw-adres", why="Gewijzigd na het indienen.")
    changed = client.post(f"{url}/publish", headers=people["redacteur"])
    assert changed.status_code == 409 and "Dien het eerst in." in changed.json()["detail"]
    assert version_numbers(client, NORMAL, people["expert"]) == [1]


def test_only_the_right_roles_move_a_draft(client: TestClient, people: dict, edit: Editor) -> None:
    url = f"{API}/{NORMAL}/draft"
    edit("expert", NORMAL, "vraag-nieuw-adres", title="Vraag het nieuwe adres en de postcode")
    assert client.post(f"{url}/submit").status_code == 401
    for role in ("medewerker", "kwaliteit", "beheerder"):
        answer = client.post(f"{url}/submit", headers=people[role])
        assert (
            answer.status_code == 403
            and "de rol expert of redacteur nodig" in answer.json()["detail"]
        )
    submit(client, NORMAL, people["expert"])
    for role in ("expert", "medewerker", "kwaliteit", "beheerder"):
        assert client.post(f"{url}/publish", headers=people[role]).status_code == 403
        assert (
            client.post(f"{url}/send-back", json={"comment": "x"}, headers=people[role]).status_code
            == 403
        )
    assert client.post(f"{url}/publish").status_code == 401
    for role in ("medewerker", "kwaliteit"):
        assert (
            client.post(f"{url}/restore", json={"version": 1}, headers=people[role]).status_code
            == 403
        )
    assert client.get(f"{API}/{NORMAL}/versions", headers=people["medewerker"]).status_code == 403
    assert (
        client.get(
            f"{API}/{NORMAL}/diff", params={"from": 1, "to": 1}, headers=people["medewerker"]
        ).status_code
        == 403
    )
    assert task_row(client, NORMAL).status == "submitted"
    assert version_numbers(client, NORMAL, people["redacteur"]) == [1]


def test_a_critical_task_needs_a_second_person(
    client: TestClient, people: dict, edit: Editor
) -> None:
    edit("redacteur", CRITICAL, "vergelijk-gezicht", why="Een look-alike is de grootste fraude.")
    edit("expert", CRITICAL, "beoordeel-pasfoto", check="De foto voldoet aan de fotomatrix.")
    edit("redacteur", CRITICAL, "ontvang-aanvrager", warning="Let op: altijd zelf kijken.")
    draft = client.get(f"{API}/{CRITICAL}/draft", headers=people["redacteur"]).json()
    assert (
        client.patch(
            f"{API}/{CRITICAL}/draft",
            json={"standard": "Vier ogen."},
            headers={**people["redacteur"], "If-Match": str(draft["version"])},
        ).status_code
        == 200
    )
    submit(client, CRITICAL, people["redacteur"])

    refused = client.post(f"{API}/{CRITICAL}/draft/publish", headers=people["redacteur"])
    assert refused.status_code == 403
    body = refused.json()
    assert body["reason"] == "second_person_required"
    steps = {s.id: s.title for s in shipped_document(CRITICAL).steps}
    assert body["detail"] == (
        "Een wijziging van een kritieke taak heeft een tweede persoon nodig: u (redacteur) "
        f"hebt sinds versie 1 de stappen '{steps['vergelijk-gezicht']}' en "
        f"'{steps['ontvang-aanvrager']}' bewerkt en de gegevens van de taak zelf bewerkt. "
        "Een andere redacteur moet haar publiceren."
    )
    assert body["editors"] == ["expert", "redacteur"]
    assert task_row(client, CRITICAL).status == "submitted"  # nothing changed
    assert version_numbers(client, CRITICAL, people["redacteur"]) == [1]

    answer = client.post(f"{API}/{CRITICAL}/draft/publish", headers=people["redacteur2"])
    assert answer.status_code == 200, answer.text
    assert (answer.json()["number"], answer.json()["approved_by"], answer.json()["edited_by"]) == (
        2,
        "redacteur2",
        ["expert", "redacteur"],
    )

    # After a publication, earlier edits no longer count: only what changed since.
    edit("expert", CRITICAL, "vergelijk-gezicht", why="Kijk naar oren, neus en kin.")
    submit(client, CRITICAL, people["expert"])
    next_one = client.post(f"{API}/{CRITICAL}/draft/publish", headers=people["redacteur"])
    assert next_one.status_code == 200, next_one.text
    assert (next_one.json()["number"], next_one.json()["edited_by"]) == (3, ["expert"])


def test_an_import_published_at_once_counts_as_a_publication(
    client: TestClient, people: dict, edit: Editor
) -> None:
    edit("redacteur", CRITICAL, "vergelijk-gezicht", why="Eerdere wijziging.")
    with unit_of_work(client.app.state.services.engine) as session:  # epss import --publish
        import_documents(
            session,
            [shipped_document(CRITICAL, why="Nieuwe tekst.")],
            by="beheer",
            replace_draft=True,
        )
    edit("expert", CRITICAL, "beoordeel-pasfoto", check="Fotomatrix gevolgd.")
    submit(client, CRITICAL, people["expert"])
    answer = client.post(f"{API}/{CRITICAL}/draft/publish", headers=people["redacteur"])
    assert answer.status_code == 200, answer.text
    assert (answer.json()["number"], answer.json()["edited_by"]) == (3, ["expert"])


def test_a_task_that_is_not_critical_may_be_published_by_its_own_editor(
    client: TestClient, people: dict, edit: Editor
) -> None:
    edit("redacteur", NORMAL, "vraag-nieuw-adres", title="Vraag het nieuwe adres en de postcode")
    submit(client, NORMAL, people["redacteur"])
    answer = client.post(f"{API}/{NORMAL}/draft/publish", headers=people["redacteur"])
    assert answer.status_code == 200, answer.text
    assert (answer.json()["edited_by"], answer.json()["approved_by"]) == (
        ["redacteur"],
        "redacteur",
    )


def test_sent_back_with_a_comment_the_editors_see(
    client: TestClient, people: dict, edit: Editor
) -> None:
    url = f"{API}/{NORMAL}/draft"
    edit("expert", NORMAL, "vraag-nieuw-adres", title="Vraag het nieuwe adres en de postcode")
    submit(client, NORMAL, people["expert"])
    for body, field in (
        ({"comment": ""}, "comment"),
        ({"comment": "  \n "}, "comment"),
        ({}, "comment"),
        ({"comment": "ok", "extra": 1}, "extra"),
    ):
        answer = client.post(f"{url}/send-back", json=body, headers=people["redacteur"])
        assert answer.status_code == 422, body
        said = answer.json()  # the domain's refusal names its field; pydantic's its path
        assert said.get("field") == field or said["detail"].startswith(f"{field}: "), said
    assert task_row(client, NORMAL).status == "submitted"
    assert [a for _, a, _ in history(client, NORMAL)][-1] == "submitted"

    answer = client.post(
        f"{url}/send-back",
        headers=people["redacteur"],
        json={"comment": "Noem ook de termijn van vijf dagen."},
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["review_comment"]) == (
        "draft",
        "Noem ook de termijn van vijf dagen.",
    )
    assert history(client, NORMAL)[-1] == ("redacteur", "sent_back", None)
    draft = client.get(f"{API}/{NORMAL}/draft", headers=people["expert2"]).json()
    assert (draft["status"], draft["review_comment"], draft["editors"]) == (
        "draft",
        "Noem ook de termijn van vijf dagen.",
        ["expert"],
    )
    assert client.post(f"{url}/publish", headers=people["redacteur"]).status_code == 409

    edit("expert", NORMAL, "vraag-nieuw-adres", instruction="Binnen vijf dagen melden.")
    state = submit(client, NORMAL, people["expert"])
    assert state["review_comment"] is None
    assert client.post(f"{url}/publish", headers=people["redacteur"]).json()["number"] == 2


def test_a_draft_that_would_not_import_cannot_be_submitted(
    client: TestClient, people: dict
) -> None:
    # The editing API refuses such edits; a draft can still become invalid another way.
    write_step(
        client,
        "expert",
        NORMAL,
        "vraag-nieuw-adres",
        instruction="  ",
        sources=["onbekende-bron"],
        branches=[
            {"if": "adres onbekend", "step": "bestaat-niet"},
            {"if": "twijfel", "task": "geen-taak"},
        ],
    )
    answer = client.post(f"{API}/{NORMAL}/draft/submit", headers=people["expert"])
    assert answer.status_code == 422
    body = answer.json()
    title = step_row(client, NORMAL, "vraag-nieuw-adres").title
    where = f"Stap 3 ({title})"
    assert body["detail"].startswith(
        f"Het concept van '{shipped_document(NORMAL).title}' is nog niet in orde ("
    )
    assert f"{where}, Instructie: mag niet leeg zijn" in body["detail"]
    assert [(p["step"], p["field"]) for p in body["problems"]] == [
        ("vraag-nieuw-adres", "instruction")
    ]

    write_step(client, "expert", NORMAL, "vraag-nieuw-adres", instruction="Vraag het adres.")
    answer = client.post(f"{API}/{NORMAL}/draft/submit", headers=people["expert"])
    assert answer.status_code == 422
    problems = {(p["step"], p["field"]): p["message"] for p in answer.json()["problems"]}
    assert problems == {
        (
            "vraag-nieuw-adres",
            "sources → source 1",
        ): "noemt de bron 'onbekende-bron', maar die staat niet in de bronnen van de taak",
        (
            "vraag-nieuw-adres",
            "branches → branch 1 → step",
        ): "gaat verder bij de stap 'bestaat-niet', maar die heeft deze taak niet",
        (
            "vraag-nieuw-adres",
            "branches → branch 2 → task",
        ): "gaat verder met de taak 'geen-taak', maar die bestaat niet",
    }
    task = task_row(client, NORMAL)
    assert task.status == "draft" and task.submitted_by is None
    assert "submitted" not in [a for _, a, _ in history(client, NORMAL)]


def test_an_old_version_comes_back_as_a_new_version(
    client: TestClient, people: dict, edit: Editor
) -> None:
    original = client.get(f"{API}/{NORMAL}").json()
    edit("expert", NORMAL, "vraag-nieuw-adres", title="Een slechte nieuwe titel")
    submit(client, NORMAL, people["expert"])
    client.post(f"{API}/{NORMAL}/draft/publish", headers=people["redacteur"])
    step_version = step_row(client, NORMAL, "vraag-nieuw-adres").version

    answer = client.post(
        f"{API}/{NORMAL}/draft/restore", json={"version": 1}, headers=people["expert2"]
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "draft"
    step = step_row(client, NORMAL, "vraag-nieuw-adres")
    assert step.title == original["steps"][2]["title"] and step.version > step_version
    assert history(client, NORMAL)[-1] == ("expert2", "restored", None)

    submit(client, NORMAL, people["expert2"])
    third = client.post(f"{API}/{NORMAL}/draft/publish", headers=people["redacteur"]).json()
    assert (third["number"], third["edited_by"]) == (3, ["expert2"])
    assert third["content_hash"] == original["content_hash"]
    newest = client.get(f"{API}/{NORMAL}").json()
    assert newest["version"] == 3 and newest["steps"] == original["steps"]
    assert (
        client.get(f"{API}/{NORMAL}", params={"version": 2}).json()["steps"][2]["title"]
        == "Een slechte nieuwe titel"
    )


def test_restoring_refuses_what_cannot_be_restored(client: TestClient, people: dict) -> None:
    url = f"{API}/{NORMAL}/draft/restore"
    unknown = client.post(url, json={"version": 9}, headers=people["expert"])
    assert unknown.status_code == 404
    title = shipped_document(NORMAL).title
    assert (
        unknown.json()["detail"]
        == f"Versie 9 van '{title}' bestaat niet (de nieuwste is versie 1)."
    )
    zero = client.post(url, json={"version": 0}, headers=people["expert"])
    assert zero.status_code == 422 and zero.json()["detail"] == "version: moet minstens 1 zijn"
    same = client.post(url, json={"version": 1}, headers=people["expert"])
    assert same.status_code == 409 and "heeft al de inhoud van versie 1" in same.json()["detail"]
    missing = client.post(
        f"{API}/geen-taak/draft/restore", json={"version": 1}, headers=people["expert"]
    )
    assert missing.status_code == 404 and "geen-taak" in missing.json()["detail"]
    assert [a for _, a, _ in history(client, NORMAL)] == ["imported"]


def test_the_difference_between_two_versions(client: TestClient, people: dict) -> None:
    first = shipped_document(NORMAL)
    steps = list(first.steps)
    changed = steps[2].model_copy(
        update={"instruction": "Vraag het nieuwe adres, met postcode en huisnummer."}
    )
    added = steps[0].model_copy(
        update={"id": "controleer-woonruimte", "title": "Controleer de woonruimte"}
    )
    # version 2: step 2 removed, step 3 changed, step 9 moved to the front, a step added
    new_steps = [steps[8], steps[0], changed, *steps[3:8], *steps[9:], added]
    second = first.model_copy(update={"title": "Verhuizing doorgeven (nieuw)", "steps": new_steps})
    publish(client.app.state.services, second)

    answer = client.get(
        f"{API}/{NORMAL}/diff", params={"from": 1, "to": 2}, headers=people["kwaliteit"]
    )
    assert answer.status_code == 200, answer.text
    diff = answer.json()
    assert (diff["from"], diff["to"], diff["task_fields"]) == (1, 2, ["title"])
    assert {(s["id"], s["change"], tuple(s["fields"])) for s in diff["steps"]} == {
        (steps[8].id, "changed", ("position",)),
        (steps[2].id, "changed", ("instruction",)),
        ("controleer-woonruimte", "added", ()),
        (steps[1].id, "removed", ()),
    }
    assert diff["unified"].startswith(
        f"--- {NORMAL}.yaml (versie 1)\n+++ {NORMAL}.yaml (versie 2)\n"
    )
    assert "+title: Verhuizing doorgeven (nieuw)\n" in diff["unified"]
    assert (
        "-title: Verhuizing doorgeven\n" in diff["unified"]
        or f"-title: {first.title}\n" in diff["unified"]
    )
    assert "+  - id: controleer-woonruimte\n" in diff["unified"]
    assert f"-  - id: {steps[1].id}\n" in diff["unified"]

    back = client.get(
        f"{API}/{NORMAL}/diff", params={"from": 2, "to": 1}, headers=people["expert"]
    ).json()
    assert {s["id"] for s in back["steps"] if s["change"] == "added"} == {steps[1].id}
    same = client.get(
        f"{API}/{NORMAL}/diff", params={"from": 2, "to": 2}, headers=people["redacteur"]
    ).json()
    assert (same["unified"], same["task_fields"], same["steps"]) == ("", [], [])


def test_a_diff_of_versions_that_do_not_exist(client: TestClient, people: dict) -> None:
    url = f"{API}/{NORMAL}/diff"
    answer = client.get(url, params={"from": 1, "to": 4}, headers=people["expert"])
    assert answer.status_code == 404
    title = shipped_document(NORMAL).title
    assert (
        answer.json()["detail"] == f"Versie 4 van '{title}' bestaat niet (de nieuwste is versie 1)."
    )
    zero = client.get(url, params={"from": 0, "to": 1}, headers=people["expert"])
    assert zero.status_code == 422 and zero.json()["detail"] == "from: moet minstens 1 zijn"
    missing = client.get(url, params={"to": 1}, headers=people["expert"])
    assert missing.status_code == 422 and "from" in missing.json()["detail"]
    assert client.get(f"{API}/geen-taak/versions", headers=people["expert"]).status_code == 404


def test_the_draft_of_a_fresh_import_equals_its_file(client: TestClient) -> None:
    """The working copy read back from the database is the imported file, byte for byte."""
    with unit_of_work(client.app.state.services.engine) as session:
        for path in sorted(TASKS_DIR.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            document = draft_document(session, find_task(session, load_text(text, "x").slug))
            assert dump_document(document) == text


def test_a_draft_changed_while_the_reviewer_read_it_is_not_published(
    client: TestClient, people: dict, edit: Editor
) -> None:
    edit("expert", NORMAL, "neem-melding-aan", instruction="Eerste tekst die ruth leest.")
    submit(client, NORMAL, people["expert"])
    page = client.get(f"/redactie/taken/{NORMAL}/wijzigingen", headers=people["redacteur"])
    seen = re.search(r'name="concept" value="([0-9a-f]{64})"', page.text).group(1)
    edit("expert2", NORMAL, "neem-melding-aan", instruction="Een andere tekst, daarna.")
    submit(client, NORMAL, people["expert2"])
    refused = client.post(
        f"/redactie/taken/{NORMAL}/publiceren",
        data={"concept": seen},
        headers={**people["redacteur"], "Accept": "text/html"},
    )
    assert refused.status_code == 409
    assert "Het concept is veranderd sinds u het bekeek." in refused.text
    assert version_numbers(client, NORMAL, people["redacteur"]) == [1]
    page = client.get(f"/redactie/taken/{NORMAL}/wijzigingen", headers=people["redacteur"])
    now = re.search(r'name="concept" value="([0-9a-f]{64})"', page.text).group(1)
    published = client.post(
        f"/redactie/taken/{NORMAL}/publiceren",
        data={"concept": now},
        headers=people["redacteur"],
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert version_numbers(client, NORMAL, people["redacteur"]) == [2, 1]


def test_the_api_publishes_only_the_draft_that_was_reviewed(
    client: TestClient, people: dict, edit: Editor
) -> None:
    edit("expert", NORMAL, "neem-melding-aan", instruction="De tekst die ruth beoordeelt.")
    submit(client, NORMAL, people["expert"])
    seen = client.get(f"{API}/{NORMAL}/draft", headers=people["redacteur"]).json()["hash"]
    edit("expert2", NORMAL, "neem-melding-aan", instruction="Later nog veranderd.")
    submit(client, NORMAL, people["expert2"])
    refused = client.post(
        f"{API}/{NORMAL}/draft/publish", params={"seen": seen}, headers=people["redacteur"]
    )
    assert refused.status_code == 409
    now = client.get(f"{API}/{NORMAL}/draft", headers=people["redacteur"]).json()["hash"]
    assert (
        client.post(
            f"{API}/{NORMAL}/draft/publish", params={"seen": now}, headers=people["redacteur"]
        ).status_code
        == 200
    )
