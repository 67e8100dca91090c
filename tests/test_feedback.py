"""Feedback from the desk: stored once, refused with the field named when it is bad, with
nothing personal in the database; the experts' inbox, accepting and declining (once), and
the status its sender sees ("you said, we changed"); the inbox page."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.db import unit_of_work
from epss.drafts.history import record_change
from epss.errors import Conflict
from epss.events import pseudonym
from epss.feedback import accept, decline
from epss.hostapps import register_host_app
from epss.models import Feedback, Task
from tests.conftest import publish, shipped_document

FEEDBACK = "/api/v1/feedback"
TASK = "verhuizing-doorgeven"


def feedback(**changes) -> dict:
    """A valid feedback body; `changes` set fields (None removes one)."""
    fields = {
        "id": str(uuid.uuid4()),
        "app": "demo-zaaksysteem",
        "task_slug": TASK,
        "task_version": 1,
        "step_id": "identificeer-melder",
        "kind": "onduidelijk",
        "comment": "Welke documenten gelden als geldig?",
        "user": "J.Jansen ",
        "team": "Balie 1",
        "url": "https://zaken.example/zaak/123456789/verhuizing?bsn=1#x",
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def send(client: TestClient, body: dict, status: int = 201) -> dict:
    answer = client.post(FEEDBACK, json=body)
    assert answer.status_code == status, answer.text
    return answer.json()


def rows(client: TestClient) -> list[dict]:
    """Every stored feedback row, as the database holds it."""
    with client.app.state.services.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(sa.text("SELECT * FROM feedback"))]


def problems(answer) -> dict[str, str]:
    assert answer.status_code == 422, answer.text
    return {p["field"]: p["message"] for p in answer.json()["problems"]}


# --- intake ---------------------------------------------------------------------------------


def test_feedback_is_stored_once_per_id(client: TestClient) -> None:
    body = feedback()
    assert send(client, body) == {"id": body["id"], "status": "new"}
    assert send(client, body, 200) == {"id": body["id"], "status": "new"}
    assert send(client, {**body, "comment": "anders"}, 200)["id"] == body["id"]
    [row] = rows(client)
    assert row["id"] == body["id"] and row["comment"] == "Welke documenten gelden als geldig?"
    assert (row["task_slug"], row["task_version"], row["step_key"], row["kind"]) == (
        TASK,
        1,
        "identificeer-melder",
        "onduidelijk",
    )
    assert row["status"] == "new" and row["team"] == "Balie 1"


def test_text_plain_bodies_are_accepted_for_beacons(client: TestClient) -> None:
    body = feedback(kind="klopt_niet", comment=None)
    answer = client.post(
        FEEDBACK, content=json.dumps(body), headers={"Content-Type": "text/plain;charset=UTF-8"}
    )
    assert answer.status_code == 201, answer.text
    assert (
        client.post(
            FEEDBACK, content=json.dumps(body), headers={"Content-Type": "application/xml"}
        ).status_code
        == 415
    )
    assert len(rows(client)) == 1


def test_nothing_personal_reaches_the_database(client: TestClient) -> None:
    send(client, feedback(comment="Burger 123456789 had geen paspoort, zaak 2026000123"))
    [row] = rows(client)
    everything = json.dumps(row, default=str)
    assert "123456789" not in everything and "2026000123" not in everything
    assert row["comment"] == "Burger ***** had geen paspoort, zaak *****"
    assert "J.Jansen" not in everything and "jansen" not in everything.lower()
    assert row["actor"] == pseudonym("test-secret", "j.jansen")
    assert row["url"] == "https://zaken.example/zaak/*****/verhuizing"


def test_user_team_url_and_step_are_optional(client: TestClient) -> None:
    send(client, feedback(user=None, team="  ", url=None, step_id=None, comment=None))
    [row] = rows(client)
    assert (row["actor"], row["team"], row["url"], row["step_key"], row["comment"]) == (
        None,
        None,
        None,
        None,
        "",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "boos"}, "kind"),
        ({"kind": None}, "kind"),
        ({"kind": "suggestie", "comment": None}, "comment"),
        ({"kind": "suggestie", "comment": "   \n "}, "comment"),
        ({"comment": "x" * 1001}, "comment"),
        ({"id": "niet-een-uuid"}, "id"),
        ({"task_slug": None}, "task_slug"),
        ({"task_version": 0}, "task_version"),
        ({"task_version": "1"}, "task_version"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_feedback_is_refused_naming_the_field(client: TestClient, changes, field) -> None:
    answer = client.post(FEEDBACK, json=feedback(**changes))
    assert field in problems(answer)
    assert answer.json()["detail"].startswith(field)
    assert "J.Jansen" not in answer.text  # the values sent are not echoed
    assert rows(client) == []


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"task_slug": "bestaat-niet"}, "task_slug", "geen gepubliceerde taak 'bestaat-niet'"),
        (
            {"task_version": 7},
            "task_version",
            "geen gepubliceerde versie 7 (de nieuwste is versie 1)",
        ),
        ({"step_id": "geen-stap"}, "step_id", "heeft geen stap 'geen-stap'"),
        ({"app": "ander-systeem"}, "app", "er is geen hostapplicatie 'ander-systeem'"),
    ],
)
def test_feedback_must_be_about_published_guidance(
    client: TestClient, changes, field, says
) -> None:
    found = problems(client.post(FEEDBACK, json=feedback(**changes)))
    assert list(found) == [field] and says in found[field]
    assert rows(client) == []


def test_an_empty_or_broken_body_gets_a_clear_422(client: TestClient) -> None:
    found = problems(client.post(FEEDBACK, json={}))
    assert {"id", "app", "task_slug", "task_version", "kind"} <= set(found)
    assert problems(
        client.post(FEEDBACK, content=b"{kapot", headers={"Content-Type": "text/plain"})
    )
    assert rows(client) == []


def test_the_overlay_may_send_from_a_registered_origin(client: TestClient) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        register_host_app(session, "demo-zaaksysteem", "Demo", ["https://zaken.example"])
    answer = client.post(FEEDBACK, json=feedback(), headers={"Origin": "https://zaken.example"})
    assert answer.status_code == 201
    assert answer.headers["access-control-allow-origin"] == "https://zaken.example"
    status = client.get(
        f"{FEEDBACK}/status",
        params={"ids": answer.json()["id"]},
        headers={"Origin": "https://zaken.example"},
    )
    assert status.headers["access-control-allow-origin"] == "https://zaken.example"


# --- the inbox and handling -------------------------------------------------------------------


def test_only_experts_and_redacteuren_see_and_handle_the_inbox(client: TestClient, people) -> None:
    sent = send(client, feedback())
    accept_url = f"{FEEDBACK}/{sent['id']}/accept"
    assert client.get(FEEDBACK).status_code == 401
    assert client.post(accept_url, json={}).status_code == 401
    for role in ("medewerker", "kwaliteit", "beheerder"):
        assert client.get(FEEDBACK, headers=people[role]).status_code == 403, role
        assert client.post(accept_url, json={}, headers=people[role]).status_code == 403
        assert (
            client.post(
                f"{FEEDBACK}/{sent['id']}/decline", json={"reason": "nee"}, headers=people[role]
            ).status_code
            == 403
        )
    for role in ("expert", "redacteur"):
        assert client.get(FEEDBACK, headers=people[role]).status_code == 200, role
    assert rows(client)[0]["status"] == "new"


def test_the_inbox_lists_and_filters(client: TestClient, people) -> None:
    first = send(client, feedback(kind="klopt_niet", comment=None))
    second = send(
        client,
        feedback(
            task_slug="aangifte-geboorte",
            step_id=None,
            kind="suggestie",
            comment="Noem de termijn eerder",
        ),
    )
    listed = client.get(FEEDBACK, headers=people["expert"]).json()["feedback"]
    assert {item["id"] for item in listed} == {first["id"], second["id"]}
    item = next(i for i in listed if i["id"] == first["id"])
    assert item["task_title"] == "Verhuizing doorgeven (adreswijziging)"
    assert (item["step_number"], item["step_title"]) == (2, "Stel de identiteit van de melder vast")
    assert item["kind"] == "klopt_niet" and item["status"] == "new" and "actor" not in item
    only = client.get(
        FEEDBACK, params={"task": "aangifte-geboorte"}, headers=people["expert"]
    ).json()["feedback"]
    assert [i["id"] for i in only] == [second["id"]]
    client.post(
        f"{FEEDBACK}/{first['id']}/decline",
        json={"reason": "Staat in stap 3"},
        headers=people["expert"],
    )
    for status, expected in (
        ("new", [second["id"]]),
        ("declined", [first["id"]]),
        ("accepted", []),
    ):
        found = client.get(FEEDBACK, params={"status": status}, headers=people["expert"])
        assert [i["id"] for i in found.json()["feedback"]] == expected, status
    assert "status" in problems(
        client.get(FEEDBACK, params={"status": "weg"}, headers=people["expert"])
    )


def test_declining_needs_a_reason_and_happens_once(client: TestClient, people) -> None:
    sent = send(client, feedback())
    url = f"{FEEDBACK}/{sent['id']}/decline"
    assert "reason" in problems(client.post(url, json={"reason": "  "}, headers=people["expert"]))
    assert "reason" in problems(client.post(url, json={}, headers=people["expert"]))
    assert rows(client)[0]["status"] == "new"
    moment = dt.datetime.now(dt.UTC)
    done = client.post(url, json={"reason": "De stap noemt dit al"}, headers=people["expert"])
    assert done.status_code == 200, done.text
    item = done.json()
    assert (item["status"], item["answer"], item["handled_by"]) == (
        "declined",
        "De stap noemt dit al",
        "expert",
    )
    assert abs(dt.datetime.fromisoformat(item["handled_at"]) - moment) < dt.timedelta(minutes=1)
    again = client.post(url, json={"reason": "nogmaals"}, headers=people["expert2"])
    assert again.status_code == 409 and "al afgewezen door expert" in again.json()["detail"]
    accepted = client.post(f"{FEEDBACK}/{sent['id']}/accept", json={}, headers=people["redacteur"])
    assert accepted.status_code == 409
    [row] = rows(client)
    assert (row["status"], row["handled_by"], row["answer"]) == (
        "declined",
        "expert",
        "De stap noemt dit al",
    )
    assert (
        client.post(
            f"{FEEDBACK}/{uuid.uuid4()}/decline", json={"reason": "x"}, headers=people["expert"]
        ).status_code
        == 404
    )


def _change(client: TestClient, slug: str = TASK) -> int:
    """A recorded change to the task's draft, as the editor records one."""
    with unit_of_work(client.app.state.services.engine) as session:
        task = session.exec(select(Task).where(Task.slug == slug)).one()
        change = record_change(
            session,
            task,
            "expert",
            "step_updated",
            step_key="identificeer-melder",
            before={"title": "a"},
            after={"title": "b"},
        )
        change_id = change.id
    return change_id


