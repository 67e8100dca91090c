"""Matching one page against the context rules of its host application."""

from __future__ import annotations

from dataclasses import dataclass

from epss.context.patterns import PathPattern


@dataclass(frozen=True)
class Page:
    """What the overlay reports about the screen: the path (query already dropped),
    the title, the marker selectors present on the page, and the zaaktype if known."""

    path: str
    title: str
    markers: frozenset[str]
    zaaktype: str | None


@dataclass(frozen=True)
class Rule:
    task_slug: str
    url: PathPattern | None
    title: str | None
    markers: tuple[str, ...]
    zaaktype: str | None
    priority: int
    start_step: str | None

    @property
    def specificity(self) -> int:
        return ((self.url.specificity if self.url else 0) + (3 if self.title else 0)
                + 3 * len(self.markers) + (5 if self.zaaktype else 0))

    @property
    def rank(self) -> tuple[int, int]:
        return (self.priority, self.specificity)

    def explain(self, page: Page) -> str | None:
        """Why the rule matches the page, or None when it does not."""
        reasons = []
        if self.url is not None:
            if not self.url.matches(page.path):
                return None
            reasons.append(f"URL {page.path} matches {self.url.source}")
        if self.title is not None:
            if self.title.casefold() not in page.title.casefold():
                return None
            reasons.append(f"title contains '{self.title}'")
        if self.markers:
            if not page.markers.issuperset(self.markers):
                return None
            reasons.append("page shows " + ", ".join(self.markers))
        if self.zaaktype is not None:
            if page.zaaktype != self.zaaktype:
                return None
            reasons.append(f"zaaktype {self.zaaktype}")
        return "; ".join(reasons)


def best_matches(rules: list[Rule], page: Page) -> list[tuple[Rule, str]]:
    """The matching rules, best first, one per task (its best rule)."""
    matched = [(rule, reason) for rule in rules if (reason := rule.explain(page)) is not None]
    matched.sort(key=lambda pair: pair[0].rank, reverse=True)
    seen: set[str] = set()
    best = []
    for rule, reason in matched:
        if rule.task_slug not in seen:
            seen.add(rule.task_slug)
            best.append((rule, reason))
    return best
