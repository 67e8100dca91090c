"""Matching one page against the context rules of its host application."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from epss.context.patterns import PathPattern, path_segments
from epss.i18n import Listing, Message


@dataclass(frozen=True)
class Page:
    """What the overlay reports about the screen: the path (query already dropped),
    the title, the marker selectors present on the page, and the zaaktype if known."""

    path: str
    title: str
    markers: frozenset[str]
    zaaktype: str | None

    @property
    def segments(self) -> list[str]:
        return path_segments(self.path)


@dataclass(frozen=True)
class Rule:
    task_slug: str
    url: PathPattern | None
    title: str | None
    markers: tuple[str, ...]
    zaaktype: str | None
    priority: int
    start_step: str | None
    order: int = 0  # place in the manifest: the last tie-breaker, as in the overlay

    @classmethod
    def from_manifest(cls, entry: dict[str, Any], order: int) -> Rule:
        """A rule from its manifest entry (the form the overlay gets)."""
        return cls(
            task_slug=entry["task"],
            url=PathPattern.compile(entry["url"]) if entry["url"] else None,
            title=entry["title"],
            markers=tuple(entry["markers"]),
            zaaktype=entry["zaaktype"],
            priority=entry["priority"],
            start_step=entry["start_step"],
            order=order,
        )

    @property
    def specificity(self) -> int:
        return (
            (self.url.specificity if self.url else 0)
            + (3 if self.title else 0)
            + 3 * len(self.markers)
            + (5 if self.zaaktype else 0)
        )

    @property
    def rank(self) -> tuple[int, int, int]:
        """Sorts best first: priority, then specificity, then manifest order."""
        return (-self.priority, -self.specificity, self.order)

    def explain(self, page: Page, segments: list[str]) -> Listing | None:
        """Why the rule matches the page (whose path splits into `segments`), in words
        (Dutch as `str`, any language with `in_language`), or None when it does not."""
        reasons = []
        if self.url is not None:
            if not self.url.matches_segments(segments):
                return None
            reasons.append(
                Message("adres {path} past bij {pattern}", path=page.path, pattern=self.url.source)
            )
        if self.title is not None:
            if self.title.casefold() not in page.title.casefold():
                return None
            reasons.append(Message("titel bevat '{title}'", title=self.title))
        if self.markers:
            if not page.markers.issuperset(self.markers):
                return None
            reasons.append(Message("pagina toont {markers}", markers=", ".join(self.markers)))
        if self.zaaktype is not None:
            if page.zaaktype != self.zaaktype:
                return None
            reasons.append(Message("zaaktype {zaaktype}", zaaktype=self.zaaktype))
        return Listing(reasons)


@dataclass
class _Node:
    """A trie over literal path segments: the rules whose URL pattern ends here, and
    those that take any rest of the path from here ('/**')."""

    literal: dict[str, _Node] = field(default_factory=dict)
    wildcard: _Node | None = None
    ending: list[Rule] = field(default_factory=list)
    rest: list[Rule] = field(default_factory=list)


class RuleSet:
    """The rules of one host app, indexed so a page is compared only with rules that can
    match it: by URL path (a trie), by zaaktype and by marker; the few rules with only a
    title are always compared."""

    def __init__(self, rules: list[Rule]):
        self.root = _Node()
        self.by_zaaktype: dict[str, list[Rule]] = defaultdict(list)
        self.by_marker: dict[str, list[Rule]] = defaultdict(list)
        self.by_title: list[Rule] = []
        for rule in rules:
            if rule.url is not None:
                self._add_url(rule, rule.url)
            elif rule.zaaktype is not None:
                self.by_zaaktype[rule.zaaktype].append(rule)
            elif rule.markers:
                self.by_marker[rule.markers[0]].append(rule)
            else:
                self.by_title.append(rule)

    def _add_url(self, rule: Rule, url: PathPattern) -> None:
        node = self.root
        for segment in url.segments:
            if PathPattern.is_wildcard(segment):
                node.wildcard = node.wildcard or _Node()
                node = node.wildcard
            else:
                node = node.literal.setdefault(segment, _Node())
        (node.rest if url.rest else node.ending).append(rule)

    def candidates(self, page: Page, segments: list[str]) -> list[Rule]:
        found: list[Rule] = []
        self._walk(self.root, segments, 0, found)
        found.extend(self.by_zaaktype.get(page.zaaktype, ()) if page.zaaktype else ())
        for marker in page.markers:
            found.extend(self.by_marker.get(marker, ()))
        found.extend(self.by_title)
        return found

    def _walk(self, node: _Node, segments: list[str], depth: int, found: list[Rule]) -> None:
        found.extend(node.rest)
        if depth == len(segments):
            found.extend(node.ending)
            return
        child = node.literal.get(segments[depth])
        if child is not None:
            self._walk(child, segments, depth + 1, found)
        if node.wildcard is not None:
            self._walk(node.wildcard, segments, depth + 1, found)

    def best_matches(self, page: Page) -> list[tuple[Rule, Listing]]:
        """The matching rules, best first, one per task (its best rule)."""
        segments = page.segments
        matched = [
            (rule, reason)
            for rule in self.candidates(page, segments)
            if (reason := rule.explain(page, segments)) is not None
        ]
        matched.sort(key=lambda pair: pair[0].rank)
        seen: set[str] = set()
        best = []
        for rule, reason in matched:
            if rule.task_slug not in seen:
                seen.add(rule.task_slug)
                best.append((rule, reason))
        return best
