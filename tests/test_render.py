"""Markdown in one place: safe HTML for display, plain words for search and snippets."""

from __future__ import annotations

from epss.render import markdown_to_html, markdown_to_text


def test_plain_text_keeps_punctuation_with_its_word() -> None:
    text = markdown_to_text("Bij **Vingerafdruk-verificatie**. Zie *ook*:\n\n- een\n- twee")
    assert text == "Bij Vingerafdruk-verificatie. Zie ook: een twee"


def test_html_keeps_formatting_and_drops_what_is_not_allowed() -> None:
    html = markdown_to_html("**vet** [link](https://rvig.nl) <b onclick=x>rauw</b>")
    assert "<strong>vet</strong>" in html
    assert 'href="https://rvig.nl"' in html and 'rel="noopener noreferrer"' in html
    assert "<b" not in html and "&lt;b onclick=x&gt;" in html
