"""Real XSS payloads (tests/data/xss-payloads.txt), written into every field of a published
task, come out of every place that shows guidance with nothing a browser would run:
render.py's HTML and trees, the task API, the panel API, the task page, the editor's page
of the task, search snippets and the editor's live preview. The browser half is
tests/browser/test_xss_browser.py."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from epss.auth.policy import route_table
from epss.render import markdown_to_html, markdown_to_tree
from tests.conftest import publish
from tests.xss_support import (
    MARKDOWN_STEP_FIELDS,
    MARKDOWN_TASK_FIELDS,
    load_payloads,
    page_problems,
    payload_document,
    payload_line,
    rich_html_problems,
    scan,
    tree_problems,
)

PAYLOADS = load_payloads()
PREVIEW = "/redactie/voorbeeld"
EDITOR = "/redactie/taken"


def _slug(n: int) -> str:
    return f"xss-{n:03d}"


@pytest.fixture
def published(client: TestClient) -> TestClient:
    """The client, with one published task per payload (slug xss-NNN), the payload in
    every field of the task and of its first step."""
    publish(
        client.app.state.services, *(payload_document(_slug(n), p) for n, p in enumerate(PAYLOADS))
    )
    return client


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {problems}" for where, problems in found.items())


def test_the_payload_list_is_real_and_varied() -> None:
    assert len(PAYLOADS) >= 150
    text = "\n".join(PAYLOADS).lower()
    for vector in (
        "<script",
        "onerror=",
        "javascript:",
        "vbscript:",
        "data:text/html",
        "](javascript:",
        "]: javascript:",
        "<javascript:",
        "&#x6a;",
        "<iframe",
        "<object",
        "<embed",
        "<base",
        'http-equiv="refresh"',
        "formaction",
        "<svg",
        "<math",
        "<noscript><p title=",
        "style=",
        "<style>",
        "ontoggle",
        "<template>",
        "expression(",
    ):
        assert vector in text, vector


def test_the_checks_find_what_they_look_for() -> None:
    """The checks below would fail on executable markup: they are not vacuous."""
    assert rich_html_problems("<p><script>alert(1)</script></p>")
    assert rich_html_problems('<p><img src=x onerror="alert(1)"></p>')
    assert rich_html_problems('<a href=" java\tscript:alert(1)">x</a>')
    assert rich_html_problems('<a href="VBScript:x">x</a>')
    assert rich_html_problems('<a href="data:text/html,x">x</a>')
    assert rich_html_problems('<p style="color:red">x</p>')
    assert rich_html_problems('<form><button formaction="javascript:x">x</button></form>')
    assert rich_html_problems("<p><!-- --!><img src=x onerror=alert(1)> --></p>")
    assert rich_html_problems("<p><![CDATA[<img src=x onerror=alert(1)>]]></p>")
    assert not rich_html_problems(
        '<p><a href="https://ok.example" title="t" '
        'rel="noopener noreferrer">x</a> <a href="/rel">y</a></p>'
    )
    assert tree_problems([["p", {}, ["a", {"href": "javascript:x"}, "x"]]])
    assert tree_problems([["iframe", {"src": "https://ok.example"}]])
    assert tree_problems([["a", {"onclick": "x", "href": "https://ok.example"}]])
    assert not tree_problems(["<script>als tekst</script>", ["p", {}, ["em", {}, "x"]]])
    head = '<html><head><meta charset="utf-8"><script src="/static/x.js"></script></head>'
    assert not page_problems(head + "<body><p>x</p></body></html>")
    assert page_problems(head + '<body><meta http-equiv="refresh" content="0"></body>')
    assert page_problems(head + "<body><svg><a>x</a></svg></body>")
    assert page_problems(head + '<body><iframe src="https://ok.example"></iframe></body>')
    assert page_problems('<details open ontoggle="x">', fragment=True)
    assert page_problems("<p><!-- --!><img src=x onerror=alert(1)> --></p>", fragment=True)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{n:03d}" for n in range(len(PAYLOADS))])
def test_render_leaves_nothing_executable(payload: str) -> None:
    html = markdown_to_html(payload)
    assert rich_html_problems(html) == [], html
    tree = markdown_to_tree(payload)
    assert tree_problems(tree) == [], tree


def test_good_markdown_still_renders_next_to_a_payload() -> None:
    text = (
        "**Let op**: zie [de regels](https://www.rvig.nl/) of mail "
        "[de helpdesk](mailto:helpdesk@gemeente.example).\n\n"
        "- een <script>alert(1)</script>\n- twee [x](javascript:alert(1))"
    )
    html = markdown_to_html(text)
    assert "<strong>Let op</strong>" in html
    assert '<a href="https://www.rvig.nl/" rel="noopener noreferrer">de regels</a>' in html
    assert 'href="mailto:helpdesk@gemeente.example"' in html
    assert "<li>een &lt;script&gt;alert(1)&lt;/script&gt;</li>" in html
    assert rich_html_problems(html) == []


def _api_problems(client: TestClient, slug: str, payload: str) -> dict[str, list[str]]:
    """GET /api/v1/tasks/{slug}: every *_html field within the allow-list."""
    answer = client.get(f"/api/v1/tasks/{slug}")
    assert answer.status_code == 200, (payload, answer.text)
    task = answer.json()
    assert task["title"] == task["steps"][0]["title"] == payload_line(payload)
    fields = {f"{k}_html": task[f"{k}_html"] for k in MARKDOWN_TASK_FIELDS}
    fields |= {f"steps[0].{k}_html": task["steps"][0][f"{k}_html"] for k in MARKDOWN_STEP_FIELDS}
    return {f"API {name}": rich_html_problems(html) for name, html in fields.items()}


def _panel_problems(client: TestClient, slug: str, payload: str) -> dict[str, list[str]]:
    """GET /api/v1/tasks/{slug}/panel: every tree within the allow-list; plain texts stay
    plain strings (the overlay sets them as text)."""
    answer = client.get(f"/api/v1/tasks/{slug}/panel")
    assert answer.status_code == 200, (payload, answer.text)
    task = answer.json()
    assert task["title"] == task["steps"][0]["title"] == payload_line(payload)
    assert task["steps"][0]["branches"][0]["if"] == payload_line(payload)
    trees = {"goal": task["goal"]}
    trees |= {f"steps[0].{k}": task["steps"][0][k] for k in MARKDOWN_STEP_FIELDS}
    return {f"panel {name}": tree_problems(tree) for name, tree in trees.items()}


def _page_problems(client: TestClient, slug: str, payload: str) -> dict[str, list[str]]:
    """The page /taken/{slug}: nothing executable anywhere, and the plain-text fields
    escaped (the parsed page shows them as the very same text)."""
    answer = client.get(f"/taken/{slug}")
    assert answer.status_code == 200, (payload, answer.text)
    line = payload_line(payload)
    page = scan(answer.text)
    assert page.texts["title"][0] == f"{line} — EPSS", payload
    assert page.texts["h1"][0].strip() == line, payload
    assert any(t.strip() == line for t in page.texts.get("dd", [])), payload  # owner
    assert any(line in t for t in page.texts.get("li", [])), payload  # branch, sources
    return {"page": page_problems(answer.text)}


def _editor_problems(
    client: TestClient, slug: str, payload: str, headers: dict[str, str], own_forms: int
) -> dict[str, list[str]]:
    """The editor's page of the task (/redactie/taken/{slug}): nothing executable, and no
    more forms than the editor page of the shipped task the payload task is made from."""
    answer = client.get(f"{EDITOR}/{slug}", headers=headers)
    assert answer.status_code == 200, (payload, answer.text)
    return {"editor": page_problems(answer.text, own_forms=own_forms)}


def _panel_preview_problems(
    client: TestClient, slug: str, payload: str, headers: dict[str, str]
) -> dict[str, list[str]]:
    """The editor's preview of the panel, as the fragment htmx fetches."""
    answer = client.get(f"{EDITOR}/{slug}/paneel", headers={**headers, "HX-Request": "true"})
    assert answer.status_code == 200, (payload, answer.text)
    return {"editor panel preview": page_problems(answer.text, fragment=True)}


