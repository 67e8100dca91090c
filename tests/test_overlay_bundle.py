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


def test_the_first_script_is_one_closure_with_its_version() -> None:
    bundle = build_bundle()
    hint, script = bundle.first.code.decode().split("\n", 1)
    # V8 reads its compile hint only on the first line.
    assert hint == "//# allFunctionsCalledOnLoad"
    assert script.startswith("(()=>{") and script.rstrip().endswith("})();")
    assert bundle.version in script and "__EPSS_VERSION__" not in script
    # What the panel's files take from it, and nothing more.
    assert "const CORE={h,prefersReducedMotion,store,stored,t,throttle};" in script


def test_the_panel_script_hands_its_code_to_the_first() -> None:
    panel = build_bundle().panel.code.decode().split("\n", 1)[1]
    assert panel.startswith("EPSS.definePanel((CORE)=>{'use strict';")
    assert "const{h,prefersReducedMotion,store,stored,t,throttle}=CORE;" in panel
    assert panel.rstrip().endswith(
        "return{STYLES,richText,snippetText,fingerprintOf,locate,rectOf,searchRoots,createPicker,patternOf,screenTitleOf,markerOf,createHighlighter,fieldProblem,elevenTest,readDate,"
        "createFieldHelp,askForm,createPanel};});"
    )


def test_the_first_download_stays_within_its_budget() -> None:
    """What every page that embeds the overlay loads: at most 12 KB gzipped (the panel's
    code comes when someone wants help)."""
    assert len(build_bundle().first.gzipped) <= 12 * 1024


def test_a_panel_file_taking_a_name_nobody_offers_is_refused(tmp_path) -> None:
    for path in source_files(source_dir()):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "order.txt").write_text((source_dir() / "order.txt").read_text())
    panel = tmp_path / "panel.js"
    panel.write_text("/* global nobodyOffersThis */\n" + panel.read_text())
    with pytest.raises(ValueError, match="nobodyOffersThis"):
        build_bundle(tmp_path)