def _publish_next_version(client: TestClient, step_id: str = "identificeer-melder") -> None:
    """The task published again, with the step `step_id` reworded."""
    document = shipped_document(TASK)
    steps = [
        s.model_copy(update={"instruction": s.instruction + " Zie ook de lijst."})
        if s.id == step_id
        else s
        for s in document.steps
    ]
    publish(client.app.state.services, document.model_copy(update={"steps": steps}))


def test_accepting_links_the_change_and_the_sender_sees_the_version(
    client: TestClient, people
) -> None:
    sent = send(client, feedback())
    other = send(client, feedback(step_id="vraag-nieuw-adres"))
    status = client.get(f"{FEEDBACK}/status", params={"ids": f"{sent['id']},{other['id']}"})
    assert status.status_code == 200
    assert {i["status"] for i in status.json()["feedback"]} == {"new"}

    change_id = _change(client)
    foreign = _change(client, "aangifte-geboorte")
    url = f"{FEEDBACK}/{sent['id']}/accept"
    assert "change_id" in problems(
        client.post(url, json={"change_id": foreign}, headers=people["expert"])
    )
    assert "change_id" in problems(
        client.post(url, json={"change_id": 999999}, headers=people["expert"])
    )
    done = client.post(
        url,
        json={"change_id": change_id, "answer": "Lijst toegevoegd"},
        headers=people["redacteur"],
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["change_id"], done.json()["handled_by"]) == (
        "accepted",
        change_id,
        "redacteur",
    )
    assert client.post(url, json={}, headers=people["expert"]).status_code == 409

    seen = client.get(f"{FEEDBACK}/status", params={"ids": sent["id"]}).json()["feedback"]
    assert seen[0]["status"] == "accepted" and seen[0]["changed_in_version"] is None
    assert seen[0]["answer"] == "Lijst toegevoegd" and seen[0]["step_number"] == 2
    assert "comment" not in seen[0] and "handled_by" not in seen[0]

    _publish_next_version(client)
    seen = client.get(f"{FEEDBACK}/status", params={"ids": sent["id"]}).json()["feedback"]
    assert seen[0]["changed_in_version"] == 2


