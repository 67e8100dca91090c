"""The task API: the published guidance, any version, errors in one shape."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import SHIPPED_TASKS, publish, shipped_document


def test_list_tasks(client: TestClient) -> None:
    answer = client.get("/api/v1/tasks")
    assert answer.status_code == 200
    tasks = answer.json()
    assert [t["slug"] for t in tasks] == sorted(t["slug"] for t in tasks)
    assert len(tasks) == SHIPPED_TASKS and all(t["version"] == 1 for t in tasks)


def test_get_task_gives_steps_with_safe_html(client: TestClient) -> None:
    task = client.get("/api/v1/tasks/reisdocument-aanvragen").json()
    assert task["version"] == task["latest_version"] == 1
    assert len(task["steps"]) >= 8
    step = task["steps"][0]
    assert {
        "id",
        "title",
        "mandatory",
        "instruction",
        "instruction_html",
        "why_html",
        "warning_html",
        "check_html",
        "branches",
        "target",
        "sources",
    } <= set(step)
    assert step["instruction_html"].startswith("<")
    assert len(task["content_hash"]) == 64


def test_older_versions_stay_readable(client: TestClient) -> None:
    original = shipped_document("verhuizing-doorgeven")
    publish(
        client.app.state.services,
        shipped_document(
            "verhuizing-doorgeven", instruction="Nieuw: " + original.steps[0].instruction
        ),
    )
    newest = client.get("/api/v1/tasks/verhuizing-doorgeven").json()
    assert newest["version"] == 2
    assert newest["steps"][0]["instruction"].startswith("Nieuw: ")
    old = client.get("/api/v1/tasks/verhuizing-doorgeven", params={"version": 1}).json()
    assert old["version"] == 1 and old["latest_version"] == 2
    assert not old["steps"][0]["instruction"].startswith("Nieuw: ")


def test_unknown_tasks_and_versions_are_404_with_a_reason(client: TestClient) -> None:
    answer = client.get("/api/v1/tasks/bestaat-niet")
    assert answer.status_code == 404
    assert answer.json() == {
        "error": "not_found",
        "detail": "Er is geen gepubliceerde taak 'bestaat-niet'. Kies een taak uit de lijst.",
    }
    answer = client.get("/api/v1/tasks/aangifte-geboorte", params={"version": 9})
    assert answer.status_code == 404
    assert (
        answer.json()["detail"]
        == "Versie 9 van 'Aangifte geboorte opnemen' bestaat niet (de nieuwste is versie 1)."
    )
    answer = client.get("/api/v1/tasks/aangifte-geboorte", params={"version": "twee"})
    assert answer.status_code == 422 and answer.json()["detail"].startswith("version:")


def test_unknown_routes_answer_in_the_same_shape(client: TestClient) -> None:
    answer = client.get("/api/v1/bestaat-niet")
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/tasks",
        "/api/v1/tasks/{slug}",
        "/api/v1/search",
        "/api/v1/context/resolve",
        "/api/v1/apps/{app}/manifest",
    ):
        assert path in paths
    assert client.get("/api/v1/docs").status_code == 200


def test_markdown_is_sanitised_wherever_it_is_rendered(client: TestClient) -> None:
    payload = (
        "<script>alert(1)</script> [klik](javascript:alert(2)) "
        "<img src=x onerror=alert(3)> <iframe src=//x></iframe>"
    )
    publish(
        client.app.state.services,
        shipped_document("rijbewijs-aanvragen", instruction=payload, why=payload),
    )
    step = client.get("/api/v1/tasks/rijbewijs-aanvragen").json()["steps"][0]
    assert step["instruction"] == payload  # the source is kept as written
    page = client.get("/taken/rijbewijs-aanvragen").text
    main = page[page.index("<main") : page.index("</main>")]
    for body in (step["instruction_html"], step["why_html"], main):
        for tag in ("<script", "<img", "<iframe"):
            assert tag not in body
        assert not re.search(r"<[^>]*\son\w+\s*=", body), "an event handler survived"
        assert not re.search(r"href=[\"']?\s*javascript:", body, re.IGNORECASE)


def test_health(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok"}
