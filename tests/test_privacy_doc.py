"""docs/privacy.md names every field EPSS records about people, so that the works council and
the privacy officer read a complete description. The names come from the code, not from a
list kept by hand: the columns of the tables (SQLModel metadata), the fields of the event
and the feedback the overlay sends (their pydantic models), what an employee downloads about
themselves, and the settings that change what is recorded or shown. A new column, field or
setting fails here until the document says what it holds.

A table's columns and a model's fields must each appear in backticks (`case_ref`) in the
section whose heading names that table or model, so a field mentioned elsewhere does not
count for it. Pure Python: no database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Date, DateTime
from sqlmodel import SQLModel

import epss.models  # noqa: F401  (defines the tables in SQLModel.metadata)
from epss.events.batch import Details, EventIn
from epss.feedback.intake import FeedbackIn
from epss.outcomes.intake import OutcomeIn
from epss.privacy.mine import MY_EVENT_FIELDS
from epss.settings import Settings

DOC_PATH = Path(__file__).parents[1] / "docs" / "privacy.md"
DOC = DOC_PATH.read_text(encoding="utf-8")

# Tables that hold data about people or about their use of the service: every column must
# be described.
ABOUT_PEOPLE = (
    "event",
    "event_daily",
    "feedback",
    "user_account",
    "api_token",
    "login_session",
    "password_reset",
    "login_throttle",
    "change",
    "task_version",
    "editor_presence",
    "catalog_change",
    "admin_action",
    "personal_data_view",
    "outcome",
)
# Tables of guidance and bookkeeping. Of these, only the columns that say who did something
# (text named *_by, e.g. task.submitted_by) must be described.
OTHER_TABLES = (
    "host_app",
    "task",
    "step",
    "context_rule",
    "audit_checkpoint",
    "export_cursor",
    "field_alert",
)
# What arrives from outside: the overlay's events (with their details), feedback and outcomes.
INCOMING: tuple[type[BaseModel], ...] = (EventIn, Details, FeedbackIn, OutcomeIn)
# The settings that change what is recorded about people, who sees it, or where it goes.
ABOUT_PRIVACY = re.compile(
    r"pseudonym|free.text|retention|group|secret|personal|privacy|xapi|lrs|sign-on|login"
    r"|cookie|\blog",
    re.IGNORECASE,
)
OWN_PAGE = "`/mijn-gegevens`"

_HEADING = re.compile(r"^#{1,6} .*$", re.MULTILINE)


def section(name: str) -> str:
    """The text under every heading that names `name` in backticks, each up to the next
    heading."""
    headings = list(_HEADING.finditer(DOC))
    parts = []
    for here, after in zip(headings, [*headings[1:], None], strict=True):
        if f"`{name}`" in here.group():
            parts.append(DOC[here.end() : after.start() if after else len(DOC)])
    return "\n".join(parts)


def who_columns(table: str) -> list[str]:
    """The columns of a table that hold who did something: named *_by, and not a date (as
    `review_by` is)."""
    return [
        column.name
        for column in SQLModel.metadata.tables[table].columns
        if column.name.endswith("_by") and not isinstance(column.type, Date | DateTime)
    ]


def recorded() -> list[tuple[str, list[str]]]:
    """(table or model, its fields that the document must describe under its heading)."""
    tables = SQLModel.metadata.tables
    fields = [(name, [c.name for c in tables[name].columns]) for name in ABOUT_PEOPLE]
    fields += [(name, who_columns(name)) for name in OTHER_TABLES if who_columns(name)]
    fields += [(model.__name__, list(model.model_fields)) for model in INCOMING]
    fields.append((OWN_PAGE.strip("`"), list(MY_EVENT_FIELDS)))
    return fields


def privacy_settings() -> list[str]:
    return [
        name
        for name, field in Settings.model_fields.items()
        if ABOUT_PRIVACY.search(f"{name} {field.description or ''}")
    ]


def test_every_table_is_either_about_people_or_not() -> None:
    """A new table must be placed in one of the two lists (and, if it holds data about
    people, described in the document)."""
    unplaced = set(SQLModel.metadata.tables) - set(ABOUT_PEOPLE) - set(OTHER_TABLES)
    assert not unplaced, f"tables not placed in ABOUT_PEOPLE or OTHER_TABLES: {sorted(unplaced)}"
    assert not set(ABOUT_PEOPLE) & set(OTHER_TABLES)


@pytest.mark.parametrize(("where", "fields"), recorded(), ids=[name for name, _ in recorded()])
def test_every_recorded_field_is_described(where: str, fields: list[str]) -> None:
    text = section(where)
    assert text, f"docs/privacy.md has no heading that names `{where}`"
    missing = [name for name in fields if f"`{name}`" not in text]
    assert not missing, (
        f"docs/privacy.md does not describe {', '.join(f'`{n}`' for n in missing)} "
        f"in the section about `{where}`"
    )


def test_every_setting_about_personal_data_is_described() -> None:
    chosen = privacy_settings()
    # The selection must at least hold these, or it selects too little.
    assert {"secret_key", "store_free_text", "retention_months", "min_group_size"} <= set(chosen)
    missing = [f"EPSS_{name.upper()}" for name in chosen if f"`EPSS_{name.upper()}`" not in DOC]
    assert not missing, f"docs/privacy.md does not describe {', '.join(missing)}"
