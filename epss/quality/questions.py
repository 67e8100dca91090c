"""The questions, by their slug in the URL: title, what they need, and how to answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from epss.catalog import published_version
from epss.errors import InvalidInput, NotFound
from epss.i18n import Phrase
from epss.quality import answer_time, consultations, gaps, impact, steps
from epss.quality.period import Period
from epss.quality.table import Table

INTERVALS = ("day", "week")


@dataclass(frozen=True)
class Question:
    slug: str
    title: str  # Dutch
    description: str  # Dutch
    run: Callable[..., Table]
    task: str = "none"  # "none", "optional" or "required": the `taak` filter
    interval: bool = False
    empty: str = "Geen gegevens in deze periode."  # Dutch: what an answer without rows says


QUESTIONS: dict[str, Question] = {
    q.slug: q
    for q in [
        Question(
            "per-taak",
            "Raadplegingen per taak",
            "Hoe vaak elke taak werd geopend of bekeken, en door hoeveel mensen.",
            lambda s, p, m, **k: consultations.by_task(s, p, m),
        ),
        Question(
            "in-de-tijd",
            "Raadplegingen in de tijd",
            "Raadplegingen per dag of per week, van alle taken of van één taak.",
            lambda s, p, m, task, interval, **k: consultations.over_time(
                s, p, m, interval=interval, task=task
            ),
            task="optional",
            interval=True,
        ),
        Question(
            "per-stap",
            "Raadplegingen per stap",
            "Welke stappen werden bekeken, en door hoeveel mensen.",
            lambda s, p, m, task, **k: consultations.by_step(s, p, m, task),
            task="optional",
        ),
        Question(
            "per-team",
            "Raadplegingen per team",
            "Hoe vaak elk team de werkinstructies raadpleegde.",
            lambda s, p, m, **k: consultations.by_team(s, p, m),
        ),
        Question(
            "trechter",
            "Trechter en uitval per stap",
            "Van de mensen die een taak bekeken: hoeveel bereikten en vinkten elke stap af.",
            lambda s, p, m, task, **k: steps.funnel(s, p, m, task),
            task="required",
        ),
        Question(
            "afwijkingen",
            "Afwijkingen per stap",
            "Waar mensen aangaven af te wijken van de werkinstructie, en waarom.",
            lambda s, p, m, task, **k: steps.deviations(s, p, m, task),
            task="optional",
        ),
        Question(
            "tijd-tot-antwoord",
            "Tijd tot antwoord",
            "Hoe lang het duurt van het openen van het hulppaneel tot de eerste stap die open "
            "staat of wordt afgevinkt, per taak: de mediaan, en de tijd waarbinnen dat 95 van "
            "de 100 keer lukte. Toont het paneel een taak voor het eerst, dan opent het zelf "
            "de huidige stap: dan is dit de laadtijd. Openingen zonder stap binnen 10 minuten "
            "tellen niet mee.",
            lambda s, p, m, **k: answer_time.time_to_answer(s, p, m),
        ),
        Question(
            "effect",
            "Effect op de zaak",
            "Per taak: van de zaken met een uitkomst, hoeveel werden teruggestuurd, afgewezen "
            "of als fraude ontdekt, als de werkinstructie voor de zaak geraadpleegd werd en "
            "als dat niet gebeurde; met het 95%-interval: een verschil binnen de intervallen "
            "kan toeval zijn. Het zaaksysteem meldt de uitkomsten. Een samenhang, geen bewijs "
            "van oorzaak.",
            lambda s, p, m, task, **k: impact.impact(s, p, m, task),
            task="optional",
            empty="Het zaaksysteem heeft in deze periode geen uitkomsten van zaken gemeld.",
        ),
        Question(
            "zoekvragen",
            "Zoeken zonder (goed) resultaat",
            "Zoekopdrachten die niets of weinig vonden: waar de inhoud tekortschiet.",
            lambda s, p, m, **k: gaps.searches(s, p, m),
        ),
        Question(
            "meldingen",
            "Meldingen en afhandeltijd",
            "Hoeveel meldingen per taak en soort, en hoe snel ze werden afgehandeld.",
            lambda s, p, m, **k: gaps.feedback(s, p, m),
        ),
        Question(
            "achterstallig",
            "Geraadpleegd maar over de controledatum",
            "Taken waarvan de controledatum verstreken is, met hoe vaak ze geraadpleegd werden.",
            lambda s, p, m, today, **k: gaps.overdue(s, p, m, today),
            empty="Geen taak is over haar controledatum: alle werkinstructies zijn op tijd "
            "gecontroleerd.",
        ),
    ]
}


def answer(
    session: Session,
    slug: str,
    period: Period,
    minimum: int,
    *,
    today: dt.date,
    task: str | None = None,
    interval: str = "day",
) -> Table:
    """The answer to question `slug`. Raises NotFound for an unknown question or task, and
    InvalidInput naming the parameter at fault."""
    question = QUESTIONS.get(slug)
    if question is None:
        raise NotFound(
            "Er is geen vraag '{slug}'. Kies een vraag uit de lijst.",
            params={"slug": slug[:60]},
            extra={"known": list(QUESTIONS)},
        )
    task = (task or "").strip() or None
    if question.task == "required" and task is None:
        raise InvalidInput(
            "De vraag '{question}' gaat over één taak: kies de taak.",
            params={"question": Phrase(question.title)},
            extra={"field": "taak"},
        )
    if interval not in INTERVALS:
        raise InvalidInput(
            "Per: kies dag of week (niet '{value}').",
            params={"value": interval[:20]},
            extra={"field": "interval"},
        )
    if task is not None and question.task != "none":
        _known_task(session, task)
    return question.run(session, period, minimum, task=task, interval=interval, today=today)


def _known_task(session: Session, slug: str) -> None:
    published_version(session, slug)  # NotFound names the task
