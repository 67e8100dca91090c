"""The rule index finds exactly the rules a full scan finds."""

from __future__ import annotations

import random

from epss.context.patterns import PathPattern
from epss.context.rules import Page, Rule, RuleSet

SEGMENTS = ["zaken", "taken", "paspoort", "rijbewijs", "42", "nieuw"]


def random_rule(rng: random.Random, n: int) -> Rule:
    url = None
    if rng.random() < 0.7:
        parts = [rng.choice([*SEGMENTS, ":id", "*"]) for _ in range(rng.randint(0, 3))]
        url = "/" + "/".join(parts + (["**"] if rng.random() < 0.3 else []))
    markers = tuple(rng.sample(["#a", "#b", "#c"], rng.randint(0, 2)))
    zaaktype = rng.choice([None, None, "ZT-1", "ZT-2"])
    title = rng.choice([None, None, "Paspoort"])
    if not (url or markers or zaaktype or title):
        title = "Zaak"
    return Rule(
        task_slug=f"taak-{n}",
        url=PathPattern.compile(url) if url else None,
        title=title,
        markers=markers,
        zaaktype=zaaktype,
        priority=rng.randint(-2, 2),
        start_step=None,
    )


def random_page(rng: random.Random) -> Page:
    path = "/" + "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(0, 4)))
    return Page(
        path=path,
        title=rng.choice(["Paspoort aanvraag", "Zaak 42", ""]),
        markers=frozenset(rng.sample(["#a", "#b", "#c"], rng.randint(0, 3))),
        zaaktype=rng.choice([None, "ZT-1", "ZT-2"]),
    )


def test_indexed_matching_equals_a_full_scan() -> None:
    rng = random.Random(20261122)
    rules = [random_rule(rng, n) for n in range(300)]
    rule_set = RuleSet(rules)
    for _ in range(500):
        page = random_page(rng)
        segments = page.segments
        expected = {rule for rule in rules if rule.explain(page, segments) is not None}
        assert set(rule_set.candidates(page, segments)) >= expected
        found = rule_set.best_matches(page)
        assert {rule.task_slug for rule, _ in found} == {rule.task_slug for rule in expected}


def rule(slug: str, *, url: str | None = None, title: str | None = None, priority: int = 0) -> Rule:
    return Rule(
        task_slug=slug,
        url=PathPattern.compile(url) if url else None,
        title=title,
        markers=(),
        zaaktype=None,
        priority=priority,
        start_step=None,
    )


def page(path: str, title: str = "") -> Page:
    return Page(path=path, title=title, markers=frozenset(), zaaktype=None)


def test_a_title_rule_matches_the_page_title_in_any_case() -> None:
    rules = RuleSet([rule("paspoort", title="Paspoort"), rule("rijbewijs", title="Rijbewijs")])
    assert [r.task_slug for r, _ in rules.best_matches(page("/x", "Aanvraag PASPOORT"))] == [
        "paspoort"
    ]
    assert rules.best_matches(page("/x", "Agenda")) == []


def test_priority_wins_then_the_more_specific_rule() -> None:
    rules = RuleSet(
        [
            rule("algemeen", url="/zaken/:id", priority=5),
            rule("specifiek", url="/zaken/nieuw"),
            rule("breed", url="/zaken/**"),
        ]
    )
    assert [r.task_slug for r, _ in rules.best_matches(page("/zaken/nieuw"))] == [
        "algemeen",
        "specifiek",
        "breed",
    ]
