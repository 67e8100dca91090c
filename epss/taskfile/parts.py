"""The building blocks of the task file format (epss/taskfile/model.py): its kinds of
text, line, id and date, and `Part`, the base of each part of a task file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Where a field is in a task file: the names and item numbers that lead to it, as pydantic
# gives them (`('steps', 2, 'title')`).
FieldPath = tuple[str | int, ...]


def _tidy_text(value: str) -> str:
    """Strip trailing spaces on every line and blank lines around the text.

    Keeps exported YAML readable (block scalars) and makes the content hash stable
    against invisible whitespace edits.
    """
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("mag niet leeg zijn")
    return value


# Markdown, rendered and sanitised wherever it is shown; the JSON Schema says so.
Text = Annotated[
    str,
    AfterValidator(_tidy_text),
    Field(json_schema_extra={"contentMediaType": "text/markdown"}),
]
RequiredText = Annotated[Text, AfterValidator(_not_blank)]  # not even only spaces
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
# Dates a person can mean: a law may be old, a check or review is of this service's time.
SourceDate = Annotated[dt.date, Field(ge=dt.date(1800, 1, 1), le=dt.date(2999, 12, 31))]
ServiceDate = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 31))]


class Part(BaseModel):
    """A part of the format. Each field's `title` is its Dutch name in the editor and in
    error messages; fields added after documents were published are left out of a dump
    while they hold the value that means "not given", so older documents keep their bytes
    and their content hash."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)
    ADDED_LATER: ClassVar[dict[str, object]] = {}

    @model_serializer(mode="wrap")
    def _omit_unset_later_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name, unset in self.ADDED_LATER.items():
            if name in data and data[name] == unset:
                del data[name]
        return data
