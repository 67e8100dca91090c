"""Dutch first, English available: chosen with ?lang=, remembered, or from the browser."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastapi.testclient import TestClient

from epss.i18n import ENGLISH
from epss.pages import CRITICALITY_LABELS
from epss.web.http_errors import _PAGES
from tests.source_support import parse

TEMPLATES = Path(__file__).parents[1] / "epss" / "pages" / "templates"
CODE = Path(__file__).parents[1] / "epss"
# What raises or builds a message a person may read (its first argument is the Dutch text).
MESSAGES = {
    "InvalidInput",
    "NotFound",
    "Conflict",
    "Forbidden",
    "StaleVersion",
    "VersionRequired",
    "Unauthorized",
    "TooManyRequests",
    "BatchTooLarge",
    "UnsupportedMediaType",
    "Message",
    "Phrase",
    "ValueError",
}
# Messages for operators and tools, in English by design: the command line, its audit and
# export tools, server settings, the metrics endpoint; and the merge's internal signal.
FOR_OPERATORS = (
    "cli.py",
    "admin/command.py",
    "audit/",
    "xapi/",
    "overlay/extension.py",
    "settings.py",
    "operations/",
    "glossary.py",
    "drafts/merge.py",
)


def test_pages_are_dutch_by_default(client: TestClient) -> None:
    page = client.get("/")
    assert '<html lang="nl">' in page.text and "Alle taken" in page.text


def test_english_on_request_and_remembered(client: TestClient) -> None:
    page = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in page.text and "All tasks" in page.text
    assert "Alle taken" not in page.text
    assert client.get("/taken/aangifte-geboorte").text.count("Mandatory") > 0  # cookie kept
    assert "Alle taken" in client.get("/", params={"lang": "nl"}).text


def test_switching_language_keeps_the_question_on_the_page(client: TestClient) -> None:
    page = client.get("/zoeken", params={"q": "paspoort kind"})
    assert 'href="?q=paspoort+kind&amp;lang=en"' in page.text
    english = client.get("/zoeken", params={"q": "paspoort kind", "lang": "en"})
    assert 'href="?q=paspoort+kind&amp;lang=nl"' in english.text


def test_dutch_even_for_an_english_browser_until_english_is_chosen(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Alle taken" in page.text
    client.get("/", params={"lang": "en"})
    page = client.get("/taken/x", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Not found" in page.text


def test_every_interface_text_has_an_english_translation() -> None:
    texts = {text for pair in _PAGES.values() for text in pair} | set(CRITICALITY_LABELS.values())
    for template in TEMPLATES.glob("*.html"):
        for double, single in re.findall(
            r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""", template.read_text(encoding="utf-8")
        ):
            texts.add(double or single)
    assert sorted(texts - set(ENGLISH)) == []


def _messages_in_code() -> dict[str, str]:
    """The constant first arguments of MESSAGES calls, and of the (field, message[, place])
    problems given to `invalid`, by where they are."""
    found = {}
    for path in sorted(CODE.rglob("*.py")):
        where = path.relative_to(CODE).as_posix()
        if where.startswith(FOR_OPERATORS):
            continue
        for node in ast.walk(parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            texts = node.args[:1] if name in MESSAGES else []
            if name == "invalid" and node.args and isinstance(node.args[0], ast.List):
                texts = [
                    part
                    for item in node.args[0].elts
                    if isinstance(item, ast.Tuple)
                    for part in item.elts[1:]
                ]
            elif name == "invalid":
                texts = node.args[1:2]
            for text in texts:
                if isinstance(text, ast.Constant) and isinstance(text.value, str):
                    found[text.value] = f"{where}:{node.lineno}"
    return found


def test_every_message_in_the_code_has_an_english_translation() -> None:
    found = _messages_in_code()
    assert len(found) > 100  # the walk sees the messages
    assert sorted(f"{where}: {text}" for text, where in found.items() if text not in ENGLISH) == []
