"""The search index of published guidance: one document per task and one per step.

`SearchIndex` answers searches and hands changes to the writers: `rebuild` (a full build
beside the live index, swapped in; epss.search.store) and `update` (some tasks' documents
replaced; epss.search.updates). Writers never take the lock that searches use: a search
waits at most for its own process to open the newer generation a writer committed, and
then reopens only the segments that changed.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.index import TOC, FileIndex
from whoosh.query import Query
from whoosh.reading import MultiReader, SegmentReader
from whoosh.searching import Searcher

from epss.search.analysis import ANALYSIS_VERSION, Lexicon, WordCachedAnalyzer, lexicon_of
from epss.search.documents import META_ID
from epss.search.query import HEADING_FIELD, TEXT_FIELD, build_query
from epss.search.ranking import LengthCache, Ranker
from epss.search.stats import Dead, LiveStats, segment_id
from epss.search.store import INDEX_NAME, IndexNeedsRebuild, read_state, retried, state_of
from epss.search.synonyms import Synonyms
from epss.search.updates import DocumentsOf, UpdateResult
from epss.search.writes import InChildProcess, InThisProcess

__all__ = ["IndexNeedsRebuild", "SearchHit", "SearchIndex", "UpdateResult"]

log = logging.getLogger(__name__)

_SNIPPET_CHARS = 160
TASK_CONTEXT_WEIGHT = 0.5


@dataclass(frozen=True)
class SearchHit:
    task_slug: str
    task_title: str
    task_version: int
    step_id: str | None
    title: str
    snippet: str
    score: float


def _snippet(body: str, terms: set[str], analyzer: WordCachedAnalyzer) -> str:
    """The passages of `body` with the query's terms, escaped, matches in <mark>."""
    formatter = HtmlFormatter(tagname="mark", between=" … ")
    snippet: str = highlight(
        body,
        terms,
        analyzer,
        ContextFragmenter(maxchars=_SNIPPET_CHARS, surround=60),
        formatter,
        top=2,
    )
    if snippet:
        return snippet
    cut = body[:_SNIPPET_CHARS].rsplit(" ", 1)[0] if len(body) > _SNIPPET_CHARS else body
    text: str = formatter._text(cut + (" …" if cut != body else ""))
    return text


def _words(text: str, analyzer: WordCachedAnalyzer) -> set[str]:
    """The terms of `text` as the index has them, without stop words."""
    return {token.text for token in analyzer(text, chars=False, removestops=True)}


def _named_first(
    results: list[tuple[dict[str, Any], float]], query: str, analyzer: WordCachedAnalyzer
) -> list[tuple[dict[str, Any], float]]:
    """A task whose title holds every word of a query of two words or more is the one
    asked for: it goes before all others (a task with little text may otherwise score
    below the steps of a longer task that shares most of the words)."""
    asked = _words(query, analyzer)
    if len(asked) < 2 or not results:
        return results
    first = max(score for _, score in results) + 1.0
    return [
        (
            hit,
            first if hit.get("step") is None and asked <= _words(hit["title"], analyzer) else score,
        )
        for hit, score in results
    ]


def _with_task_context(
    results: list[tuple[dict[str, Any], float]],
) -> list[tuple[dict[str, Any], float]]:
    """Hits (stored fields, score) with their final score, best first: a step gains part
    of the score of its own task, so the steps of the task the query is about come first."""
    task_scores = {hit["slug"]: score for hit, score in results if hit.get("step") is None}
    scored = [
        (
            hit,
            score
            + (TASK_CONTEXT_WEIGHT * task_scores.get(hit["slug"], 0.0) if hit.get("step") else 0.0),
        )
        for hit, score in results
    ]
    return sorted(scored, key=lambda pair: pair[1], reverse=True)


@dataclass
class _View:
    """One generation of the index as this process searches it."""

    searcher: Searcher
    stats: LiveStats
    ranker: Ranker
    lexicon: Lexicon
    snippet_analyzer: WordCachedAnalyzer

    def order(self, docnum: int) -> tuple[str, int]:
        """Where a full build puts the document: by task slug, then its place in the task."""
        stored = self.searcher.stored_fields(docnum)
        return stored.get("slug", ""), stored.get("n", 0)


