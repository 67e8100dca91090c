"""The XSS payload list, tasks that carry it, and the checks that find executable markup
in what the service sends out. Shared by tests/test_xss.py and the browser test."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from epss.taskfile import TaskDocument
from tests.conftest import shipped_document

PAYLOADS_FILE = Path(__file__).parent / "data" / "xss-payloads.txt"
MARKDOWN_STEP_FIELDS = ("instruction", "why", "warning", "check")
MARKDOWN_TASK_FIELDS = ("goal", "trigger", "standard")

# What render.py may produce, written out here on purpose rather than imported from it.
RICH_TAGS = frozenset(
    {
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
)
RICH_ATTRIBUTES = {"a": frozenset({"href", "title", "rel"})}
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Elements that run code, load a document or change how the page around them works.
FORBIDDEN_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "base",
        "form",
        "svg",
        "math",
        "img",
        "video",
        "audio",
        "isindex",
        "param",
    }
)
HEAD_ONLY_TAGS = frozenset({"meta", "link", "title"})
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "background",
        "poster",
        "srcset",
        "lowsrc",
        "dynsrc",
        "codebase",
        "cite",
        "ping",
        "manifest",
        "icon",
    }
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def load_payloads() -> list[str]:
    """The payloads of tests/data/xss-payloads.txt; a literal \\n stands for a line break."""
    return [
        line.replace("\\n", "\n")
        for line in PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def payload_line(payload: str) -> str:
    """A payload as a one-line field (title, owner, branch condition) accepts it."""
    return payload.replace("\n", " ").strip()[:300].strip()


def payload_document(slug: str, payload: str, *, goal: str | None = None) -> TaskDocument:
    """A shipped task with `payload` in every Markdown field of the task and its first step,
    and as the one-line text of titles, owner, tags, a branch and every source (its URL
    too). Validated like an imported file."""
    line = payload_line(payload)
    base = shipped_document(
        "verhuizing-doorgeven", title=line, **dict.fromkeys(MARKDOWN_STEP_FIELDS, payload)
    )
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.update(
        {
            "slug": slug,
            "title": line,
            "owner": line,
            "tags": [line],
            "context_rules": [],
            **dict.fromkeys(MARKDOWN_TASK_FIELDS, payload),
        }
    )
    if goal is not None:
        data["goal"] = goal
    for source in data["sources"]:
        source.update(title=line, publisher=line, url=line)
    first = data["steps"][0]
    first["branches"] = [{"if": line, "step": data["steps"][1]["id"]}, *first["branches"]]
    return TaskDocument.model_validate(data)


def url_problem(value: str) -> str | None:
    """Why a URL is not safe to put in a page, or None. Read the way a browser reads it:
    spaces and control characters around it and tabs and line breaks in it do not count."""
    cleaned = re.sub(
        r"[\t\n\r]",
        "",
        value.strip(
            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n"
            "\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14"
            "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
            "\x1f "
        ),
    )
    scheme = _SCHEME.match(cleaned)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return f"URL with scheme {scheme.group(1)!r}: {value!r}"
    return None


class _Scan(HTMLParser):
    """Every start tag with its attributes, whether it stands in the body, the text inside
    each element, and the markup that is neither (comments, CDATA, processing
    instructions: where Python's parser and a browser's may disagree on where they end)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None], bool]] = []
        self.in_body = False
        self.open: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_body = self.in_body or tag == "body"
        self.tags.append((tag, dict(attrs), self.in_body))
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.open:
            self.texts.setdefault(self.open[-1], []).append(data)

    def handle_comment(self, data: str) -> None:
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        if decl.lower() != "doctype html":
            self.other.append(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"<?{data}>")


def scan(html: str) -> _Scan:
    scanner = _Scan()
    scanner.feed(html)
    scanner.close()
    return scanner


def _attribute_problems(tag: str, attrs: dict[str, str | None]) -> list[str]:
    problems = []
    for name, value in attrs.items():
        if name.startswith("on"):
            problems.append(f"event handler <{tag} {name}=…>")
        elif name == "style":
            problems.append(f"style attribute on <{tag}>")
        elif name in URL_ATTRIBUTES and value is not None:
            problem = url_problem(value)
            if problem:
                problems.append(f"<{tag} {name}>: {problem}")
    return problems


def rich_html_problems(html: str) -> list[str]:
    """Problems of a piece of rendered Markdown: anything outside render.py's allow-list
    (elements and attributes), and every executable thing on the way."""
    scanned = scan(html)
    problems = [f"markup {other!r}" for other in scanned.other]
    for tag, attrs, _ in scanned.tags:
        if tag not in RICH_TAGS:
            problems.append(f"element <{tag}> outside the allow-list")
        extra = set(attrs) - RICH_ATTRIBUTES.get(tag, frozenset())
        if extra:
            problems.append(f"attributes {sorted(extra)} on <{tag}> outside the allow-list")
        problems += _attribute_problems(tag, attrs)
    return problems


def page_problems(html: str, *, fragment: bool = False, own_forms: int = 0) -> list[str]:
    """Problems of a whole page (or, with `fragment`, a piece of a body): no script but the
    page's own files, no event handler, style, unsafe URL, frame, object, svg or math, no
    form beyond the page's `own_forms`; meta and link only in the head."""
    scanned = scan(html)
    tags = scanned.tags
    forms = sum(tag == "form" for tag, _, _ in tags)
    problems = [f"{forms} forms where the page has {own_forms}"] if forms > own_forms else []
    problems += [
        f"markup {other!r}"
        for other in scanned.other  # a template's own comment
        if not other.startswith("<!--") or "<" in other[4:] or "--!" in other
    ]
    for tag, attrs, after_body in tags:
        in_body = after_body or fragment
        own_script = (
            tag == "script" and not in_body and (attrs.get("src") or "").startswith("/static/")
        )
        if tag in FORBIDDEN_TAGS and tag != "form" and not own_script:
            problems.append(f"element <{tag}>")
        if tag in HEAD_ONLY_TAGS and in_body:
            problems.append(f"element <{tag}> in the body")
        if tag == "meta" and "http-equiv" in attrs:
            problems.append(f"<meta http-equiv={attrs['http-equiv']!r}>")
        problems += _attribute_problems(tag, attrs)
    return problems


def tree_problems(nodes: list) -> list[str]:
    """Problems of a rich-text tree as the panel API sends it: texts are strings (the
    overlay adds them as text); elements [tag, {attributes}, *children] stay within the
    allow-list and carry only safe URLs."""
    problems = []
    for node in nodes:
        if isinstance(node, str):
            continue
        if not isinstance(node, list) or len(node) < 2 or not isinstance(node[1], dict):
            problems.append(f"not a text or an element: {node!r}")
            continue
        tag, attrs, *children = node
        if tag not in RICH_TAGS:
            problems.append(f"element <{tag}> outside the allow-list")
        extra = set(attrs) - RICH_ATTRIBUTES.get(tag, frozenset())
        if extra:
            problems.append(f"attributes {sorted(extra)} on <{tag}> outside the allow-list")
        problems += _attribute_problems(tag, attrs) + tree_problems(children)
    return problems
