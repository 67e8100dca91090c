"""Co-editing a task's draft through the API: every edit names the version it is based on;
a stale one gets 412 with the current content, a missing one 428; bad input 422 naming the
field, changing nothing; every change is in the history with its diff; any edit makes the
task a draft again. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from epss.db import unit_of_work
from epss.models import Change, Task
from tests.conftest import shipped_document
from tests.drafts_support import (
    DRAFT,
    FIRST,
    HISTORY,
    REFERRED,
    SECOND,
    SLUG,
    draft,
    history,
    step,
    step_url,
    with_version,
)

# ---- reading ------------------------------------------------------------------------------


def test_the_draft_lists_the_task_and_its_steps_with_their_versions(client, people) -> None:
    body = draft(client, people["expert"])
    assert body["slug"] == SLUG and body["status"] == "published"
    assert body["version"] == 1 and body["steps_version"] == 1
    assert body["title"] == "Aangifte geboorte opnemen" and body["review_by"] == "2027-03-31"
    assert body["editors"] == [] and body["published_version"] == 1
    assert [s["position"] for s in body["steps"]] == list(range(1, len(body["steps"]) + 1))
    first = body["steps"][0]
    assert first["id"] == FIRST and first["version"] == 1
    assert set(first) == {
        "id",
        "version",
        "position",
        "title",
        "mandatory",
        "instruction",
        "why",
        "warning",
        "check",
        "estimated_minutes",
        "branches",
        "target",
        "target_fingerprint",
        "field_tip",
        "field_checks",
        "sources",
    }
    one = client.get(step_url(FIRST), headers=people["redacteur"])
    assert one.status_code == 200 and one.headers["etag"] == '"1"'
    assert one.json() == first


def test_an_unknown_task_or_step_is_404(client, people) -> None:
    expert = people["expert"]
    missing = client.get("/api/v1/tasks/bestaat-niet/draft", headers=expert)
    assert missing.status_code == 404 and "bestaat-niet" in missing.json()["detail"]
    answer = client.patch(step_url("geen-stap"), json={"why": "x"}, headers=with_version(expert, 1))
    assert answer.status_code == 404
    assert "geen-stap" in answer.json()["detail"]
    assert client.get("/api/v1/tasks/bestaat-niet/history", headers=expert).status_code == 404
    assert client.get("/api/v1/tasks/bestaat-niet/draft/live", headers=expert).status_code == 404


# ---- editing a step -----------------------------------------------------------------------


def test_editing_a_step_returns_its_new_version_and_records_the_change(client, people) -> None:
    expert = people["expert"]
    before = step(client, expert, FIRST)
    answer = client.patch(
        step_url(FIRST),
        json={"why": "Zo weet je wie aangifte doet."},
        headers=with_version(expert, 1),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] == '"2"'
    saved = answer.json()
    assert saved["version"] == 2 and saved["why"] == "Zo weet je wie aangifte doet."
    assert saved["instruction"] == before["instruction"]  # the rest is untouched

    body = draft(client, expert)
    assert body["status"] == "draft" and body["editors"] == ["expert"]
    assert body["steps"][0]["why"] == "Zo weet je wie aangifte doet."
    assert body["version"] == 1 and body["steps_version"] == 1

    entry = history(client, expert)[0]
    assert entry["who"] == "expert" and entry["action"] == "step_updated"
    assert entry["step_id"] == FIRST
    assert dt.datetime.fromisoformat(entry["when"]).tzinfo is not None
    [field] = entry["fields"]  # only what changed
    assert field["field"] == "why"
    assert field["before"] == before["why"] and field["after"] == "Zo weet je wie aangifte doet."
    assert "+Zo weet je wie aangifte doet." in field["diff"]["unified"]
    words = field["diff"]["words"]  # both sides can be read back from the runs
    assert "".join(r["text"] for r in words if r["op"] != "add") == before["why"]
    assert "".join(r["text"] for r in words if r["op"] != "del") == "Zo weet je wie aangifte doet."


@pytest.mark.parametrize("header", ["1", '"1"', 'W/"1"'])
def test_if_match_takes_a_number_quoted_or_weak(client, people, header: str) -> None:
    answer = client.patch(
        step_url(FIRST),
        json={"check": "Naam klopt."},
        headers={**people["expert"], "If-Match": header},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 2


def test_an_edit_without_if_match_is_428_and_explains(client, people) -> None:
    answer = client.patch(step_url(FIRST), json={"why": "x"}, headers=people["expert"])
    assert answer.status_code == 428
    body = answer.json()
    assert body["error"] == "version_required"
    assert "If-Match" in body["detail"] and "versienummer" in body["detail"]
    assert (body["version_field"], body["read_from"]) == (
        f"steps[{FIRST}].version",
        f"GET /api/v1/tasks/{SLUG}/draft",
    )
    assert step(client, people["expert"], FIRST)["version"] == 1


@pytest.mark.parametrize("header", ["abc", "0", '"-1"', "*"])
def test_a_malformed_if_match_is_422_naming_it(client, people, header: str) -> None:
    answer = client.patch(
        step_url(FIRST), json={"why": "x"}, headers={**people["expert"], "If-Match": header}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("If-Match:")


def test_a_stale_edit_is_412_with_the_current_content_and_changes_nothing(client, people) -> None:
    expert, expert2 = people["expert"], people["expert2"]
    assert step(client, expert2, FIRST)["version"] == 1  # both read version 1
    mine = client.patch(
        step_url(FIRST), json={"warning": "Let op: tolk?"}, headers=with_version(expert, 1)
    )
    assert mine.status_code == 200
    theirs = client.patch(
        step_url(FIRST), json={"warning": "Andere tekst"}, headers=with_version(expert2, 1)
    )
    assert theirs.status_code == 412
    body = theirs.json()
    assert body["error"] == "stale_version" and body["changed_by"] == "expert"
    assert body["current"]["warning"] == "Let op: tolk?" and body["current"]["version"] == 2
    assert "hij is nu bij versie 2" in body["detail"] and "If-Match: 2" in body["detail"]
    assert theirs.headers["etag"] == '"2"'
    assert step(client, expert, FIRST)["warning"] == "Let op: tolk?"
    assert len([e for e in history(client, expert) if e["action"] == "step_updated"]) == 1

    # Merged and sent again with the version they now have: saved.
    again = client.patch(
        step_url(FIRST),
        json={"warning": "Let op: tolk? Andere tekst"},
        headers=with_version(expert2, 2),
    )
    assert again.status_code == 200 and again.json()["version"] == 3


def test_two_experts_editing_different_steps_both_succeed(client, people) -> None:
    first = client.patch(
        step_url(FIRST), json={"why": "een"}, headers=with_version(people["expert"], 1)
    )
    second = client.patch(
        step_url(SECOND), json={"why": "twee"}, headers=with_version(people["expert2"], 1)
    )
    assert first.status_code == 200 and second.status_code == 200
    body = draft(client, people["expert"])
    assert [s["why"] for s in body["steps"][:2]] == ["een", "twee"]
    assert body["editors"] == ["expert", "expert2"]


# (the change, the field as the API names it, the place as people read it, the words)
@pytest.mark.parametrize(
    ("changes", "field", "place", "words"),
    [
        ({"instruction": "   "}, f"steps[{FIRST}].instruction", "Instructie", "mag niet leeg zijn"),
        ({"title": ""}, f"steps[{FIRST}].title", "Titel", "mag niet leeg zijn"),
        ({"title": "x" * 301}, f"steps[{FIRST}].title", "Titel", "is te lang: hooguit 300 tekens"),
        (
            {"mandatory": "misschien"},
            f"steps[{FIRST}].mandatory",
            "Verplicht",
            "verwacht true of false",
        ),
        (
            {"instructie": "typo"},
            f"steps[{FIRST}].instructie",
            "het veld 'instructie'",
            "dit veld hoort niet bij het taakformaat",
        ),
        (
            {"sources": ["bestaat-niet"]},
            f"steps[{FIRST}].sources[0]",
            "Bron 1",
            "noemt de bron 'bestaat-niet', maar die staat niet in de bronnen van de taak",
        ),
        (
            {"branches": [{"if": "twijfel", "step": "geen-stap"}]},
            f"steps[{FIRST}].branches[0].step",
            "Beslispunt 1, Naar stap",
            "gaat verder bij de stap 'geen-stap', maar die heeft deze taak niet",
        ),
        (
            {"branches": [{"if": "twijfel", "task": "geen-taak"}]},
            f"steps[{FIRST}].branches[0].task",
            "Beslispunt 1, Naar taak",
            "gaat verder met de taak 'geen-taak', maar die bestaat niet",
        ),
        (
            {"branches": [{"if": "twijfel"}]},
            f"steps[{FIRST}].branches[0]",
            "Beslispunt 1",
            "geef precies één plek om verder te gaan",
        ),
        ({"id": "nieuwe-naam"}, f"steps[{FIRST}].id", "Id", "het id van een stap verandert nooit"),
        (
            {"position": 3},
            f"steps[{FIRST}].position",
            "Plaats",
            "verplaats een stap door de volgorde",
        ),
    ],
)
def test_a_bad_step_edit_is_422_naming_the_field_and_changes_nothing(
    client, people, changes: dict, field: str, place: str, words: str
) -> None:
    answer = client.patch(step_url(FIRST), json=changes, headers=with_version(people["expert"], 1))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert field in [p["field"] for p in body["problems"]], body
    assert words in next(p["message"] for p in body["problems"] if p["field"] == field)
    title = shipped_document(SLUG).steps[0].title if "title" not in changes else None
    assert body["detail"].startswith(f"Stap 1 ({title}), " if title else "Stap 1")
    assert f"{place}: {words}" in body["detail"] and field not in body["detail"]
    after = draft(client, people["expert"])
    assert after["status"] == "published" and after["steps"][0]["version"] == 1
    assert [e for e in history(client, people["expert"]) if e["action"] != "imported"] == []


def test_a_branch_may_lead_to_a_step_of_the_task_or_another_task(client, people) -> None:
    branches = [
        {"if": "te laat", "step": REFERRED},
        {"if": "twijfel", "task": "twijfel-identiteit-of-document"},
    ]
    answer = client.patch(
        step_url(FIRST), json={"branches": branches}, headers=with_version(people["expert"], 1)
    )
    assert answer.status_code == 200, answer.text
    assert [b["if"] for b in answer.json()["branches"]] == ["te laat", "twijfel"]


def test_sending_the_step_back_unchanged_changes_nothing(client, people) -> None:
    current = step(client, people["expert"], FIRST)
    answer = client.patch(step_url(FIRST), json=current, headers=with_version(people["expert"], 1))
    assert answer.status_code == 200 and answer.json()["version"] == 1
    assert draft(client, people["expert"])["status"] == "published"
    assert [e for e in history(client, people["expert"]) if e["action"] != "imported"] == []


def test_text_is_tidied_as_in_task_files(client, people) -> None:
    answer = client.patch(
        step_url(FIRST),
        json={"why": "\nregel een   \r\nregel twee  \n"},
        headers=with_version(people["expert"], 1),
    )
    assert answer.json()["why"] == "regel een\nregel twee"


# ---- the task's own fields ----------------------------------------------------------------


def test_editing_the_task_fields(client, people) -> None:
    expert = people["expert"]
    answer = client.patch(
        DRAFT,
        json={
            "title": "Geboorteaangifte opnemen",
            "review_by": "2027-06-30",
            "tags": ["baby"],
            "review_interval_months": 6,
        },
        headers=with_version(expert, 1),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] == '"2"'
    body = answer.json()
    assert body["version"] == 2 and body["title"] == "Geboorteaangifte opnemen"
    assert body["review_by"] == "2027-06-30" and body["review_interval_months"] == 6
    assert body["status"] == "draft" and body["steps_version"] == 1
    entry = history(client, expert)[0]
    assert entry["action"] == "task_updated" and entry["step_id"] is None
    assert {f["field"] for f in entry["fields"]} == {
        "title",
        "review_by",
        "tags",
        "review_interval_months",
    }

    stale = client.patch(
        DRAFT, json={"owner": "Team Burgerzaken"}, headers=with_version(people["redacteur"], 1)
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "Geboorteaangifte opnemen"
    assert stale.json()["changed_by"] == "expert"
    assert client.patch(DRAFT, json={"owner": "x"}, headers=expert).status_code == 428


def test_the_whole_draft_can_be_sent_back_with_a_change(client, people) -> None:
    body = draft(client, people["redacteur"])
    answer = client.patch(
        DRAFT,
        json={**body, "standard": "Altijd binnen drie werkdagen."},
        headers=with_version(people["redacteur"], body["version"]),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["standard"] == "Altijd binnen drie werkdagen."


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"review_by": "morgen"}, "review_by", "Controle vóór: verwacht een datum als JJJJ-MM-DD"),
        (
            {"criticality": "heel erg"},
            "criticality",
            "Risico: kies uit 'critical', 'high' of 'normal'",
        ),
        ({"title": " "}, "title", "Titel: mag niet leeg zijn"),
        (
            {"review_interval_months": 0},
            "review_interval_months",
            "Controle-interval (maanden): moet minstens 1 zijn",
        ),
        (
            {"sources": []},
            f"steps[{FIRST}].sources[0]",
            "Bron 1: noemt de bron 'bw1-19e', maar die staat niet",
        ),
        (
            {"context_rules": [{"app": "demo-zaaksysteem"}]},
            "context_rules[0]",
            "Contextregel 1: een contextregel heeft minstens een adres",
        ),
        (
            {"context_rules": [{"app": "demo-zaaksysteem", "url": "zaken"}]},
            "context_rules[0].url",
            "Contextregel 1, Adrespatroon: een adrespatroon begint met '/'",
        ),
        ({"slug": "andere-slug"}, "slug", "Id: kan niet veranderen: het is het vaste id"),
        ({"status": "submitted"}, "status", "Stand: kan hier niet veranderen"),
        (
            {"steps": []},
            "steps",
            "Stappen: kan hier niet veranderen: stappen veranderen via hun eigen adressen",
        ),
        (
            {"bestaat_niet": 1},
            "bestaat_niet",
            "het veld 'bestaat_niet': dit veld hoort niet bij het taakformaat (een tikfout?)",
        ),
    ],
)
def test_a_bad_task_edit_is_422_naming_the_field_and_changes_nothing(
    client, people, changes: dict, field: str, words: str
) -> None:
    answer = client.patch(DRAFT, json=changes, headers=with_version(people["expert"], 1))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert field in [p["field"] for p in body["problems"]], body
    assert words in body["detail"]
    after = draft(client, people["expert"])
    assert after["version"] == 1 and after["status"] == "published"


def test_a_body_that_is_not_an_object_is_422(client, people) -> None:
    answer = client.patch(DRAFT, json=["title"], headers=with_version(people["expert"], 1))
    assert answer.status_code == 422


# ---- workflow state and roles -------------------------------------------------------------


def test_an_edit_of_a_submitted_draft_makes_it_a_draft_again(client, people) -> None:
    engine = client.app.state.services.engine
    with unit_of_work(engine) as session:
        task = session.exec(select(Task).where(Task.slug == SLUG)).one()
        task.status, task.submitted_by = "submitted", "expert2"
        task.submitted_at = dt.datetime.now(dt.UTC)
        session.add(task)
    assert draft(client, people["expert"])["status"] == "submitted"
    client.patch(step_url(FIRST), json={"why": "x"}, headers=with_version(people["expert"], 1))
    body = draft(client, people["expert"])
    assert body["status"] == "draft"
    assert body["submitted_by"] is None and body["submitted_at"] is None


EDITS = [
    ("GET", DRAFT, None),
    ("PATCH", DRAFT, {"title": "x"}),
    ("GET", step_url(FIRST), None),
    ("PATCH", step_url(FIRST), {"why": "x"}),
    ("POST", f"{DRAFT}/steps", {"title": "x", "instruction": "x"}),
    ("DELETE", step_url("informeer-over-bsn"), None),
    ("PUT", f"{DRAFT}/order", {"steps": []}),
    ("GET", HISTORY, None),
    ("GET", f"{DRAFT}/live", None),
]


def test_only_experts_and_redacteurs_may_edit(client, people) -> None:
    for method, url, body in EDITS:
        anonymous = client.request(method, url, json=body, headers={"If-Match": "1"})
        assert anonymous.status_code == 401, (method, url)
        for role in ("medewerker", "kwaliteit", "beheerder"):
            answer = client.request(method, url, json=body, headers=with_version(people[role], 1))
            assert answer.status_code == 403, (method, url, role)
            assert "de rol expert of redacteur nodig" in answer.json()["detail"]
    assert draft(client, people["expert"])["version"] == 1
    redacteur = client.patch(
        step_url(FIRST),
        json={"why": "door de redacteur"},
        headers=with_version(people["redacteur"], 1),
    )
    assert redacteur.status_code == 200


# ---- the history --------------------------------------------------------------------------


def test_the_history_pages_and_filters_by_step(client, people) -> None:
    expert = people["expert"]
    for version in (1, 2, 3):
        client.patch(
            step_url(FIRST),
            json={"why": f"versie {version + 1}"},
            headers=with_version(expert, version),
        )
    client.patch(step_url(SECOND), json={"why": "ander"}, headers=with_version(expert, 1))
    of_first = client.get(HISTORY, params={"step": FIRST}, headers=expert).json()
    assert [e["fields"][0]["after"] for e in of_first] == ["versie 4", "versie 3", "versie 2"]
    page = client.get(HISTORY, params={"limit": 2}, headers=expert).json()
    assert [e["step_id"] for e in page] == [SECOND, FIRST]
    older = client.get(
        HISTORY, params={"limit": 2, "before": page[-1]["id"]}, headers=expert
    ).json()
    assert [e["fields"][0]["after"] for e in older] == ["versie 3", "versie 2"]
    words = of_first[0]["fields"][0]["diff"]["words"]
    assert words == [
        {"op": "same", "text": "versie "},
        {"op": "del", "text": "3"},
        {"op": "add", "text": "4"},
    ]


def test_every_change_is_one_history_entry(client, people) -> None:
    expert = people["expert"]
    client.patch(step_url(FIRST), json={"why": "a"}, headers=with_version(expert, 1))
    client.patch(DRAFT, json={"owner": "Team"}, headers=with_version(expert, 1))
    client.post(
        f"{DRAFT}/steps",
        json={"title": "Nieuw", "instruction": "x"},
        headers=with_version(expert, 1),
    )
    client.patch(step_url(FIRST), json={"why": "b"}, headers=with_version(expert, 1))  # 412
    engine = client.app.state.services.engine
    with unit_of_work(engine) as session:
        actions = [
            c.action
            for c in session.exec(select(Change).order_by(Change.id)).all()
            if c.action != "imported"
        ]
    assert actions == ["step_updated", "task_updated", "step_added"]


def test_the_api_documentation_lists_the_draft_routes(client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/tasks/{slug}/draft"]) == {"get", "patch"}
    assert set(paths["/api/v1/tasks/{slug}/draft/steps/{step_id}"]) == {"get", "patch", "delete"}
    assert "412" in paths["/api/v1/tasks/{slug}/draft/steps/{step_id}"]["patch"]["responses"]
    live = paths["/api/v1/tasks/{slug}/draft/live"]["get"]["responses"]["200"]
    assert "text/event-stream" in live["content"]
