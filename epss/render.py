"""Markdown → safe HTML, in one place. Guidance is written by people and shown inside
other applications, so everything rendered passes an allow-list sanitiser."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown_it import MarkdownIt

from epss.glossary import Term, terms_in
from epss.models import TaskVersion
from epss.taskfile.fields import STEP_TEXTS, TASK_TEXTS

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "blockquote",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h\d|br|hr|tr|td|th|blockquote|pre|table)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _renderable(text: str) -> str:
    """The text with each lone surrogate (possible in JSON, not in UTF-8) as U+FFFD,
    which the sanitiser can encode; a surrogate pair becomes the one character it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for a Markdown text: no script, handler, style, frame or js: URL."""
    return nh3.clean(
        _markdown.render(_renderable(text)),
        tags=ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@lru_cache(maxsize=8192)
def published_html(text: str) -> str:
    """markdown_to_html, cached for published texts: they are rendered again for every
    panel, page and API answer that shows them (about a quarter of such a request's time).
    An editor's preview is not kept."""
    return markdown_to_html(text)


def markdown_to_text(text: str) -> str:
    """The plain words of a Markdown text, for search and snippets."""
    rendered = _BLOCK_TAG.sub(" ", _markdown.render(_renderable(text)))
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", rendered))).strip()


def step_terms(step: dict[str, Any], glossary: Sequence[Term]) -> tuple[dict[str, str], ...]:
    """The glossary terms a step uses, with what they mean, for under the step."""
    return _terms_of((step["title"], *(step.get(k, "") for k in STEP_TEXTS)), tuple(glossary))


@lru_cache(maxsize=8192)
def _terms_of(texts: tuple[str, ...], glossary: tuple[Term, ...]) -> tuple[dict[str, str], ...]:
    """Cached, as markdown_to_tree: published steps repeat on every panel and page (about
    1 ms a step to find anew). Treat the result as read-only."""
    plain = [texts[0], *(markdown_to_text(text) for text in texts[1:])]
    return tuple({"term": t.term, "definition": t.definition} for t in terms_in(plain, glossary))


def render_version(
    version: TaskVersion, latest: int, glossary: Sequence[Term] = ()
) -> dict[str, Any]:
    """A published version as the API and the pages show it: the document, every Markdown
    field also as safe HTML, and the version's facts and credits; with a glossary, each
    step's `terms`. `review_by` is the date that holds now (a confirmation moves it without
    a new version)."""
    doc = version.document
    return {
        **doc,
        **{f"{k}_html": published_html(doc.get(k, "")) for k in TASK_TEXTS},
        "steps": [
            {
                **step,
                **{f"{k}_html": published_html(step.get(k, "")) for k in STEP_TEXTS},
                **({"terms": step_terms(step, glossary)} if glossary else {}),
            }
            for step in doc["steps"]
        ],
        "version": version.number,
        "latest_version": latest,
        "content_hash": version.content_hash,
        "published_at": version.published_at,
        "published_by": version.published_by,
        "approved_by": version.approved_by,
        "submitted_by": version.submitted_by,
        "edited_by": list(version.edited_by),
        "import_unreviewed": version.import_unreviewed,
        "review_by": version.review_by.isoformat(),
    }


class _TreeBuilder(HTMLParser):
    """Sanitised HTML → nested lists: a text is a string, an element is
    [tag, {attribute: value}, *children]. The overlay builds DOM nodes from this
    without ever parsing HTML in the host page."""

    _VOID = frozenset({"br", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Any] = []  # (a tree: its items are texts and elements)
        self.open: list[list[Any]] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = [tag, {k: v for k, v in attrs if v is not None}]
        self.open[-1].append(node)
        if tag not in self._VOID:
            self.open.append(node)

    def handle_endtag(self, tag: str) -> None:
        if len(self.open) > 1 and self.open[-1][0] == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() or (len(self.open) > 1 and "\n" not in data):
            self.open[-1].append(data)


@lru_cache(maxsize=8192)
def markdown_to_tree(text: str) -> list[Any]:
    """A Markdown text as a tree of sanitised elements (see _TreeBuilder). Cached, as
    published texts repeat on every request: treat the result as read-only."""
    builder = _TreeBuilder()
    builder.feed(markdown_to_html(text))
    builder.close()
    return builder.root


def step_hash(step: dict[str, Any]) -> str:
    """A short hash of a step's content: equal content, equal hash, in any version (the
    panel keeps a tick only while the step it was given to stays the same). How the step's
    field is recognised is no part of what the person reads or does."""
    content = {k: v for k, v in step.items() if k != "target_fingerprint"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def panel_view(
    version: TaskVersion, task_titles: dict[str, tuple[str, int]], glossary: Sequence[Term] = ()
) -> dict[str, Any]:
    """A published version as the overlay's panel shows it: rich text as trees, sources,
    branch destinations and the glossary terms of each step spelled out. `task_titles`:
    slug → (title, newest version)."""
    doc = version.document
    sources = {
        s["id"]: {k: s[k] for k in ("title", "publisher", "section", "date", "url") if s.get(k)}
        for s in doc.get("sources", [])
    }

    def branch(b: dict[str, Any]) -> dict[str, Any]:
        if b.get("task"):
            title, number = task_titles.get(b["task"], (b["task"], None))
            return {"if": b["if"], "task": b["task"], "task_title": title, "version": number}
        return {"if": b["if"], "step": b["step"]}

    return {
        "slug": doc["slug"],
        "title": doc["title"],
        "version": version.number,
        "content_hash": version.content_hash,
        "published_at": version.published_at,
        "goal": markdown_to_tree(doc.get("goal", "")),
        "deviation_reasons": doc.get("deviation_reasons", []),
        "steps": [
            {
                "id": s["id"],
                "hash": step_hash(s),
                "title": s["title"],
                "mandatory": s.get("mandatory", True),
                **{k: markdown_to_tree(s.get(k, "")) for k in STEP_TEXTS},
                "estimated_minutes": s.get("estimated_minutes"),
                "branches": [branch(b) for b in s.get("branches", [])],
                "target": s.get("target", []),
                "target_fingerprint": s.get("target_fingerprint"),
                "field_tip": s.get("field_tip"),
                "field_checks": s.get("field_checks", []),
                "sources": [sources[i] for i in s.get("sources", []) if i in sources],
                "terms": step_terms(s, glossary),
            }
            for s in doc["steps"]
        ],
    }
