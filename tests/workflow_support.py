"""Helpers for the review, publication and review-date tests: change a draft as an editor
would, and read what is stored."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import select

from epss.db import unit_of_work
from epss.drafts.history import record_change
from epss.models import Change, Step, Task

CRITICAL = "reisdocument-aanvragen"  # criticality: critical
NORMAL = "verhuizing-doorgeven"  # criticality: normal

Editor = Callable[..., None]


def step_editor(client: TestClient, people: dict) -> Editor:
    """`edit(who, slug, step_id, **fields)`: change one step of the draft as `who`, through
    the editing API (PATCH …/draft/steps/{id} with If-Match), as the editor does."""

    def change(who: str, slug: str, step_id: str, **fields) -> None:
        url = f"/api/v1/tasks/{slug}/draft/steps/{step_id}"
        current = client.get(url, headers=people[who])
        assert current.status_code == 200, current.text
        answer = client.patch(
            url, json=fields, headers={**people[who], "If-Match": str(current.json()["version"])}
        )
        assert answer.status_code == 200, answer.text

    return change


def write_step(client: TestClient, who: str, slug: str, step_id: str, **fields) -> None:
    """Write a step's fields straight into the working copy, recorded as `who`'s change:
    for drafts the editing API would refuse (it checks every edit), such as one that has
    become invalid some other way."""
    with unit_of_work(client.app.state.services.engine) as session:
        task = session.exec(select(Task).where(Task.slug == slug)).one()
        step = session.exec(select(Step).where(Step.task_id == task.id, Step.key == step_id)).one()
        before = {name: getattr(step, name) for name in fields}
        for name, value in fields.items():
            setattr(step, name, value)
        step.version += 1
        task.status = "draft"
        session.add_all([step, task])
        record_change(
            session, task, who, "step_updated", step_key=step_id, before=before, after=fields
        )


def task_row(client: TestClient, slug: str) -> Task:
    with unit_of_work(client.app.state.services.engine) as session:
        task = session.exec(select(Task).where(Task.slug == slug)).one()
        session.expunge(task)
        return task


def step_row(client: TestClient, slug: str, step_id: str) -> Step:
    with unit_of_work(client.app.state.services.engine) as session:
        step = session.exec(
            select(Step)
            .join(Task, Task.id == Step.task_id)
            .where(Task.slug == slug, Step.key == step_id)
        ).one()
        session.expunge(step)
        return step


def history(client: TestClient, slug: str) -> list[tuple[str, str, int | None]]:
    """(actor, action, version_number) of every change to the task, oldest first."""
    with unit_of_work(client.app.state.services.engine) as session:
        rows = session.exec(
            select(Change)
            .join(Task, Task.id == Change.task_id)
            .where(Task.slug == slug)
            .order_by(Change.id)
        ).all()
        return [(c.actor, c.action, c.version_number) for c in rows]


def version_numbers(client: TestClient, slug: str, headers: dict) -> list[int]:
    answer = client.get(f"/api/v1/tasks/{slug}/versions", headers=headers)
    assert answer.status_code == 200, answer.text
    return [v["number"] for v in answer.json()]
