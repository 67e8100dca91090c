"""Two versions of a rendered text as one, for people: the words that went in <del>, the words
that came in <ins> (each with a hidden "verwijderd:"/"toegevoegd:" for screen readers), in
the structure of the new text and sanitised again as epss.render allows."""

from __future__ import annotations

import difflib
import html
import re

import nh3
from markupsafe import Markup

from epss.render import ALLOWED_TAGS

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\w+|\s+|[^\w\s<&]|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z0-9]+)([^>]*)>")
_HREF = re.compile(r'href="([^"]*)"')
_VOID = frozenset({"br", "hr"})
_INLINE = frozenset({"strong", "em", "code", "a"})
_MARK_TAGS = ALLOWED_TAGS | {"del", "ins", "span"}  # what render.py allows, and the marks


def _tokens(text: str) -> list[tuple]:
    """Sanitised HTML as tokens `(key, text, tag)`: a tag is compared as itself, a word
    together with the formatting around it (bold, a link and where it goes), so that a
    word that lost its bold or its link counts as changed."""
    out, inline = [], []
    for token in _TOKEN.findall(text):
        tag = _TAG.fullmatch(token)
        if tag:
            closing, name = tag.group(1) == "/", tag.group(2).lower()
            if name in _INLINE:
                if closing:
                    for n in range(len(inline) - 1, -1, -1):
                        if inline[n][0] == name:
                            del inline[n]
                            break
                else:
                    href = _HREF.search(tag.group(3))
                    inline.append((name, href.group(1) if href else None))
            out.append((("tag", token), token, name))
        else:
            out.append((("text", tuple(inline), token), token, None))
    return out


class _Writer:
    """The marked HTML, in the structure of the new text: its tags as they are, the new
    words in <ins>, the old words in <del> where they stood (a deletion directly inside
    a list or a table gets an item or cell of its own, so the HTML stays valid)."""

    def __init__(self, added: str, removed: str, blocks: bool) -> None:
        self.out: list[str] = []
        self.open: list[str] = []
        self.labels = {"ins": added, "del": removed}
        self.blocks = blocks

    def tag(self, token: str, name: str) -> None:
        self.out.append(token)
        if token.startswith("</"):
            if name in self.open:
                while self.open and self.open.pop() != name:
                    pass
        elif name not in _VOID and not token.endswith("/>"):
            self.open.append(name)

    def text(self, text: str) -> None:
        self.out.append(text)

    def marked(self, kind: str, text: str, *, apart: bool = False) -> None:
        """A run of words that came (ins) or went (del). The white space around new words
        stays outside the mark; words that went are set apart by a space from what
        follows when they had one, or when `apart` (new words follow)."""
        core = text.strip()
        if not core:
            if kind == "ins":
                self.out.append(text)
            return
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        if kind == "ins":
            if not (self.out and self.out[-1][-1:].isspace()):
                self.out.append(lead)
        elif lead and self.out and not self.out[-1][-1:].isspace():
            self.out.append(" ")
        mark = (
            f'<{kind}><span class="visually-hidden">[{html.escape(self.labels[kind])}] '
            f"</span>{core}</{kind}>"
        )
        where = self.open[-1] if self.open else None
        if where in ("ul", "ol"):
            mark = f"<li>{mark}</li>"
        elif where in ("table", "thead", "tbody"):
            mark = f"<tr><td>{mark}</td></tr>"
        elif where == "tr":
            mark = f"<td>{mark}</td>"
        elif where is None and kind == "del" and self.blocks:
            mark = f"<p>{mark}</p>"
        self.out.append(mark)
        if kind == "ins":
            self.out.append(trail)
        elif (trail or apart) and where not in ("ul", "ol", "table", "thead", "tbody", "tr"):
            self.out.append(" ")


def marked_html(old: str, new: str, added: str, removed: str, *, blocks: bool = True) -> Markup:
    """Two sanitised HTML texts as one, with the words that went in <del> and the words
    that came in <ins>; `added`/`removed` are the hidden words a screen reader says.
    `blocks`: the texts are rendered Markdown (paragraphs), not a single line."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in a], [t[0] for t in b], autojunk=False)
    writer = _Writer(added, removed, blocks)
    for op, i1, i2, j1, j2 in _readable(matcher.get_opcodes(), b):
        if op == "equal":
            for _, token, name in b[j1:j2]:
                writer.tag(token, name) if name else writer.text(token)
            continue
        gone = []
        for _, token, name in a[i1:i2]:
            if name is None:
                gone.append(token)
            elif name not in _INLINE and gone and not gone[-1].isspace():
                gone.append(" ")  # the end of a paragraph or item
        writer.marked(
            "del",
            "".join(gone),
            apart=any(name is None and token.strip() for _, token, name in b[j1:j2]),
        )
        run: list[str] = []
        for _, token, name in b[j1:j2]:
            if name is None:
                run.append(token)
                continue
            writer.marked("ins", "".join(run))
            run = []
            writer.tag(token, name)
        writer.marked("ins", "".join(run))
    return Markup(
        nh3.clean(
            "".join(writer.out),
            tags=_MARK_TAGS,
            attributes={"a": {"href", "title"}, "span": {"class"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


def _readable(opcodes: list, new: list[tuple]) -> list:
    """Opcodes with a lone unchanged word between two changes taken into them: "of de
    aangifte" → "de termijn" reads better as one change than as three."""
    ops = [list(op) for op in opcodes]
    n = 1
    while n < len(ops) - 1:
        op, _, _, j1, j2 = ops[n]
        between = new[j1:j2]
        lone = (
            op == "equal"
            and all(name is None for _, _, name in between)
            and sum(1 for _, token, _ in between if token[0].isalnum()) <= 1
        )
        if lone and ops[n - 1][0] != "equal" and ops[n + 1][0] != "equal":
            ops[n - 1 : n + 2] = [
                ["replace", ops[n - 1][1], ops[n + 1][2], ops[n - 1][3], ops[n + 1][4]]
            ]
            continue
        n += 1
    return ops


def marked_items(old: list[str], new: list[str], added: str, removed: str) -> Markup:
    """Two lists of (escaped) lines as one list, each line kept, added or removed."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    rows = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [f"<li>{line}</li>" for line in new[j1:j2]]
            continue
        rows += [
            f'<li><del><span class="visually-hidden">[{html.escape(removed)}] </span>'
            f"{line}</del></li>"
            for line in old[i1:i2]
        ]
        rows += [
            f'<li><ins><span class="visually-hidden">[{html.escape(added)}] </span>'
            f"{line}</ins></li>"
            for line in new[j1:j2]
        ]
    return Markup('<ul class="change-items">' + "".join(rows) + "</ul>")