def _files_in(directory: Path) -> frozenset[tuple[str, int, int]]:
    """Each file of the folder with its size and time of change (empty when it is gone)."""
    try:
        with os.scandir(directory) as entries:
            return frozenset(
                (e.name, (st := e.stat()).st_size, st.st_mtime_ns) for e in entries if e.is_file()
            )
    except OSError:
        return frozenset()


class SearchIndex:
    """The index in one folder. Safe to share between threads; several processes may
    share the folder (writers take a file lock; a searcher notices a newer generation)."""

    def __init__(self, directory: Path, synonyms: Synonyms):
        self.directory = directory
        self.synonyms = synonyms
        self._writes: InThisProcess | InChildProcess = InThisProcess()
        self._lock = threading.Lock()
        self._view: _View | None = None
        self._lengths: LengthCache = {}
        self._checked: tuple[frozenset[tuple[str, int, int]], dict[str, Any] | None] = (
            frozenset(),
            None,
        )

    # -- writing --------------------------------------------------------------------

    def write_in_a_child_process(self) -> Future[None]:
        """For a serving process: run every write from now on in a child process, so
        that it never holds up a search (epss.search.writes). The child starts now; the
        future is done once it is ready."""
        self._writes = InChildProcess()
        return self._writes.start()

    def position(self) -> int | None:
        """The catalog change-log position the index reflects; None when it is missing,
        unreadable or of another analysis version (then: rebuild). Its files are read
        again only when one of them changed (probes and the follower ask every few seconds)."""
        files = _files_in(self.directory)
        checked, state = self._checked
        if not files or files != checked:
            state = read_state(self.directory)
            self._checked = (files, state)
        position = None if state is None else state.get("position")
        return position if isinstance(position, int) else None

    def rebuild(self, items: Iterable[tuple[dict[str, Any], int]], position: int) -> int:
        """Index the (document, version number) items from scratch, beside the live index,
        and swap the result in; returns the number of task and step documents. Searches
        go on meanwhile, on the live index; writers wait."""
        return self._writes.build(self.directory, items, position)

    def update(
        self,
        items: Iterable[tuple[dict[str, Any], int]],
        removed: Iterable[str],
        position: int,
        documents_of: DocumentsOf,
    ) -> UpdateResult:
        """Replace the documents of the tasks of `items` (by slug), delete those of the
        slugs `removed`, and index again the tasks whose words the changed lexicon splits
        otherwise (their current documents come from `documents_of(slugs)`). Nothing
        happens when the index already reflects `position`. Searchable on return.
        Raises IndexNeedsRebuild when the index is missing, corrupt or outdated."""
        return self._writes.update(
            self.directory, list(items), set(removed), position, documents_of
        )

    def compact(self) -> UpdateResult:
        """Merge the small segments updates left, when `UpdateResult.compaction_due`;
        run it off the request path (it takes up to about a second)."""
        return self._writes.compact(self.directory)

    def doc_count(self) -> int:
        """The number of task and step documents in the index (0 when there is none)."""
        with self._lock:
            try:
                view = self._current()
            except Exception:
                return 0
            reader = view.searcher.reader()
            meta: int = reader.doc_frequency("id", META_ID)
            return view.stats.doc_count() - meta

    # -- searching ------------------------------------------------------------------

    def search(
        self, text: str, limit: int = 10, *, headings_only: bool = False, fuzzy: bool = True
    ) -> list[SearchHit]:
        """Tasks and steps that match `text`, best first. `headings_only` matches the
        titles and tags of tasks only, and leaves snippets out; `fuzzy=False` turns typo
        tolerance off."""
        with self._lock:
            view = self._current()
            field = HEADING_FIELD if headings_only else TEXT_FIELD
            query = build_query(
                text,
                synonyms=self.synonyms,
                lexicon=view.lexicon,
                reader=view.stats,
                field=field,
                fuzzy=fuzzy,
            )
            if query is None:
                return []
            if headings_only:
                return [self._hit(hit, score) for hit, score in self._top(view, query, limit)]
            results = self._top(view, query, max(3 * limit, 30))
            terms = {t for f, t in query.iter_all_terms() if f == field}
            return [
                self._hit(hit, score, _snippet(hit.get("body", ""), terms, view.snippet_analyzer))
                for hit, score in _with_task_context(
                    _named_first(results, text, view.snippet_analyzer)
                )[:limit]
            ]

    @staticmethod
    def _top(view: _View, query: Query, limit: int) -> list[tuple[dict[str, Any], float]]:
        """The stored fields and score of the best `limit` documents."""
        stored = view.searcher.stored_fields
        return [(stored(doc), score) for doc, score in view.ranker.top(query, limit)]

    @staticmethod
    def _hit(hit: dict[str, Any], score: float, snippet: str = "") -> SearchHit:
        return SearchHit(
            task_slug=hit["slug"],
            task_title=hit["task_title"],
            task_version=hit["version"],
            step_id=hit.get("step"),
            title=hit["title"],
            snippet=snippet,
            score=round(score, 4),
        )

    def _current(self) -> _View:
        view = self._view
        if view is None:
            view = self._view = retried(lambda: self._open(None))
            return view
        try:
            if not view.searcher.up_to_date():
                previous = view
                view = self._view = retried(lambda: self._open(previous))
        except Exception:
            # The folder went missing or its newest generation does not read: answer from
            # the generation this process has open until a rebuild replaces it.
            log.warning(
                "search index in %s unreadable; searching the one open",
                self.directory,
                exc_info=True,
            )
        return view

    def _open(self, previous: _View | None) -> _View:
        """The newest generation, reusing the segment readers of `previous` whose segment
        (and its deleted documents) did not change."""
        storage = FileStorage(str(self.directory))
        toc = TOC.read(storage, INDEX_NAME)
        if state_of(toc.schema).get("analysis") != ANALYSIS_VERSION:
            raise IndexNeedsRebuild(f"no search index of this version in {self.directory}")
        reusable = {}
        if previous is not None:
            reusable = {
                (segment_id(r), frozenset(r.segment().deleted_docs())): r
                for r, _ in previous.searcher.reader().leaf_readers()
            }
        readers = []
        for segment in toc.segments:
            key = (segment.segment_id(), frozenset(segment.deleted_docs()))
            reader = reusable.pop(key, None)
            readers.append(
                reader or SegmentReader(storage, toc.schema, segment, generation=toc.generation)
            )
        for unused in reusable.values():
            unused.close()
        reader = MultiReader(readers, generation=toc.generation)
        searcher = Searcher(reader, fromindex=FileIndex(storage, indexname=INDEX_NAME))
        ids = {segment.segment_id() for segment in toc.segments}
        self._lengths = {key: value for key, value in self._lengths.items() if key[0] in ids}
        state = state_of(toc.schema)
        dead = {sid: Dead(**part) for sid, part in state["dead"].items()}
        stats = LiveStats(reader, dead, state["words"])
        lexicon = lexicon_of(toc.schema[TEXT_FIELD].analyzer)
        if previous is not None and previous.lexicon.stems == lexicon.stems:
            lexicon, snippets = previous.lexicon, previous.snippet_analyzer
        else:
            # The words of the bodies, analysed as the heading field does (no sections),
            # each word once per lexicon: the lexicon that splits compounds is the index's.
            snippets = WordCachedAnalyzer(toc.schema[HEADING_FIELD].analyzer)
        view = _View(searcher, stats, None, lexicon, snippets)  # type: ignore[arg-type]
        view.ranker = Ranker(searcher, stats, view.order, self._lengths)
        return view

    def close(self) -> None:
        self._writes.close()
        with self._lock:
            if self._view is not None:
                self._view.searcher.close()
                self._view = None
