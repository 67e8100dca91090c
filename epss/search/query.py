"""Turn what a person typed into a Whoosh query.

Each word of the query becomes a unit that matches in any field (title weighs most).
A unit matches the word itself, the parts of a compound ('rijbewijsaanvraag' →
rijbewijs + aanvraag), its desk synonyms, and, when the word is not in the index at all,
words one or two typos away. Documents that match more units rank higher.
"""

from __future__ import annotations

from whoosh import query as q
from whoosh.reading import IndexReader

from epss.search.analysis import STOPWORDS, Lexicon, stem, words
from epss.search.synonyms import Synonyms

FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0, "context": 0.5}
SYNONYM_BOOST = 0.8
PART_BOOST = 0.8
TYPO_BOOST = 1.5
MAX_QUERY_WORDS = 12


def build_query(
    text: str, *, synonyms: Synonyms, lexicon: Lexicon, reader: IndexReader,
    fields: tuple[str, ...] | None = None, fuzzy: bool = True,
) -> q.Query | None:
    """The query for `text`, or None when it holds no searchable word."""
    boosts = {f: b for f, b in FIELD_BOOSTS.items() if fields is None or f in fields}

    def term(value: str, typed: str | None = None) -> q.Query:
        return _term(reader, value, boosts, typed if fuzzy else None)

    typed = [w for w in words(text) if w not in STOPWORDS][:MAX_QUERY_WORDS]
    if not typed:
        return None
    stems = [stem(w) for w in typed]
    units: list[q.Query] = []
    covered: set[int] = set()
    for start, end, others in synonyms.spans(stems):
        own = _all_of([term(s) for s in stems[start:end]])
        alternatives = [_all_of([term(s) for s in phrase], boost=SYNONYM_BOOST)
                        for phrase in others]
        units.append(q.Or([own, *alternatives]))
        covered.update(range(start, end))
    for i, word in enumerate(typed):
        if i in covered:
            continue
        alternatives = [term(stems[i], typed=word)]
        parts = lexicon.split(word)
        if parts:
            part_terms = [term(stem(p)) for p in parts]
            alternatives.append(q.And(part_terms, boost=PART_BOOST))
            if not _in_index(reader, stems[i], boosts):
                # A glued word the guidance never uses: also count each part, as if the
                # words were typed apart (for less, so all parts together rank first).
                alternatives.append(q.Or([t.copy() for t in part_terms],
                                         boost=PART_BOOST / 2))
        separated = lexicon.separate(word)
        if separated:
            particle, verb = separated
            alternatives.append(_all_of([term(particle), term(stem(verb))], boost=PART_BOOST))
        units.append(q.Or(alternatives))
    return q.Or(units) if len(units) > 1 else units[0]


def _all_of(subqueries: list[q.Query], boost: float = 1.0) -> q.Query:
    if len(subqueries) == 1:
        subqueries[0].boost *= boost
        return subqueries[0]
    return q.And(subqueries, boost=boost)


def _term(reader: IndexReader, term: str, boosts: dict[str, float],
          typed: str | None) -> q.Query:
    """The stemmed term in the fields. When the index lacks it and the word as `typed` is
    given, terms one or two typos away match instead: compared as stems (a typo in the
    ending) and as written words (a typo that changes the stem, 'verhuizng')."""
    if typed is None or len(typed) < 4 or _in_index(reader, term, boosts):
        return q.Or([q.Term(field, term, boost=b) for field, b in boosts.items()])
    maxdist = 1 if len(typed) < 8 else 2
    return q.Or([
        q.FuzzyTerm("spelling", typed, boost=TYPO_BOOST, maxdist=maxdist, prefixlength=1),
        *(q.FuzzyTerm(field, term, boost=b * TYPO_BOOST / 2, maxdist=maxdist, prefixlength=1)
          for field, b in boosts.items()),
    ])


def _in_index(reader: IndexReader, term: str, boosts: dict[str, float]) -> bool:
    return any((field, term) in reader for field in boosts)
