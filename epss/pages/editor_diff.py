"""Differences as the editor pages show them: a unified diff, line by line, each line
marked added, removed, a hunk header or unchanged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "hunk" or "same"
    text: str


def unified_lines(text: str) -> list[DiffLine]:
    """A unified diff's text as marked lines (the file headers left out)."""
    out = []
    for line in text.splitlines():
        if line.startswith(("---", "+++")):
            continue
        kind = ("hunk" if line.startswith("@@") else "add" if line.startswith("+")
                else "del" if line.startswith("-") else "same")
        out.append(DiffLine(kind, line))
    return out