def test_accepted_without_a_change_is_answered_by_the_publication_that_changes_its_step(
    client: TestClient, people
) -> None:
    sent = send(client, feedback())  # about step 2, identificeer-melder
    done = client.post(f"{FEEDBACK}/{sent['id']}/accept", json={}, headers=people["expert"])
    assert done.json()["changed_in_version"] is None and done.json()["change_id"] is None

    def answered_in() -> int | None:
        listed = client.get(FEEDBACK, params={"status": "accepted"}, headers=people["expert"])
        return listed.json()["feedback"][0]["changed_in_version"]

    _publish_next_version(client, "neem-melding-aan")  # version 2 changes another step only
    assert answered_in() is None  # the sender is not told their step changed
    _publish_next_version(client)  # version 3 rewords their step
    assert answered_in() == 3


def test_the_status_shows_only_the_ids_asked_for(client: TestClient) -> None:
    mine = send(client, feedback())
    send(client, feedback())  # someone else's
    unknown = str(uuid.uuid4())
    seen = client.get(f"{FEEDBACK}/status", params={"ids": f"{mine['id']}, {unknown},"})
    assert [i["id"] for i in seen.json()["feedback"]] == [mine["id"]]
    assert client.get(f"{FEEDBACK}/status", params={"ids": ""}).json() == {"feedback": []}
    assert "ids" in problems(client.get(f"{FEEDBACK}/status", params={"ids": "1 OR 1=1"}))
    many = ",".join(str(uuid.uuid4()) for _ in range(51))
    assert "ids" in problems(client.get(f"{FEEDBACK}/status", params={"ids": many}))


