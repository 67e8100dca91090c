"""Where the guidance falls short: searches that found nothing or little (content gaps),
the feedback sent and how fast it was handled, and overdue tasks that are still consulted."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlmodel import Session

from epss.catalog import published_titles
from epss.drafts.review import review_lists
from epss.feedback.intake import KIND_LABELS
from epss.models import Feedback, table_of
from epss.quality.consultations import EVENTS, TASK_ID
from epss.quality.counts import CONSULTED, EVENT, count
from epss.quality.period import Period
from epss.quality.table import Column, Table, hide_small

POOR_RESULTS = 2  # a search with this many results or fewer found (too) little
NO_QUERY = "(zoekvraag niet bewaard)"
FEEDBACK = table_of(Feedback).c


def searches(session: Session, period: Period, minimum: int) -> Table:
    """Searches with no or few results (at most POOR_RESULTS), grouped by the query when
    queries are stored (lower case), else by the task or page searched from. Groups of
    fewer people than the minimum are left out (a query can say who typed it)."""
    results = EVENT.details["results"].as_integer()
    query = func.lower(func.trim(EVENT.details["query"].as_string()))
    place = case((query.is_(None), func.coalesce(EVENT.task_slug, EVENT.url)), else_=literal(""))
    rows = session.execute(
        select(
            query,
            place,
            func.count(),
            func.count(EVENT.actor.distinct()),
            func.sum(case((results == 0, 1), else_=0)),
        )
        .where(
            and_(
                EVENT.type == "search",
                EVENT.occurred_at >= period.since,
                EVENT.occurred_at < period.until,
                results <= POOR_RESULTS,
            )
        )
        .group_by(query, place)
    )
    names = published_titles(session)
    columns = [
        Column("query", "Zoekvraag"),
        Column("place", "Gezocht vanuit (id of adres)", shown=False),
        Column("place_title", "Gezocht vanuit"),
        Column("searches", "Zoekopdrachten", numeric=True, protected=True),
        Column("none", "Zonder resultaat", numeric=True, protected=True),
        Column("people", "Mensen", numeric=True, protected=True),
    ]
    table = [
        {
            "query": q or NO_QUERY,
            "place": where or "",
            "place_title": names.get(where, where or ""),
            "searches": n,
            "none": int(none or 0),
            "people": who,
        }
        for q, where, n, who, none in rows
    ]
    table.sort(key=lambda r: (-r["searches"], r["query"], r["place"]))
    table, hidden = hide_small(table, columns, minimum, drop=True)
    return Table(
        "zoekvragen",
        columns,
        table,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "query", "values": ["searches", "none"]},
        extra={"poor_results": POOR_RESULTS},
    )


def feedback(session: Session, period: Period, minimum: int) -> Table:
    """Feedback sent in the period per task and kind: how many, how many handled, and the
    median time to handle (hours, from sent to accepted or declined)."""
    names = published_titles(session)
    rows = session.execute(
        select(
            FEEDBACK.task_slug,
            FEEDBACK.kind,
            FEEDBACK.actor,
            FEEDBACK.created_at,
            FEEDBACK.handled_at,
        ).where(and_(FEEDBACK.created_at >= period.since, FEEDBACK.created_at < period.until))
    )
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for slug, kind, actor, created, handled in rows:
        group = groups.setdefault((slug, kind), {"n": 0, "actors": set(), "hours": []})
        group["n"] += 1
        group["actors"].add(actor)
        if handled is not None:
            group["hours"].append((_aware(handled) - _aware(created)).total_seconds() / 3600)
    columns = [
        TASK_ID,
        Column("title", "Taak"),
        Column("kind", "Soort", shown=False),
        Column("kind_title", "Soort", words=True),
        Column("count", "Meldingen", numeric=True, protected=True),
        Column("handled", "Afgehandeld", numeric=True, protected=True),
        Column("median_hours", "Mediaan afhandeltijd (uur)", numeric=True, protected=True),
        Column("people", "Melders", numeric=True, protected=True),
    ]
    table = [
        {
            "task": slug,
            "title": names.get(slug, slug),
            "kind": kind,
            "kind_title": KIND_LABELS.get(kind, kind),
            "count": g["n"],
            "handled": len(g["hours"]),
            "median_hours": round(statistics.median(g["hours"]), 1) if g["hours"] else None,
            "people": len(g["actors"] - {None}),
        }
        for (slug, kind), g in groups.items()
    ]
    table.sort(key=lambda r: (-r["count"], r["task"], r["kind"]))
    table, hidden = hide_small(table, columns, minimum)
    return Table(
        "meldingen",
        columns,
        table,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "title", "values": ["count", "handled"]},
    )


def overdue(session: Session, period: Period, minimum: int, today: dt.date) -> Table:
    """Tasks past their review date, with how often they were consulted in the period:
    the most consulted first (those need a review most)."""
    consulted = count(session, period, CONSULTED, ["task_slug"], require=["task_slug"])
    columns = [
        TASK_ID,
        Column("title", "Taak"),
        Column("review_by", "Controle vóór", date=True),
        Column("days_over", "Dagen te laat", numeric=True),
        Column("owner", "Eigenaar"),
        EVENTS,
        Column("people", "Mensen", numeric=True, protected=True),
    ]
    rows = []
    for item in review_lists(session, today)["overdue"]:
        c = consulted.get((item["slug"],))
        rows.append(
            {
                "task": item["slug"],
                "title": item["title"],
                "review_by": item["review_by"].isoformat(),
                "days_over": item["days_over"],
                "owner": item["owner"],
                "events": c.events if c else 0,
                "people": c.people if c else 0,
            }
        )
    rows.sort(key=lambda r: (-r["events"], -r["days_over"], r["task"]))
    rows, hidden = hide_small(rows, columns, minimum)
    return Table(
        "achterstallig",
        columns,
        rows,
        minimum,
        hidden,
        chart={"kind": "bar", "label": "title", "values": ["events"]},
    )


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
