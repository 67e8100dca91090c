"""What the overlay gets from the service: a task as its panel shows it (rich text as
element trees, never HTML to parse), cached per version, and CORS only for the origins of
registered host apps."""

from __future__ import annotations

from fastapi.testclient import TestClient

from epss.db import unit_of_work
from epss.glossary import Term, terms_in
from epss.hostapps import register_host_app
from tests.conftest import publish, shipped_document

HOST = "https://zaken.gemeente.example"


def _elements(nodes: list) -> list[list]:
    """Every element of a tree: [tag, {attributes}, *children]."""
    return [e for n in nodes if isinstance(n, list) for e in [n, *_elements(n[2:])]]


def test_a_versioned_panel_task_is_cached_for_a_year(client: TestClient) -> None:
    answer = client.get("/api/v1/tasks/reisdocument-aanvragen/panel", params={"version": 1})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    task = answer.json()
    assert task["version"] == 1 and len(task["content_hash"]) == 64
    first = task["steps"][0]
    assert first["id"] == "ontvang-aanvrager" and first["mandatory"] is True
    assert {e[0] for e in _elements(first["instruction"])} >= {"p", "strong"}
    assert first["sources"] and all("title" in s for s in first["sources"])
    newest = client.get("/api/v1/tasks/reisdocument-aanvragen/panel")
    assert newest.headers["cache-control"] == "no-cache"


def test_a_branch_to_another_task_names_that_task(client: TestClient) -> None:
    task = client.get("/api/v1/tasks/reisdocument-aanvragen/panel").json()
    branch = next(b for s in task["steps"] for b in s["branches"] if "task" in b)
    assert branch["task"] == "twijfel-identiteit-of-document"
    assert branch["task_title"].startswith("Twijfel")


def test_nothing_executable_reaches_the_overlay(client: TestClient) -> None:
    hostile = (
        "Klik <script>alert(1)</script> [hier](javascript:alert(2)) "
        '<img src=x onerror="alert(3)"> <a href="https://x.example" onclick="x()">x</a> '
        "[ok](https://ok.example)"
    )
    publish(
        client.app.state.services, shipped_document("verhuizing-doorgeven", instruction=hostile)
    )
    step = client.get("/api/v1/tasks/verhuizing-doorgeven/panel").json()["steps"][0]
    elements = _elements(step["instruction"])
    assert {e[0] for e in elements} <= {"p", "a", "strong", "em", "code"}
    assert not [name for e in elements for name in e[1] if name.startswith("on")]
    assert [e[1]["href"] for e in elements if e[0] == "a"] == ["https://ok.example"]


def test_unknown_versions_are_404(client: TestClient) -> None:
    answer = client.get("/api/v1/tasks/aangifte-geboorte/panel", params={"version": 7})
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


def test_cors_only_for_registered_host_app_origins(client: TestClient) -> None:
    manifest = "/api/v1/apps/demo-zaaksysteem/manifest"
    refused = client.get(manifest, headers={"Origin": HOST})
    assert "access-control-allow-origin" not in refused.headers
    with unit_of_work(client.app.state.services.engine) as session:
        register_host_app(session, "demo-zaaksysteem", "Demo", [HOST])
    client.app.state.services.resolver.check_every = 0  # no waiting for the next check
    allowed = client.get(manifest, headers={"Origin": HOST})
    assert allowed.headers["access-control-allow-origin"] == HOST
    preflight = client.options(
        "/api/v1/context/resolve",
        headers={
            "Origin": HOST,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == HOST
    other = client.options(
        "/api/v1/context/resolve",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers


def test_each_step_explains_the_glossary_terms_it_uses(client: TestClient) -> None:
    """The desk sees what 'BRP' or 'twijfelroute' means under the step that uses it, in the
    order the step uses them; an abbreviation counts only in capitals."""
    steps = {
        s["id"]: s for s in client.get("/api/v1/tasks/verhuizing-doorgeven/panel").json()["steps"]
    }
    terms = steps["identificeer-melder"]["terms"]
    assert [t["term"] for t in terms] == ["BRP", "Twijfelroute"]
    assert terms[0]["definition"].startswith("Basisregistratie Personen.")
    assert steps["bevestig-en-archiveer"]["terms"] == []
    page = client.get("/taken/verhuizing-doorgeven")
    assert 'class="step-terms"' in page.text and "Basisregistratie Personen." in page.text


def test_a_term_is_a_whole_word_and_an_abbreviation_is_in_capitals() -> None:
    glossary = [
        Term("BRP", "Basisregistratie Personen.", "RvIG"),
        Term("Curatele", "Een rechter stelt iemand onder curatele.", "BW"),
    ]
    assert terms_in(["Zoek de brp-gegevens; onder CURATELE?"], glossary) == [glossary[1]]
    assert terms_in(["In de BRP, of BRPX"], glossary) == [glossary[0]]
    assert terms_in(["Curatelen"], glossary) == []


def test_a_steps_hash_changes_with_its_content_only(client: TestClient) -> None:
    """The panel keeps a tick while the step it was given to stays the same."""
    slug = "verhuizing-doorgeven"
    before = client.get(f"/api/v1/tasks/{slug}/panel").json()["steps"]
    document = shipped_document(slug)
    steps = list(document.steps)
    steps[1] = steps[1].model_copy(update={"why": steps[1].why + " Ook voor de BRP."})
    publish(client.app.state.services, document.model_copy(update={"steps": steps}))
    after = client.get(f"/api/v1/tasks/{slug}/panel").json()
    assert after["version"] == 2
    changed = [
        b["id"] for b, a in zip(before, after["steps"], strict=True) if b["hash"] != a["hash"]
    ]
    assert changed == [steps[1].id]


def test_the_manifest_tells_the_panel_how_long_to_keep_ticks_and_whether_reasons_are_kept(
    client: TestClient,
) -> None:
    answer = client.get("/api/v1/apps/demo-zaaksysteem/manifest")
    body = answer.json()
    settings = client.app.state.services.settings
    assert body["progress_keep_hours"] == settings.progress_keep_hours == 12
    assert body["stores_free_text"] is True  # filtered (EPSS_STORE_FREE_TEXT, on by default)
    again = client.get(
        "/api/v1/apps/demo-zaaksysteem/manifest", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304
