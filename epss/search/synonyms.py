"""Desk vocabulary: groups of words and phrases that mean the same (content/synonyms.yaml)."""

from __future__ import annotations

from pathlib import Path

from epss.errors import InvalidInput
from epss.resources import once_per_file_version, read_yaml
from epss.search.analysis import dutch_analyzer, terms

MAX_PHRASE = 4


class Synonyms:
    """Finds the synonym groups in a query. Phrases are compared by stemmed terms, so
    'nieuw adres' also matches 'nieuwe adressen'."""

    def __init__(self, groups: list[list[str]]):
        self.groups: list[list[tuple[str, ...]]] = []
        self._group_of: dict[tuple[str, ...], int] = {}
        analyzer = dutch_analyzer()
        for group in groups:
            phrases = [p for p in dict.fromkeys(tuple(terms(t, analyzer)) for t in group) if p]
            index = len(self.groups)
            self.groups.append(phrases)
            for phrase in phrases:
                self._group_of.setdefault(phrase, index)

    @staticmethod
    @once_per_file_version
    def from_file(path: Path) -> Synonyms:
        """The groups of a synonyms file, shared by every index of the process that
        reads it (a Synonyms does not change once made)."""
        if not path.exists():
            return Synonyms([])
        data = read_yaml(path) or []
        if not isinstance(data, list) or not all(
            isinstance(g, list) and all(isinstance(t, str) for t in g) for g in data
        ):
            raise InvalidInput(f"{path}: expected a list of groups, each a list of words")
        return Synonyms(data)

    def spans(self, query_terms: list[str]) -> list[tuple[int, int, list[tuple[str, ...]]]]:
        """(start, end, other phrases of the group) for each synonym phrase in the query,
        longest match first, not overlapping."""
        found = []
        i = 0
        while i < len(query_terms):
            for size in range(min(MAX_PHRASE, len(query_terms) - i), 0, -1):
                phrase = tuple(query_terms[i : i + size])
                group = self._group_of.get(phrase)
                if group is not None:
                    others = [p for p in self.groups[group] if p != phrase]
                    found.append((i, i + size, others))
                    i += size
                    break
            else:
                i += 1
        return found
