"""The glossary of desk terms (content/glossary.yaml)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from epss.errors import InvalidInput
from epss.resources import once_per_file_version, read_yaml


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    source: str


@once_per_file_version
def load_glossary(path: Path) -> tuple[Term, ...]:
    """The terms, alphabetically (case-insensitive); none when the file does not exist."""
    if not path.exists():
        return ()
    entries = read_yaml(path) or []
    try:
        terms = [Term(**entry) for entry in entries]
    except TypeError as exc:
        raise InvalidInput(
            f"{path}: each entry needs term, definition and source ({exc})"
        ) from None
    return tuple(sorted(terms, key=lambda t: t.term.casefold()))


def terms_in(texts: Iterable[str], glossary: Sequence[Term]) -> list[Term]:
    """The glossary terms these texts use, in the order they first appear: whole words, an
    abbreviation (BSN, RNI) only in capitals, another term in any case."""
    text = "\n".join(texts)
    found = [
        (match.start(), term)
        for term, pattern in _patterns(tuple(glossary))
        if (match := pattern.search(text))
    ]
    return [term for _, term in sorted(found, key=lambda pair: pair[0])]


@lru_cache(maxsize=4)
def _patterns(glossary: tuple[Term, ...]) -> list[tuple[Term, re.Pattern[str]]]:
    return [
        (
            term,
            re.compile(
                rf"(?<!\w){re.escape(term.term)}(?!\w)", 0 if term.term.isupper() else re.IGNORECASE
            ),
        )
        for term in glossary
    ]
