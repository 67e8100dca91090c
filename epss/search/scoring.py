"""BM25F with the documents' field lengths read once per searcher.

Whoosh's BM25F looks up a document's field length in the length column for every term
of every matching document it scores: a tenth of a search's time. The lengths of a
searcher's segments never change, so this reads each field's lengths into a list the
first time a query scores that field, and scores from the list. Same scores, exactly.

One instance belongs to one searcher (a rebuilt index gets a new searcher, and with it
new lengths).
"""

from __future__ import annotations

from whoosh.scoring import BM25F, BM25FScorer


class CachedLengthBM25F(BM25F):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # (id of the segment reader, field) → (the reader, kept alive so that its id is
        # not reused, and the field length of each of its documents)
        self._lengths: dict[tuple[int, str], tuple[object, list[int]]] = {}

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            scorer.dfl = self.lengths(searcher, fieldname).__getitem__
        return scorer

    def lengths(self, searcher, fieldname: str) -> list[int]:
        """The length of `fieldname` in each document of the searcher's (sub)reader,
        as BM25FScorer reads it (1 for a document without the field)."""
        reader = searcher.reader()
        key = (id(reader), fieldname)
        if key not in self._lengths:
            self._lengths[key] = (reader, [
                searcher.doc_field_length(docnum, fieldname, 1)
                for docnum in range(searcher.doc_count_all())])
        return self._lengths[key][1]
