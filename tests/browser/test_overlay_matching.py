"""The overlay's matcher (overlay_js/src/match.js) against the reference cases that the
service's matcher is tested on too (tests/data/matching.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from epss.overlay.bundle import source_dir

MATCHING = json.loads((Path(__file__).parents[1] / "data" / "matching.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def matcher(browser):
    """A blank page with match.js loaded on its own (its functions become globals there)."""
    page = browser.new_page()
    page.add_script_tag(content=(source_dir() / "match.js").read_text("utf-8"))
    yield page
    page.close()


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHING["patterns"])
def test_path_patterns(matcher, pattern: str, path: str, expected: bool) -> None:
    assert (
        matcher.evaluate(
            "([p, path]) => patternMatches(compilePattern(p), pathSegments(path))", [pattern, path]
        )
        is expected
    )


@pytest.mark.parametrize("rule_set", MATCHING["rule_sets"], ids=lambda r: r["name"])
def test_rules_rank_as_the_reference_says(matcher, rule_set: dict) -> None:
    for case in rule_set["pages"]:
        found = matcher.evaluate(
            """([rules, c]) => matchTasks({rules}, {
            path: c.path, segments: pathSegments(c.path), title: c.title,
            markers: new Set(c.markers), zaaktype: c.zaaktype}).map((m) => m.task)""",
            [rule_set["rules"], case],
        )
        assert found == case["expected"], case


def test_a_rule_with_zaak_in_its_address_reads_the_case_on_screen(matcher) -> None:
    rules = [
        {
            "task": "verhuizing",
            "version": 1,
            "url": "/zaken/:zaak/verhuizing",
            "title": None,
            "markers": [],
            "zaaktype": None,
            "priority": 0,
            "start_step": None,
        },
        {
            "task": "zoeken",
            "version": 1,
            "url": "/zoeken/**",
            "title": None,
            "markers": [],
            "zaaktype": None,
            "priority": 0,
            "start_step": None,
        },
    ]
    found = matcher.evaluate(
        """([rules, path]) => matchTasks({rules}, {path, segments: pathSegments(path), title: '',
        markers: new Set(), zaaktype: null}).map((m) => [m.task, m.caseRef])""",
        [rules, "/zaken/Z-2026-0042/verhuizing"],
    )
    assert found == [["verhuizing", "Z-2026-0042"]]
    elsewhere = matcher.evaluate(
        """([rules, path]) => matchTasks({rules}, {path, segments: pathSegments(path), title: '',
        markers: new Set(), zaaktype: null}).map((m) => [m.task, m.caseRef])""",
        [rules, "/zoeken/verhuizing"],
    )
    assert elsewhere == [["zoeken", None]]  # no :zaak, no case from the address
