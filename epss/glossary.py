"""The glossary of desk terms (content/glossary.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from epss.errors import InvalidInput


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    source: str


def load_glossary(path: Path) -> list[Term]:
    """The terms, alphabetically (case-insensitive); none when the file does not exist."""
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    try:
        terms = [Term(**entry) for entry in entries]
    except TypeError as exc:
        raise InvalidInput(
            f"{path}: each entry needs term, definition and source ({exc})") from None
    return sorted(terms, key=lambda t: t.term.casefold())
