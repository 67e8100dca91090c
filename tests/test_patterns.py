"""URL path patterns and rule ranking. The cases are in tests/data/matching.json, which
the overlay's JavaScript matcher is tested against too (tests/browser/test_overlay_matching.py):
the service and the overlay must agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from epss.context.patterns import PathPattern, url_path
from epss.context.rules import Page, Rule, RuleSet

MATCHING = json.loads((Path(__file__).parent / "data" / "matching.json").read_text("utf-8"))
CASES = MATCHING["patterns"]


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_pattern_matching(pattern: str, path: str, expected: bool) -> None:
    assert PathPattern.compile(pattern).matches(path) is expected


@pytest.mark.parametrize(("url", "path"), [
    ("https://zaak.gemeente.nl/demo/verhuizing?bsn=999993653#stap", "/demo/verhuizing"),
    ("/demo/verhuizing?x=1", "/demo/verhuizing"),
    ("https://host", "/"),
])
def test_query_string_and_fragment_never_take_part(url: str, path: str) -> None:
    assert url_path(url) == path


def test_literal_segments_are_more_specific_than_wildcards() -> None:
    assert PathPattern.compile("/zaken/nieuw").specificity > \
        PathPattern.compile("/zaken/:id").specificity


@pytest.mark.parametrize("rule_set", MATCHING["rule_sets"], ids=lambda r: r["name"])
def test_rules_rank_as_the_reference_says(rule_set: dict) -> None:
    rules = RuleSet([Rule.from_manifest(e, order) for order, e in enumerate(rule_set["rules"])])
    for case in rule_set["pages"]:
        page = Page(case["path"], case["title"], frozenset(case["markers"]), case["zaaktype"])
        assert [rule.task_slug for rule, _ in rules.best_matches(page)] == case["expected"], case
