"""Every shipped task rests on sources a reader can look up: each step cites a source of
its task, each source has a title, a publisher and a date, and each task says who owns it
and when its content was last checked against those sources (#17)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

TASKS = Path(__file__).parents[1] / "tasks"
FILES = sorted(TASKS.glob("*.yaml"))


def source_problems(data: dict) -> list[str]:
    """What a task file lacks, one line each, naming the task, the step and the gap."""
    slug = data.get("slug", "?")
    problems = []
    if not data.get("checked_on"):
        problems.append(f"{slug}: geen 'checked_on' (laatst gecontroleerd op)")
    if not str(data.get("owner") or "").strip():
        problems.append(f"{slug}: geen 'owner' (eigenaar, een rol of team)")
    sources = {s.get("id"): s for s in data.get("sources") or []}
    for source_id, source in sources.items():
        for field in ("title", "publisher", "date"):
            if not source.get(field):
                problems.append(f"{slug}: bron '{source_id}' heeft geen '{field}'")
    for step in data.get("steps") or []:
        cited = step.get("sources") or []
        if not cited:
            problems.append(f"{slug}, stap '{step.get('id')}': noemt geen bron")
        for ref in cited:
            if ref not in sources:
                problems.append(f"{slug}, stap '{step.get('id')}': bron '{ref}' bestaat niet")
    return problems


def test_the_check_sees_what_is_missing() -> None:
    data = {
        "slug": "t",
        "owner": " ",
        "sources": [{"id": "a", "title": "A"}],
        "steps": [{"id": "s1", "sources": []}, {"id": "s2", "sources": ["b"]}],
    }
    assert source_problems(data) == [
        "t: geen 'checked_on' (laatst gecontroleerd op)",
        "t: geen 'owner' (eigenaar, een rol of team)",
        "t: bron 'a' heeft geen 'publisher'",
        "t: bron 'a' heeft geen 'date'",
        "t, stap 's1': noemt geen bron",
        "t, stap 's2': bron 'b' bestaat niet",
    ]


def test_there_are_shipped_tasks() -> None:
    assert len(FILES) >= 6


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_step_rests_on_a_dated_source(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert source_problems(data) == []
