"""The Whoosh index of published guidance: one document per task and one per step."""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from epss.render import markdown_to_text
from epss.search.analysis import (
    ANALYSIS_VERSION,
    SECTION_MARK,
    Lexicon,
    WordCachedAnalyzer,
    dutch_analyzer,
    lexicon_of,
    spelling_analyzer,
    words,
)
from epss.search.query import HEADING_FIELD, TEXT_FIELD, build_query
from epss.search.ranking import Ranker
from epss.search.synonyms import Synonyms

log = logging.getLogger(__name__)

_STATE_FILE = "epss-index.json"
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


def _schema(lexicon: Lexicon) -> Schema:
    return Schema(
        id=ID(unique=True, stored=True),
        slug=ID(stored=True),
        step=STORED,
        version=STORED,
        task_title=STORED,
        title=STORED,
        body=STORED,
        # What queries match: title, tags and body in one field, weighted by section.
        text=TEXT(analyzer=dutch_analyzer(lexicon, sections=True), phrase=False),
        # Title and tags of tasks (not steps), for matching a page's own words to a task.
        heading=TEXT(analyzer=dutch_analyzer(lexicon), phrase=False),
        # Only its vocabulary is used: the words as written, to correct typos against.
        spelling=TEXT(analyzer=spelling_analyzer(), phrase=False),
    )


def _documents(document: dict, version: int) -> Iterator[dict]:
    """The index documents of one published task version: the task, then each step."""
    slug, title = document["slug"], document["title"]
    common = {"slug": slug, "version": version, "task_title": title}
    tags = " ".join([*document.get("tags", []), *document.get("zaaktypen", [])])
    body = " ".join(markdown_to_text(document.get(k, ""))
                    for k in ("goal", "trigger", "standard")).strip()
    yield {**_document(common, f"task:{slug}", None, title, tags, body),
           "heading": f"{title} {tags}"}
    for step in document["steps"]:
        body = " ".join(markdown_to_text(step.get(k, ""))
                        for k in ("instruction", "why", "warning", "check")).strip()
        yield _document(common, f"step:{slug}:{step['id']}", step["id"], step["title"], "",
                        body)


def _document(common: dict, doc_id: str, step: str | None, title: str, tags: str,
              body: str) -> dict:
    return {**common, "id": doc_id, "step": step, "title": title, "body": body,
            "text": SECTION_MARK.join((title, tags, body))}


def _vocabulary_document(vocabulary: set[str]) -> dict:
    """One document holding every word once: the spelling field's vocabulary."""
    return {"id": "vocabulary", "spelling": " ".join(sorted(vocabulary))}


def _snippet(body: str, terms: set[str], analyzer) -> str:
    """The passages of `body` with the query's terms, escaped, matches in <mark>."""
    formatter = HtmlFormatter(tagname="mark", between=" … ")
    snippet = highlight(body, terms, analyzer,
                        ContextFragmenter(maxchars=_SNIPPET_CHARS, surround=60),
                        formatter, top=2)
    if snippet:
        return snippet
    cut = body[:_SNIPPET_CHARS].rsplit(" ", 1)[0] if len(body) > _SNIPPET_CHARS else body
    return formatter._text(cut + (" …" if cut != body else ""))


def _with_task_context(results: list[tuple[dict, float]]) -> list[tuple[dict, float]]:
    """Hits (stored fields, score) with their final score, best first: a step gains part
    of the score of its own task, so the steps of the task the query is about come first."""
    task_scores = {hit["slug"]: score for hit, score in results if hit.get("step") is None}
    scored = [(hit, score + (TASK_CONTEXT_WEIGHT * task_scores.get(hit["slug"], 0.0)
                             if hit.get("step") else 0.0)) for hit, score in results]
    return sorted(scored, key=lambda pair: pair[1], reverse=True)


