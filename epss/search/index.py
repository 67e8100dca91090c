"""The Whoosh index of published guidance: one document per task and one per step."""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from epss.render import markdown_to_text
from epss.search.analysis import (
    ANALYSIS_VERSION,
    Lexicon,
    dutch_analyzer,
    spelling_analyzer,
    words,
)
from epss.search.query import build_query
from epss.search.synonyms import Synonyms

log = logging.getLogger(__name__)

_STATE_FILE = "epss-index.json"
_SNIPPET_CHARS = 160


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
    analyzer = dutch_analyzer(lexicon)
    return Schema(
        id=ID(unique=True, stored=True),
        slug=ID(stored=True),
        step=STORED,
        version=STORED,
        task_title=STORED,
        title=TEXT(analyzer=analyzer, stored=True),
        tags=TEXT(analyzer=analyzer),
        body=TEXT(analyzer=analyzer, stored=True),
        context=TEXT(analyzer=analyzer),
        spelling=TEXT(analyzer=spelling_analyzer(), phrase=False),
    )


def _documents(document: dict, version: int) -> Iterable[dict]:
    """The index documents of one published task version."""
    slug, title = document["slug"], document["title"]
    task_words = " ".join([title, *document.get("tags", [])])
    tags = " ".join([*document.get("tags", []), *document.get("zaaktypen", [])])
    body = " ".join(markdown_to_text(document.get(k, ""))
                    for k in ("goal", "trigger", "standard")).strip()
    yield {
        "id": f"task:{slug}", "slug": slug, "step": None, "version": version,
        "task_title": title, "title": title, "tags": tags, "body": body, "context": "",
        "spelling": f"{title} {tags} {body}",
    }
    for step in document["steps"]:
        body = " ".join(markdown_to_text(step.get(k, ""))
                        for k in ("instruction", "why", "warning", "check")).strip()
        yield {
            "id": f"step:{slug}:{step['id']}", "slug": slug, "step": step["id"],
            "version": version, "task_title": title, "title": step["title"], "tags": "",
            "body": body,
            "context": task_words + " " + " ".join(b["if"] for b in step.get("branches", [])),
            "spelling": f"{step['title']} {body}",
        }


def _lexicon(items: list[tuple[dict, int]], synonyms: Synonyms) -> Lexicon:
    lexicon = Lexicon()
    for document, version in items:
        for doc in _documents(document, version):
            lexicon.add(words(" ".join(str(doc[k]) for k in ("title", "tags", "body"))))
    return lexicon


class SearchIndex:
    """The index in one folder. Safe to share between threads; several processes on one
    machine may share the folder (a searcher notices a newer index and refreshes)."""

    def __init__(self, directory: Path, synonyms: Synonyms):
        self.directory = directory
        self.synonyms = synonyms
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None

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
        schema = _schema(_lexicon(items, self.synonyms))
        with self._lock:
            writer = self._fresh_writer(schema)
            count = 0
            for document, version in items:
                for doc in _documents(document, version):
                    writer.add_document(**doc)
                    count += 1
            writer.commit(mergetype=CLEAR)
            (self.directory / _STATE_FILE).write_text(
                json.dumps({"fingerprint": fingerprint, "analysis": ANALYSIS_VERSION}))
        log.info("search index built: %d documents", count)
        return count

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

    def search(self, text: str, limit: int = 10, *, fields: tuple[str, ...] | None = None,
               fuzzy: bool = True) -> list[SearchHit]:
        """Tasks and steps that match `text`, best first. `fields` narrows where words may
        match (default: everywhere); `fuzzy=False` turns typo tolerance off."""
        with self._lock:
            searcher = self._current_searcher()
            analyzer = searcher.schema["body"].analyzer
            lexicon = next(f.lexicon for f in analyzer.items if hasattr(f, "lexicon"))
            query = build_query(text, synonyms=self.synonyms, lexicon=lexicon,
                                reader=searcher.reader(), fields=fields, fuzzy=fuzzy)
            if query is None:
                return []
            results = searcher.search(query, limit=limit, terms=True)
            results.fragmenter = ContextFragmenter(maxchars=_SNIPPET_CHARS, surround=60)
            results.formatter = HtmlFormatter(tagname="mark", between=" … ")
            return [self._hit(hit) for hit in results]

    @staticmethod
    def _hit(hit) -> SearchHit:
        snippet = hit.highlights("body", top=2)
        if not snippet:
            body = hit.get("body", "")
            cut = body[:_SNIPPET_CHARS].rsplit(" ", 1)[0] if len(body) > _SNIPPET_CHARS else body
            snippet = HtmlFormatter()._text(cut + (" …" if cut != body else ""))
        return SearchHit(
            task_slug=hit["slug"], task_title=hit["task_title"], task_version=hit["version"],
            step_id=hit.get("step"), title=hit["title"], snippet=snippet,
            score=round(hit.score, 4),
        )

    def _current_searcher(self) -> Searcher:
        # A new searcher, not Searcher.refresh(): refresh reuses segment readers and then
        # still serves the documents a rebuild (CLEAR) removed.
        if self._searcher is None or not self._searcher.up_to_date():
            self._close()
            self._searcher = whoosh_index.open_dir(str(self.directory)).searcher()
        return self._searcher

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def close(self) -> None:
        with self._lock:
            self._close()
