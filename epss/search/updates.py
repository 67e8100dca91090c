"""Incremental updates: replace the documents of some tasks in one commit.

An update marks the old documents of the changed and removed tasks deleted (counting
what they still hold, epss.search.stats), writes the new documents into a new segment,
and keeps the compound lexicon equal to a full build's: the lexicon is every stem that
some task's words have (the index's state counts the tasks with each stem, and with each
word). When stems enter or leave it, the splits that may look one of them up may change:
the words of the index whose splits may look up a changed stem (analysis.lookups) are
found in memory, the tasks with such a word by its term, their words are split again
with the new lexicon, and the tasks whose splits differ are indexed again from their
current documents. Small segments are merged as they accumulate; large ones
keep their deleted documents, which a full rebuild clears (see `UpdateResult`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.codec.base import Segment
from whoosh.reading import IndexReader, SegmentReader
from whoosh.writing import SegmentWriter

from epss.search.analysis import ANALYSIS_VERSION, Lexicon, cached_lookups, stem
from epss.search.documents import (
    compound_words,
    documents,
    lexicon_words,
    plain_documents,
    schema,
    task_words,
)
from epss.search.stats import Dead
from epss.search.store import (
    IndexNeedsRebuild,
    current_lexicon,
    open_index,
    state_of,
    with_state,
    writer_lock,
)

DocumentsOf = Callable[[set[str]], list[tuple[dict[str, Any], int]]]
# Segments of at most SMALL documents merge when MERGE_AT of one size class exist.
SMALL = (64, 512)
MERGE_AT = 8
# Past these, searches pay for deleted documents and segments: a rebuild is advised.
ADVISE_DEAD_SHARE = 0.25
ADVISE_SEGMENTS = 24


@dataclass(frozen=True)
class UpdateResult:
    applied: bool  # False: the index already reflected the position
    position: int | None  # the index's position now (compact: None when it has none)
    written: int = 0  # tasks whose documents were (re)written
    reanalysed: int = 0  # of those: tasks whose words a lexicon change split otherwise
    deleted: int = 0  # tasks whose documents were removed without replacement
    segments: int = 0
    small_segments: int = 0
    dead_share: float = 0.0  # of the documents in segments, the deleted ones

    @property
    def compaction_due(self) -> bool:
        """True when `compact` would merge small segments (best run off the request path:
        it copies their documents, about a millisecond each in Whoosh)."""
        return self.small_segments >= MERGE_AT

    @property
    def rebuild_advised(self) -> bool:
        """True when a full rebuild (beside the live index) would make searches faster."""
        return self.dead_share > ADVISE_DEAD_SHARE or self.segments > ADVISE_SEGMENTS


def update(
    directory: Path,
    items: Iterable[tuple[dict[str, Any], int]],
    removed: Iterable[str],
    position: int,
    documents_of: DocumentsOf,
) -> UpdateResult:
    items, removed = list(items), set(removed)
    with writer_lock(directory):
        try:
            writer = SegmentWriter(open_index(directory), _lk=False)
        except Exception as error:
            raise IndexNeedsRebuild(f"the search index cannot be opened: {error}") from error
        try:
            return _Update(writer, position, documents_of).run(items, removed)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise


class _Update:
    def __init__(self, writer: SegmentWriter, position: int, documents_of: DocumentsOf):
        self.writer = writer
        self.position = position
        self.documents_of = documents_of

    def run(self, items: list[tuple[dict[str, Any], int]], removed: set[str]) -> UpdateResult:
        writer = self.writer
        state = state_of(writer.schema)
        current = state.get("position")
        if state.get("analysis") != ANALYSIS_VERSION or not isinstance(current, int):
            raise IndexNeedsRebuild("the search index is of another analysis or catalog")
        if current >= self.position:
            writer.cancel()
            return UpdateResult(applied=False, position=current)
        reader = writer.reader()
        try:
            return self._apply(reader, state, items, removed)
        finally:
            reader.close()

    def _apply(
        self,
        reader: IndexReader,
        state: dict[str, Any],
        items: list[tuple[dict[str, Any], int]],
        removed: set[str],
    ) -> UpdateResult:
        writer = self.writer
        dead = {sid: Dead(**part) for sid, part in state["dead"].items()}
        old_schema, lexicon = writer.schema, current_lexicon(writer.schema)
        fresh = {document["slug"]: (document, version) for document, version in items}
        drop = removed | set(fresh)
        live = {slug: _live_documents(reader, slug) for slug in drop}
        plain = {
            slug: plain_documents(document, version) for slug, (document, version) in fresh.items()
        }
        words = {slug: task_words(docs) for slug, docs in plain.items()}
        stem_counts, word_counts = state["stems"], state["words"]
        delta: Counter[str] = Counter()
        word_delta: Counter[str] = Counter()

        def account(slug: str) -> None:
            old_words = _stored_words(live[slug])
            delta.subtract(lexicon_words(old_words))
            word_delta.subtract(set(old_words))
            if slug in fresh:
                delta.update(lexicon_words(words[slug]))
                word_delta.update(words[slug])

        for slug in drop:
            account(slug)
        reanalysed: set[str] = set()
        vocabulary = [w for w, n in word_counts.items() if n > 0]
        while True:
            counts = {s: stem_counts.get(s, 0) + d for s, d in delta.items() if d}
            stems = {*lexicon.stems, *(s for s, n in counts.items() if n > 0)} - {
                s for s, n in counts.items() if n <= 0
            }
            new_lexicon = Lexicon.of_stems(stems)
            found = _split_otherwise(reader, lexicon, new_lexicon, drop, vocabulary)
            if not found:
                break
            reanalysed |= found
            got = {
                document["slug"]: (document, version)
                for document, version in self.documents_of(set(found))
            }
            for slug in found:  # one the catalog no longer has is removed
                live[slug] = _live_documents(reader, slug)
                drop.add(slug)
                if slug in got:
                    fresh[slug] = got[slug]
                    plain[slug] = plain_documents(*got[slug])
                    words[slug] = task_words(plain[slug])
                account(slug)
        for slug in sorted(drop):
            for docnum, stored in live[slug]:
                segment = writer._segment_and_docnum(docnum)[0]
                dead.setdefault(segment.segment_id(), Dead()).add(old_schema, stored)
                writer.delete_document(docnum)
        if new_lexicon.stems != lexicon.stems:
            writer.schema = schema(new_lexicon)
        built = state["vocabulary"]  # indexed for spelling already, never deleted
        for slug in sorted(fresh):
            for doc in documents(plain[slug], words[slug], words[slug] - built):
                writer.add_document(**doc)
        new_state = {
            "position": self.position,
            "analysis": ANALYSIS_VERSION,
            "dead": {},
            "words": _counted(word_counts, word_delta),
            "stems": _counted(stem_counts, delta),
            "vocabulary": built,
        }
        with_state(writer.schema, new_state)
        summary: dict[str, Any] = {}
        writer.commit(mergetype=_merge_policy(dead, new_state, summary, merge=False))
        return UpdateResult(
            applied=True,
            position=self.position,
            written=len(fresh),
            reanalysed=len(reanalysed & set(fresh)),
            deleted=len(drop - set(fresh)),
            **summary,
        )


def compact(directory: Path) -> UpdateResult:
    """Merge the small segments that updates left (the index's content and position do
    not change); searches go on meanwhile, writers wait."""
    with writer_lock(directory):
        try:
            writer = SegmentWriter(open_index(directory), _lk=False)
        except Exception as error:
            raise IndexNeedsRebuild(f"the search index cannot be opened: {error}") from error
        state = dict(state_of(writer.schema))
        dead = {sid: Dead(**part) for sid, part in state.get("dead", {}).items()}
        with_state(writer.schema, state)
        summary: dict[str, Any] = {}
        try:
            writer.commit(mergetype=_merge_policy(dead, state, summary, merge=True))
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
    return UpdateResult(applied=False, position=state.get("position"), **summary)


def _carry_lengths(reader: SegmentReader, dead: Dead | None, adjust: Dead) -> None:
    """Whoosh copies a merged document's field lengths as stored, one byte each (rounded),
    and sums those: `adjust` records what that adds to the exact totals."""
    for name in ("text", "heading"):
        exact = (reader.field_length(name) or 0) - (dead.lengths.get(name, 0) if dead else 0)
        rounded = sum(reader.doc_field_length(doc, name) or 0 for doc in reader.all_doc_ids())
        if rounded != exact:
            adjust.lengths[name] = adjust.lengths.get(name, 0) + rounded - exact


def _live_documents(reader: IndexReader, slug: str) -> list[tuple[int, dict[str, Any]]]:
    if ("slug", slug) not in reader:
        return []
    return [
        (docnum, reader.stored_fields(docnum)) for docnum in reader.postings("slug", slug).all_ids()
    ]


def _stored_words(docs: list[tuple[int, dict[str, Any]]]) -> list[str]:
    return next((stored.get("words", "").split() for _, stored in docs if stored.get("n") == 0), [])


def _counted(counts: dict[str, int], delta: Counter[str]) -> dict[str, int]:
    """The counts with the changes of `delta`, without those that reach zero."""
    changed = dict(counts)
    for key, d in delta.items():
        if d:
            n = changed.get(key, 0) + d
            if n > 0:
                changed[key] = n
            else:
                changed.pop(key, None)
    return changed


def _split_otherwise(
    reader: IndexReader, old: Lexicon, new: Lexicon, skip: set[str], vocabulary: list[str]
) -> set[str]:
    """The tasks (other than `skip`) whose compounds the new lexicon splits otherwise:
    those with a word of the `vocabulary` (the words of the live tasks) whose splits
    may look up a stem that entered or left the lexicon."""
    changed = old.stems ^ new.stems
    if not changed:
        return set()
    concerned = sorted(
        w
        for w in compound_words(vocabulary)
        if not changed.isdisjoint(cached_lookups(w)) and old.split(w) != new.split(w)
    )
    found: set[str] = set()
    tasks: dict[str, set[str]] = {}
    for word in concerned:
        # A task's documents hold the stem of each of its words (the whole compound is a
        # term before its parts); its task document stores the words themselves.
        term = stem(word)
        if ("text", term) not in reader:
            continue
        for docnum in reader.postings("text", term).all_ids():
            slug = reader.stored_fields(docnum)["slug"]
            if slug in skip or slug in found:
                continue
            if slug not in tasks:
                tasks[slug] = set(_stored_words(_task_document(reader, slug)))
            if word in tasks[slug]:
                found.add(slug)
    return found


def _task_document(reader: IndexReader, slug: str) -> list[tuple[int, dict[str, Any]]]:
    key = f"task:{slug}"
    if ("id", key) not in reader:
        return []
    return [
        (docnum, reader.stored_fields(docnum)) for docnum in reader.postings("id", key).all_ids()
    ]


MergePolicy = Callable[[SegmentWriter, list[Segment]], list[Segment]]


def _merge_policy(
    dead: dict[str, Dead], state: dict[str, Any], summary: dict[str, Any], merge: bool
) -> MergePolicy:
    """A Whoosh merge policy: drops segments without live documents, merges (with
    `merge`) the small ones of a size class once MERGE_AT of them exist, and records in
    `state` what the deleted documents of the remaining segments count."""

    def policy(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
        kept: list[Segment] = []
        classes: list[list[Segment]] = [[] for _ in SMALL]
        adjust = Dead()
        for segment in segments:
            if segment.doc_count() == 0:
                continue
            size = segment.doc_count_all()
            rank = next((i for i, most in enumerate(SMALL) if size <= most), None)
            (kept if rank is None else classes[rank]).append(segment)
        for group in classes:
            if not merge or len(group) < MERGE_AT:
                kept += group
                continue
            for segment in group:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                _carry_lengths(reader, dead.get(segment.segment_id()), adjust)
                writer.add_reader(reader)
                reader.close()
        if adjust.lengths:
            dead[writer.newsegment.segment_id()] = adjust
            kept_ids_new = writer.newsegment.segment_id()
        else:
            kept_ids_new = None
        order = {segment.segment_id(): i for i, segment in enumerate(segments)}
        kept.sort(key=lambda segment: order[segment.segment_id()])
        ids = {segment.segment_id() for segment in kept} | {kept_ids_new}
        state["dead"] = {
            sid: {"docs": part.docs, "lengths": part.lengths, "df": part.df}
            for sid, part in dead.items()
            if sid in ids
        }
        documents_in = sum(s.doc_count_all() for s in kept) + writer.docnum
        dead_count = sum(part.docs for sid, part in dead.items() if sid in ids)
        new_small = 0 < writer.docnum <= SMALL[0]
        summary.update(
            segments=len(kept) + (1 if writer.docnum else 0),
            small_segments=new_small + sum(s.doc_count_all() <= SMALL[0] for s in kept),
            dead_share=dead_count / documents_in if documents_in else 0.0,
        )
        return kept

    return policy