class SearchIndex:
    """The index in one folder. Safe to share between threads; several processes on one
    machine may share the folder (a searcher notices a newer index and reopens)."""

    def __init__(self, directory: Path, synonyms: Synonyms):
        self.directory = directory
        self.synonyms = synonyms
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._ranker: Ranker | None = None
        self._snippet_analyzer: WordCachedAnalyzer | None = None

    # -- building -------------------------------------------------------------------

    def is_current(self, fingerprint: str) -> bool:
        """True when the folder holds a readable index of the catalog `fingerprint`."""
        try:
            state = json.loads((self.directory / _STATE_FILE).read_text())
            if state != {"fingerprint": fingerprint, "analysis": ANALYSIS_VERSION}:
                return False
            ix = whoosh_index.open_dir(str(self.directory))
            with ix.searcher() as searcher:
                searcher.doc_count()
            return True
        except Exception:  # missing, half-written or corrupt: all mean "rebuild"
            return False

    def rebuild(self, items: list[tuple[dict, int]], fingerprint: str) -> int:
        """Index the (document, version number) items from scratch; returns the doc count.

        A readable index is replaced in place (a new generation, so searchers in other
        processes notice it); a missing or corrupt one is created anew.
        """
        docs = [doc for document, version in items for doc in _documents(document, version)]
        vocabulary = {w for doc in docs for w in words(doc["text"])}
        schema = _schema(Lexicon(vocabulary))
        with self._lock:
            writer = self._fresh_writer(schema)
            for doc in docs:
                writer.add_document(**doc)
            writer.add_document(**_vocabulary_document(vocabulary))
            writer.commit(mergetype=CLEAR)
            (self.directory / _STATE_FILE).write_text(
                json.dumps({"fingerprint": fingerprint, "analysis": ANALYSIS_VERSION}))
        log.info("search index built: %d documents", len(docs))
        return len(docs)

    def _fresh_writer(self, schema: Schema):
        try:
            writer = whoosh_index.open_dir(str(self.directory)).writer(limitmb=256)
        except Exception:
            self._close()
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory.mkdir(parents=True)
            return whoosh_index.create_in(str(self.directory), schema).writer(limitmb=256)
        writer.schema = schema  # the new lexicon; CLEAR drops every old segment
        return writer

    # -- searching ------------------------------------------------------------------

    def search(self, text: str, limit: int = 10, *, headings_only: bool = False,
               fuzzy: bool = True) -> list[SearchHit]:
        """Tasks and steps that match `text`, best first. `headings_only` matches the
        titles and tags of tasks only, and leaves snippets out; `fuzzy=False` turns typo
        tolerance off."""
        with self._lock:
            searcher = self._current_searcher()
            analyzer = searcher.schema[TEXT_FIELD].analyzer
            field = HEADING_FIELD if headings_only else TEXT_FIELD
            query = build_query(text, synonyms=self.synonyms, lexicon=lexicon_of(analyzer),
                                reader=searcher.reader(), field=field, fuzzy=fuzzy)
            if query is None:
                return []
            if headings_only:
                return [self._hit(hit, score) for hit, score in self._top(query, limit)]
            results = self._top(query, max(3 * limit, 30))
            terms = {t for f, t in query.iter_all_terms() if f == field}
            return [self._hit(hit, score, _snippet(hit.get("body", ""), terms,
                                                   self._snippet_analyzer))
                    for hit, score in _with_task_context(results)[:limit]]

    def _top(self, query, limit: int) -> list[tuple[dict, float]]:
        """The stored fields and score of the best `limit` documents."""
        stored = self._searcher.stored_fields
        return [(stored(doc), score) for doc, score in self._ranker.top(query, limit)]

    @staticmethod
    def _hit(hit: dict, score: float, snippet: str = "") -> SearchHit:
        return SearchHit(
            task_slug=hit["slug"], task_title=hit["task_title"], task_version=hit["version"],
            step_id=hit.get("step"), title=hit["title"], snippet=snippet,
            score=round(score, 4),
        )

    def _current_searcher(self) -> Searcher:
        # A new searcher, not Searcher.refresh(): refresh reuses segment readers and then
        # still serves the documents a rebuild (CLEAR) removed.
        if self._searcher is None or not self._searcher.up_to_date():
            self._close()
            self._searcher = whoosh_index.open_dir(str(self.directory)).searcher()
            self._ranker = Ranker(self._searcher)
            # The words of the bodies, analysed as the heading field does (no sections),
            # each word once per index: the lexicon that splits compounds is the index's.
            self._snippet_analyzer = WordCachedAnalyzer(
                self._searcher.schema[HEADING_FIELD].analyzer)
        return self._searcher

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = self._ranker = None

    def close(self) -> None:
        with self._lock:
            self._close()