def test_two_experts_handling_at_once_one_wins(client: TestClient, people) -> None:
    """The handling is a conditional update: the second sees the first's decision."""
    sent = send(client, feedback())
    engine = client.app.state.services.engine
    with Session(engine) as first, Session(engine) as second:
        assert first.get(Feedback, sent["id"]).status == "new"
        assert second.get(Feedback, sent["id"]).status == "new"
        accept(first, sent["id"], by="expert")
        first.commit()
        with pytest.raises(Conflict):
            decline(second, sent["id"], by="expert2", reason="nee")
    assert rows(client)[0]["handled_by"] == "expert"


# --- the inbox page ---------------------------------------------------------------------------

PAGE = "/redactie/meldingen"
HTMX = {"HX-Request": "true"}


def test_the_inbox_page_lists_new_feedback_with_its_filters(client: TestClient, people) -> None:
    send(client, feedback(kind="suggestie", comment="Noem de geldige documenten 123456789"))
    handled = send(client, feedback(kind="klopt_niet", comment=None))
    client.post(
        f"{FEEDBACK}/{handled['id']}/decline",
        json={"reason": "Klopt wel"},
        headers=people["expert"],
    )
    page = client.get(PAGE, headers=people["expert"])
    assert page.status_code == 200 and "<html" in page.text
    assert "Meldingen uit de praktijk" in page.text and 'name="status"' in page.text
    assert "Noem de geldige documenten *****" in page.text
    assert "Stap 2: Stel de identiteit van de melder vast" in page.text
    assert handled["id"] not in page.text  # only the new ones by default
    assert "Nieuw (1)" in page.text and "Afgewezen (1)" in page.text
    assert page.text.count(">Accepteren</summary>") == 1

    every = client.get(PAGE, params={"status": "alle"}, headers={**people["redacteur"], **HTMX})
    assert every.status_code == 200 and "<html" not in every.text
    assert every.text.lstrip().startswith('<section id="meldingen"')
    assert handled["id"] in every.text and "Afgewezen door" in every.text
    assert "Reden:</span> Klopt wel" in every.text
    assert json.loads(every.headers["HX-Trigger"]) == {"epss-announce": "2 meldingen"}
    other = client.get(PAGE, params={"taak": "aangifte-geboorte"}, headers=people["expert"])
    assert "Geen meldingen met deze filters." in other.text
    assert client.get(PAGE, params={"status": "weg"}, headers=people["expert"]).status_code == 422


