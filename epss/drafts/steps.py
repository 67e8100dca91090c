"""Adding, removing and reordering the steps of a draft.

The list of steps has its own version (`task.steps_version`): adding and reordering are
based on it, removing is based on the removed step's own version (so a step someone changed
after you read it is not removed) and moves the list's version on too. Moving steps never
changes a step's own version, so it does not invalidate an open edit of a step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from epss.drafts import working
from epss.drafts.checks import invalid
from epss.drafts.history import record_change
from epss.errors import InvalidInput, NotFound
from epss.i18n import Listing, Message, Phrase, and_list, or_list
from epss.models import Step, Task, TaskVersion, stored_id
from epss.taskfile.fields import STEP_FIELDS

NEW_STEP = "De nieuwe stap"


def add_step(
    session: Session,
    slug: str,
    expected_steps_version: int | None,
    values: dict[str, Any],
    *,
    by: str,
    position: int | None = None,
) -> Step:
    """Add a step at `position` (1 = first; default: last; `values["position"]` works too).
    Its id is `values["id"]`, or made from its title: unique within the task and never one
    a published version of the task used."""
    task = working.lock_task(session, slug)
    expected = working.required(
        expected_steps_version,
        Message("de stappen van de taak '{title}'", title=task.title),
        slug,
        "steps_version",
    )
    if task.steps_version != expected:
        raise working.stale_task(session, task, expected, steps=True)
    if not isinstance(values, dict):
        raise invalid(
            [
                (
                    "steps[new]",
                    "verwacht een groep velden (een JSON-object) met de gegevens van de stap",
                    NEW_STEP,
                )
            ]
        )
    values = {name: value for name, value in values.items() if name != "version"}
    given_position = values.pop("position", None)
    steps = working.steps_of(session, task)
    position = working.position_in(
        position if position is not None else given_position, len(steps) + 1
    )
    taken = {s.key for s in steps}
    key = values.pop("id", None)
    if key is None:
        key = _new_step_id(session, task, taken, values.get("title"))
    elif key in taken:
        raise invalid(
            [
                (
                    f"steps[{key}].id",
                    Message(
                        "de taak heeft al een stap met het id '{key}'; kies een ander id", key=key
                    ),
                    Message("{step}, Id", step=Phrase(NEW_STEP)),
                )
            ]
        )
    data = [working.step_data(s) for s in steps]
    data.insert(position - 1, {"id": key, **values})
    document = working.checked(session, task, working.task_fields(task), data)
    new = working.step_fields_of(document, position - 1)
    working.bump_steps_version(session, task, expected)
    step = Step(task_id=stored_id(task), key=key, position=position, version=1, **new)
    session.add(step)
    session.flush()
    working.renumber(session, [*steps[: position - 1], step, *steps[position - 1 :]])
    record_change(
        session, task, by, "step_added", step_key=key, after={"position": position, **new}
    )
    session.refresh(task)
    session.refresh(step)
    working.notify(session, task, "added", key, task.steps_version, by)
    return step


def remove_step(
    session: Session, slug: str, step_id: str, expected_version: int | None, *, by: str
) -> None:
    """Remove a step, based on the step's `version`. Refused (422, naming them) while a
    branch of another step or a context rule points to it, and for the only step."""
    task = working.lock_task(session, slug)
    step = working.step_in(session, task, step_id)
    expected = working.required(
        expected_version, working.the_step(task, step), slug, f"steps[{step_id}].version"
    )
    if step.version != expected:
        raise working.stale_step(session, task, step, expected)
    steps = working.steps_of(session, task)
    if len(steps) == 1:
        raise invalid(
            [
                (
                    "steps",
                    Message(
                        "'{step}' is de enige stap van de taak, en een taak heeft er minstens "
                        "één nodig; voeg eerst een andere stap toe",
                        step=step.title,
                    ),
                    "Stappen",
                )
            ]
        )
    _refuse_if_referred_to(task, steps, step)
    before = {
        "position": step.position,
        **{name: getattr(step, name) for name in STEP_FIELDS},
    }
    removed = session.exec(
        delete(Step)
        .where(col(Step.id) == step.id, col(Step.version) == expected)
        .execution_options(synchronize_session=False)
    )
    if removed.rowcount != 1:
        raise working.stale_step(session, task, step, expected)
    session.expunge(step)
    working.bump_steps_version(session, task, None)
    working.renumber(session, [s for s in steps if s.id != step.id])
    record_change(session, task, by, "step_removed", step_key=step_id, before=before)
    session.refresh(task)
    working.notify(session, task, "removed", step_id, task.steps_version, by)


def _refuse_if_referred_to(task: Task, steps: list[Step], step: Step) -> None:
    continues = Message("gaat verder bij deze stap")
    referrers = [
        (
            f"steps[{other.key}].branches[{k}].step",
            continues,
            Message("Stap {n} ({title}), Beslispunt {k}", n=n, title=other.title, k=k + 1),
        )
        for n, other in enumerate(steps, start=1)
        if other.id != step.id
        for k, branch in enumerate(other.branches)
        if branch.get("step") == step.key
    ]
    referrers += [
        (
            f"context_rules[{n}].start_step",
            Message("begint bij deze stap"),
            Message("Contextregel {n}", n=n + 1),
        )
        for n, rule in enumerate(task.context_rules)
        if rule.get("start_step") == step.key
    ]
    if referrers:
        raise InvalidInput(
            "De stap '{step}' kan niet weg zolang er iets naar verwijst: {where}. Verander "
            "dat eerst.",
            params={
                "step": step.title,
                "where": Listing(
                    [Message("{place} {message}", place=p, message=m) for _f, m, p in referrers]
                ),
            },
            extra={"problems": [{"field": f, "message": str(m)} for f, m, _p in referrers]},
        )


def reorder_steps(
    session: Session, slug: str, expected_steps_version: int | None, order: list[str], *, by: str
) -> Task:
    """Put the steps in this order (every step id once), based on the task's
    `steps_version`."""
    return _reorder(session, slug, expected_steps_version, lambda _current: order, by=by)


def move_step(
    session: Session,
    slug: str,
    expected_steps_version: int | None,
    step_id: str,
    position: int,
    *,
    by: str,
) -> Task:
    """Move one step to `position` (1 = first); the others keep their order."""

    def moved(current: list[str]) -> list[str]:
        if step_id not in current:
            raise NotFound(
                "De taak '{title}' heeft geen stap '{step}'.",
                params={"title": working.find(session, slug).title, "step": step_id},
            )
        rest = [key for key in current if key != step_id]
        at = working.position_in(position, len(current))
        return [*rest[: at - 1], step_id, *rest[at - 1 :]]

    return _reorder(session, slug, expected_steps_version, moved, by=by, moved=step_id)


def _reorder(
    session: Session,
    slug: str,
    expected_steps_version: int | None,
    new_order: Callable[[list[str]], object],
    *,
    by: str,
    moved: str | None = None,
) -> Task:
    task = working.lock_task(session, slug)
    expected = working.required(
        expected_steps_version,
        Message("de volgorde van de stappen van de taak '{title}'", title=task.title),
        slug,
        "steps_version",
    )
    if task.steps_version != expected:
        raise working.stale_task(session, task, expected, steps=True)
    steps = working.steps_of(session, task)
    current = [s.key for s in steps]
    order = _checked_order(new_order(current), current)
    if order == current:
        return task
    working.bump_steps_version(session, task, expected)
    by_key = {s.key: s for s in steps}
    working.renumber(session, [by_key[key] for key in order])
    record_change(
        session,
        task,
        by,
        "step_moved" if moved else "steps_reordered",
        step_key=moved,
        before={"order": current},
        after={"order": order},
    )
    session.refresh(task)
    working.notify(session, task, "order", moved, task.steps_version, by)
    return task


def _checked_order(order: object, current: list[str]) -> list[str]:
    """`order` when it names every step once; InvalidInput naming what is wrong."""
    if not isinstance(order, list) or not all(isinstance(key, str) for key in order):
        raise invalid(
            [
                (
                    "steps",
                    "verwacht de lijst van de ids van de stappen, in hun nieuwe volgorde",
                    "Stappen",
                )
            ]
        )
    problems = []
    missing = [key for key in current if key not in order]
    unknown = [key for key in order if key not in current]
    twice = sorted({key for key in order if order.count(key) > 1})
    if missing:
        problems.append(
            (
                "steps",
                Message(
                    "{steps} ontbreekt (noem elke stap van de taak één keer)",
                    steps=and_list(f"'{k}'" for k in missing),
                ),
                "Stappen",
            )
        )
    if unknown:
        problems.append(
            (
                "steps",
                Message(
                    "de taak heeft geen stap {steps}", steps=or_list(f"'{k}'" for k in unknown)
                ),
                "Stappen",
            )
        )
    if twice:
        problems.append(
            (
                "steps",
                Message(
                    "meer dan één keer genoemd: {steps}", steps=and_list(f"'{k}'" for k in twice)
                ),
                "Stappen",
            )
        )
    if problems:
        raise invalid(problems)
    return order


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(title: object, limit: int = 60) -> str:
    """'Controleer de pasfoto (ICAO)' -> 'controleer-de-pasfoto-icao' ('' for no text)."""
    if not isinstance(title, str):
        return ""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:limit].rstrip("-")


def _new_step_id(session: Session, task: Task, taken: set[str], title: object) -> str:
    documents = session.exec(
        select(TaskVersion.document).where(TaskVersion.task_id == task.id)
    ).all()
    used = taken | {step["id"] for document in documents for step in document.get("steps", [])}
    base = slugify(title) or "stap"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
