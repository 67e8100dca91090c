"""One clock (issue 13, part 7): the API gives every moment as ISO 8601 with its offset,
whichever database stored it (SQLite gives moments back without a zone).

Every GET route of the API (read from the app, so a new one is covered without touching
this file) is called by every demo role that may call it, with the parameters that make it
answer with data; every string in the JSON that looks like a moment must carry an offset.
The pages' side (Dutch time, one date format) is in test_moments.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from pydantic import BaseModel
from sqlmodel import Session, select

from epss.api.schemas import Moment
from epss.auth.policy import route_table
from epss.clock import iso
from epss.demo import DEMO_APP_ID
from epss.demo.cases import ZAKEN
from epss.models import Event, Feedback
from epss.quality import QUESTIONS
from tests.demo_support import CRITICAL, ROLES, SLUG, Demo, demo_app

# A date and a time of day, as ISO 8601 writes a moment (a plain date has no time).
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
# Not JSON (the documentation page) or never ending (the live feed of an editing session).
SKIPPED = {"/api/v1/docs", "/api/v1/docs/assets/{name}", "/api/v1/tasks/{slug}/draft/live"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with demo_app(tmp_path_factory.mktemp("clock")) as running:
        yield running


def moments_without_offset(value: object, where: str = "") -> Iterator[str]:
    """The places in a JSON value holding a moment without an offset."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from moments_without_offset(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from moments_without_offset(item, f"{where}[{n}]")
    elif isinstance(value, str) and MOMENT.match(value) and not OFFSET.search(value):
        yield f"{where}: {value!r}"


def _examples(demo: Demo) -> dict[str, list[str]]:
    engine = demo.client.app.state.services.engine
    with Session(engine) as session:
        actor = session.exec(select(Event.actor).where(Event.actor.is_not(None))).first()
        seq = session.exec(
            select(Event.seq).where(Event.task_slug == CRITICAL).order_by(Event.seq.desc())
        ).first()
        feedback = session.exec(select(Feedback.id)).all()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return {
        "{slug}": [SLUG, CRITICAL],
        "{app}": [DEMO_APP_ID],
        "{question}": list(QUESTIONS),
        "{ref}": [str(seq)],
        "{actor}": [actor],
        "/api/v1/audit/case": [f"?ref={ZAKEN[0].zaaknummer}&purpose=controle"],
        "/api/v1/quality/individual/{actor}": ["?purpose=controle"],
        "/api/v1/quality/on-screen": [f"?task={CRITICAL}&at={now.replace('+', '%2B')}"],
        "/api/v1/tasks/{slug}/diff": ["?from=1&to=1"],
        "/api/v1/feedback/status": ["?ids=" + ",".join(feedback)],
        "/api/v1/search": ["?q=paspoort"],
        "/api/v1/quality/{question}": [f"?task={CRITICAL}"],
    }


def _calls(demo: Demo) -> Iterator[tuple[str, str | None]]:
    """(url, role) for every GET route of the API and every role that may call it."""
    examples = _examples(demo)
    for entry in route_table(demo.client.app.routes):
        if (
            "GET" not in entry.methods
            or not entry.path.startswith("/api/")
            or entry.path in SKIPPED
        ):
            continue
        urls = [entry.path]
        for name in re.findall(r"{\w+}", entry.path):
            urls = [
                url.replace(name, value, 1)
                for url in urls
                for value in (
                    examples[name]
                    if name != "{step_id}"
                    # a step of the task in the url
                    else [demo.steps[url.split("/")[4]][0]]
                )
            ]
        urls = [url + query for url in urls for query in examples.get(entry.path, [""])]
        roles = [None, *ROLES] if entry.policy.public else sorted(entry.policy.roles)
        for role in roles:
            for url in urls:
                yield url, role


def test_every_moment_of_the_api_has_an_offset(demo: Demo) -> None:
    found, answered, moments = [], 0, 0
    for url, role in _calls(demo):
        answer = demo.client.get(url, headers=demo.auth(role))
        assert answer.status_code < 400, (url, role, answer.text[:300])
        if not answer.headers.get("content-type", "").startswith("application/json"):
            continue
        answered += 1
        body = answer.json()
        moments += len(re.findall(r'"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}', answer.text))
        found += [f"{url} ({role}): {problem}" for problem in moments_without_offset(body)]
    assert answered > 20 and moments > 50, (answered, moments)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("2026-03-03T09:42:00", True),
        ("2026-03-03 09:42:00.123456", True),
        ("2026-03-03T09:42:00+00:00", False),
        ("2026-03-03T10:42:00+01:00", False),
        ("2026-03-03T09:42:00Z", False),
        ("2026-03-03", False),
        ("Z-2026-000101", False),
    ],
)
def test_the_walker_tells_moments_without_offset(value: str, bad: bool) -> None:
    assert bool(list(moments_without_offset({"a": [value]}))) is bad


def test_a_stored_moment_without_a_zone_is_given_as_utc_with_its_offset() -> None:
    naive = dt.datetime(2026, 3, 3, 9, 42)  # as SQLite gives a stored moment back
    assert iso(naive) == "2026-03-03T09:42:00+00:00"
    dutch = dt.datetime(2026, 3, 3, 10, 42, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert iso(dutch) == "2026-03-03T10:42:00+01:00"  # a zone it has is kept
    assert iso(None) is None

    class Answer(BaseModel):
        at: Moment

    written = Answer(at=naive).model_dump(mode="json")["at"]
    assert OFFSET.search(written) and dt.datetime.fromisoformat(written) == naive.replace(
        tzinfo=dt.UTC
    )
