"""The screens of a host app that the help panel was used on lately, as its events name them
(paths, long numbers masked), and which of them a context rule's address pattern takes in:
what an expert sees beside a rule, so a pattern that is too wide or too narrow shows before
it reaches the desk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from epss.context.patterns import PathPattern, url_path
from epss.models import Event

RECENT_EVENTS = 20_000  # how far back to look: the app's latest events, by the index
MOST_PAGES = 200  # the most used pages, of a larger number


@dataclass(frozen=True)
class Reach:
    """The known pages of one app (most used first) that a pattern matches, and the rest."""

    matched: list[str]
    unmatched: list[str]

    @property
    def known(self) -> int:
        return len(self.matched) + len(self.unmatched)


def known_pages(session: Session, app: str) -> list[str]:
    """The paths of the app's pages among its latest events, the most used first."""
    latest = (
        select(Event.url)
        .where(Event.app == app)
        .order_by(col(Event.received_at).desc())
        .limit(RECENT_EVENTS)
        .subquery()
    )
    uses: Counter[str] = Counter()
    for url, count in session.exec(select(latest.c.url, func.count()).group_by(latest.c.url)):
        uses[url_path(url)] += count
    return [path for path, _ in uses.most_common(MOST_PAGES)]


def reach(pattern: str, pages: list[str]) -> Reach:
    """Which of `pages` the address pattern matches, in their order."""
    compiled = PathPattern.compile(pattern)
    taken_in = {path: compiled.matches(path) for path in pages}
    return Reach(
        [path for path in pages if taken_in[path]], [path for path in pages if not taken_in[path]]
    )
