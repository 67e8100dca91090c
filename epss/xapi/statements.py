"""From a stored event to an xAPI 1.0.3 statement.

Which events become statements, and with which verb:

| event            | verb                                               | object            |
|------------------|----------------------------------------------------|-------------------|
| `task_viewed`    | `http://adlnet.gov/expapi/verbs/experienced`       | the task version  |
| `step_viewed`    | `http://adlnet.gov/expapi/verbs/experienced`       | the step          |
| `step_checked`   | `http://adlnet.gov/expapi/verbs/completed`         | the step          |
| `search`         | `https://w3id.org/xapi/acrossx/verbs/searched`     | the search page   |
| anything else    | none: not sent (the cursor passes it)              |                   |

Nothing that can hold free text is sent (no search query, no reason for deviating): a search
statement carries only the number of results. The actor is an `account` whose name is the
stored pseudonym; an event without one is sent under the host app's anonymous account
(`anoniem:<app>`), so the consultation still counts but belongs to no one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from epss.models import Event

# Fixed forever: statement ids are uuid5(STATEMENT_NAMESPACE, event id).
STATEMENT_NAMESPACE = uuid.UUID("6b0c1f3e-5d7a-5a52-9f43-1e2d8c0b7a61")

EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
SEARCHED = "https://w3id.org/xapi/acrossx/verbs/searched"

VERBS: dict[str, dict[str, Any]] = {
    "task_viewed": {
        "id": EXPERIENCED,
        "display": {"nl-NL": "heeft geraadpleegd", "en-US": "experienced"},
    },
    "step_viewed": {
        "id": EXPERIENCED,
        "display": {"nl-NL": "heeft geraadpleegd", "en-US": "experienced"},
    },
    "step_checked": {"id": COMPLETED, "display": {"nl-NL": "heeft afgerond", "en-US": "completed"}},
    "search": {"id": SEARCHED, "display": {"nl-NL": "heeft gezocht", "en-US": "searched"}},
}

TASK_TYPE = "http://id.tincanapi.com/activitytype/checklist"
STEP_TYPE = "http://id.tincanapi.com/activitytype/checklist-item"
SEARCH_TYPE = "http://id.tincanapi.com/activitytype/search-engine"


@dataclass
class Titles:
    """Titles of published task versions: (slug, number) → task title and step titles.
    `latest` gives the number of a slug's newest version (for events without one)."""

    tasks: dict[tuple[str, int], str] = field(default_factory=dict)
    steps: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    latest: dict[str, int] = field(default_factory=dict)

    def add(self, slug: str, number: int, document: Mapping[str, Any]) -> None:
        self.tasks[(slug, number)] = str(document.get("title") or slug)
        self.steps[(slug, number)] = {
            str(s.get("id")): str(s.get("title") or s.get("id"))
            for s in document.get("steps") or []
        }
        self.latest[slug] = max(number, self.latest.get(slug, 0))


def statement_id(event_id: str) -> str:
    """The statement id of an event: the same for the same event, always."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, event_id))


def task_activity_id(base_url: str, slug: str, version: int | None) -> str:
    base = f"{base_url.rstrip('/')}/taken/{slug}"
    return base if version is None else f"{base}?versie={version}"


def to_statement(event: Event, *, base_url: str, titles: Titles) -> dict[str, Any] | None:
    """The statement for an event, or None when the event type has none (see the table
    above) or a task event names no task."""
    verb = VERBS.get(event.type)
    if verb is None:
        return None
    base = base_url.rstrip("/")
    context: dict[str, Any] = {"platform": event.app}
    if event.type == "search":
        activity: dict[str, Any] = {
            "objectType": "Activity",
            "id": f"{base}/zoeken",
            "definition": {"type": SEARCH_TYPE, "name": {"nl-NL": "Zoeken in de werkinstructies"}},
        }
        results = (event.details or {}).get("results")
        result = (
            {"extensions": {f"{base}/xapi/extensies/aantal-resultaten": results}}
            if isinstance(results, int)
            else None
        )
    else:
        if not event.task_slug or (event.type != "task_viewed" and not event.step_id):
            return None
        activity, parent = _task_activities(event, base, titles)
        if parent is not None:
            context["contextActivities"] = {"parent": [parent]}
        result = None
    if event.team:
        context["extensions"] = {f"{base}/xapi/extensies/team": event.team}
    statement: dict[str, Any] = {
        "id": statement_id(event.id),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": base, "name": event.actor or f"anoniem:{event.app}"},
        },
        "verb": verb,
        "object": activity,
        "context": context,
        "timestamp": _iso(event.occurred_at),
    }
    if result is not None:
        statement["result"] = result
    return statement


def _task_activities(
    event: Event, base: str, titles: Titles
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    slug = event.task_slug or ""
    number = event.task_version or titles.latest.get(slug)
    task_id = task_activity_id(base, slug, event.task_version)
    task_title = titles.tasks.get((slug, number or 0), slug)
    task = {
        "objectType": "Activity",
        "id": task_id,
        "definition": {"type": TASK_TYPE, "name": {"nl-NL": task_title}},
    }
    if event.type == "task_viewed":
        return task, None
    step_title = titles.steps.get((slug, number or 0), {}).get(
        event.step_id or "", event.step_id or ""
    )
    step = {
        "objectType": "Activity",
        "id": f"{task_id}#stap-{event.step_id}",
        "definition": {"type": STEP_TYPE, "name": {"nl-NL": step_title}},
    }
    return step, task


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives back UTC without a zone
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
