"""The demo case software: server-rendered screens and the single-page variant, both
carrying the overlay like a municipality's software would, both safe under a strict CSP."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from epss.app import create_app
from epss.audit.verify import verify_chain
from epss.cli import prepare_demo
from epss.demo import DEMO_APP_ID, DEMO_SCREENS, cases
from epss.demo import router as demo_router
from epss.quality.questions import QUESTIONS
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user, import_shipped

SERVER_PAGES = [path for path, _ in DEMO_SCREENS if not path.startswith("/demo/app/")]
SPA_PAGES = ["/demo/app" + path.removeprefix("/demo") for path in SERVER_PAGES]
TWIJFEL_PAGES = ["/demo/reisdocument/aanvraag", "/demo/reisdocument/uitreiking"]
EVERY_PAGE = [
    *SERVER_PAGES,
    *(f"{path}?twijfel=1" for path in TWIJFEL_PAGES),
    *SPA_PAGES,
    *(f"/demo/app{path.removeprefix('/demo')}?twijfel=1" for path in TWIJFEL_PAGES),
]
NOT_FOUND_PAGES = ["/demo/zaken/Z-2026-999999", "/demo/app/zaken/Z-2026-999999"]
SHIPPED_TASKS = sorted((Path(__file__).parents[1] / "tasks").glob("*.yaml"))


@pytest.fixture(scope="module")
def demo() -> TestClient:
    """Only the demo router: no database needed for the pages themselves."""
    app = FastAPI()
    app.include_router(demo_router)
    return TestClient(app)


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text inside <script>s."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data.strip()

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def main_of(html: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert found, "the page has no <main>"
    return found.group(1)


def templates_of(html: str) -> dict[str, str]:
    """The screens of a single-page shell: URL → the content of its <template>."""
    return dict(re.findall(r'<template data-scherm="([^"]+)"[^>]*>(.*?)</template>', html, re.S))


def same_markup(html: str) -> str:
    """Markup with whitespace collapsed and links of the single-page variant made server
    links, to compare the two variants."""
    return re.sub(r"\s+", " ", html.replace("/demo/app/", "/demo/")).strip()


@pytest.mark.parametrize("url", EVERY_PAGE + NOT_FOUND_PAGES)
def test_every_demo_page_embeds_the_overlay_like_a_municipality(demo: TestClient, url: str) -> None:
    answer = demo.get(url)
    assert answer.status_code == (404 if url in NOT_FOUND_PAGES else 200)
    overlay = [s for s in Tags(answer.text).all("script") if s.get("data-epss-app")]
    assert overlay == [
        {
            "src": "/overlay.js",
            "data-epss-app": DEMO_APP_ID,
            "data-epss-user": cases.INLOGNAAM,
            "data-epss-team": cases.TEAM,
            "defer": None,
        }
    ]
    assert answer.text.rindex("data-epss-app=") > answer.text.rindex("</main>")


@pytest.mark.parametrize("url", EVERY_PAGE + NOT_FOUND_PAGES)
def test_demo_pages_need_no_inline_script_or_style(demo: TestClient, url: str) -> None:
    page = Tags(demo.get(url).text)
    assert page.script_text == ""
    assert all(s.get("src") for s in page.all("script"))
    assert not page.all("style")
    for tag, attrs in page.tags:
        inline = [a for a in attrs if a == "style" or a.startswith("on")]
        assert not inline, f"<{tag}> has {inline}"
        assert not any(
            (v or "").strip().lower().startswith("javascript:") for v in attrs.values()
        ), f"<{tag}> has a javascript: URL"


def test_the_server_pages_have_no_script_of_their_own(demo: TestClient) -> None:
    for url in SERVER_PAGES:
        scripts = [s["src"] for s in Tags(demo.get(url).text).all("script")]
        assert scripts == ["/overlay.js"], url


@pytest.mark.parametrize(("server", "spa"), list(zip(SERVER_PAGES, SPA_PAGES, strict=True)))
def test_a_deep_link_serves_the_shell_with_that_screen(
    demo: TestClient, server: str, spa: str
) -> None:
    plain, shell = demo.get(server), demo.get(spa)
    assert shell.status_code == 200
    title = re.search(r"<title>(.*)</title>", plain.text).group(1)
    assert re.search(r"<title>(.*)</title>", shell.text).group(1) == title
    assert same_markup(main_of(shell.text)) == same_markup(main_of(plain.text))
    scripts = [s["src"] for s in Tags(shell.text).all("script")]
    assert scripts == ["/demo/static/zaaksysteem.js", "/overlay.js"]  # the app runs first


def test_the_shell_carries_every_screen_as_a_template(demo: TestClient) -> None:
    """The same templates make both variants: same content, same ids and names, the
    same case header with its zaaktype; links stay inside the variant."""
    shell = templates_of(demo.get("/demo/app/").text)
    expected = SPA_PAGES + [f"/demo/app{p.removeprefix('/demo')}?twijfel=1" for p in TWIJFEL_PAGES]
    assert sorted(shell) == sorted(expected)
    for url, content in shell.items():
        server_url = url.replace("/demo/app/", "/demo/")
        assert same_markup(content) == same_markup(main_of(demo.get(server_url).text)), url
        hrefs = re.findall(r'(?:href|action)="([^"]+)"', content)
        assert hrefs and all(h.startswith("/demo/app/") for h in hrefs), url
    zaaktypes = {
        url: re.findall(r'data-epss-zaaktype="([^"]+)"', content) for url, content in shell.items()
    }
    assert zaaktypes["/demo/app/verhuizing"] == ["BZ-VERHUIZING"]
    for path, zaaktype in (
        ("adresonderzoek", "BZ-ADRESONDERZOEK"),
        ("overlijden", "BZ-OVERLIJDEN"),
        ("huwelijk", "BZ-HUWELIJK"),
        ("erkenning", "BZ-ERKENNING"),
    ):
        assert zaaktypes[f"/demo/app/{path}"] == [zaaktype]
    assert zaaktypes["/demo/app/zaken/Z-2026-000102"] == ["BZ-REISDOC-UITR"]
    assert zaaktypes["/demo/app/"] == []


def test_the_templates_describe_their_screen(demo: TestClient) -> None:
    html = demo.get("/demo/app/verhuizing").text
    attrs = {a["data-scherm"]: a for a in Tags(html).all("template")}
    assert attrs["/demo/app/zaken/Z-2026-000104"] == {
        "data-scherm": "/demo/app/zaken/Z-2026-000104",
        "data-titel": "Zaak Z-2026-000104 — Zaaksysteem Gemeente Dijkhaven",
        "data-nav": "/demo/app/",
        "data-ander": "/demo/zaken/Z-2026-000104",
    }
    assert attrs["/demo/app/reisdocument/aanvraag?twijfel=1"]["data-ander"] == (
        "/demo/reisdocument/aanvraag?twijfel=1"
    )


@pytest.mark.parametrize("path", TWIJFEL_PAGES)
def test_twijfel_is_a_state_of_the_url_in_both_variants(demo: TestClient, path: str) -> None:
    spa = "/demo/app" + path.removeprefix("/demo")
    for url in (path, spa):
        assert 'id="twijfel-melding"' not in main_of(demo.get(url).text)
        assert 'id="twijfel-melding"' in main_of(demo.get(url, params={"twijfel": 1}).text)
    shell = templates_of(demo.get(spa).text)
    assert 'id="twijfel-melding"' not in shell[spa]
    assert 'id="twijfel-melding"' in shell[spa + "?twijfel=1"]
    assert f'action="{spa}#twijfel-melding"' in shell[spa]


def test_each_variant_links_to_the_same_screen_in_the_other(demo: TestClient) -> None:
    server = demo.get("/demo/verhuizing").text
    spa = demo.get("/demo/app/verhuizing").text
    assert '<a href="/demo/app/verhuizing">Naar de single-page-versie</a>' in server
    assert '<a href="/demo/verhuizing" data-ander>Naar de serverversie</a>' in spa
    assert 'href="/demo/app/verhuizing" aria-current="page"' in spa
    assert "/demo/app/" not in main_of(server)


def test_the_next_citizen_for_a_task_is_another_person_on_both_variants(
    demo: TestClient,
) -> None:
    """Two cases of one zaaktype are two citizens, each shown on the task screen by its own
    link, in the server pages and the single-page variant."""
    by_type: dict[str, list[cases.Zaak]] = {}
    for zaak in cases.ZAKEN:
        by_type.setdefault(zaak.zaaktype.identificatie, []).append(zaak)
    for same in by_type.values():
        assert len({z.aanvrager.bsn for z in same}) == len(same)
        assert len({z.aanvrager.volledige_naam for z in same}) == len(same)
    first, second = by_type["BZ-REISDOC-AANVR"][:2]
    for base in ("/demo", "/demo/app"):
        for zaak in (first, second):
            page = demo.get(base + zaak.eigen_scherm.removeprefix("/demo"))
            assert f'data-epss-case="{zaak.zaaknummer}"' in main_of(page.text)
            assert zaak.aanvrager.volledige_naam in main_of(page.text)
    assert demo.get("/demo/reisdocument/aanvraag?zaak=Z-2026-000102").status_code == 404


def test_unknown_single_page_urls(demo: TestClient) -> None:
    missing = demo.get("/demo/app/zaken/Z-2026-999999")
    assert missing.status_code == 404
    assert "Zaak niet gevonden" in main_of(missing.text)
    assert templates_of(missing.text)  # the app works from there on
    assert demo.get("/demo/app/onbekend").status_code == 404
    assert demo.get("/demo/app/verhuizing/").status_code == 404
    assert demo.get("/demo/app", follow_redirects=False).headers["location"].endswith("/demo/app/")


def test_links_follow_the_root_path() -> None:
    app = FastAPI()
    app.include_router(demo_router)
    client = TestClient(app, root_path="/gemeente")
    html = client.get("/demo/app/verhuizing").text
    assert '<script src="/gemeente/overlay.js"' in html
    assert '<script src="/gemeente/demo/static/zaaksysteem.js" defer>' in html
    assert '<template data-scherm="/gemeente/demo/app/verhuizing"' in html
    assert 'href="/gemeente/demo/verhuizing" data-ander' in html


def test_the_app_script_is_served(demo: TestClient) -> None:
    answer = demo.get("/demo/static/zaaksysteem.js")
    assert answer.status_code == 200
    assert "javascript" in answer.headers["content-type"]
    assert "history.pushState" in answer.text


def test_the_demo_printout_lists_the_single_page_variant() -> None:
    assert ("/demo/app/", "Single-page-versie (SPA)") in DEMO_SCREENS


# The overlay reads the page as it is; the rules must find the same task in both variants.


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[TestClient]:
    """The service with the demo and the shipped tasks (read only, so shared)."""
    folder = tmp_path_factory.mktemp("demo-service")
    shutil.copy(sqlite_template, folder / "epss.sqlite3")
    settings = Settings(data_dir=folder, demo=True, secret_key="test-secret")
    seeded = Services.from_settings(settings)
    import_shipped(seeded)
    seeded.close()
    with TestClient(create_app(settings)) as client:
        yield client


def _context_of(client: TestClient, url: str) -> dict:
    """What the overlay would report about the screen at `url`."""
    main = main_of(client.get(url).text)
    zaaktype = re.search(r'data-epss-zaaktype="([^"]+)"', main)
    return {
        "app": DEMO_APP_ID,
        "url": "http://127.0.0.1:8000" + url,
        "markers": ["#twijfel-melding"] if 'id="twijfel-melding"' in main else [],
        "zaaktype": zaaktype.group(1) if zaaktype else None,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/demo/reisdocument/aanvraag",
        "/demo/reisdocument/aanvraag?twijfel=1",
        "/demo/reisdocument/uitreiking",
        "/demo/reisdocument/uitreiking?twijfel=1",
        "/demo/geboorte/aangifte",
        "/demo/verhuizing",
        "/demo/rijbewijs/aanvraag",
        "/demo/vermissing",
        "/demo/inschrijving",
        "/demo/adresonderzoek",
        "/demo/overlijden",
        "/demo/huwelijk",
        "/demo/erkenning",
        "/demo/zaken/Z-2026-000103",
        "/demo/zaken/Z-2026-000107",
        "/demo/zaken/Z-2026-000109",
        "/demo/",
    ],
)
def test_both_variants_of_a_screen_get_the_same_guidance(service: TestClient, path: str) -> None:
    matches = {}
    for url in (path, "/demo/app" + path.removeprefix("/demo")):
        answer = service.post("/api/v1/context/resolve", json=_context_of(service, url))
        assert answer.status_code == 200, answer.text
        matches[url] = [(m["task"], m["start_step"]) for m in answer.json()["matches"]]
    server, spa = matches.values()
    assert spa[:1] == server[:1]
    if "twijfel" in path:
        assert spa[0][0] == "twijfel-identiteit-of-document"
    elif path != "/demo/":
        assert spa, path


BUSIEST = "reisdocument-aanvragen"
# Each question with what it needs: the quality pages as kim opens them.
ASKED = {
    question.slug: {"task": "reisdocument-aanvragen"} if question.task == "required" else {}
    for question in QUESTIONS.values()
}


def test_the_demo_comes_with_weeks_of_desk_use_for_the_quality_pages(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, demo=True, secret_key="demo-history")
    prepare_demo(settings, origin="http://127.0.0.1:8000")
    prepare_demo(settings, origin="http://127.0.0.1:8000")  # again: nothing is added
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services
        with services.engine.connect() as connection:
            counted = connection.execute(
                text("SELECT count(*), count(DISTINCT actor), count(DISTINCT team) FROM event")
            ).one()
            assert verify_chain(connection, secret_key="demo-history").problem is None
        officer = add_user(services, "officer", "kwaliteit")
        rows = client.get("/api/v1/quality/per-taak", headers=officer).json()["rows"]
        answers = {
            q: client.get(f"/api/v1/quality/{q}", params=params, headers=officer).json()
            for q, params in ASKED.items()
        }
    events, people, teams = counted
    assert people == 27 and teams == 3 and events > 1000
    # Every shipped task, with enough people that the aggregated pages show it (groups of 5+).
    assert len(rows) == len(SHIPPED_TASKS) and all(row["people"] >= 5 for row in rows)
    # Every question shows something on first open: a group with its figures.
    for question, found in answers.items():
        if question == "effect":  # cases handled without the guidance come back more often
            shares = {r["consulted"]: r["share"] for r in found["rows"] if r["task"] == BUSIEST}
            assert shares[True] < shares[False], shares
        if question == "achterstallig":  # every shipped task is within its review date
            assert found["rows"] == []
            continue
        figures = [row.get("people", row.get("reached", row.get("cases"))) for row in found["rows"]]
        assert any(figures), (question, found)