def test_the_inbox_page_is_for_experts_and_redacteuren(client: TestClient, people) -> None:
    anonymous = client.get(PAGE, headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/inloggen?volgende=%2Fredactie%2Fmeldingen")
    assert client.get(PAGE, headers=people["medewerker"]).status_code == 403
    sent = send(client, feedback())
    refused = client.post(
        f"{PAGE}/{sent['id']}/afwijzen", data={"reden": "nee"}, headers=people["medewerker"]
    )
    assert refused.status_code == 403 and rows(client)[0]["status"] == "new"


def test_handling_from_the_page_with_htmx(client: TestClient, people) -> None:
    sent = send(client, feedback())
    change_id = _change(client)
    empty = client.post(
        f"{PAGE}/{sent['id']}/afwijzen", data={"reden": "   "}, headers={**people["expert"], **HTMX}
    )
    assert empty.status_code == 422 and empty.headers["X-Editor-Fragment"] == "1"
    assert 'role="alert"' in empty.text and "dit moet ingevuld zijn" in empty.text
    assert 'aria-invalid="true"' in empty.text and rows(client)[0]["status"] == "new"

    odd = client.post(
        f"{PAGE}/{sent['id']}/accepteren",
        data={"wijziging": "²"},
        headers={**people["expert"], **HTMX},
    )
    assert odd.status_code == 422 and 'role="alert"' in odd.text
    assert "geen wijziging ²" in odd.text and rows(client)[0]["status"] == "new"

    done = client.post(
        f"{PAGE}/{sent['id']}/accepteren",
        data={"wijziging": str(change_id), "antwoord": "Lijst staat erin"},
        headers={**people["expert"], **HTMX},
    )
    assert done.status_code == 200, done.text
    assert done.text.lstrip().startswith(
        f'<li class="melding melding-accepted" id="melding-{sent["id"]}"'
    )
    assert "Geaccepteerd door" in done.text and "Komt in de volgende publicatie" in done.text
    assert "autofocus" in done.text
    assert json.loads(done.headers["HX-Trigger"]) == {"epss-announce": "Melding geaccepteerd."}
    [row] = rows(client)
    assert (row["status"], row["change_id"], row["handled_by"], row["answer"]) == (
        "accepted",
        change_id,
        "expert",
        "Lijst staat erin",
    )

    again = client.post(
        f"{PAGE}/{sent['id']}/afwijzen",
        data={"reden": "toch niet"},
        headers={**people["expert2"], **HTMX},
    )
    assert again.status_code == 409 and "al geaccepteerd door expert" in again.text
    assert rows(client)[0]["status"] == "accepted"


def test_handling_from_the_page_without_javascript(client: TestClient, people) -> None:
    sent = send(client, feedback())
    empty = client.post(
        f"{PAGE}/{sent['id']}/afwijzen", data={"reden": ""}, headers=people["expert"]
    )
    assert empty.status_code == 422 and "<html" in empty.text
    assert "dit moet ingevuld zijn" in empty.text
    done = client.post(
        f"{PAGE}/{sent['id']}/afwijzen",
        data={"reden": "Staat al in stap 3"},
        headers=people["expert"],
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == PAGE
    assert rows(client)[0]["status"] == "declined"
    missing = client.post(
        f"{PAGE}/{uuid.uuid4()}/afwijzen", data={"reden": "x"}, headers=people["expert"]
    )
    assert missing.status_code == 404


def test_the_accept_form_offers_the_changes_since_the_version_seen(
    client: TestClient, people
) -> None:
    send(client, feedback())
    page = client.get(PAGE, headers=people["expert"])
    assert "Sinds deze versie is er nog niets aan de taak gewijzigd." in page.text
    change_id = _change(client)
    page = client.get(PAGE, headers=people["expert"])
    assert f'name="wijziging" value="{change_id}"' in page.text
    assert "Stap gewijzigd (identificeer-melder)" in page.text
    assert "Geïmporteerd" not in page.text  # what published the version seen answers nothing


def test_old_overlays_may_still_send_feedback_events(client: TestClient) -> None:
    """The overlay no longer sends a `feedback` event (the feedback itself is the record),
    but bundles cached by browsers still do for a while: those are still taken."""
    old = {
        "id": str(uuid.uuid4()),
        "type": "feedback",
        "app": "demo-zaaksysteem",
        "occurred_at": "2026-11-22T10:00:00+01:00",
        "url": "/zaak",
        "task_slug": TASK,
        "task_version": 1,
        "step_id": "identificeer-melder",
        "details": {"kind": "unclear"},
    }
    answer = client.post("/api/v1/events", json={"events": [old]})
    assert answer.status_code == 202 and answer.json()["accepted"] == 1
