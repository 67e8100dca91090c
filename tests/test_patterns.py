"""URL path patterns of context rules. The overlay's JavaScript matcher must agree with
these cases; they are the reference."""

from __future__ import annotations

import pytest

from epss.context.patterns import PathPattern, url_path

CASES = [
    ("/demo/verhuizing", "/demo/verhuizing", True),
    ("/demo/verhuizing", "/demo/verhuizing/", True),
    ("/demo/verhuizing", "/demo/verhuizing/stap2", False),
    ("/demo/verhuizing", "/demo", False),
    ("/zaken/:id", "/zaken/Z-2026-000101", True),
    ("/zaken/:id", "/zaken", False),
    ("/zaken/:id", "/zaken/1/taken", False),
    ("/zaken/*/taken", "/zaken/1/taken", True),
    ("/dossiers/:def/document/**", "/dossiers/paspoort/document", True),
    ("/dossiers/:def/document/**", "/dossiers/paspoort/document/42/tab", True),
    ("/dossiers/:def/document/**", "/dossiers/paspoort/taken/42", False),
    ("/**", "/anything/at/all", True),
    ("/demo/reis%20document", "/demo/reis document", True),
]


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
