"""What changed, as the editor pages show it: "Wat is er veranderd" (/redactie/taken/{slug}/
wijzigingen), the draft against the published version or one published version against
another, per task field and per step, the words that went and came marked in the rendered
text (<del>/<ins>, each with a hidden "verwijderd:"/"toegevoegd:" for screen readers).

The comparison itself is epss.drafts.changes; this module writes it for people: Markdown
rendered and sanitised by epss.render, Dutch labels, steps by their title, moments in
Dutch time. `unified_lines` still serves a unified diff as marked lines.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from epss.drafts.changes import draft_changes, version_changes
from epss.errors import InvalidInput
from epss.feedback.intake import KIND_LABELS
from epss.moments import moment
from epss.numbers import MAX_INT
from epss.pages import CRITICALITY_LABELS, source_name, templates
from epss.pages.editor import Editor, field_label, page, task_by_slug
from epss.pages.editor_tasks import editor_context
from epss.pages.field_help import describe_check, describe_fingerprint
from epss.pages.marked_html import marked_html, marked_items
from epss.quality.table import shown_day
from epss.render import markdown_to_html
from epss.taskfile.fields import STEP_FIELDS, STEP_TEXTS, TASK_TEXTS
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
Translate = Callable[[str], str]

MARKDOWN_FIELDS = frozenset(TASK_TEXTS + STEP_TEXTS)
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
            return html.escape(source_name(self.sources.get(source, {"id": source})))
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
        return marked_items(old.lines(name, before), new.lines(name, after), added, removed)
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
