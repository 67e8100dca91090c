"""From draft to published version: submit, send back, publish, restore.

    draft ──submit──► submitted ──publish (a redacteur)──► published
      ▲                  │
      └───send back──────┘   (any edit of a submitted or published task makes it a draft)

A critical task needs a second person: a redacteur who edited the draft since the last
publication may not publish it. Who edited is read from the task's history (every change
after the newest one that created a version: an import published at once counts as a
publication, an import for review as a change by whoever imported it).
Functions take a Session and never commit; the caller refreshes the search index after
committing a publication.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from epss.catalog import (
    content_hash,
    publish,
    published_version,
    same_content,
    write_working_copy,
)
from epss.drafts.document import draft_document, draft_steps
from epss.drafts.history import (
    edits_since_publication,
    record_change,
)
from epss.drafts.presence import queue_notice
from epss.drafts.working import lock_task
from epss.errors import Conflict, Forbidden, InvalidInput
from epss.i18n import Message, Words, and_list
from epss.models import Change, Task, TaskVersion
from epss.taskfile import TaskDocument

MAX_COMMENT = 2000


def submit(session: Session, slug: str, *, by: str) -> Task:
    """Offer the draft for review. Refused when it is already submitted, when it equals
    the newest published version (nothing to submit) and when it is not valid (422)."""
    task = lock_task(session, slug)
    if task.status == "submitted":
        raise Conflict(
            "De taak '{title}' is al ingediend ter controle (door {by}). Een "
            "redacteur kan haar publiceren of terugsturen.",
            params={"title": task.title, "by": task.submitted_by},
            extra={"status": task.status},
        )
    document = draft_document(session, task)
    if _equals_newest(session, task, document):
        raise Conflict(
            "Er is niets in te dienen: het concept van '{title}' is gelijk aan "
            "de gepubliceerde versie {version}.",
            params={"title": task.title, "version": task.published_version},
            extra={"status": task.status},
        )
    task.status = "submitted"
    task.submitted_by = by
    task.submitted_at = dt.datetime.now(dt.UTC)
    task.review_comment = None
    session.add(task)
    record_step(session, task, by, "submitted")
    return task


def send_back(session: Session, slug: str, comment: str, *, by: str) -> Task:
    """Return a submitted draft to its editors with the reason, which they see."""
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput(
            "Opmerking: schrijf op wat er moet veranderen voordat de taak "
            "gepubliceerd kan worden (de opmerking mag niet leeg zijn).",
            extra={"field": "comment"},
        )
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            "Opmerking: ten hoogste {most} tekens (deze heeft er {count}).",
            params={"most": MAX_COMMENT, "count": len(comment)},
            extra={"field": "comment"},
        )
    task = lock_task(session, slug)
    _require_submitted(task, "sent back")
    task.status = "draft"
    task.review_comment = comment
    session.add(task)
    record_step(session, task, by, "sent_back", comment=comment)
    return task


def publish_draft(session: Session, slug: str, *, by: str, seen: str | None = None) -> TaskVersion:
    """Publish the submitted draft as the task's next immutable version, approved by `by`.
    The caller checks that `by` is a redacteur; this checks the state and, for a critical
    task, that `by` did not edit the draft since the last publication. `seen`: the content
    hash of the draft the reviewer looked at; a draft changed since is not published."""
    task = lock_task(session, slug)
    _require_submitted(task, "published")
    edits = edits_since_publication(session, task)
    if _critical(session, task) and any(c.actor == by for c in edits):
        refusal = _four_eyes_reason(session, task, [c for c in edits if c.actor == by])
        refusal.extra["editors"] = sorted({c.actor for c in edits})
        raise refusal
    document = draft_document(session, task)
    if seen is not None and seen != content_hash(document):
        raise Conflict(
            "Het concept is veranderd sinds u het bekeek. Bekijk wat er nu "
            "veranderd is en publiceer dan opnieuw.",
            extra={"status": task.status},
        )
    if _equals_newest(session, task, document):
        raise Conflict(
            "Er is niets te publiceren: het concept van '{title}' is gelijk aan "
            "de gepubliceerde versie {version}.",
            params={"title": task.title, "version": task.published_version},
            extra={"status": task.status},
        )
    version = publish(
        session,
        task,
        document,
        by=by,
        approved_by=by,
        submitted_by=task.submitted_by,
        edited_by=[c.actor for c in edits],
    )
    record_step(session, task, by, "published", version_number=version.number)
    return version


def restore_version(session: Session, slug: str, number: int, *, by: str) -> Task:
    """Make the working copy version `number`'s content, recorded as a change by `by`.
    It is then a draft that goes through submit and publish like any change, so the old
    text comes back as a new version. Restoring the newest version discards the draft's
    changes. The review date stays the one that holds now (the newest version's): a
    restore brings back guidance, not an old review date."""
    if number < 1:
        raise InvalidInput(
            "Versie {number} bestaat niet: versienummers beginnen bij 1.",
            params={"number": number},
            extra={"field": "version"},
        )
    task = lock_task(session, slug)
    old = published_version(session, slug, number)
    newest = published_version(session, slug)
    restored = TaskDocument.model_validate(old.document).model_copy(
        update={"review_by": newest.review_by}
    )
    if _draft_is(session, task, restored, old):
        raise Conflict(
            "Het concept van '{title}' heeft al de inhoud van versie {number}; "
            "er is niets terug te zetten.",
            params={"title": task.title, "number": number},
            extra={"status": task.status},
        )
    write_working_copy(session, task, restored)
    task.status = "published" if same_content(restored, newest) else "draft"
    task.submitted_by = task.submitted_at = None
    task.updated_at = dt.datetime.now(dt.UTC)
    session.add(task)
    record_step(
        session,
        task,
        by,
        "restored",
        after={"version": number},
        comment=f"versie {number} teruggezet",
    )
    return task


def record_step(
    session: Session,
    task: Task,
    by: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
    version_number: int | None = None,
) -> Change:
    """Record a workflow step (or a restore) in the history, and tell the people editing
    the task once it is committed: a `workflow` notice with the action, the new status and
    the published version, so their editor shows the new state (and, after "restored",
    reloads the steps)."""
    session.flush()
    change = record_change(
        session,
        task,
        by,
        action,
        before=before,
        after=after,
        comment=comment,
        version_number=version_number,
    )
    queue_notice(
        session,
        task.slug,
        "workflow",
        {
            "action": action,
            "status": task.status,
            "by": by,
            "published_version": task.published_version,
        },
    )
    return change


def _critical(session: Session, task: Task) -> bool:
    """Critical in the draft or in the published version: lowering the criticality in a
    draft does not take away the need for a second person."""
    if task.criticality == "critical":
        return True
    return (
        task.published_version is not None
        and published_version(session, task.slug).document.get("criticality") == "critical"
    )


def _require_submitted(task: Task, what: str) -> None:
    if task.status == "submitted":
        return
    template = (NOT_SUBMITTED if task.status == "draft" else NO_CHANGES)[what]
    raise Conflict(
        template,
        params={"title": task.title, "version": task.published_version},
        extra={"status": task.status},
    )


# A refusal because the draft is not submitted: by what was asked, and the draft's state.
NOT_SUBMITTED = {
    "sent back": "De taak '{title}' kan niet worden teruggestuurd: het concept is nog niet "
    "ingediend ter controle. Dien het eerst in.",
    "published": "De taak '{title}' kan niet worden gepubliceerd: het concept is nog niet "
    "ingediend ter controle. Dien het eerst in.",
}
NO_CHANGES = {
    "sent back": "De taak '{title}' kan niet worden teruggestuurd: ze is gepubliceerd als "
    "versie {version} en het concept heeft geen wijzigingen.",
    "published": "De taak '{title}' kan niet worden gepubliceerd: ze is gepubliceerd als "
    "versie {version} en het concept heeft geen wijzigingen.",
}


def _four_eyes_reason(session: Session, task: Task, mine: list[Change]) -> Forbidden:
    """Why `mine`'s author may not publish: what they did, in words, steps by title."""
    titles = {step.key: step.title for step in draft_steps(session, task)}
    keys = list(dict.fromkeys(c.step_key for c in mine if c.step_key))
    done: list[Words] = []
    if keys:
        named = [f"'{titles[k]}'" if titles.get(k) else DELETED_STEP for k in keys]
        done.append(
            Message(
                "de stap {steps} bewerkt" if len(keys) == 1 else "de stappen {steps} bewerkt",
                steps=and_list(named),
            )
        )
    if any(c.action == "steps_reordered" for c in mine):
        done.append(Message("de volgorde van de stappen veranderd"))
    if any(c.action == "imported_for_review" for c in mine):
        done.append(Message("haar taakbestand geïmporteerd"))
    if any(c.action == "created" for c in mine):
        done.append(Message("de taak begonnen"))
    own_fields = ("restored", "steps_reordered", "imported_for_review", "created")
    if any(not c.step_key and c.action not in own_fields for c in mine):
        done.append(Message("de gegevens van de taak zelf bewerkt"))
    restored = [str((c.after or {}).get("version", "?")) for c in mine if c.action == "restored"]
    if restored:
        done.append(
            Message("versie {numbers} teruggezet", numbers=and_list(dict.fromkeys(restored)))
        )
    return Forbidden(
        "Een wijziging van een kritieke taak heeft een tweede persoon nodig: u "
        "({name}) hebt sinds versie {version} {done}. Een andere redacteur "
        "moet haar publiceren.",
        params={"name": mine[0].actor, "version": task.published_version, "done": and_list(done)},
        extra={"reason": "second_person_required"},
    )


DELETED_STEP = "een verwijderde stap"


def _equals_newest(session: Session, task: Task, document: TaskDocument) -> bool:
    if task.published_version is None:
        return False
    return same_content(document, published_version(session, task.slug))


def _draft_is(session: Session, task: Task, document: TaskDocument, version: TaskVersion) -> bool:
    """Whether the draft is `document`, which is `version`'s content."""
    try:
        draft = draft_document(session, task)
    except InvalidInput:
        return False
    return draft == document or same_content(draft, version)
