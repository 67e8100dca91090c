"""Does consulting the guidance pay off? Per task, of the cases with an outcome in the period
(epss.outcomes), the share that was returned for correction, rejected or found to be fraud,
for the cases whose guidance was consulted (an event of the task with the same keyed case
hash, at or before the outcome) and for the others; with a 95% Wilson interval, so a
difference within the noise reads as one. A group of fewer cases than the minimum is hidden,
and so is a consulted group handled by fewer people than the minimum.
It shows an association, not a cause: who consults the guidance may differ from who does not.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from epss.catalog import published_titles
from epss.models import Event, Outcome, table_of
from epss.outcomes.intake import PROBLEMS
from epss.quality.consultations import TASK_ID
from epss.quality.period import Period
from epss.quality.table import Column, Table

EVENT, OUTCOME = table_of(Event).c, table_of(Outcome).c
CONSULTING = ("task_viewed", "step_viewed", "step_checked")
Z95 = 1.959964  # the normal quantile of a two-sided 95% interval
CHUNK = 500  # case hashes per IN list

COLUMNS = [
    TASK_ID,
    Column("title", "Taak"),
    Column("consulted", "Werkinstructie", shown=False),
    Column("group", "Groep", shown=False, words=True),
    Column("consulted_title", "Werkinstructie geraadpleegd", words=True),
    Column("cases", "Zaken", numeric=True, protected=True),
    Column("problems", "Teruggestuurd, afgewezen of fraude", numeric=True, protected=True),
    Column("share", "Aandeel (%)", numeric=True, protected=True),
    Column("low", "95%-interval van (%)", numeric=True, protected=True),
    Column("high", "95%-interval tot (%)", numeric=True, protected=True),
]
CONSULTED_TITLES = {True: "ja", False: "nee"}
GROUP_TITLES = {True: "met werkinstructie", False: "zonder werkinstructie"}


def wilson(problems: int, cases: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a share, in percent."""
    share, z2 = problems / cases, Z95 * Z95
    centre = (share + z2 / (2 * cases)) / (1 + z2 / cases)
    half = Z95 * math.sqrt(share * (1 - share) / cases + z2 / (4 * cases * cases))
    half /= 1 + z2 / cases
    return round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1)


def impact(session: Session, period: Period, minimum: int, task: str | None = None) -> Table:
    """Per task, and consulted or not: cases, cases with a problem, the share, its interval."""
    query = select(OUTCOME.task_slug, OUTCOME.case_ref, OUTCOME.kind, OUTCOME.occurred_at).where(
        OUTCOME.occurred_at >= period.since, OUTCOME.occurred_at < period.until
    )
    if task:
        query = query.where(OUTCOME.task_slug == task)
    cases: dict[tuple[str, str], dict[str, Any]] = {}
    for slug, case, kind, moment in session.execute(query):
        found = cases.setdefault((slug, case), {"problem": False, "last": moment})
        found["problem"] |= kind in PROBLEMS
        found["last"] = max(found["last"], moment)
    consulted = _consulted(session, cases)
    groups: dict[tuple[str, bool], list[bool]] = defaultdict(list)
    people: dict[str, set[str]] = defaultdict(set)  # of each task's consulted cases
    for key, found in cases.items():
        groups[(key[0], key in consulted)].append(found["problem"])
        people[key[0]] |= consulted.get(key, set())
    names = published_titles(session)
    rows, hidden = [], 0
    for (slug, was_consulted), problems in sorted(
        groups.items(), key=lambda g: (g[0][0], not g[0][1])
    ):
        title = names.get(slug, slug)
        row = {
            "task": slug,
            "title": title,
            "consulted": was_consulted,
            "group": GROUP_TITLES[was_consulted],
            "consulted_title": CONSULTED_TITLES[was_consulted],
            "cases": None,
            "problems": None,
            "share": None,
            "low": None,
            "high": None,
        }
        # A group with the guidance consulted is also hidden when few people handled it:
        # its share would rate them.
        enough = len(problems) >= minimum and (not was_consulted or len(people[slug]) >= minimum)
        if enough:
            n, k = len(problems), sum(problems)
            low, high = wilson(k, n)
            row |= {
                "cases": n,
                "problems": k,
                "share": round(100 * k / n, 1),
                "low": low,
                "high": high,
            }
        else:
            hidden += 1
        rows.append(row)
    return Table(
        "effect",
        COLUMNS,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": ["title", "group"], "values": ["share"]},
        extra={"hidden_for": "zaken"},  # a group is hidden for few cases, not only people
    )


def _consulted(
    session: Session, cases: dict[tuple[str, str], dict[str, Any]]
) -> dict[tuple[str, str], set[str]]:
    """The (task, case) pairs whose guidance was consulted at or before their last outcome,
    with the pseudonyms of who consulted it."""
    hashes = sorted({case for _, case in cases})
    found: dict[tuple[str, str], set[str]] = {}
    for part in _chunks(hashes):
        rows = session.execute(
            select(EVENT.task_slug, EVENT.case_ref, EVENT.occurred_at, EVENT.actor).where(
                EVENT.case_ref.in_(part), EVENT.type.in_(CONSULTING)
            )
        )
        for slug, case, moment, actor in rows:
            outcome = cases.get((slug, case))
            if outcome is not None and moment <= outcome["last"]:
                found.setdefault((slug, case), set()).update({actor} - {None})
    return found


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
