"""A rule the browser tests keep, held: a screenshot leaves the page as it was. By default
Playwright hides the text caret with a style that the pages' Content-Security-Policy refuses.
When htmx then swaps a part in (a colleague's change arriving, say), the page logs that
refusal as an error, and a test fails on what an earlier screenshot did."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.source_support import parse

BROWSER_TESTS = Path(__file__).parent / "browser"


def screenshots_that_hide_the_caret(source: str) -> list[int]:
    """The lines of `.screenshot(…)` calls without caret="initial"."""
    return [
        node.lineno
        for node in ast.walk(parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "screenshot"
        and not any(
            k.arg == "caret" and isinstance(k.value, ast.Constant) and k.value.value == "initial"
            for k in node.keywords
        )
    ]


def test_every_screenshot_keeps_the_caret() -> None:
    found = {
        path.name: lines
        for path in sorted(BROWSER_TESTS.glob("*.py"))
        if (lines := screenshots_that_hide_the_caret(path.read_text(encoding="utf-8")))
    }
    assert found == {}, 'give these screenshots caret="initial"'


def test_the_rule_would_catch_a_screenshot_that_hides_it() -> None:
    source = 'page.screenshot(path="a.png")\npage.screenshot(path="b.png", caret="initial")\n'
    assert screenshots_that_hide_the_caret(source) == [1]
