"""The index folder on disk: opening it, its state, the writers' lock, and full builds.

The folder holds one Whoosh index (name MAIN). Every change is a Whoosh commit: new
segment files, then a new table of contents (`_MAIN_<generation>.toc`, written to a
temporary name and renamed), which is the moment the change becomes visible; searchers
notice the newer generation. The table of contents also carries, on the schema, the
index's state: the catalog position it reflects, its analysis version and what deleted
documents still count (epss.search.stats), so all of it changes in that one rename.

Writers (full builds and updates, in any process) take the file lock MAIN_WRITELOCK in
the folder; readers never take it. A full build writes a complete index into a hidden
folder inside the live one and then moves its segment file in and writes the next
generation's table of contents: a missing, corrupt or outdated index is replaced the
same way, and the folder never shows a half-built or empty index.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.codec.base import Segment
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex, clean_files

from epss.search.analysis import ANALYSIS_VERSION, Lexicon, lexicon_of
from epss.search.documents import (
    documents,
    lexicon_words,
    meta_document,
    plain_documents,
    schema,
    task_words,
)

log = logging.getLogger(__name__)

INDEX_NAME = "MAIN"
LOCK_NAME = f"{INDEX_NAME}_WRITELOCK"
_BUILD_PREFIX = ".build-"
_OLD_STATE_FILE = "epss-index.json"  # of indexes before positions
_STATE = "epss_state"  # the attribute of the schema that holds the index's state
_OPEN_TRIES = 20
T = TypeVar("T")


class IndexNeedsRebuild(RuntimeError):
    """The index is missing, unreadable or of another analysis version: rebuild it."""


def state_of(index_schema: Schema) -> dict[str, Any]:
    """{'position': …, 'analysis': …, 'dead': {segment id: Dead as dict},
    'words': {word: the number of live tasks with it}, 'stems': {stem: the same},
    'vocabulary': the words of the full build's vocabulary document}."""
    return getattr(index_schema, _STATE, None) or {}


def with_state(index_schema: Schema, state: dict[str, Any]) -> Schema:
    setattr(index_schema, _STATE, state)
    return index_schema


def retried(open_: Callable[[], T]) -> T:
    """`open_()`, again when a writer removed a file it was reading (a commit deletes the
    files of the previous generation); other errors pass."""
    for attempt in range(_OPEN_TRIES):
        try:
            return open_()
        except FileNotFoundError:
            if attempt == _OPEN_TRIES - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")


def open_index(directory: Path) -> FileIndex:
    return retried(lambda: FileIndex(FileStorage(str(directory)), indexname=INDEX_NAME))


def read_state(directory: Path) -> dict[str, Any] | None:
    """The state of a readable index of this analysis version, else None: a table of
    contents that reads and segments that open."""
    try:

        def check() -> dict[str, Any]:
            storage = FileStorage(str(directory))
            toc = TOC.read(storage, INDEX_NAME)
            reader = FileIndex._reader(storage, toc.schema, toc.segments, toc.generation)
            try:
                reader.doc_count()
            finally:
                reader.close()
            return state_of(toc.schema)

        state = retried(check)
    except Exception:  # missing, half-written or corrupt: all mean "rebuild"
        return None
    return state if state.get("analysis") == ANALYSIS_VERSION else None


_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextmanager
def writer_lock(directory: Path) -> Iterator[None]:
    """Held by one writer at a time, across threads and processes."""
    directory.mkdir(parents=True, exist_ok=True)
    with _thread_locks_guard:
        local = _thread_locks.setdefault(str(directory.resolve()), threading.Lock())
    with local:
        lock = FileStorage(str(directory)).lock(LOCK_NAME)
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()


def build(directory: Path, items: Iterable[tuple[dict[str, Any], int]], position: int) -> int:
    """Index the (document, version number) items from scratch beside the live index and
    swap the result in; returns the number of task and step documents."""
    with writer_lock(directory):
        for stale in directory.glob(_BUILD_PREFIX + "*"):  # of a build that died
            shutil.rmtree(stale, ignore_errors=True)
        folder = directory / (_BUILD_PREFIX + secrets.token_hex(6))
        try:
            count, segments, index_schema = _build_in(folder, items, position)
            _swap_in(directory, folder, segments, index_schema)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    log.info("search index built: %d documents", count)
    return count


def _build_in(
    folder: Path, items: Iterable[tuple[dict[str, Any], int]], position: int
) -> tuple[int, list[Segment], Schema]:
    ordered = sorted(items, key=lambda item: item[0]["slug"])
    plain = [plain_documents(document, version) for document, version in ordered]
    words = [task_words(docs) for docs in plain]
    word_counts: Counter[str] = Counter()
    stem_counts: Counter[str] = Counter()
    for task in words:
        word_counts.update(task)
        stem_counts.update(lexicon_words(task))
    lexicon = Lexicon.of_stems(stem_counts)
    index_schema = with_state(
        schema(lexicon),
        {
            "position": position,
            "analysis": ANALYSIS_VERSION,
            "dead": {},
            "words": dict(word_counts),
            "stems": dict(stem_counts),
            "vocabulary": frozenset(word_counts),
        },
    )
    folder.mkdir(parents=True)
    writer = whoosh_index.create_in(str(folder), index_schema, indexname=INDEX_NAME).writer(
        limitmb=256
    )
    count = 0
    for docs, task in zip(plain, words, strict=True):
        for doc in documents(docs, task, spelling=()):
            writer.add_document(**doc)
            count += 1
    writer.add_document(**meta_document(word_counts))
    writer.commit()
    toc = TOC.read(FileStorage(str(folder)), INDEX_NAME)
    return count, toc.segments, toc.schema


def _swap_in(directory: Path, folder: Path, segments: list[Segment], index_schema: Schema) -> None:
    ids = {segment.segment_id() for segment in segments}
    for path in folder.iterdir():
        if path.name.split(".")[0] in ids:
            os.replace(path, directory / path.name)
    storage = FileStorage(str(directory))
    generation = TOC._latest_generation(storage, INDEX_NAME) + 1
    TOC(index_schema, segments, generation).write(storage, INDEX_NAME)
    clean_files(storage, INDEX_NAME, generation, segments)
    (directory / _OLD_STATE_FILE).unlink(missing_ok=True)


def current_lexicon(index_schema: Schema) -> Lexicon:
    return lexicon_of(index_schema["text"].analyzer)
