"""Import and export on SQLite and PostgreSQL: all or nothing, idempotent, lossless."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from epss.catalog import (
    export_documents,
    import_documents,
    newest_versions,
    published_fields,
    published_version,
)
from epss.db import unit_of_work
from epss.models import ContextRule, Step, Task, TaskVersion
from epss.services import Services
from epss.taskfile import load_paths, load_text
from tests.conftest import SHIPPED_TASKS, TASKS_DIR, import_shipped, publish, shipped_document


def counts(services: Services) -> dict[str, int]:
    with Session(services.engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Task, Step, TaskVersion, ContextRule)
        }


def test_import_publishes_version_one_of_every_task(services: Services) -> None:
    import_shipped(services)
    assert counts(services)["TaskVersion"] == SHIPPED_TASKS
    with Session(services.engine) as session:
        version = published_version(session, "reisdocument-aanvragen")
        assert version.number == 1 and len(version.content_hash) == 64
        assert version.document["steps"][0]["id"]


def test_importing_the_same_files_twice_changes_nothing(services: Services) -> None:
    import_shipped(services)
    with Session(services.engine) as session:
        before = [(s.id, s.version) for s in session.exec(select(Step).order_by(Step.id))]
    first = counts(services)
    with unit_of_work(services.engine) as session:
        report = import_documents(
            session, [t.document for t in load_paths([TASKS_DIR])], by="again"
        )
    assert report.changed == [] and len(report.unchanged) == SHIPPED_TASKS
    assert counts(services) == first
    with Session(services.engine) as session:
        assert [(s.id, s.version) for s in session.exec(select(Step).order_by(Step.id))] == before


def test_a_changed_file_becomes_a_new_version_and_the_old_one_stays(services: Services) -> None:
    import_shipped(services)
    changed = shipped_document("rijbewijs-aanvragen", title="Vraag eerst naar het rijbewijs")
    with unit_of_work(services.engine) as session:
        report = import_documents(session, [changed], by="test")
    assert report.updated == ["rijbewijs-aanvragen"]
    with Session(services.engine) as session:
        assert published_version(session, "rijbewijs-aanvragen").number == 2
        old = published_version(session, "rijbewijs-aanvragen", 1)
        new = published_version(session, "rijbewijs-aanvragen")
        assert new.document["steps"][0]["title"] == "Vraag eerst naar het rijbewijs"
        assert old.document["steps"][0]["title"] != "Vraag eerst naar het rijbewijs"
        assert new.content_hash != old.content_hash
        changed_step = session.exec(select(Step).where(Step.key == changed.steps[0].id)).one()
        assert changed_step.version == 2  # the working copy's step moved on as well


def test_export_then_import_into_an_empty_database_then_export_is_byte_identical(
    services: Services, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import_shipped(services)
    with Session(services.engine) as session:
        first = export_documents(session)
    for name, text in first.items():
        assert text == (TASKS_DIR / name).read_text(encoding="utf-8")
    # Empty the database, then import what was exported.
    with Session(services.engine) as session:
        for model in (ContextRule, TaskVersion, Step, Task):
            for row in session.exec(select(model)):
                session.delete(row)
            session.commit()
    assert counts(services)["Task"] == 0
    with unit_of_work(services.engine) as session:
        import_documents(
            session, [load_text(text, name) for name, text in first.items()], by="round trip"
        )
    with Session(services.engine) as session:
        assert export_documents(session) == first


def test_rules_follow_the_published_version(services: Services) -> None:
    import_shipped(services)
    with Session(services.engine) as session:
        rules = session.exec(
            select(ContextRule).join(Task).where(Task.slug == "reisdocument-aanvragen")
        ).all()
        assert {r.url for r in rules if r.url} == {"/demo/reisdocument/aanvraag"}


def test_task_lists_read_the_fields_of_the_newest_version_as_stored(services: Services) -> None:
    """What the task lists show (the API's, the home page, the desk's panel) is what the
    newest published version's document holds, on either database: texts and lists as they
    were, a field the document lacks left out, and only the tasks asked for."""
    import_shipped(services)
    publish(services, shipped_document("aangifte-geboorte").model_copy(update={"title": "Nieuw"}))
    with Session(services.engine) as session:
        listed = published_fields(session, "title", "tags", "zaaktypen", "no_such_field")
        whole = newest_versions(session)
        some = published_fields(session, "title", slugs={"aangifte-geboorte", "onbekend"})
    assert [task["slug"] for task in listed] == [v.document["slug"] for v in whole]
    for task, version in zip(listed, whole, strict=True):
        expected = {
            k: version.document[k] for k in ("title", "tags", "zaaktypen") if k in version.document
        }
        assert task == {
            "slug": version.document["slug"],
            "version": version.number,
            "review_by": version.review_by,
            **expected,
        }
    assert any(isinstance(task.get("tags"), list) and task["tags"] for task in listed)
    birth = next(v for v in whole if v.document["slug"] == "aangifte-geboorte")
    assert some == [
        {"slug": "aangifte-geboorte", "version": 2, "review_by": birth.review_by, "title": "Nieuw"}
    ]
