"""Markdown → safe HTML, in one place. Guidance is written by people and shown inside
other applications, so everything rendered passes an allow-list sanitiser."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

from epss.models import TaskVersion

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h\d|br|hr|tr|td|th|blockquote|pre|table)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for a Markdown text: no script, handler, style, frame or js: URL."""
    return nh3.clean(
        _markdown.render(text),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown_to_text(text: str) -> str:
    """The plain words of a Markdown text, for search and snippets."""
    rendered = _BLOCK_TAG.sub(" ", _markdown.render(text))
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", rendered))).strip()


def render_version(version: TaskVersion, latest: int) -> dict:
    """A published version as the API and the pages show it: the document, every Markdown
    field also as safe HTML, and the version's facts."""
    doc = version.document
    return {
        **doc,
        **{f"{k}_html": markdown_to_html(doc.get(k, "")) for k in ("goal", "trigger", "standard")},
        "steps": [
            {**step, **{f"{k}_html": markdown_to_html(step.get(k, ""))
                        for k in ("instruction", "why", "warning", "check")}}
            for step in doc["steps"]
        ],
        "version": version.number, "latest_version": latest,
        "content_hash": version.content_hash, "published_at": version.published_at,
        "published_by": version.published_by, "approved_by": version.approved_by,
    }