def _has_route(client: TestClient, path: str) -> bool:
    return any(entry.path == path for entry in route_table(client.app.routes))


def test_the_checked_editor_routes_exist(client: TestClient) -> None:
    """A renamed route would leave the payloads unchecked there: the checks name them."""
    for path in (f"{EDITOR}/{{slug}}", f"{EDITOR}/{{slug}}/paneel", PREVIEW):
        assert _has_route(client, path), path


@pytest.mark.slow
def test_payloads_in_every_field_come_out_of_api_panel_pages_and_editor_harmless(
    published: TestClient, people: dict[str, dict[str, str]]
) -> None:
    base = published.get(f"{EDITOR}/verhuizing-doorgeven", headers=people["expert"])
    own_forms = sum(tag == "form" for tag, _, _ in scan(base.text).tags)
    checks = [
        _api_problems,
        _panel_problems,
        _page_problems,
        lambda client, slug, payload: _editor_problems(
            client, slug, payload, people["expert"], own_forms
        ),
        lambda client, slug, payload: _panel_preview_problems(
            client, slug, payload, people["expert"]
        ),
    ]
    found = {}
    for n, payload in enumerate(PAYLOADS):
        for check in checks:
            found |= {
                f"{payload!r}, {where}": problems
                for where, problems in check(published, _slug(n), payload).items()
                if problems
            }
    assert found == {}, _report(found)


def test_search_snippets_of_the_payloads_are_text_with_marks_only(published: TestClient) -> None:
    published.app.state.services.refresh_search_index()
    own_forms = scan(published.get("/zoeken", params={"q": "rijbewijs"}).text).tags
    own_forms = sum(tag == "form" for tag, _, _ in own_forms)
    hits = 0
    for query in ("alert", "xss", "onerror", "script", "javascript", "img", "klik", "svg"):
        answer = published.get("/api/v1/search", params={"q": query, "limit": 50})
        assert answer.status_code == 200
        for result in answer.json()["results"]:
            hits += result["task_slug"].startswith("xss-")
            tags = scan(result["snippet"]).tags
            assert [(t, a) for t, a, _ in tags if t != "mark" or set(a) - {"class"}] == [], result[
                "snippet"
            ]
        page = published.get("/zoeken", params={"q": query})
        assert page_problems(page.text, own_forms=own_forms) == [], query
    assert hits > 20  # the payload tasks were found, so their snippets were checked


def test_the_editor_preview_sanitises_every_payload(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    found = {}
    for payload in PAYLOADS:
        answer = client.post(PREVIEW, data={"tekst": payload}, headers=people["expert"])
        assert answer.status_code == 200, (payload, answer.text)
        if problems := page_problems(answer.text, fragment=True):
            found[repr(payload)] = problems
    assert found == {}, _report(found)
    anonymous = client.post(PREVIEW, data={"tekst": "x"})
    assert anonymous.status_code in (401, 403)
