"""Where the index's writes run: in this process, or in a child process of their own.

A write (an update after a publish, merging small segments, a full rebuild) is Python
work of tens of milliseconds to seconds. In a thread of a serving process it holds the
interpreter lock that searches need, so a search waits for it (measured at 2,000 tasks:
worst search 230 ms during updates in a thread, 42 ms with the updates in another
process). A serving process therefore hands its writes to one child process, started on
first use and started again when it died. The index folder is shared: searches see a
write as soon as the child commits it, and the writers' file lock keeps the order.

The child never touches the database. When an update finds that a changed lexicon
splits other tasks' words otherwise, it asks for their documents (`NeedDocuments`) and
the update runs again with them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar, TypeVarTuple

from epss.search.store import build
from epss.search.updates import DocumentsOf, UpdateResult, compact, update

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

PARENT_CHECK_SECONDS = 1.0  # how soon the child notices that its parent died
# The child yields the processor to the serving process: where cores are few, a search
# then runs ahead of a write instead of beside it (a write is not waited for by a person).
CHILD_NICENESS = 10


class InThisProcess:
    """Writes in the calling thread (commands, tests, and processes that do not serve)."""

    def build(
        self, directory: Path, items: Iterable[tuple[dict[str, Any], int]], position: int
    ) -> int:
        return build(directory, items, position)

    def update(
        self,
        directory: Path,
        items: list[tuple[dict[str, Any], int]],
        removed: set[str],
        position: int,
        documents_of: DocumentsOf,
    ) -> UpdateResult:
        return update(directory, items, removed, position, documents_of)

    def compact(self, directory: Path) -> UpdateResult:
        return compact(directory)

    def close(self) -> None:
        pass


class NeedDocuments(Exception):
    """An update in the child needs the current documents of these tasks."""

    def __init__(self, slugs: set[str]) -> None:
        super().__init__(slugs)
        self.slugs = slugs


class InChildProcess:
    """Writes in one child process, one at a time, in the order they are asked for."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> Future[None]:
        """Start the child now, not at the first write: it takes a second or two to start.
        Done once the child is ready for writes."""
        return self._running().submit(_nothing)

    def build(
        self, directory: Path, items: Iterable[tuple[dict[str, Any], int]], position: int
    ) -> int:
        return self._call(build, directory, list(items), position)

    def update(
        self,
        directory: Path,
        items: list[tuple[dict[str, Any], int]],
        removed: set[str],
        position: int,
        documents_of: DocumentsOf,
    ) -> UpdateResult:
        known: dict[str, tuple[dict[str, Any], int] | None] = {}
        while True:
            try:
                return self._call(_update_with, directory, items, removed, position, known)
            except NeedDocuments as need:
                found = {
                    document["slug"]: (document, version)
                    for document, version in documents_of(need.slugs)
                }
                known |= {slug: found.get(slug) for slug in need.slugs}

    def compact(self, directory: Path) -> UpdateResult:
        return self._call(compact, directory)

    def close(self) -> None:
        """Without waiting for a write in progress (a rebuild may take minutes): the child
        finishes it, or ends with its parent, which leaves the index as it was."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _call(self, function: Callable[[*Ts], T], *args: *Ts) -> T:
        """`function(*args)` in the child; once more in a new child when it died."""
        for attempt in (1, 2):
            pool = self._running()
            try:
                return pool.submit(function, *args).result()
            except BrokenProcessPool:
                with self._lock:
                    if self._pool is pool:
                        self._pool = None
                pool.shutdown(wait=False)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=get_context("spawn"),
                    initializer=_as_a_child,
                    initargs=(os.getpid(),),
                )
            return self._pool


def _nothing() -> None:
    pass


def _update_with(
    directory: Path,
    items: list[tuple[dict[str, Any], int]],
    removed: set[str],
    position: int,
    known: dict[str, tuple[dict[str, Any], int] | None],
) -> UpdateResult:
    def documents_of(slugs: set[str]) -> list[tuple[dict[str, Any], int]]:
        if missing := slugs - known.keys():
            raise NeedDocuments(missing)
        return [item for slug in sorted(slugs) if (item := known[slug]) is not None]

    return update(directory, items, removed, position, documents_of)


def _as_a_child(parent: int) -> None:
    """In the child, before its first write: stopping is the parent's business (it ends
    the child after the write in progress), and the child ends when its parent is gone,
    also after a `kill -9` (a pool's worker would otherwise wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.nice(CHILD_NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="epss-parent-watch", daemon=True).start()
