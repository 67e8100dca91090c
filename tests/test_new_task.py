"""A task begun in the editor ("Nieuwe taak", epss/pages/editor_new.py): a draft with its
first step and its id made from the title, due for review in a year, unseen at the desk
until a redacteur publishes it; a problem is said with the form as it was filled in, and
nothing is stored."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.drafts.editing import draft_view
from epss.models import Task
from tests.conftest import text_of

API = "/api/v1"
FORM = {
    "titel": "Vermissing reisdocument melden",
    "taak_id": "",
    "domein": "burgerzaken",
    "doel": "Het document wordt **vervallen verklaard** en de melder krijgt een bewijs.",
    "eigenaar": "Vakspecialist reisdocumenten, team Burgerzaken",
    "risico": "high",
    "stap_titel": "Controleer de identiteit van de melder",
    "stap_instructie": "Vraag een ander geldig identiteitsbewijs.",
}


def _tasks(client: TestClient) -> list[str]:
    with Session(client.app.state.services.engine) as session:
        return sorted(session.exec(select(Task.slug)).all())


def test_an_expert_begins_a_task_and_a_redacteur_publishes_it(
    client: TestClient, people: dict
) -> None:
    form = client.get("/redactie/nieuw", headers=people["expert"])
    assert form.status_code == 200
    # the owners of other tasks, to choose from
    assert "Vakspecialist BRP, team Burgerzaken" in form.text
    begun = client.post(
        "/redactie/nieuw", headers=people["expert"], data=FORM, follow_redirects=False
    )
    assert begun.status_code == 303, begun.text
    slug = "vermissing-reisdocument-melden"
    assert begun.headers["location"] == f"/redactie/taken/{slug}"
    with Session(client.app.state.services.engine) as session:
        draft = draft_view(session, slug)
        task = session.exec(select(Task).where(Task.slug == slug)).one()
    assert (task.status, task.published_version, task.criticality) == ("draft", None, "high")
    assert task.review_by.year == dt.date.today().year + 1
    assert [(s["id"], s["title"]) for s in draft["steps"]] == [
        ("controleer-de-identiteit-van-de-melder", "Controleer de identiteit van de melder")
    ]
    history = text_of(
        client.get(f"/redactie/taken/{slug}/geschiedenis", headers=people["expert"]).text
    )
    assert "Taak begonnen" in history
    # Not at the desk until published.
    assert client.get(f"{API}/tasks/{slug}/panel", headers=people["medewerker"]).status_code == 404
    assert (
        client.post(f"{API}/tasks/{slug}/draft/submit", headers=people["expert"]).status_code == 200
    )
    published = client.post(f"{API}/tasks/{slug}/draft/publish", headers=people["redacteur"])
    assert published.status_code == 200, published.text
    panel = client.get(f"{API}/tasks/{slug}/panel", headers=people["medewerker"]).json()
    assert panel["title"] == "Vermissing reisdocument melden"


def test_a_problem_is_said_with_the_form_kept_and_nothing_is_stored(
    client: TestClient, people: dict
) -> None:
    before = _tasks(client)
    for changes, said in [
        ({"doel": ""}, "Doel"),
        ({"stap_instructie": ""}, "Instructie"),
        (
            {"taak_id": "verhuizing-doorgeven"},
            "er is al een taak met het id 'verhuizing-doorgeven'",
        ),
        ({"taak_id": "Met Hoofdletters"}, "Id"),
        ({"domein": ""}, "Domein"),
    ]:
        refused = client.post("/redactie/nieuw", headers=people["expert"], data={**FORM, **changes})
        assert refused.status_code == 422, changes
        shown = text_of(refused.text)
        assert "Niet begonnen:" in shown and said in shown, shown
        assert 'value="Vermissing reisdocument melden"' in refused.text  # what was typed stays
        assert _tasks(client) == before


def test_only_editors_begin_tasks(client: TestClient, people: dict) -> None:
    before = _tasks(client)
    for role in ("medewerker", "kwaliteit", "beheerder"):
        assert client.get("/redactie/nieuw", headers=people[role]).status_code == 403
        assert client.post("/redactie/nieuw", headers=people[role], data=FORM).status_code == 403
    assert _tasks(client) == before
