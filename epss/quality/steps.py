"""How people go through a task's steps: the funnel with its drop-off, and the deviations
("ik wijk af") with their reasons."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from epss.catalog import published_titles, published_version
from epss.privacy.titles import Titles
from epss.quality.consultations import STEP_ID, TASK_ID, step_order
from epss.quality.counts import EVENT, count, people
from epss.quality.period import Period
from epss.quality.table import Column, Table, hide_small

MAX_REASONS = 10


def funnel(session: Session, period: Period, minimum: int, task: str) -> Table:
    """For each step of the task's newest version, in order: how many of the people who
    viewed the task reached the step (viewed it) and checked it, and the drop-off (the share
    of the task's viewers who did not reach the step). Each count of people below the
    minimum is hidden, and so is a drop-off computed from it."""
    version = published_version(session, task)
    viewers = people(session, period, ["task_viewed"], task=task)
    reached = count(session, period, ["step_viewed"], ["step_id"], task=task)
    checked = count(session, period, ["step_checked"], ["step_id"], task=task)
    deviated = count(session, period, ["step_deviated"], ["step_id"], task=task)
    columns = [
        Column("position", "Nr", numeric=True),
        STEP_ID,
        Column("title", "Stap"),
        Column("reached", "Bereikt (mensen)", numeric=True, protected=True),
        Column("checked", "Afgevinkt (mensen)", numeric=True, protected=True),
        Column("deviated", "Afgeweken (mensen)", numeric=True, protected=True),
        Column("drop_off", "Uitval (%)", numeric=True, protected=True),
    ]
    visible = viewers >= minimum
    rows, hidden = [], 0
    for position, step in enumerate(version.document["steps"], start=1):
        key = (step["id"],)
        row = {"position": position, "step": step["id"], "title": step["title"]}
        for name, found in (("reached", reached), ("checked", checked), ("deviated", deviated)):
            value = found[key].people if key in found else 0
            shown = visible and value >= minimum
            hidden += not shown
            row[name] = value if shown else None
        row["drop_off"] = (
            round(100 * (1 - row["reached"] / viewers), 1) if row["reached"] is not None else None
        )
        rows.append(row)
    return Table(
        "trechter",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "title", "values": ["reached", "checked"]},
        extra={
            "task": task,
            "title": version.document["title"],
            "viewers": viewers if visible else None,
        },
    )


def deviations(session: Session, period: Period, minimum: int, task: str | None = None) -> Table:
    """Deviations per task and step, with the reasons people gave (when free text is stored,
    EPSS_STORE_FREE_TEXT) for the steps shown: the most frequent first, each only when at
    least the minimum group of people gave it."""
    names = published_titles(session)
    columns = [
        TASK_ID,
        Column("task_title", "Taak"),
        STEP_ID,
        Column("step_title", "Stap"),
        Column("events", "Afwijkingen", numeric=True, protected=True),
        Column("people", "Mensen", numeric=True, protected=True),
        Column("reasons", "Redenen"),
    ]
    steps = step_order(session)
    rows = [
        {
            "task": slug,
            "task_title": names.get(slug, slug),
            "step": step,
            "step_title": steps.get((slug, step), (0, step or ""))[1],
            "events": c.events,
            "people": c.people,
            "reasons": "",
        }
        for (slug, step), c in count(
            session,
            period,
            ["step_deviated"],
            ["task_slug", "step_id"],
            task=task,
            require=["task_slug"],
        ).items()
    ]
    rows.sort(key=lambda r: (-r["events"], r["task"], r["step"] or ""))
    rows, hidden = hide_small(rows, columns, minimum)
    shown = {(r["task"], r["step"]) for r in rows if r["people"] is not None}
    reasons = _reasons(session, period, shown, minimum)
    for row in rows:
        found = reasons.get((row["task"], row["step"]), Counter())
        row["reasons"] = " | ".join(
            f"{text} ({n})" if n > 1 else text for text, n in found.most_common(MAX_REASONS)
        )
    return Table(
        "afwijkingen",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "step_title", "values": ["events"]},
    )


def _reasons(
    session: Session, period: Period, groups: set[tuple[str, str | None]], minimum: int
) -> dict[tuple[str, str | None], Counter[str]]:
    """The reasons given at each step of `groups`, how often each: a reason chosen from the
    task's list as it reads there, one in the person's own words (when free text is stored)
    between quotes; each only when at least `minimum` people gave it (a text one person
    typed can say who it was)."""
    if not groups:
        return {}
    reason = EVENT.details["reason"].as_string()
    choice = EVENT.details["choice"].as_integer()
    rows = session.execute(
        select(
            EVENT.task_slug, EVENT.step_id, EVENT.task_version, choice, reason, EVENT.actor
        ).where(
            and_(
                EVENT.type == "step_deviated",
                EVENT.occurred_at >= period.since,
                EVENT.occurred_at < period.until,
                or_(reason.isnot(None), choice.isnot(None)),
                EVENT.task_slug.in_({task for task, _ in groups}),
            )
        )
    ).all()
    names = Titles(session)
    given: dict[tuple[str, str | None], Counter[str]] = {}
    people: dict[tuple[str, str | None, str], set[str | None]] = {}
    for slug, step, version, number, typed, actor in rows:
        words = " ".join((typed or "").lower().split())
        text = names.reason(slug, version, number) or (f"‘{words}’" if words else "")
        if (slug, step) in groups and text:
            given.setdefault((slug, step), Counter())[text] += 1
            people.setdefault((slug, step, text), set()).add(actor)
    return {
        group: Counter(
            {text: n for text, n in texts.items() if len(people[(*group, text)]) >= minimum}
        )
        for group, texts in given.items()
    }
