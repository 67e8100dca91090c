"""What changed, as the editor pages show it: "Wat is er veranderd" (/redactie/taken/{slug}/
wijzigingen), the draft against the published version or one published version against
another, per task field and per step, the words that went and came marked in the rendered
text (<del>/<ins>, each with a hidden "verwijderd:"/"toegevoegd:" for screen readers).

The comparison itself is epss.drafts.changes; this module writes it for people: Markdown
rendered and sanitised by epss.render, Dutch labels, steps by their title, moments in
Dutch time. `unified_lines` still serves a unified diff as marked lines.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from epss.drafts.changes import draft_changes, version_changes
from epss.errors import InvalidInput
from epss.feedback.intake import KIND_LABELS
from epss.moments import moment
from epss.numbers import MAX_INT
from epss.pages import CRITICALITY_LABELS, templates
from epss.pages.editor import Editor, field_label, page, task_by_slug
from epss.pages.editor_tasks import editor_context
from epss.pages.field_help import describe_check, describe_fingerprint
from epss.quality.table import shown_day
from epss.render import ALLOWED_TAGS, markdown_to_html
from epss.taskfile.fields import STEP_FIELDS
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
Translate = Callable[[str], str]

MARKDOWN_FIELDS = frozenset(
    {"goal", "trigger", "standard", "instruction", "why", "warning", "check"}
)
STEP_LABELS = {"mandatory": "Verplicht of advies", "sources": "Bronnen", "check": "Goed gedaan als"}
OTHER_ACTIONS = {
    "restored": "zette een eerdere versie terug",
    "imported_for_review": "importeerde het taakbestand",
    "created": "begon de taak",
    "steps_reordered": "zette de stappen in een andere volgorde",
}


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "hunk" or "same"
    text: str


def unified_lines(text: str) -> list[DiffLine]:
    """A unified diff's text as marked lines (the file headers left out)."""
    out = []
    for line in text.splitlines():
        if line.startswith(("---", "+++")):
            continue
        kind = (
            "hunk"
            if line.startswith("@@")
            else "add"
            if line.startswith("+")
            else "del"
            if line.startswith("-")
            else "same"
        )
        out.append(DiffLine(kind, line))
    return out


# ---- words marked in rendered HTML -----------------------------------------------------

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


def _items_html(old: list[str], new: list[str], added: str, removed: str) -> Markup:
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


# ---- a comparison written for people ----------------------------------------------------


class _Words:
    """How the values of a document are written: step and source titles looked up in
    the document they come from."""

    def __init__(
        self, steps: dict[str, tuple[int, str]], sources: list[dict], translate: Translate
    ) -> None:
        self._ = translate
        self.steps = steps  # id → (place, title)
        self.sources = {s["id"]: s for s in sources}

    def lines(self, name: str, value) -> list[str]:
        """A list field as escaped lines."""
        if not value:
            return []
        if name == "branches":
            return [self.branch(b) for b in value]
        if name == "sources":
            return [self.source(s) for s in value]
        if name == "context_rules":
            return [self.rule(r) for r in value]
        if name == "field_checks":
            return [html.escape(describe_check(c, self._, capital=True)) for c in value]
        return [html.escape(str(v)) for v in value]

    def branch(self, b: dict) -> str:
        _ = self._
        if b.get("task"):
            target = f"{_('ga naar taak')} {b['task']}"
        else:
            number, title = self.steps.get(b.get("step"), (None, b.get("step") or ""))
            target = (
                f"{_('ga naar stap')} {number}: {title}"
                if number
                else f"{_('ga naar stap')} {title}"
            )
        return html.escape(f"{_('Als')} {b.get('if', '')}, {target}")

    def source(self, source) -> str:
        if isinstance(source, str):  # a step cites a source of the task by its id
            found = self.sources.get(source, {})
            return html.escape(found.get("title") or source)
        parts = [source.get("title") or source.get("id", "")]
        parts += [source[k] for k in ("publisher", "section") if source.get(k)]
        if source.get("date"):
            parts.append(shown_day(str(source["date"])))
        parts += [source["url"]] if source.get("url") else []
        return html.escape(" — ".join(parts))

    def rule(self, rule: dict) -> str:
        _ = self._
        start = rule.get("start_step")
        parts = [f"{_('Zaaksysteem')} {rule.get('app', '')}"]
        parts += [
            f"{_(label)} {rule[key]}"
            for key, label in (("url", "adres"), ("title", "paginatitel"), ("zaaktype", "zaaktype"))
            if rule.get(key)
        ]
        if rule.get("markers"):
            parts.append(f"{_('markeringen')} {', '.join(rule['markers'])}")
        if start:
            number, title = self.steps.get(start, (None, start))
            parts.append(
                f"{_('begint bij stap')} {number}: {title}"
                if number
                else f"{_('begint bij stap')} {title}"
            )
        if rule.get("priority"):
            parts.append(f"{_('voorrang')} {rule['priority']}")
        return html.escape("; ".join(parts))

    def text(self, name: str, value) -> str:
        """A single value as escaped text."""
        _ = self._
        if value is None or value == "":
            return ""
        if name == "mandatory":
            return html.escape(_("Verplicht") if value else _("Advies"))
        if name == "criticality":
            return html.escape(_(CRITICALITY_LABELS.get(value, value)))
        if name in ("review_by", "checked_on"):
            return html.escape(shown_day(str(value)))
        if name == "review_interval_months":
            return html.escape(f"{value} {_('maand') if value == 1 else _('maanden')}")
        if name == "target_fingerprint":
            return html.escape(describe_fingerprint(value, _))
        return html.escape(str(value))


