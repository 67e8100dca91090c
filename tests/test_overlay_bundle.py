"""The overlay's source never builds HTML from strings or runs strings as code: guidance
and search snippets become DOM nodes through createElement and text (see richtext.js)."""

from __future__ import annotations

import re

import pytest

from epss.overlay.bundle import build_bundle, source_dir, source_files

FORBIDDEN = {
    "innerHTML": r"\binnerHTML\b",
    "outerHTML": r"\bouterHTML\b",
    "insertAdjacentHTML": r"\binsertAdjacentHTML\b",
    "document.write": r"document\.write",
    "eval": r"\beval\s*\(",
    "new Function": r"new\s+Function\s*\(",
    "DOMParser": r"\bDOMParser\b",
    "createContextualFragment": r"createContextualFragment",
    "a style attribute": r"setAttribute\(\s*['\"]style",
    "a string timer": r"setTimeout\(\s*['\"`]",
}


@pytest.mark.parametrize(
    "path", [p for p in source_files(source_dir()) if p.suffix == ".js"], ids=lambda p: p.name
)
def test_no_html_strings_or_code_strings(path) -> None:
    source = path.read_text(encoding="utf-8")
    found = [name for name, pattern in FORBIDDEN.items() if re.search(pattern, source)]
    assert found == []


def test_the_bundle_is_one_closure_with_its_version() -> None:
    bundle = build_bundle()
    hint, script = bundle.script.decode().split("\n", 1)
    # V8 reads its compile hint only on the first line.
    assert hint == "//# allFunctionsCalledOnLoad"
    assert script.startswith("(()=>{") and script.rstrip().endswith("})();")
    assert bundle.version in script and "__EPSS_VERSION__" not in script
