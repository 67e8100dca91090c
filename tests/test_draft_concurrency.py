"""No lost update: several editors, each with their own HTTP client against a real server,
make 1,000 randomised edits of one task at once (the same steps and different ones, the
task's fields, reorders, new steps). Each edit that gets 412 is re-read and re-applied, as
a person merging would. Afterwards every acknowledged edit is in the draft, the versions
went up by exactly one per acknowledged edit, and the history has one entry for each.
On SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx
from sqlmodel import select

from epss.db import make_engine, unit_of_work
from epss.drafts.working import EDIT_ACTIONS
from epss.models import Change, Task
from tests.drafts_support import running, seeded

SLUG = "aangifte-geboorte"
DRAFT = f"/api/v1/tasks/{SLUG}/draft"
CLIENTS = 4
EDITS = 1000
HOT = ("identificeer-aangever", "controleer-geboorteplaats")  # everyone edits these
MAX_TRIES = 200


@dataclass
class Tally:
    """What one client was told: each acknowledged marker, and the versions it got."""

    step_markers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    task_markers: list[str] = field(default_factory=list)
    step_versions: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    task_versions: list[int] = field(default_factory=list)
    steps_versions: list[int] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    acknowledged: int = 0
    stale: int = 0
    errors: list[str] = field(default_factory=list)


class Editor:
    """One person's client: picks an edit, sends it, and after a 412 re-reads and
    re-applies the same change until it is saved."""

    def __init__(self, url: str, headers: dict, name: str, seed: int) -> None:
        self.http = httpx.Client(base_url=url, headers=headers, timeout=60)
        self.name = name
        self.random = random.Random(seed)
        self.tally = Tally()
        self.steps: dict[str, dict] = {}
        self.draft: dict = {}
        self.refresh()

    def refresh(self) -> None:
        """Read the draft again (now and then, as an open editor page does)."""
        self.remember(self._ok(self.http.get(DRAFT)))

    def remember(self, draft: dict) -> None:
        self.draft = draft
        self.steps = {s["id"]: s for s in draft["steps"]}

    def _ok(self, answer: httpx.Response) -> dict:
        if answer.status_code not in (200, 201):
            raise AssertionError(
                f"{answer.request.method} {answer.request.url}: "
                f"{answer.status_code} {answer.text[:300]}"
            )
        return answer.json()

    def run(self, count: int) -> None:
        try:
            for n in range(count):
                marker = f" [{self.name}-{n}]"
                roll = self.random.random()
                if roll < 0.55:
                    self.edit_step(self.random.choice(HOT), marker)
                elif roll < 0.75:
                    self.edit_step(self.random.choice(sorted(self.steps)), marker)
                elif roll < 0.85:
                    self.edit_task(marker)
                elif roll < 0.95:
                    self.reorder()
                else:
                    self.add(marker)
                if n % 50 == 49:
                    self.refresh()
        except Exception as exc:  # reported by the test, with the client's name
            self.tally.errors.append(f"{self.name}: {exc!r}")
        finally:
            self.http.close()

    def edit_step(self, step_id: str, marker: str) -> None:
        current = self.steps[step_id]
        for _ in range(MAX_TRIES):
            answer = self.http.patch(
                f"{DRAFT}/steps/{step_id}",
                json={"instruction": current["instruction"] + marker},
                headers={"If-Match": f'"{current["version"]}"'},
            )
            if answer.status_code == 412:
                self.tally.stale += 1
                current = answer.json()["current"]  # re-read; apply my change again
                continue
            saved = self._ok(answer)
            assert answer.headers["etag"] == f'"{saved["version"]}"'
            self.steps[step_id] = saved
            self.tally.step_markers[step_id].append(marker)
            self.tally.step_versions[step_id].append(saved["version"])
            self.tally.acknowledged += 1
            return
        raise AssertionError(f"edit of {step_id} not saved after {MAX_TRIES} tries")

    def edit_task(self, marker: str) -> None:
        body = self.draft
        for _ in range(MAX_TRIES):
            answer = self.http.patch(
                DRAFT,
                json={"standard": body["standard"] + marker},
                headers={"If-Match": str(body["version"])},
            )
            if answer.status_code == 412:
                self.tally.stale += 1
                body = answer.json()["current"]
                continue
            saved = self._ok(answer)
            self.remember(saved)
            self.tally.task_markers.append(marker)
            self.tally.task_versions.append(saved["version"])
            self.tally.acknowledged += 1
            return
        raise AssertionError(f"task edit not saved after {MAX_TRIES} tries")

    def reorder(self) -> None:
        body = self.draft
        for _ in range(MAX_TRIES):
            current = [s["id"] for s in body["steps"]]
            order = list(current)
            while order == current:
                self.random.shuffle(order)
            answer = self.http.put(
                f"{DRAFT}/order",
                json={"steps": order},
                headers={"If-Match": f'W/"{body["steps_version"]}"'},
            )
            if answer.status_code == 412:
                self.tally.stale += 1
                body = answer.json()["current"]
                self.remember(body)
                continue
            saved = self._ok(answer)
            by_id = {s["id"]: s for s in body["steps"]}
            self.remember(
                {
                    **body,
                    "steps_version": saved["steps_version"],
                    "steps": [by_id[step_id] for step_id in order],
                }
            )
            if saved["steps"] != order:  # an order that was already current changes nothing
                raise AssertionError(f"asked for {order}, got {saved['steps']}")
            self.tally.steps_versions.append(saved["steps_version"])
            self.tally.acknowledged += 1
            return
        raise AssertionError(f"reorder not saved after {MAX_TRIES} tries")

    def add(self, marker: str) -> None:
        body = self.draft
        for _ in range(MAX_TRIES):
            answer = self.http.post(
                f"{DRAFT}/steps",
                json={"title": f"Stap{marker}", "instruction": "Nieuw."},
                headers={"If-Match": str(body["steps_version"])},
            )
            if answer.status_code == 412:
                self.tally.stale += 1
                body = answer.json()["current"]
                self.remember(body)
                continue
            saved = self._ok(answer)
            self.remember(
                {**body, "steps_version": saved["steps_version"], "steps": [*body["steps"], saved]}
            )
            self.tally.added.append(saved["id"])
            self.tally.steps_versions.append(saved["steps_version"])
            self.tally.acknowledged += 1
            return
        raise AssertionError(f"new step not saved after {MAX_TRIES} tries")


def test_a_thousand_concurrent_edits_lose_nothing(settings) -> None:
    names = [
        (f"redacteur{n}" if n % 3 == 2 else f"expert{n}", "redacteur" if n % 3 == 2 else "expert")
        for n in range(CLIENTS)
    ]
    tokens = seeded(settings, *names)
    with running(settings) as server:
        editors = [
            Editor(server.url, tokens[name], name, seed=n) for n, (name, _role) in enumerate(names)
        ]
        threads = [threading.Thread(target=e.run, args=(EDITS // CLIENTS,)) for e in editors]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(240)
        elapsed = time.monotonic() - began
        assert not any(t.is_alive() for t in threads), "the editors did not finish"
        tallies = [e.tally for e in editors]
        assert [error for t in tallies for error in t.errors] == []

        final = httpx.get(server.url + DRAFT, headers=tokens[names[0][0]]).json()

    assert sum(t.acknowledged for t in tallies) == EDITS
    assert sum(t.stale for t in tallies) > 0, "the editors never got in each other's way"
    steps = {s["id"]: s for s in final["steps"]}

    # Every acknowledged change is there.
    for tally in tallies:
        for step_id, markers in tally.step_markers.items():
            lost = [m for m in markers if m not in steps[step_id]["instruction"]]
            assert lost == [], f"{step_id}: acknowledged edits lost: {lost}"
        lost = [m for m in tally.task_markers if m not in final["standard"]]
        assert lost == [], f"task: acknowledged edits lost: {lost}"
        assert set(tally.added) <= set(steps)

    # Versions went up by one per acknowledged edit: each was handed out exactly once.
    step_versions: dict[str, list[int]] = defaultdict(list)
    for tally in tallies:
        for step_id, versions in tally.step_versions.items():
            step_versions[step_id] += versions
            assert versions == sorted(versions) and len(set(versions)) == len(versions)
    for step_id, versions in step_versions.items():
        assert sorted(versions) == list(range(2, len(versions) + 2)), step_id
        assert steps[step_id]["version"] == len(versions) + 1
    task_versions = sorted(v for t in tallies for v in t.task_versions)
    assert task_versions == list(range(2, len(task_versions) + 2))
    assert final["version"] == len(task_versions) + 1
    steps_versions = sorted(v for t in tallies for v in t.steps_versions)
    assert steps_versions == list(range(2, len(steps_versions) + 2))
    assert final["steps_version"] == len(steps_versions) + 1
    assert sorted(s["position"] for s in final["steps"]) == list(range(1, len(steps) + 1))

    # One history entry per acknowledged edit.
    engine = make_engine(settings)
    with unit_of_work(engine) as session:
        task = session.exec(select(Task).where(Task.slug == SLUG)).one()
        recorded = Counter(
            session.exec(
                select(Change.action).where(
                    Change.task_id == task.id, Change.action.in_(EDIT_ACTIONS)
                )
            ).all()
        )
    engine.dispose()
    assert sum(recorded.values()) == EDITS
    assert recorded["step_updated"] == sum(len(v) for v in step_versions.values())
    assert recorded["step_added"] == sum(len(t.added) for t in tallies)
    assert final["status"] == "draft"
    assert elapsed < 120, f"1,000 edits took {elapsed:.0f} s"
