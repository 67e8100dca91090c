"""Which task belongs to a screen: rules first, then the page's own words, else nothing."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from epss.context import ContextResolver, PageContext
from epss.services import Services
from tests.conftest import import_shipped, publish, shipped_document

APP = "demo-zaaksysteem"
TITLE = " — Zaaksysteem Gemeente Dijkhaven"


def resolve(client: TestClient, **context) -> list[dict]:
    answer = client.post("/api/v1/context/resolve", json={"app": APP, **context})
    assert answer.status_code == 200, answer.text
    return answer.json()["matches"]


@pytest.mark.parametrize(
    ("path", "task"),
    [
        ("/demo/reisdocument/aanvraag", "reisdocument-aanvragen"),
        ("/demo/reisdocument/uitreiking", "reisdocument-uitreiken"),
        ("/demo/geboorte/aangifte", "aangifte-geboorte"),
        ("/demo/verhuizing", "verhuizing-doorgeven"),
        ("/demo/rijbewijs/aanvraag", "rijbewijs-aanvragen"),
        ("/demo/vermissing", "vermissing-reisdocument-of-rijbewijs"),
        ("/demo/inschrijving", "eerste-inschrijving-buitenland"),
        ("/demo/adresonderzoek", "adresonderzoek-en-briefadres"),
        ("/demo/overlijden", "aangifte-overlijden"),
        ("/demo/huwelijk", "melding-voorgenomen-huwelijk"),
        ("/demo/erkenning", "erkenning-en-naamskeuze"),
    ],
)
def test_each_demo_screen_resolves_to_its_task(client: TestClient, path: str, task: str) -> None:
    matches = resolve(client, url=f"http://127.0.0.1:8000{path}?bsn=999993653", title="x")
    assert matches[0]["task"] == task
    assert matches[0]["source"] == "rule"
    assert path in matches[0]["reason"]
    assert matches[0]["version"] == 1


def test_a_marker_on_the_page_switches_to_the_doubt_task(client: TestClient) -> None:
    plain = resolve(client, url="/demo/reisdocument/aanvraag")
    assert plain[0]["task"] == "reisdocument-aanvragen"
    doubt = resolve(client, url="/demo/reisdocument/aanvraag", markers=["#twijfel-melding"])
    assert doubt[0]["task"] == "twijfel-identiteit-of-document"
    assert "#twijfel-melding" in doubt[0]["reason"]
    assert doubt[0]["start_step"]
    assert [m["task"] for m in doubt][1] == "reisdocument-aanvragen"


def test_the_zaaktype_reported_by_a_case_page_selects_the_task(client: TestClient) -> None:
    matches = resolve(client, url="/demo/zaken/Z-2026-000104", zaaktype="BZ-VERHUIZING")
    assert matches[0]["task"] == "verhuizing-doorgeven"
    assert "zaaktype BZ-VERHUIZING" in matches[0]["reason"]


def test_without_a_rule_the_page_words_find_the_task(client: TestClient) -> None:
    matches = resolve(
        client, url="/apps/burgerzaken/rijbewijzen/nieuw", title="Rijbewijs aanvraag" + TITLE
    )
    assert matches and matches[0]["task"] == "rijbewijs-aanvragen"
    assert matches[0]["source"] == "search"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/demo/", "Werkvoorraad" + TITLE),
        ("/agenda/week/47", "Agenda"),
        ("/parkeren/vergunning/nieuw", "Aanvraag parkeervergunning" + TITLE),
    ],
)
def test_an_unrelated_page_gets_nothing(client: TestClient, url: str, title: str) -> None:
    assert resolve(client, url=url, title=title) == []


def test_an_unknown_app_is_not_found(client: TestClient) -> None:
    answer = client.post("/api/v1/context/resolve", json={"app": "onbekend", "url": "/x"})
    assert answer.status_code == 404
    assert answer.json() == {
        "error": "not_found",
        "detail": "Er is geen hostapplicatie 'onbekend'.",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "/x"}, "app"),
        ({"app": APP}, "url"),
        ({"app": APP, "url": "javascript:alert(1)"}, "url"),
        ({"app": APP, "url": "/x", "markers": "#a"}, "markers"),
        ({"app": APP, "url": "/x", "markers": [""]}, "markers"),
        ({"app": APP, "url": "/x", "colour": "red"}, "colour"),
    ],
)
def test_malformed_contexts_get_a_clear_422(client: TestClient, body: dict, field: str) -> None:
    answer = client.post("/api/v1/context/resolve", json=body)
    assert answer.status_code == 422
    payload = answer.json()
    assert payload["error"] == "invalid_request"
    assert payload["detail"].startswith(f"{field}")


def test_malformed_json_gets_a_clear_422(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/context/resolve",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 422
    assert "JSON" in answer.json()["detail"]


def test_manifest_lists_rules_and_markers_with_an_etag(client: TestClient) -> None:
    answer = client.get(f"/api/v1/apps/{APP}/manifest")
    assert answer.status_code == 200
    manifest = answer.json()
    assert manifest["app"] == APP
    assert "#twijfel-melding" in manifest["markers"]
    urls = {rule["url"] for rule in manifest["rules"]}
    assert "/demo/verhuizing" in urls
    etag = answer.headers["etag"]
    again = client.get(f"/api/v1/apps/{APP}/manifest", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    stale = client.get(f"/api/v1/apps/{APP}/manifest", headers={"If-None-Match": '"oud"'})
    assert stale.status_code == 200 and stale.json() == manifest
    assert client.get("/api/v1/apps/onbekend/manifest").status_code == 404


def test_a_following_process_reads_the_rules_again_only_after_a_change(services: Services) -> None:
    """With the follower telling it of every change, resolving asks the database nothing
    between changes, however long; a publication is seen at once."""
    import_shipped(services)
    services.start_following()
    now = [0.0]
    services.resolver.clock = lambda: now[0]
    page = PageContext(app=APP, url="/demo/nieuw-scherm")
    assert services.resolver.resolve(page) == []
    mine, statements = threading.get_ident(), []

    @event.listens_for(services.engine, "before_cursor_execute")
    def count(*_args) -> None:
        if threading.get_ident() == mine:
            statements.append(1)

    now[0] += 3600
    assert services.resolver.resolve(page) == []
    assert not statements, "the rules were read again without a change"
    document = shipped_document("verhuizing-doorgeven")
    rule = document.context_rules[0].model_copy(update={"url": "/demo/nieuw-scherm"})
    publish(services, document.model_copy(update={"context_rules": [rule]}))
    assert services.resolver.resolve(page)[0].task == "verhuizing-doorgeven"


def test_rules_and_etag_follow_a_new_publication(services: Services) -> None:
    import_shipped(services)
    now = [0.0]
    resolver = ContextResolver(
        services.engine, services.search_index, check_every=1.0, clock=lambda: now[0]
    )
    page = PageContext(app=APP, url="/demo/nieuw-scherm")
    _, etag = resolver.manifest(APP)
    assert resolver.resolve(page) == []
    document = shipped_document("verhuizing-doorgeven")
    rule = document.context_rules[0].model_copy(update={"url": "/demo/nieuw-scherm"})
    publish(services, document.model_copy(update={"context_rules": [rule]}))
    assert resolver.manifest(APP)[1] == etag  # cached within check_every
    now[0] += 1.5
    assert resolver.manifest(APP)[1] != etag
    match = resolver.resolve(page)[0]
    assert (match.task, match.version) == ("verhuizing-doorgeven", 2)
    # The rules of version 1 are gone: its screen no longer shows the task by rule.
    old_screen = resolver.resolve(PageContext(app=APP, url="/demo/verhuizing"))
    assert all(m.source == "search" for m in old_screen)
