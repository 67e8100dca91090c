"""Turn what a person typed into a Whoosh query.

Each word of the query becomes a unit. The index holds title, tags and body in one field
whose words weigh by section (title most), so one term covers all three.
A unit matches the word itself, the parts of a compound ('rijbewijsaanvraag' →
rijbewijs + aanvraag), its desk synonyms, and, when the index lacks the word, the words
of the guidance one or two typos away. Documents that match more units rank higher.

Words that stand in a large share of the documents ('aanvragen', 'controleer') decide
little and would make every document a candidate; they only add to the score of
documents that the rarer words of the query found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from whoosh import query as q

from epss.search.analysis import STOPWORDS, Lexicon, stem, words
from epss.search.synonyms import Synonyms

TEXT_FIELD = "text"
HEADING_FIELD = "heading"
SPELLING_FIELD = "spelling"
SYNONYM_BOOST = 0.8
PART_BOOST = 0.8
TYPO_BOOST = 0.9
MAX_CORRECTIONS = 4
# A word in more than this share of the documents, and at least this many, is common.
COMMON_SHARE = 0.05
COMMON_MIN_DOCS = 200
MAX_QUERY_WORDS = 12


class Statistics(Protocol):
    """What the builder reads of an index: a Whoosh reader, or epss.search.stats.LiveStats."""

    def doc_count(self) -> int: ...
    def doc_frequency(self, fieldname: str, text: str) -> int: ...
    def terms_within(
        self, fieldname: str, text: str, maxdist: int, prefix: int = 0
    ) -> Iterable[str]: ...


class _Builder:
    def __init__(self, reader: Statistics, field: str, fuzzy: bool):
        self.reader = reader
        self.field = field
        self.fuzzy = fuzzy
        self.common_above = max(COMMON_SHARE * reader.doc_count(), COMMON_MIN_DOCS)
        self.largest_df = 0  # of the terms of the unit being built

    def term(self, term: str) -> q.Query:
        self.largest_df = max(self.largest_df, self.df(term))
        return q.Term(self.field, term)

    def word(self, typed: str, term: str) -> q.Query:
        """A typed word: its term, or the terms of its likely corrections."""
        if not self.fuzzy or len(typed) < 4 or self.df(term):
            return self.term(term)
        # The closest words first: one typo away, and two only for long words.
        found = sorted(set(self.reader.terms_within(SPELLING_FIELD, typed, 1, prefix=1)))
        if not found and len(typed) >= 8:
            found = sorted(set(self.reader.terms_within(SPELLING_FIELD, typed, 2, prefix=1)))
        corrections = [stem(word) for word in found[:MAX_CORRECTIONS]]
        if not corrections:
            return self.term(term)
        return q.Or([self.term(t) for t in dict.fromkeys(corrections)], boost=TYPO_BOOST)

    def df(self, term: str) -> int:
        return self.reader.doc_frequency(self.field, term)

    def is_common(self, phrase: tuple[str, ...] | list[str]) -> bool:
        """True when even the phrase's rarest term is in many documents."""
        return min(self.df(term) for term in phrase) > self.common_above

    def start_unit(self) -> None:
        self.largest_df = 0

    def finish_unit(self, query: q.Query) -> tuple[q.Query, int]:
        """The unit and the document frequency of its most frequent term."""
        return query, self.largest_df


def build_query(
    text: str,
    *,
    synonyms: Synonyms,
    lexicon: Lexicon,
    reader: Statistics,
    field: str = TEXT_FIELD,
    fuzzy: bool = True,
) -> q.Query | None:
    """The query for `text` on `field`, or None when it holds no searchable word."""
    typed = [w for w in words(text) if w not in STOPWORDS][:MAX_QUERY_WORDS]
    if not typed:
        return None
    builder = _Builder(reader, field, fuzzy)
    stems = [stem(w) for w in typed]
    units: list[tuple[q.Query, int]] = []
    covered: set[int] = set()
    for start, end, others in synonyms.spans(stems):
        builder.start_unit()
        own = stems[start:end]
        # Synonyms are for finding more: a phrase that is common already gets none, and
        # common synonyms are left out (they would make every document a candidate).
        wanted = [] if builder.is_common(own) else [p for p in others if not builder.is_common(p)]
        units.append(
            builder.finish_unit(
                _any_of(
                    [
                        _all_of([builder.term(s) for s in own]),
                        *(
                            _all_of([builder.term(s) for s in phrase], boost=SYNONYM_BOOST)
                            for phrase in wanted
                        ),
                    ]
                )
            )
        )
        covered.update(range(start, end))
    for i, word in enumerate(typed):
        if i not in covered:
            builder.start_unit()
            units.append(builder.finish_unit(_word_unit(builder, lexicon, word, stems[i])))
    found = sorted((unit for unit in units if unit[1] > 0), key=lambda unit: unit[1])
    if not found:
        return None
    # Documents must match a rare word, or, when every word is common, the least common
    # one; the other words add to their score.
    rare = max(1, sum(df <= builder.common_above for _, df in found))
    required = _any_of([query for query, _ in found[:rare]])
    optional = [query for query, _ in found[rare:]]
    return q.AndMaybe(required, _any_of(optional)) if optional else required


def _word_unit(builder: _Builder, lexicon: Lexicon, word: str, term: str) -> q.Query:
    parts = lexicon.split(word)
    separated = lexicon.separate(word)
    # A word the index lacks but whose parts it knows is a compound, not a typo.
    alternatives = [builder.term(term) if parts or separated else builder.word(word, term)]
    if parts:
        part_terms = [builder.term(stem(p)) for p in parts]
        alternatives.append(q.And(part_terms, boost=PART_BOOST))
        if not builder.df(term):
            # A glued word the guidance never uses: also count each part, as if typed
            # apart, for less. Dutch compounds are right-headed: the last part is the
            # general kind ('-aangifte'), the parts before it say which one ('verhuis-'),
            # so those weigh more.
            *modifiers, head = [t.copy() for t in part_terms]
            for modifier in modifiers:
                modifier.boost = PART_BOOST / 2
            head.boost = PART_BOOST / 4
            alternatives.append(q.Or([*modifiers, head]))
    if separated:
        particle, verb = separated
        alternatives.append(
            _all_of([builder.term(particle), builder.term(stem(verb))], boost=PART_BOOST)
        )
    return _any_of(alternatives)


def _any_of(subqueries: list[q.Query]) -> q.Query:
    return subqueries[0] if len(subqueries) == 1 else q.Or(subqueries)


def _all_of(subqueries: list[q.Query], boost: float = 1.0) -> q.Query:
    if len(subqueries) == 1:
        subqueries[0].boost *= boost
        return subqueries[0]
    return q.And(subqueries, boost=boost)
