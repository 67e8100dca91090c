"""Index writes in a child process (epss.search.writes), as a serving process runs them:
the child is replaced when it dies, and never outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from epss.resources import shipped
from epss.search import SearchIndex, Synonyms
from epss.search.writes import CHILD_NICENESS
from epss.services import Services
from epss.taskfile import load_paths
from tests.conftest import within


def _catalog() -> list[tuple[dict, int]]:
    return [
        (task.document.model_dump(mode="json", by_alias=True), 1)
        for task in load_paths([shipped("tasks")])
    ]


def _child_of(index: SearchIndex) -> int:
    return index._writes._call(os.getpid)


def test_a_write_after_the_child_died_goes_to_a_new_child(tmp_path: Path) -> None:
    synonyms = Synonyms.from_file(shipped("content") / "synonyms.yaml")
    index = SearchIndex(tmp_path / "index", synonyms)
    index.write_in_a_child_process()
    try:
        catalog = _catalog()
        index.rebuild(catalog, 1)
        child = _child_of(index)
        assert child != os.getpid()
        os.kill(child, signal.SIGKILL)
        document, _ = catalog[0]
        renamed = {**document, "title": "Zonnebloemveld bezoeken"}
        result = index.update([(renamed, 2)], [], 2, lambda slugs: [])
        assert result.applied and _child_of(index) != child
        hits = index.search("zonnebloemveld", headings_only=True)
        assert [(hit.task_slug, hit.task_version) for hit in hits] == [(document["slug"], 2)]
    finally:
        index.close()


PARENT = """
import os, sys
from pathlib import Path
from epss.resources import shipped
from epss.search import SearchIndex, Synonyms
index = SearchIndex(Path(sys.argv[1]), Synonyms.from_file(shipped("content") / "synonyms.yaml"))
index.write_in_a_child_process()
index.rebuild([], 1)
print(index._writes._call(os.getpid), flush=True)
sys.stdin.read()  # until killed
"""


def test_the_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "index")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.kill()  # kill -9: no chance to shut the child down
        parent.wait(10)
        assert within(10, lambda: not _alive(child)), "the child outlived its parent"
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return status != "Z"  # a zombie has ended; only its exit status is left


SERVED = """
import gc, multiprocessing, os
from fastapi.testclient import TestClient
from epss.web.serving import served_app
app = served_app()
children = multiprocessing.active_children()
print(len(children), flush=True)
with TestClient(app) as client:
    assert client.get("/api/v1/health").status_code == 200
    print(gc.get_freeze_count(), flush=True)
    # The child lowers its own priority as the last step of its start.
    print(os.getpriority(os.PRIO_PROCESS, children[0].pid), flush=True)
"""


def test_a_served_app_serves_once_its_writer_is_ready_and_freezes_its_start_up_heap(
    sqlite_settings, monkeypatch
) -> None:
    """The first publish does not wait a second or two for the writer to start (on another
    instance that had just started, it was found 1.2 s after it was published instead of
    0.15 s), and a collection of everything start-up built (100 ms at 2,000 tasks) stops
    no search later."""
    services = Services.from_settings(sqlite_settings)
    services.refresh_search_index()  # up to date: starting needs no write
    services.close()
    for name, value in (
        ("EPSS_DATA_DIR", str(sqlite_settings.data_dir)),
        ("EPSS_SECRET_KEY", sqlite_settings.secret_key),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EPSS_DATABASE_URL", raising=False)
    ran = subprocess.run(
        [sys.executable, "-c", SERVED], capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    writers, frozen, niceness = map(int, ran.stdout.split())
    assert writers == 1, "the writer child was not started with the app"
    assert niceness == CHILD_NICENESS, "the app served before its writer was ready"
    assert frozen > 10_000, "the start-up heap was left to the collector"
