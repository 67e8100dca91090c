"""A step's fields have one definition, the task file model: the database, the API, the
merge and the Dutch names follow it. The estimated minutes of a step, added as the proof,
travel from a task file to the editor, the API, the task page and the panel."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.datastructures import FormData

from epss.api.schemas import PanelStepOut, StepOut
from epss.catalog import content_hash, import_documents
from epss.db import make_engine
from epss.drafts.document import draft_document
from epss.drafts.editing import draft_view
from epss.drafts.merge import LIST_FIELDS, TEXT_FIELDS, VALUE_FIELDS, merge_step
from epss.i18n import ENGLISH
from epss.models import Task
from epss.pages.editor_forms import checked_days, step_basis, step_changes, step_form_inputs
from epss.settings import Settings
from epss.taskfile import TaskFileError, dump_document, load_paths, load_text
from epss.taskfile.fields import (
    FIELD_LABELS,
    STEP_FIELDS,
    STEP_TEXTS,
    TASK_FIELDS,
    labels_along,
    step_values,
)
from epss.taskfile.model import Step, TaskDocument
from tests.conftest import TASKS_DIR, shipped_document
from tests.editor_support import step_form

SLUG = "aangifte-geboorte"
STEP = "controleer-termijn"
HTMX = {"HX-Request": "true"}


def test_every_step_field_has_a_column_an_answer_a_merge_rule_and_a_dutch_name(
    sqlite_settings: Settings,
) -> None:
    engine = make_engine(sqlite_settings)
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("step")}
        task_columns = {c["name"] for c in sa.inspect(connection).get_columns("task")}
    engine.dispose()
    assert set(STEP_FIELDS) <= columns
    assert set(TASK_FIELDS) <= task_columns
    answered = set(StepOut.model_fields)
    for name in STEP_FIELDS:
        assert (f"{name}_html" if name in STEP_TEXTS else name) in answered, name
        assert name in PanelStepOut.model_fields, name
    assert sorted(TEXT_FIELDS + LIST_FIELDS + VALUE_FIELDS) == sorted(STEP_FIELDS)
    for part in (TaskDocument, Step):
        for name, field in part.model_fields.items():
            assert field.title and field.title in ENGLISH, f"{part.__name__}.{name}"


def test_a_field_is_named_by_the_part_of_the_format_it_is_in() -> None:
    assert FIELD_LABELS["estimated_minutes"] == "Geschatte duur (minuten)"
    assert labels_along(("context_rules", 0, "title")) == ["Contextregels", None, "Titel bevat"]
    assert labels_along(("steps", 1, "branches", 0, "if"))[-1] == "Als"
    assert labels_along(("steps", 0, "colour")) == ["Stappen", None, None]


def test_a_step_posted_as_its_form_inputs_is_read_back_whole() -> None:
    """What the step form posts for a step (the merge form's "keep mine" sends it hidden)
    reads back as that very step: a field the form leaves out would be lost there. The
    made-up step gives every field a value, so a new field must be given one here too."""
    steps = [step for task in load_paths([TASKS_DIR]) for step in task.document.steps]
    everything = Step.model_validate(
        {
            "id": "alles",
            "title": "Controleer de geboortedatum",
            "mandatory": False,
            "instruction": "Vergelijk de datum met de **akte**.",
            "why": "Een verkeerde datum gaat mee in elke akte.",
            "warning": "Let op de notatie.",
            "check": "De datum klopt.",
            "estimated_minutes": 4,
            "branches": [
                {"if": "De akte ontbreekt", "task": "aangifte-geboorte"},
                {"if": "De datum wijkt af", "step": "stap-2"},
            ],
            "target": ["#geboortedatum", "input[name=datum]"],
            "target_fingerprint": {"tag": "input", "id": "geboortedatum", "position": 3},
            "field_tip": "Schrijf de datum als 01-02-2026.",
            "field_checks": [
                {"kind": "date", "from_days": -3, "to_days": 14, "message": "Te vroeg."},
                {"kind": "pattern", "pattern": "[0-9-]+"},
                {"kind": "required"},
            ],
            "sources": ["bw1-19e", "brp-wet"],
        }
    )
    unset = Step.ADDED_LATER | {"mandatory": True}
    assert [n for n, v in step_values(everything).items() if v in ([], "", unset.get(n))] == []
    for step in [*steps, everything]:
        stored = step_values(step)
        posted = [*step_form_inputs(stored), ("basis", json.dumps(step_basis(stored)))]
        read = Step.model_validate({"id": step.id, **checked_days(step_changes(FormData(posted)))})
        assert step_values(read) == stored, step.id


def test_the_estimated_minutes_round_trip_and_leave_older_documents_as_they_were() -> None:
    plain = shipped_document(SLUG)
    timed = shipped_document(SLUG, estimated_minutes=7)
    text = dump_document(timed)
    assert "  estimated_minutes: 7\n" in text
    assert "estimated_minutes" not in dump_document(plain)  # unset: not written
    again = load_text(text, SLUG)
    assert dump_document(again) == text and again.steps[0].estimated_minutes == 7
    assert content_hash(plain) != content_hash(timed)
    assert "estimated_minutes" not in plain.model_dump(mode="json")["steps"][0]


def test_too_long_a_step_is_refused_with_its_dutch_name() -> None:
    text = dump_document(shipped_document(SLUG)).replace(
        "    mandatory: true\n", "    mandatory: true\n    estimated_minutes: 900\n", 1
    )
    with pytest.raises(TaskFileError) as refused:
        load_text(text, SLUG)
    said = str(refused.value)
    assert "Stap 1 (" in said and "Geschatte duur (minuten)" in said and "480" in said


def _step(client: TestClient) -> dict:
    with Session(client.app.state.services.engine) as session:
        return next(s for s in draft_view(session, SLUG)["steps"] if s["id"] == STEP)


def test_an_expert_sets_the_minutes_and_the_desk_sees_them(
    client: TestClient, people: dict
) -> None:
    step = _step(client)
    assert step["estimated_minutes"] is None
    page = client.get(f"/redactie/taken/{SLUG}/stappen/{STEP}/bewerken", headers=people["expert"])
    assert 'name="minuten"' in page.text and "Geschatte duur (minuten)" in page.text
    form = step_form(step)
    for typed, said in (
        ("twee", "Geschatte duur (minuten): verwacht een geheel getal"),
        ("900", "Geschatte duur (minuten): mag hooguit 480 zijn"),
    ):
        bad = client.post(
            f"/redactie/taken/{SLUG}/stappen/{STEP}",
            headers={**people["expert"], **HTMX},
            data={**form, "minuten": typed},
        )
        assert bad.status_code == 422 and said in bad.text, typed
        assert f'name="minuten" type="number" value="{typed}"' in bad.text  # kept
        assert _step(client)["version"] == step["version"]  # nothing saved
    saved = client.post(
        f"/redactie/taken/{SLUG}/stappen/{STEP}",
        headers={**people["expert"], **HTMX},
        data={**form, "minuten": "5"},
    )
    assert saved.status_code == 200, saved.text
    assert "ongeveer 5 min." in saved.text
    assert _step(client)["estimated_minutes"] == 5

    # Published, the desk sees it on the task page, in the API and in the panel.
    with Session(client.app.state.services.engine) as session:
        task = session.exec(select(Task).where(Task.slug == SLUG)).one()
        document = draft_document(session, task)
    assert document.steps[[s.id for s in document.steps].index(STEP)].estimated_minutes == 5
    with Session(client.app.state.services.engine) as session:
        import_documents(session, [document], by="test", replace_draft=True)
        session.commit()
    shown = client.get(f"/taken/{SLUG}").text
    assert "ongeveer 5 min." in shown
    api = client.get(f"/api/v1/tasks/{SLUG}", headers=people["expert"]).json()
    assert next(s for s in api["steps"] if s["id"] == STEP)["estimated_minutes"] == 5
    panel = client.get(f"/api/v1/tasks/{SLUG}/panel").json()
    assert next(s for s in panel["steps"] if s["id"] == STEP)["estimated_minutes"] == 5


def test_two_editors_changing_the_minutes_do_not_conflict_and_the_last_save_counts() -> None:
    base = {name: None for name in STEP_FIELDS} | {"title": "T", "instruction": "I"}
    merged = merge_step(base, base | {"estimated_minutes": 4}, base | {"estimated_minutes": 6})
    assert merged.conflicts == {} and merged.values["estimated_minutes"] == 6
    one_side = merge_step(base, base | {"estimated_minutes": 4}, base)
    assert one_side.values["estimated_minutes"] == 4
