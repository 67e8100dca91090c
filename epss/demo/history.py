"""Three weeks of desk use for the demo, so every quality page shows a chart on first open:
27 fictional employees in three teams consult the shipped tasks, through the real event
store (keyed pseudonyms, the hash chain), and send feedback that experts answer. As at a
real desk, a few tasks are most of the work, and a few steps collect the deviations and
the feedback. The case software reports what became of each case; cases handled without
the guidance come back more often. Made once, in a database that holds no events yet."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from epss.events.batch import MAX_BATCH_EVENTS, parse_batch
from epss.events.store import store_events
from epss.feedback.inbox import accept
from epss.feedback.intake import FeedbackIn, submit_feedback
from epss.models import Event
from epss.outcomes.intake import OutcomeIn, record_outcome

DAYS = 21
TEAMS = ("Burgerzaken Stadswinkel", "Burgerzaken Wijkpost Noord", "Burgerzaken Wijkpost Zuid")
PEOPLE = [(f"balie{n:02d}", TEAMS[n % 3]) for n in range(1, 28)]
# How much more often than another task each of these is done at the desk.
BUSY = {
    "reisdocument-aanvragen": 5,
    "reisdocument-uitreiken": 4,
    "verhuizing-doorgeven": 4,
    "rijbewijs-aanvragen": 3,
    "aangifte-geboorte": 2,
}
# Steps where practice parts from the guidance: the reason people choose from the task's
# list, or the words they give under "anders".
STORING = "Een apparaat of systeem is in storing"
DEVIATIONS = {
    ("reisdocument-aanvragen", "beoordeel-pasfoto"): (
        STORING,
        "fotoautomaat buiten gebruik",
        "eigen foto van de fotograaf afgekeurd",
    ),
    ("verhuizing-doorgeven", "vraag-bewijs-bewoning"): (
        "De situatie van de burger past niet in deze stappen",
        "huurcontract volgt per mail",
        "inwoner woont in bij familie",
    ),
    ("reisdocument-uitreiken", "verifieer-vingerafdrukken"): (STORING, "vingerafdruklezer storing"),
}
# Steps people find unclear or wrong, and say so.
FEEDBACK = {
    ("verhuizing-doorgeven", "vraag-bewijs-bewoning"): "onduidelijk",
    ("reisdocument-aanvragen", "controleer-toestemming-gezag"): "klopt_niet",
}
# Questions the guidance does not answer yet (they show as content gaps), and one a
# colleague typed with a citizen's number in it.
GAPS = ("naturalisatie ceremonie", "vog aanvragen", "nooddocument schiphol")
TYPED_WITH_A_NUMBER = "bsn 999998122 staat niet in brp"
# How often a case comes back (returned, rejected), with the guidance consulted and without;
# and how many cases of a busy task per day are handled without it.
PROBLEM_RATE = {True: 0.05, False: 0.16}
UNGUIDED_PER_DAY = 3


def seed_history(
    engine: Engine, *, secret_key: str, app: str, origin: str, tasks: list[dict], now: dt.datetime
) -> int:
    """Store the demo's past events and feedback (none when any event exists); returns how
    many events."""
    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(Event)).scalar():
            return 0
    rng = random.Random(2026)
    cases: list[tuple[str, str, bool, dt.datetime]] = []
    events = _events(rng, app, origin, tasks, now, cases)
    with engine.begin() as connection:
        for start in range(0, len(events), MAX_BATCH_EVENTS):
            raw = json.dumps({"events": events[start : start + MAX_BATCH_EVENTS]})
            batch = parse_batch(raw, now=now, is_known_app=lambda _app: True, store_free_text=True)
            store_events(connection, batch, secret_key=secret_key, received_at=now)
    _feedback(engine, rng, app, tasks, secret_key=secret_key, now=now)
    _outcomes(engine, rng, app, cases, secret_key=secret_key, now=now)
    return len(events)


def _events(
    rng: random.Random,
    app: str,
    origin: str,
    tasks: list[dict],
    now: dt.datetime,
    cases: list[tuple[str, str, bool, dt.datetime]],
) -> list[dict]:
    """The events of every visit; `cases` gets each visit's case (consulted) and the cases
    of the busy tasks handled without the guidance."""
    weights = [BUSY.get(task["slug"], 1) for task in tasks]
    events: list[dict] = []
    for day in range(DAYS, 0, -1):
        morning = (now - dt.timedelta(days=day)).replace(hour=8, minute=30, second=0)
        for slug in BUSY:
            for _ in range(UNGUIDED_PER_DAY):
                cases.append((slug, f"Z-2026-9{len(cases) + 1:05d}", False, morning))
        for user, team in PEOPLE:
            moment = morning + dt.timedelta(minutes=rng.randrange(0, 480))
            for _ in range(rng.randrange(0, 3)):
                task = rng.choices(tasks, weights)[0]
                case = f"Z-2026-9{len(cases) + 1:05d}"
                cases.append((task["slug"], case, True, moment))
                base = {
                    "app": app,
                    "url": origin + task["url"],
                    "user": user,
                    "team": team,
                    "task_slug": task["slug"],
                    "task_version": task["version"],
                    "case_ref": case,
                }
                visit = _visit(rng, task, moment, searched_for_a_person=user == "balie07")
                events += [{**base, **event} for event in visit]
                moment = dt.datetime.fromisoformat(visit[-1]["occurred_at"])
    return events


def _visit(
    rng: random.Random, task: dict, moment: dt.datetime, *, searched_for_a_person: bool
) -> list[dict]:
    """One consultation of a task: the panel, the task, and its steps until the person
    stops (more do the further a task goes); a deviation now and then, mostly where the
    guidance and practice part ways; a search in vain."""
    events: list[dict] = []

    def add(kind: str, step: str | None = None, **details) -> None:
        nonlocal moment
        moment += dt.timedelta(seconds=rng.randrange(5, 90))
        events.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "type": kind,
                "occurred_at": moment.isoformat(),
                "step_id": step,
                "details": details or None,
            }
        )

    add("panel_opened")
    add("task_viewed", source="rule")
    for position, step in enumerate(task["steps"]):
        if rng.random() < 0.04 * position:
            break
        add("step_viewed", step)
        deviating = DEVIATIONS.get((task["slug"], step))
        if deviating and rng.random() < 0.3:
            listed, *own_words = deviating
            if listed in task["reasons"] and rng.random() < 0.5:
                add("step_deviated", step, choice=task["reasons"].index(listed) + 1)
            else:
                add("step_deviated", step, reason=rng.choice(own_words))
        elif rng.random() < 0.02:
            add("step_deviated", step)
        elif rng.random() < 0.85:
            add("step_checked", step)
    if rng.random() < 0.15:
        typed = TYPED_WITH_A_NUMBER if searched_for_a_person else rng.choice(GAPS)
        add("search", results=0, query=typed)
    return events


def _feedback(
    engine: Engine,
    rng: random.Random,
    app: str,
    tasks: list[dict],
    *,
    secret_key: str,
    now: dt.datetime,
) -> None:
    """Feedback on the steps people find unclear or wrong, most of it answered by an
    expert within days."""
    versions = {task["slug"]: task["version"] for task in tasks}
    with Session(engine) as session:
        for (slug, step), kind in FEEDBACK.items():
            if slug not in versions:
                continue
            for user, team in rng.sample(PEOPLE, 8):
                sent = now - dt.timedelta(days=rng.randrange(3, DAYS), hours=rng.randrange(0, 8))
                data = FeedbackIn(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    app=app,
                    task_slug=slug,
                    task_version=versions[slug],
                    step_id=step,
                    kind=kind,
                    user=user,
                    team=team,
                )
                feedback, _ = submit_feedback(session, data, secret_key=secret_key, now=sent)
                if rng.random() < 0.75:
                    answered = sent + dt.timedelta(hours=rng.randrange(2, 72))
                    accept(
                        session,
                        feedback.id,
                        by="eva",
                        answer="Dank u, we passen de stap aan.",
                        now=answered,
                    )
        session.commit()


def _outcomes(
    engine: Engine,
    rng: random.Random,
    app: str,
    cases: list[tuple[str, str, bool, dt.datetime]],
    *,
    secret_key: str,
    now: dt.datetime,
) -> None:
    """What became of each case, a few hours after it was handled."""
    with Session(engine) as session:
        for slug, case, consulted, handled in cases:
            problem = rng.random() < PROBLEM_RATE[consulted]
            data = OutcomeIn(
                id=uuid.UUID(int=rng.getrandbits(128)),
                app=app,
                task_slug=slug,
                case_ref=case,
                kind=rng.choice(("teruggestuurd", "afgewezen")) if problem else "afgerond",
                occurred_at=min(now, handled + dt.timedelta(hours=rng.randrange(2, 30))),
            )
            record_outcome(session, data, secret_key=secret_key, now=now)
        session.commit()
