"""Dutch everywhere in the Dutch interface (issue 13, part 6).

For every role of the demo, every page it can reach is rendered (the routes are read from
the app, so a new page is covered without touching this file), and every kind of error is
provoked: 401/403, 404, 405, 409, 412, 422, 428, invalid form input, import problems and
quality-question problems. The visible text (and what people see or hear of attributes:
title, aria-label, placeholder, alt, button values) must hold no English and no code names
(step ids, slugs, event types, field paths) where a person expects words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from epss.auth.policy import route_table
from epss.demo import DEMO_APP_ID
from epss.demo.cases import ZAKEN
from epss.quality import QUESTIONS
from tests.demo_support import CRITICAL, HTML, ROLES, SLUG, Demo, demo_app

# Words that are English and not Dutch. ("is", "of", "was", "en", "door" are Dutch words,
# so they cannot tell the languages apart.)
ENGLISH_WORDS = (
    "the",
    "and",
    "must",
    "needs",
    "need",
    "already",
    "there",
    "should",
    "cannot",
    "can't",
    "does",
    "doesn't",
    "this",
    "that",
    "which",
    "with",
    "your",
    "you",
    "please",
    "expected",
    "missing",
    "required",
    "not",
    "has",
    "have",
    "are",
    "been",
    "found",
    "only",
    "when",
    "for",
    "from",
    "give",
    "choose",
    "nothing",
    "empty",
    "invalid",
    "field",
    "step",
    "task",
    "error",
    "unknown",
    "allowed",
    "characters",
    "submitted",
    "published",
    "draft",
    "known",
    "events",
    "case",
    "question",
    "problem",
    "problems",
    "version",
    "number",
    "role",
    "first",
    "send",
    "method",
    "forbidden",
    "unauthorized",
    "request",
    "value",
    "input",
)
ENGLISH = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])", re.IGNORECASE
)
# Names of code: snake_case (event types, field names), field paths such as steps[3].id or
# 'steps → step 2', and plurals written as "dag(en)" instead of the right form.
CODE_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\[[^\]]*\]|\w\(\w{1,3}\)")

# Proper names and brand words that are English but are names, not sentences. Keep this
# list short and say why each is here.
ALLOWED = (
    "English",  # the language switch names the language in that language
    "Content-Security-Policy",  # the name of an HTTP header
    "single sign-on",  # the name of the login technique, used as such in Dutch
    "Learning Record Store",  # the name of an xAPI component
    "overlay_js/README.md",  # the bookmarklet page's pointer for IT to the file with the
    # browser-policy example: a path in the source, shown as code, typed as it is
)
# Where visible text is code by nature (a script tag to copy, the bookmarklet's source).
CODE_ELEMENTS = {"script", "style", "pre", "textarea"}
HEARD_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}


class _VisibleText(HTMLParser):
    """The text a person sees or hears of a page: text outside scripts and styles, and the
    attributes that are shown (title) or read aloud (aria-label, placeholder, alt)."""

    VOID: ClassVar = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if not self.hidden:
            self.parts += [v for k, v in attrs if k in HEARD_ATTRIBUTES and v]
            if (
                tag == "input"
                and values.get("type") in ("submit", "button")
                and values.get("value")
            ):
                self.parts.append(values["value"])
        if tag in CODE_ELEMENTS:
            self.hidden.append(tag)
        if tag not in self.VOID:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(page: str) -> list[str]:
    """The visible texts of a page, one per text node or attribute."""
    parser = _VisibleText()
    parser.feed(page)
    parser.close()
    return [
        " ".join(part.split())
        for part in "".join(
            p if p == "\n" else p.replace("\n", " ") + "\n" for p in parser.parts
        ).split("\n")
        if part.strip()
    ]


def english_in(
    text: str, code_names: frozenset[str] = frozenset(), *, code: bool = True
) -> list[str]:
    """What in `text` is English, or (with `code`) a name from the code where a person
    expects words."""
    for name in ALLOWED:
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    found = [f"English {m.group(0)!r} in {text!r}" for m in ENGLISH.finditer(text)][:1]
    if code:
        found += [f"code {m.group(0)!r} in {text!r}" for m in CODE_NAME.finditer(text)][:1]
    if text.strip(" .,:;()'\"") in code_names:
        found.append(f"a code name where a title belongs: {text!r}")
    return found


def english_on_page(page: str, code_names: frozenset[str] = frozenset()) -> list[str]:
    return [problem for text in visible_text(page) for problem in english_in(text, code_names)]


# ---------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with demo_app(tmp_path_factory.mktemp("dutch")) as running:
        yield running


def problems(demo: Demo, answer, where: str) -> list[str]:
    """English or code names in an answer: the page's visible text, or the JSON's
    detail and the messages of its problems."""
    if answer.headers.get("content-type", "").startswith("application/json"):
        body = answer.json()
        texts = [body.get("detail") or ""] if isinstance(body, dict) else []
        texts += (
            [p.get("message", "") for p in (body.get("problems") or []) if isinstance(p, dict)]
            if isinstance(body, dict)
            else []
        )
        # the API's field paths are its own vocabulary: only its words must be Dutch
        found = [f for text in texts if isinstance(text, str) for f in english_in(text, code=False)]
    else:
        found = english_on_page(answer.text, demo.code_names)
    return [f"{where} ({answer.status_code}): {f}" for f in found]


# ---------------------------------------------------------------------------- the pages


def _fill(path: str, demo: Demo) -> list[str]:
    """The path with its parameters filled from the demo data (one or a few examples)."""
    values = {
        "slug": [SLUG, CRITICAL],
        "key": [demo.steps[SLUG][0]],
        "question": list(QUESTIONS),
        "name": [ROLES["medewerker"]],
        "app_id": [DEMO_APP_ID],
        "secret": [demo.reset_secret],
        "zaaknummer": [ZAKEN[0].zaaknummer],
        "pad": [""],
    }
    urls = [path]
    for name in re.findall(r"{(\w+)(?::\w+)?}", path):
        if name not in values:
            return []  # files (static, documentation): no page
        urls = [
            re.sub(r"{" + name + r"(?::\w+)?}", value, url, count=1)
            for url in urls
            for value in values[name]
        ]
    return urls


# Query strings that bring a page into the state where it shows its results.
RESULTS = {
    "/zoeken": ["?q=paspoort"],
    "/kwaliteit/scherm": [
        f"?taak={CRITICAL}&datum={dt.date.today():%d-%m-%Y}&tijd=10:42",
        "?event=1",
    ],
    "/kwaliteit/trechter": [f"?taak={CRITICAL}"],
    "/kwaliteit/in-de-tijd": [f"?taak={CRITICAL}&interval=week"],
    "/redactie/taken/{slug}/versies": ["?van=1&naar=1"],
}


def _pages(demo: Demo, role: str | None) -> Iterator[tuple[str, bool]]:
    """(url, whether this role may see it) for every page of the app."""
    for entry in route_table(demo.client.app.routes):
        if "GET" not in entry.methods or entry.path.startswith("/api/"):
            continue
        allowed = entry.policy.public or (role is not None and role in entry.policy.roles)
        for url in _fill(entry.path, demo):
            yield url, allowed
            for query in RESULTS.get(url, []) + RESULTS.get(entry.path, []):
                yield url + query, allowed


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_page_of_every_role_is_dutch(demo: Demo, role: str | None) -> None:
    """Every page the role reaches, and the refusal of every page it may not see."""
    found, seen = [], 0
    for url, allowed in _pages(demo, role):
        answer = demo.get(role, url)
        if answer.status_code in (301, 302, 303, 307):
            continue  # a login form, or the page after an action: checked as a page itself
        if allowed:
            assert answer.status_code < 500, (url, answer.text[:300])
        else:
            assert answer.status_code in (401, 403), url
        if "html" in answer.headers.get("content-type", ""):
            seen += 1
            found += problems(demo, answer, url)
    assert seen > 5
    assert found == [], "\n".join(found)


# ---------------------------------------------------------------------------- the errors


def _bad_task_file(demo: Demo) -> bytes:
    first, second = demo.steps[SLUG][:2]
    text = Path(__file__).parents[1].joinpath("tasks", f"{SLUG}.yaml").read_text("utf-8")
    text = text.replace(f"id: {second}\n", f"id: {first}\n", 1)  # an id used twice
    return re.sub(
        r"(\n    instruction: )\|-\n(      [^\n]*\n)+", r"\1''\n", text, count=1
    ).encode()  # the first step's instruction empty


def _errors(demo: Demo) -> Iterator[tuple[str, object]]:
    """(what, answer) for every kind of error a person can meet."""
    c, t = demo.client, demo.tokens
    first = demo.steps[SLUG][0]
    yield "404 unknown address", demo.get("medewerker", "/bestaat-niet")
    yield "405 wrong method", c.post("/begrippen", headers=HTML)
    yield "404 unknown task", demo.get(None, "/taken/bestaat-niet")
    yield "404 unknown version", demo.get(None, f"/taken/{SLUG}?versie=99")
    yield "422 version not a number", demo.get(None, f"/taken/{SLUG}?versie=twee")
    yield "422 search too long", demo.get(None, "/zoeken?q=" + "x" * 300)
    yield "403 desk employee in the editor", demo.get("medewerker", "/redactie")
    yield "403 expert in the admin pages", demo.get("expert", "/beheer")
    yield "403 api", c.get("/api/v1/quality", headers=t["medewerker"])
    yield "404 editor unknown task", demo.get("expert", "/redactie/taken/bestaat-niet")
    yield (
        "404 editor unknown step",
        demo.get("expert", f"/redactie/taken/{SLUG}/stappen/bestaat-niet"),
    )
    yield "404 unknown account", demo.get("beheerder", "/beheer/accounts/niemand")
    yield "404 unknown host app", demo.get("beheerder", "/beheer/apps/niets")
    yield "404 unknown question", demo.get("kwaliteit", "/kwaliteit/bestaat-niet")
    yield "422 question needs a task", demo.get("kwaliteit", "/kwaliteit/trechter")
    yield "422 question interval", demo.get("kwaliteit", "/kwaliteit/in-de-tijd?interval=jaar")
    yield "422 question period", demo.get("kwaliteit", "/kwaliteit/per-taak?from=2026-02-30")
    yield (
        "422 question period reversed",
        demo.get("kwaliteit", "/kwaliteit/per-taak?from=2026-03-01&to=2026-01-01"),
    )
    yield "422 api question needs a task", c.get("/api/v1/quality/trechter", headers=t["kwaliteit"])
    yield (
        "422 api question period",
        c.get("/api/v1/quality/per-taak?from=morgen", headers=t["kwaliteit"]),
    )
    yield "404 api question", c.get("/api/v1/quality/bestaat-niet", headers=t["kwaliteit"])
    yield "422 on-screen form", demo.get("kwaliteit", "/kwaliteit/scherm?taak=x&datum=gisteren")
    yield (
        "422 case lookup without purpose",
        c.post(
            "/kwaliteit/zaak",
            data={"zaak": "Z-2026-000101", "doel": ""},
            headers={**HTML, **t["kwaliteit"]},
        ),
    )
    yield (
        "422 case lookup without case",
        c.post(
            "/kwaliteit/zaak",
            data={"zaak": "", "doel": "klacht"},
            headers={**HTML, **t["kwaliteit"]},
        ),
    )
    yield "422 api request validation", c.get("/api/v1/search?q=a&limit=veel")
    yield "422 api body validation", c.post("/api/v1/context/resolve", json={"app": 3})
    yield (
        "409 submitted twice",
        c.post(f"/api/v1/tasks/{CRITICAL}/draft/submit", headers=t["expert"]),
    )
    yield "409 nothing to submit", c.post(f"/api/v1/tasks/{SLUG}/draft/submit", headers=t["expert"])
    yield (
        "409 nothing to restore",
        c.post(
            f"/redactie/taken/{SLUG}/versies/herstellen",
            data={"versie": 1},
            headers={**HTML, **t["expert"]},
        ),
    )
    yield (
        "422 send back without comment",
        c.post(
            f"/api/v1/tasks/{CRITICAL}/draft/send-back",
            json={"comment": " "},
            headers=t["redacteur"],
        ),
    )
    yield "403 four eyes", c.post(f"/api/v1/tasks/{CRITICAL}/draft/publish", headers=t["expert"])
    yield (
        "428 without If-Match",
        c.patch(
            f"/api/v1/tasks/{SLUG}/draft/steps/{first}",
            json={"title": "Nieuw"},
            headers=t["expert"],
        ),
    )
    yield (
        "422 bad If-Match",
        c.patch(
            f"/api/v1/tasks/{SLUG}/draft/steps/{first}",
            json={"title": "Nieuw"},
            headers={**t["expert"], "If-Match": "drie"},
        ),
    )
    yield (
        "412 stale version",
        c.patch(
            f"/api/v1/tasks/{SLUG}/draft/steps/{first}",
            json={"title": "Nieuw"},
            headers={**t["expert"], "If-Match": "999"},
        ),
    )
    yield (
        "422 empty instruction",
        c.patch(
            f"/api/v1/tasks/{SLUG}/draft/steps/{first}",
            json={"instruction": " "},
            headers={**t["expert"], "If-Match": "1"},
        ),
    )
    yield (
        "404 api unknown step",
        c.get(f"/api/v1/tasks/{SLUG}/draft/steps/niets", headers=t["expert"]),
    )
    yield "404 api history", c.get("/api/v1/tasks/niets/history", headers=t["expert"])
    yield "422 versions to compare", demo.get("expert", f"/redactie/taken/{SLUG}/versies?van=1")
    yield (
        "422 import problems",
        c.post(
            "/redactie/import",
            files=[("bestanden", (f"{SLUG}.yaml", _bad_task_file(demo)))],
            headers={**HTML, **t["redacteur"]},
        ),
    )
    yield (
        "422 import not yaml",
        c.post(
            "/redactie/import",
            files=[("bestanden", ("taak.txt", b"x"))],
            headers={**HTML, **t["redacteur"]},
        ),
    )
    yield (
        "422 api import problems",
        c.post(
            "/api/v1/imports",
            json={"files": [{"name": f"{SLUG}.yaml", "content": _bad_task_file(demo).decode()}]},
            headers=t["redacteur"],
        ),
    )
    yield "422 feedback inbox", c.post("/api/v1/feedback", json={"kind": "?"})
    yield (
        "422 password twice",
        c.post(
            "/account/wachtwoord",
            data={"huidig": "x", "nieuw": "abcdefghijkl", "herhaling": "abcdefghijkm"},
            headers={**HTML, **t["medewerker"]},
        ),
    )
    yield "422 case lookup api", c.get("/api/v1/audit/case?ref=&purpose=", headers=t["kwaliteit"])
    yield (
        "422 individual view",
        c.get("/api/v1/quality/individual/abc?purpose=x", headers=t["kwaliteit"]),
    )
    yield "404 reset link", demo.get(None, "/account/herstel/bestaat-niet")


def test_every_error_is_dutch(demo: Demo) -> None:
    found = []
    for what, answer in _errors(demo):
        assert answer.status_code >= 400, (what, answer.status_code, answer.text[:300])
        found += problems(demo, answer, what)
    assert found == [], "\n".join(found)


# ------------------------------------------------------------ the detector, on known text


@pytest.mark.parametrize(
    "text",
    [
        "task 'x' is already submitted for review (by eva)",
        "Technische melding: there is no published task 'x'",
        "this needs the role redacteur; 'eva' has expert",
        "the question 'trechter' needs a task",
        "steps[controleer-termijn].id: the task already has a step with this id",
        "instruction: must not be empty",
        "events of a case",
        "3 dag(en) te laat",
        "panel_opened",
    ],
)
def test_the_detector_finds_english_and_code(text: str) -> None:
    assert english_in(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Het concept is ingediend ter controle door eva.",
        "Stap 3 (Controleer de foto), Instructie: mag niet leeg zijn.",
        "Er is geen gepubliceerde taak 'x'. Kies een taak uit de lijst.",
        "Zoek of kies een taak",
        "Inloggen via uw organisatie (single sign-on)",
    ],
)
def test_the_detector_leaves_dutch_alone(text: str) -> None:
    assert english_in(text) == [], text


def test_visible_text_skips_scripts_and_keeps_what_people_hear() -> None:
    page = (
        '<p title="Needs a title">Hallo</p><script>var the = 1;</script>'
        '<input placeholder="Type here"><a href="/the-end">Verder</a>'
    )
    assert visible_text(page) == ["Needs a title", "Hallo", "Type here", "Verder"]
