"""Statistics of the live documents, as a fresh index of them would have.

Whoosh keeps a deleted document in its segment (marked deleted) until the segment is
merged, and until then its terms still count in the document frequencies, the field
lengths, the document count and the term lists. Rewriting a segment to drop them is
slow in Whoosh (about a millisecond a document), so an update only marks documents
deleted and records, per segment, what they still count (`Dead`, kept in the index's
table of contents with the segment list, so both change in one atomic commit).
`LiveStats` subtracts it: every statistic a search reads equals a full rebuild's. The
spelling field's document frequencies are, instead, the number of tasks with the word,
which the state keeps (`words`): a full build indexes each word once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from whoosh.automata.fsa import DFA
from whoosh.automata.lev import levenshtein_automaton
from whoosh.codec.base import Automata
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from epss.search.documents import SPELLING_FIELD, indexed_values


@dataclass
class Dead:
    """What the deleted documents of one segment still count in Whoosh's statistics."""

    docs: int = 0
    lengths: dict[str, int] = field(default_factory=dict)
    df: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, schema: Schema, stored: dict[str, Any]) -> None:
        """Count one deleted document, analysed again as it was indexed (`schema` has
        the lexicon it was indexed with)."""
        self.docs += 1
        for name, value in indexed_values(stored).items():
            fieldobj = schema[name]
            counts = self.df.setdefault(name, {})
            length = 0
            for tbytes, freq, _weight, _value in fieldobj.index(value):
                term = tbytes.decode("utf-8")
                counts[term] = counts.get(term, 0) + 1
                length += freq
            if fieldobj.scorable:
                self.lengths[name] = self.lengths.get(name, 0) + length

    @classmethod
    def total(cls, parts: Iterable[Dead]) -> Dead:
        whole = cls()
        for part in parts:
            whole.docs += part.docs
            for name, length in part.lengths.items():
                whole.lengths[name] = whole.lengths.get(name, 0) + length
            for name, counts in part.df.items():
                into = whole.df.setdefault(name, {})
                for term, n in counts.items():
                    into[term] = into.get(term, 0) + n
        return whole


def segment_id(reader: IndexReader) -> str | None:
    segment = reader.segment()
    return segment.segment_id() if segment is not None else None


class LiveStats:
    """The statistics of a reader's live documents, for the ranker and the query
    builder (the methods of a Whoosh reader they use, with the same meaning)."""

    def __init__(
        self,
        reader: IndexReader,
        dead: dict[str, Dead] | None = None,
        words: dict[str, int] | None = None,
    ):
        self.reader = reader
        present = {segment_id(leaf) for leaf, _ in reader.leaf_readers()}
        self.dead = Dead.total(d for sid, d in (dead or {}).items() if sid in present)
        self.words = words  # of the state: word → the number of tasks with it
        self._no_df: dict[str, int] = {}

    def doc_count_all(self) -> int:
        count: int = self.reader.doc_count_all()
        return count - self.dead.docs

    def doc_count(self) -> int:
        count: int = self.reader.doc_count()
        return count

    def doc_frequency(self, fieldname: str, text: str) -> int:
        if fieldname == SPELLING_FIELD and self.words is not None:
            return self.words.get(text, 0)
        n: int = self.reader.doc_frequency(fieldname, text)
        return n - self.dead.df.get(fieldname, self._no_df).get(text, 0) if n else 0

    def field_length(self, fieldname: str) -> int:
        length: int = self.reader.field_length(fieldname)
        return length - self.dead.lengths.get(fieldname, 0)

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> list[str]:
        """The live words of the field within `maxdist` edits of `text`, sorted."""
        within = _words_within(text, maxdist, prefix)
        found: set[str] = set()
        for leaf, _ in self.reader.leaf_readers():
            if leaf.doc_count_all() and fieldname in leaf.indexed_field_names():
                words = leaf.cursor(leaf.schema[fieldname].spelling_fieldname(fieldname))
                found.update(Automata.find_matches(within, words))
        return sorted(w for w in found if self.doc_frequency(fieldname, w) > 0)


@lru_cache(maxsize=4096)
def _words_within(text: str, maxdist: int, prefix: int) -> DFA:
    """The automaton that accepts the words within `maxdist` edits of `text`: Whoosh
    builds it anew for every segment of every search (0.2 ms for one edit, up to 3 ms
    for two). Threads may share it: a search writes nothing to it but a memo of sorted
    labels, the same whoever fills it."""
    return levenshtein_automaton(text, maxdist, prefix).to_dfa()
