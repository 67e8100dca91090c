"""Adding, removing and reordering the steps of a draft through the API: each based on the
version of the list of steps (removing: of the step), refused with 422 naming what is wrong
when it would break the task, recorded in the history. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from epss.db import unit_of_work
from epss.drafts import editing
from epss.errors import InvalidInput, StaleVersion, VersionRequired
from tests.drafts_support import (
    DRAFT,
    FIRST,
    REFERRED,
    SECOND,
    SLUG,
    draft,
    history,
    step,
    step_url,
    with_version,
)

# ---- adding, removing, reordering ---------------------------------------------------------


def test_adding_a_step_makes_its_id_from_the_title(client, people) -> None:
    expert = people["expert"]
    url = f"{DRAFT}/steps"
    answer = client.post(
        url,
        json={
            "title": "Controleer de pasfoto (ICAO-eisen)",
            "instruction": "Vergelijk de foto met de aangever.",
            "position": 2,
        },
        headers=with_version(expert, 1),
    )
    assert answer.status_code == 201, answer.text
    added = answer.json()
    assert added["id"] == "controleer-de-pasfoto-icao-eisen"
    assert added["version"] == 1 and added["position"] == 2 and added["mandatory"] is True
    assert added["steps_version"] == 2 and answer.headers["etag"] == '"2"'
    assert answer.headers["location"].endswith("/steps/controleer-de-pasfoto-icao-eisen")

    body = draft(client, expert)
    assert [s["id"] for s in body["steps"][:3]] == [FIRST, added["id"], SECOND]
    assert [s["position"] for s in body["steps"]] == list(range(1, len(body["steps"]) + 1))
    assert body["steps"][2]["version"] == 1  # moving down does not change a step's version
    assert body["status"] == "draft"

    again = client.post(
        url,
        json={"title": "Controleer de pasfoto (ICAO-eisen)", "instruction": "Nog een keer."},
        headers=with_version(expert, 2),
    )
    assert again.status_code == 201
    assert again.json()["id"] == "controleer-de-pasfoto-icao-eisen-2"
    assert again.json()["position"] == len(body["steps"]) + 1  # last by default

    entry = history(client, expert)[1]
    assert entry["action"] == "step_added" and entry["step_id"] == added["id"]
    fields = {f["field"]: f for f in entry["fields"]}
    assert fields["title"]["before"] is None
    assert fields["title"]["after"] == "Controleer de pasfoto (ICAO-eisen)"
    assert fields["position"]["after"] == 2


def test_adding_a_step_with_its_own_id(client, people) -> None:
    answer = client.post(
        f"{DRAFT}/steps",
        json={
            "id": "check-tolk",
            "title": "Tolk nodig?",
            "instruction": "Vraag of een tolk nodig is.",
        },
        headers=with_version(people["expert"], 1),
    )
    assert answer.status_code == 201 and answer.json()["id"] == "check-tolk"


def test_a_generated_id_never_reuses_one_a_published_version_had(client, people) -> None:
    expert = people["expert"]
    removed = client.delete(step_url("informeer-over-bsn"), headers=with_version(expert, 1))
    assert removed.status_code == 200, removed.text
    answer = client.post(
        f"{DRAFT}/steps",
        json={"title": "Informeer over BSN", "instruction": "Vertel over het BSN."},
        headers=with_version(expert, removed.json()["steps_version"]),
    )
    assert answer.json()["id"] == "informeer-over-bsn-2"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"title": "Nieuw"}, "steps[nieuw].instruction", "Instructie: dit veld ontbreekt"),
        (
            {"id": FIRST, "title": "Dubbel", "instruction": "x"},
            f"steps[{FIRST}].id",
            "De nieuwe stap, Id: de taak heeft al een stap met het id",
        ),
        (
            {"id": "Geen Slug", "title": "x", "instruction": "x"},
            "steps[Geen Slug].id",
            "Id: gebruik alleen kleine letters",
        ),
        (
            {"title": "x", "instruction": "x", "position": 99},
            "position",
            "Plaats: kies een geheel getal van 1 tot en met",
        ),
        ({"instruction": "zonder titel"}, "steps[stap].title", "Titel: dit veld ontbreekt"),
    ],
)
def test_a_bad_new_step_is_422_and_adds_nothing(
    client, people, values: dict, field: str, words: str
) -> None:
    count = len(draft(client, people["expert"])["steps"])
    answer = client.post(f"{DRAFT}/steps", json=values, headers=with_version(people["expert"], 1))
    assert answer.status_code == 422, answer.text
    assert field in [p["field"] for p in answer.json()["problems"]], answer.json()
    assert words in answer.json()["detail"]
    body = draft(client, people["expert"])
    assert body["steps_version"] == 1 and len(body["steps"]) == count


def test_adding_needs_the_current_steps_version(client, people) -> None:
    expert = people["expert"]
    new = {"title": "Nieuw", "instruction": "x"}
    assert client.post(f"{DRAFT}/steps", json=new, headers=expert).status_code == 428
    assert (
        client.post(f"{DRAFT}/steps", json=new, headers=with_version(expert, 1)).status_code == 201
    )
    stale = client.post(
        f"{DRAFT}/steps", json={**new, "title": "Ander"}, headers=with_version(people["expert2"], 1)
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["steps_version"] == 2
    assert [s["id"] for s in stale.json()["current"]["steps"]][-1] == "nieuw"
    assert stale.json()["changed_by"] == "expert"


def test_removing_a_step(client, people) -> None:
    expert = people["expert"]
    before = step(client, expert, "informeer-over-bsn")
    assert client.delete(step_url("informeer-over-bsn"), headers=expert).status_code == 428
    answer = client.delete(step_url("informeer-over-bsn"), headers=with_version(expert, 1))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"removed": "informeer-over-bsn", "steps_version": 2}
    body = draft(client, expert)
    assert "informeer-over-bsn" not in [s["id"] for s in body["steps"]]
    assert body["status"] == "draft" and body["steps_version"] == 2
    entry = history(client, expert)[0]
    assert entry["action"] == "step_removed" and entry["step_id"] == "informeer-over-bsn"
    assert {f["field"]: f["before"] for f in entry["fields"]}["instruction"] == before[
        "instruction"
    ]
    assert (
        client.delete(step_url("informeer-over-bsn"), headers=with_version(expert, 1)).status_code
        == 404
    )


def test_a_step_changed_since_it_was_read_is_not_removed(client, people) -> None:
    client.patch(
        step_url("informeer-over-bsn"),
        json={"why": "nieuw"},
        headers=with_version(people["expert"], 1),
    )
    answer = client.delete(
        step_url("informeer-over-bsn"), headers=with_version(people["expert2"], 1)
    )
    assert answer.status_code == 412
    assert answer.json()["current"]["why"] == "nieuw"
    assert step(client, people["expert"], "informeer-over-bsn")["version"] == 2


def test_a_step_a_branch_points_to_cannot_be_removed(client, people) -> None:
    answer = client.delete(step_url(REFERRED), headers=with_version(people["expert"], 1))
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"].startswith("De stap '") and "kan niet weg zolang" in body["detail"]
    assert "Beslispunt 1 gaat verder bij deze stap" in body["detail"]
    assert [p["field"] for p in body["problems"]] == ["steps[controleer-termijn].branches[0].step"]
    assert REFERRED in [s["id"] for s in draft(client, people["expert"])["steps"]]


def test_a_start_step_of_a_context_rule_cannot_be_removed(client, people) -> None:
    expert = people["expert"]
    rules = draft(client, expert)["context_rules"]
    rules[0] = {**rules[0], "start_step": "informeer-over-bsn"}
    assert (
        client.patch(
            DRAFT, json={"context_rules": rules}, headers=with_version(expert, 1)
        ).status_code
        == 200
    )
    answer = client.delete(step_url("informeer-over-bsn"), headers=with_version(expert, 1))
    assert answer.status_code == 422
    assert "Contextregel 1 begint bij deze stap" in answer.json()["detail"]
    assert [p["field"] for p in answer.json()["problems"]] == ["context_rules[0].start_step"]


def test_reordering_the_steps(client, people) -> None:
    expert = people["expert"]
    ids = [s["id"] for s in draft(client, expert)["steps"]]
    order = [ids[1], ids[0], *ids[2:]]
    url = f"{DRAFT}/order"
    assert client.put(url, json={"steps": order}, headers=expert).status_code == 428
    answer = client.put(url, json={"steps": order}, headers=with_version(expert, 1))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"steps_version": 2, "steps": order}
    assert answer.headers["etag"] == '"2"'
    body = draft(client, expert)
    assert [s["id"] for s in body["steps"]] == order
    assert all(s["version"] == 1 for s in body["steps"])  # steps keep their versions
    entry = history(client, expert)[0]
    assert entry["action"] == "steps_reordered"
    assert entry["fields"][0]["before"] == ids and entry["fields"][0]["after"] == order

    stale = client.put(url, json={"steps": ids}, headers=with_version(people["expert2"], 1))
    assert stale.status_code == 412
    assert [s["id"] for s in stale.json()["current"]["steps"]] == order


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda ids: ids[:-1], "'informeer-over-bsn' ontbreekt (noem elke stap"),
        (lambda ids: [*ids, "extra"], "de taak heeft geen stap 'extra'"),
        (lambda ids: [*ids, ids[0]], "meer dan één keer genoemd: 'identificeer-aangever'"),
    ],
)
def test_a_bad_order_is_422_and_changes_nothing(client, people, change, words: str) -> None:
    ids = [s["id"] for s in draft(client, people["expert"])["steps"]]
    answer = client.put(
        f"{DRAFT}/order", json={"steps": change(ids)}, headers=with_version(people["expert"], 1)
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"].startswith("Stappen: ") and words in body["detail"]
    assert [p["field"] for p in body["problems"]] == ["steps"]
    assert [s["id"] for s in draft(client, people["expert"])["steps"]] == ids


def test_moving_one_step(client, people) -> None:
    engine = client.app.state.services.engine
    with unit_of_work(engine) as session:
        editing.move_step(session, SLUG, 1, FIRST, 3, by="expert")
    ids = [s["id"] for s in draft(client, people["expert"])["steps"]]
    assert ids[2] == FIRST and ids[:2] == [SECOND, "controleer-termijn"]
    entry = history(client, people["expert"])[0]
    assert entry["action"] == "step_moved" and entry["step_id"] == FIRST


def test_the_domain_functions_raise_the_domain_errors(client) -> None:
    engine = client.app.state.services.engine
    with unit_of_work(engine) as session:
        with pytest.raises(VersionRequired):
            editing.update_step(session, SLUG, FIRST, None, {"why": "x"}, by="expert")
        with pytest.raises(InvalidInput):
            editing.update_step(session, SLUG, FIRST, 1, {"title": ""}, by="expert")
        with pytest.raises(StaleVersion) as stale:
            editing.update_task_fields(session, SLUG, 7, {"title": "x"}, by="expert")
        assert stale.value.extra["current"]["version"] == 1
