"""The best documents of a query, scored a term at a time: Whoosh's scores, faster.

Whoosh walks a tree of matchers a document at a time, several pure-Python calls per
posting per tree level. A search query here is a required part and an optional part
(see epss.search.query): the optional words are common, so their posting lists are long,
and walking them to the few thousand candidates the required part found was most of a
search's time. This module reads the postings of each term a block at a time instead,
keeps a candidate's score in a dict, and reads of an optional word's list only the blocks
that hold a candidate.

The result is Whoosh's own: BM25F with Whoosh's parameters, idf and stored field lengths,
the same expression in the same order (so a term's score is the same float), and Whoosh's
semantics for the queries the builder makes (Term, And, Or, AndMaybe; a compound of one
subquery is that subquery, its own boost unused, as in Whoosh). The statistics are those
of the live documents (epss.search.stats), so a deleted document changes no score. Ties
go to the lower document number, as Whoosh's collector orders them, or to the lower key
of an `order` (the index gives one that does not depend on where updates put documents).
Sums may differ from Whoosh's in the last bit: Whoosh adds in the order of its matcher
tree, this in the order of the query.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from math import log

from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher

from epss.search.stats import LiveStats, segment_id

Scores = dict[int, float]
# Per (segment, field): each document's stored length. A segment never changes.
LengthCache = dict[tuple[str | None, str], list[int | None]]


class Ranker:
    """Scores queries on one searcher, with the statistics of `stats` (by default the
    searcher's own: Whoosh's). Of equal scores, the lower `order(docnum)` goes first
    (by default the document number, as in Whoosh). It remembers, per field, a number
    for each document that depends on the document's length and the average length,
    so it belongs to one searcher (a changed index gets a new searcher and ranker)."""

    def __init__(
        self,
        searcher: Searcher,
        stats: LiveStats | None = None,
        order: Callable[[int], object] | None = None,
        lengths: LengthCache | None = None,
    ):
        self.stats = stats or LiveStats(searcher.reader())
        self.order = order
        weighting = searcher.weighting
        self._k1, self._b, self._field_b = weighting.K1, weighting.B, weighting._field_B
        self._terms: dict[tuple[str, str], float] = {}
        self._averages: dict[str, float] = {}
        cache = {} if lengths is None else lengths
        self._leaves = [
            _Leaf(self, leaf, offset, cache) for leaf, offset in searcher.leaf_searchers()
        ]

    def idf(self, field: str, text: str) -> float:
        # whoosh.scoring.WeightingModel.idf, on the live statistics
        key = (field, text)
        if key not in self._terms:
            n, dc = self.stats.doc_frequency(field, text), self.stats.doc_count_all()
            self._terms[key] = log(dc / (n + 1)) + 1
        return self._terms[key]

    def constants(self, field: str) -> tuple[float, float, float]:
        """BM25F's K1 and B for the field, and its average length (as Whoosh's)."""
        if field not in self._averages:
            dc = self.stats.doc_count_all()
            self._averages[field] = (self.stats.field_length(field) / (dc or 1)) or 1
        return self._k1, self._field_b.get(field, self._b), self._averages[field]

    def top(self, query: q.Query, limit: int | None) -> list[tuple[int, float]]:
        """The (document number, score) pairs of the documents `query` matches, the best
        `limit` (or all, with None), best first."""
        found: Scores = {}
        for leaf in self._leaves:
            scores = _Evaluation(leaf).scores(query, None)
            found.update({leaf.offset + doc: score for doc, score in scores.items()})
        if self.order is None:
            if limit is None:
                return sorted(found.items(), key=_best_first)
            return heapq.nsmallest(limit, found.items(), key=_best_first)
        if limit is not None and len(found) > limit:
            # Only the documents that score at least as well as the limit-th can be in.
            least = heapq.nsmallest(limit, found.items(), key=_best_first)[-1][1]
            found = {doc: score for doc, score in found.items() if score >= least}
        # Equal scores in the order of a full build: only those need their stored fields.
        order, counts = self.order, Counter(found.values())
        ranked = sorted(
            found.items(),
            key=lambda item: (-item[1], order(item[0]) if counts[item[1]] > 1 else ("", 0)),
        )
        return ranked if limit is None else ranked[:limit]


class _Leaf:
    """One segment's searcher, its place among all documents, its deleted documents, and
    per field the part of BM25's denominator that depends on the document's length."""

    def __init__(self, ranker: Ranker, searcher: Searcher, offset: int, lengths: LengthCache):
        self.ranker = ranker
        self.searcher = searcher
        self.offset = offset
        self.reader = searcher.reader()
        self.deleted = self.reader.deleted_docs_set if self.reader.has_deletions() else None
        self._segment = segment_id(self.reader)
        self._lengths = lengths
        self._norms: dict[str, list[float]] = {}

    def norms(self, field: str) -> list[float]:
        if field not in self._norms:
            key = (self._segment, field)
            lengths = self._lengths.get(key) if self._segment is not None else None
            if lengths is None:
                lengths = [
                    self.searcher.doc_field_length(doc, field, 1)
                    for doc in range(self.searcher.doc_count_all())
                ]
                if self._segment is not None:
                    self._lengths[key] = lengths
            k1, b, average = self.ranker.constants(field)
            # BM25's K1 * ((1 - B) + B * fl / avgfl), as whoosh.scoring.bm25 writes it. A
            # document without the field (None) has no postings in it: its norm is unused.
            self._norms[field] = [
                k1 * ((1 - b) + b * (length or 0) / average) for length in lengths
            ]
        return self._norms[field]


class _Evaluation:
    """One query on one leaf. A term that stands twice in the query (in a phrase and
    as a word of its own) is read once for each set of candidates."""

    def __init__(self, leaf: _Leaf):
        self.leaf = leaf
        # (field, term, id of the candidates) → the scores, and the candidates themselves,
        # kept so that their id stays theirs while the query is scored
        self._terms: dict[tuple[str, str, int], tuple[Scores, Candidates | None]] = {}

    def scores(self, node: q.Query, within: Candidates | None) -> Scores:
        """The documents `node` matches, with their scores; only those `within` the
        candidates when they are given."""
        if isinstance(node, q.Term):
            scores = self._term(node.fieldname, node.text, within)
            return scores if node.boost == 1.0 else _times(scores, node.boost)
        if isinstance(node, q.AndMaybe):
            required = self.scores(node.a, within)
            optional = self.scores(node.b, Candidates(required))
            return {
                doc: score + optional[doc] if doc in optional else score
                for doc, score in required.items()
            }
        if type(node) in (q.And, q.Or):
            if len(node.subqueries) == 1:
                return self.scores(node.subqueries[0], within)
            combined = (
                self._all(node.subqueries, within)
                if type(node) is q.And
                else self._any(node.subqueries, within)
            )
            return combined if node.boost == 1.0 else _times(combined, node.boost)
        raise TypeError(f"the ranker cannot score a {type(node).__name__} query")

    def _any(self, subqueries: list[q.Query], within: Candidates | None) -> Scores:
        found: Scores = {}
        for sub in subqueries:
            for doc, score in self.scores(sub, within).items():
                found[doc] = found[doc] + score if doc in found else score
        return found

    def _all(self, subqueries: list[q.Query], within: Candidates | None) -> Scores:
        # The rarest subquery picks the candidates, each next one only reads theirs;
        # the scores are added in the query's order.
        reader = self.leaf.reader
        order = sorted(range(len(subqueries)), key=lambda i: subqueries[i].estimate_size(reader))
        parts: dict[int, Scores] = {}
        for i in order:
            parts[i] = self.scores(subqueries[i], within)
            if not parts[i]:
                return {}
            within = Candidates(parts[i])
        found: Scores = {}
        for doc in parts[order[-1]]:
            total = parts[0][doc]
            for i in range(1, len(subqueries)):
                total += parts[i][doc]
            found[doc] = total
        return found

    def _term(self, field: str, text: str, within: Candidates | None) -> Scores:
        key = (field, text, id(within))
        if key not in self._terms:
            self._terms[key] = (self._read_term(field, text, within), within)
        return self._terms[key][0]

    def _read_term(self, field: str, text: str, within: Candidates | None) -> Scores:
        leaf = self.leaf
        if (field, text) not in leaf.reader:
            return {}
        norms = leaf.norms(field)
        idf, k1_plus_1 = leaf.ranker.idf(field, text), leaf.ranker.constants(field)[0] + 1
        wanted = None if within is None else within.members
        deleted = leaf.deleted
        scores: Scores = {}
        for ids, weights in _postings(leaf.reader.postings(field, text), within):
            # whoosh.scoring.bm25: idf * ((tf * (K1 + 1)) / (tf + K1 * (...length...)))
            scores.update(
                {
                    doc: idf * ((tf * k1_plus_1) / (tf + norms[doc]))
                    for doc, tf in zip(ids, weights, strict=True)
                    if (wanted is None or doc in wanted) and (deleted is None or doc not in deleted)
                }
            )
        return scores


class Candidates:
    """The documents a part of the query found: the only ones the rest of it scores."""

    def __init__(self, scores: Scores):
        self.members = scores
        self.ordered = sorted(scores)

    def any_between(self, low: int, high: int) -> bool:
        """True when a candidate lies in (low, high]."""
        return bisect_right(self.ordered, high) > bisect_right(self.ordered, low)


def _postings(
    matcher: Matcher, within: Candidates | None
) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """The (ids, weights) of the term's postings a block at a time; with candidates,
    only the blocks that may hold one of them. Deleted documents are left in."""
    if isinstance(matcher, FilterMatcher):  # the reader's filter of deleted documents
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        # Postings kept inline with the term (a handful of documents) or filtered.
        ids: list[int] = []
        weights: list[float] = []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    # Whoosh's block internals: each block's header gives its highest id, so a block
    # without a candidate is skipped undecoded. tests/test_search_ranking.py checks that
    # this reads what Whoosh's matcher reads.
    low = -1
    while matcher.is_active():
        high = matcher._maxid
        if within is None or within.any_between(low, high):
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
        low = high
        matcher._next_block()


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    """Higher scores first; of equal scores, the lower document number (as Whoosh)."""
    return -item[1], item[0]


def _times(scores: Scores, boost: float) -> Scores:
    return {doc: score * boost for doc, score in scores.items()}