def field_html(name: str, before, after, old: _Words, new: _Words, translate: Translate) -> Markup:
    """One field's change, marked: Markdown rendered, lists per item, values as words."""
    added, removed = translate("toegevoegd:"), translate("verwijderd:")
    if name in MARKDOWN_FIELDS:
        return marked_html(
            markdown_to_html(before or ""), markdown_to_html(after or ""), added, removed
        )
    if isinstance(before, list) or isinstance(after, list):
        return _items_html(old.lines(name, before), new.lines(name, after), added, removed)
    return marked_html(old.text(name, before), new.text(name, after), added, removed, blocks=False)


def review_view(changes: dict, translate: Translate) -> dict:
    """A comparison (epss.drafts.changes) as the page shows it."""
    old_words = _Words(
        {
            s["id"]: (s["from"], s["before"].get("title", ""))
            for s in changes["steps"]
            if s["before"]
        },
        changes["sources"]["before"],
        translate,
    )
    new_words = _Words(
        {s["id"]: (s["to"], s["after"].get("title", "")) for s in changes["steps"] if s["after"]},
        changes["sources"]["after"],
        translate,
    )
    who, feedback = changes["who"], changes["feedback"]
    fields = [
        {
            "field": f["field"],
            "label": field_label(f["field"]),
            "html": field_html(
                f["field"], f["before"], f["after"], old_words, new_words, translate
            ),
            "who": _people(who["fields"].get(f["field"], [])),
        }
        for f in changes["fields"]
    ]
    steps = []
    for s in changes["steps"]:
        if s["change"] in ("added", "removed"):
            values = s["after"] or s["before"]
            shown = [
                {
                    "field": name,
                    "before": None if s["after"] else values.get(name),
                    "after": values.get(name) if s["after"] else None,
                }
                for name in STEP_FIELDS
                if values.get(name) not in (None, "", [])
            ]
        else:
            shown = s["fields"]
        steps.append(
            {
                **{
                    k: s[k]
                    for k in ("id", "title", "before_title", "change", "from", "to", "moved")
                },
                "number": s["to"] or s["from"],
                "fields": [
                    {
                        "field": f["field"],
                        "label": STEP_LABELS.get(f["field"], field_label(f["field"])),
                        "html": field_html(
                            f["field"], f["before"], f["after"], old_words, new_words, translate
                        ),
                    }
                    for f in shown
                ],
                "who": _people(who["steps"].get(s["id"], [])),
                "feedback": [_feedback(item) for item in feedback["steps"].get(s["id"], [])]
                if s["change"] != "same"
                else [],
            }
        )
    touched = {s["id"] for s in changes["steps"] if s["change"] != "same"}
    elsewhere = sum(len(items) for key, items in feedback["steps"].items() if key not in touched)
    return {
        "fields": fields,
        "steps": steps,
        "counts": changes["counts"],
        "changed": changes["changed"],
        "base": changes["base"],
        "target": changes["target"],
        "draft": changes["draft"],
        "people": who["people"],
        "other": [
            {
                "who": o["who"],
                "when": moment(o["when"]),
                "what": OTHER_ACTIONS.get(o["action"], o["action"]),
                "version": (o.get("after") or {}).get("version"),
            }
            for o in who["other"]
        ],
        "task_feedback": [_feedback(item) for item in feedback["task"]],
        "feedback_elsewhere": elsewhere,
        "slug": changes["slug"],
        "moment": moment,
    }


def _people(entries: list[dict]) -> list[dict]:
    """Each person once, with the moment of their last change."""
    last: dict[str, object] = {}
    for entry in entries:
        last[entry["who"]] = entry["when"]
    return [{"who": name, "when": moment(when)} for name, when in last.items()]


def _feedback(item: dict) -> dict:
    return {
        "id": item["id"],
        "kind": KIND_LABELS.get(item["kind"], item["kind"]),
        "comment": item["comment"],
        "when": moment(item["created_at"]),
        "version": item["task_version"],
        "step_number": item["step_number"],
    }


# For the versions page's comparison, and the workflow box's moment of submission.
templates.env.globals["review_view"] = review_view
templates.env.globals["local_moment"] = moment


@router.get("/redactie/taken/{slug}/wijzigingen", response_class=HTMLResponse)
def changes_page(
    request: Request,
    slug: str,
    session: SessionDep,
    who: Editor,
    van: int | None = Query(default=None, ge=1, le=MAX_INT),
    naar: int | None = Query(default=None, ge=1, le=MAX_INT),
) -> HTMLResponse:
    """ "Wat is er veranderd": the draft (as submitted) against the newest published
    version, with the buttons to publish or send it back; with ?van=&naar= two published
    versions."""
    task = task_by_slug(session, slug)
    if van and naar:
        changes = version_changes(session, slug, van, naar)
    elif van or naar:
        raise InvalidInput("Geef bij 'van' en 'naar' allebei een versienummer om te vergelijken.")
    else:
        changes = draft_changes(session, slug)
    context = editor_context(request, session, slug, who, changes=changes, van=van, naar=naar)
    context["task"] = task
    return page(request, "editor_changes.html", "_editor_changes.html", context)
