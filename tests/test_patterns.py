"""URL path patterns and rule ranking. The cases are in tests/data/matching.json, which
the overlay's JavaScript matcher is tested against too (tests/browser/test_overlay_matching.py):
the service and the overlay must agree."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from epss.context.patterns import PAGE_ADDRESS, PAGE_ADDRESS_PATTERN, PathPattern, url_path
from epss.context.rules import Page, Rule, RuleSet

MATCHING = json.loads((Path(__file__).parent / "data" / "matching.json").read_text("utf-8"))
CASES = MATCHING["patterns"]


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_pattern_matching(pattern: str, path: str, expected: bool) -> None:
    assert PathPattern.compile(pattern).matches(path) is expected


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://zaak.gemeente.nl/demo/verhuizing?bsn=999993653#stap", "/demo/verhuizing"),
        ("/demo/verhuizing?x=1", "/demo/verhuizing"),
        ("https://host", "/"),
    ],
)
def test_query_string_and_fragment_never_take_part(url: str, path: str) -> None:
    assert url_path(url) == path


def test_literal_segments_are_more_specific_than_wildcards() -> None:
    assert (
        PathPattern.compile("/zaken/nieuw").specificity
        > PathPattern.compile("/zaken/:id").specificity
    )


@pytest.mark.parametrize("rule_set", MATCHING["rule_sets"], ids=lambda r: r["name"])
def test_rules_rank_as_the_reference_says(rule_set: dict) -> None:
    rules = RuleSet([Rule.from_manifest(e, order) for order, e in enumerate(rule_set["rules"])])
    for case in rule_set["pages"]:
        page = Page(case["path"], case["title"], frozenset(case["markers"]), case["zaaktype"])
        assert [rule.task_slug for rule, _ in rules.best_matches(page)] == case["expected"], case


PAGE_ADDRESSES = [
    "/",
    "/zaken/1",
    "https://zaak.gemeente.nl",
    "HTTPS://Zaak.nl:443/x?y#z",
    "http://a:65535",
    "http://a:65536/",
    "http://a:0/",
    "http://u:p@host/",
    "http://[::1]:8080/",
    "http://a b/",
    "http://a\n",
    "http://a/\n",
    "http://a\x1e/",
    "http://a\u00a0b/",
    "http://h\u2028/",
    "http://",
    "http:///x",
    "ftp://host/",
    "zaken/1",
    "",
    "http://h:/x",
]


def test_a_page_address_reads_the_same_in_python_and_javascript() -> None:
    """The pattern is the JSON Schema of the API's `url` fields: a client that checks a URL
    against the document must come to the service's answer."""
    node = shutil.which("node")
    assert node, "node is needed (it runs the OpenID provider of the tests too)"
    script = (
        "const [pattern, cases] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map(c => new RegExp(pattern).test(c))));"
    )
    run = subprocess.run(
        [node, "-e", script],
        capture_output=True,
        text=True,
        check=True,
        input=json.dumps([PAGE_ADDRESS_PATTERN, PAGE_ADDRESSES]),
    )
    in_python = [PAGE_ADDRESS.match(case) is not None for case in PAGE_ADDRESSES]
    assert json.loads(run.stdout) == in_python
    assert in_python[:5] == [True] * 5 and not any(in_python[-6:])
