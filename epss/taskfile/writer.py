"""Write task documents as canonical YAML: the same document always gives the same bytes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from epss.taskfile.model import TaskDocument

SCHEMA_HEADER = "# yaml-language-server: $schema=task.schema.json\n"

# Written even when they hold the default, because a reader should see them.
_ALWAYS = {"mandatory", "criticality"}


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them by hand.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _prune(value: object) -> object:
    """Drop empty and unset fields, so files hold only what was written."""
    if isinstance(value, dict):
        return _prune_fields(value)
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def _prune_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _prune(item)
        for key, item in fields.items()
        if key in _ALWAYS or (item not in (None, "", [], {}) and (key, item) != ("priority", 0))
    }


def dump_document(document: TaskDocument | dict[str, Any]) -> str:
    """The task file text for a document (a TaskDocument or its JSON form)."""
    if isinstance(document, dict):
        document = TaskDocument.model_validate(document)
    data = _prune_fields(document.model_dump(mode="json", by_alias=True))
    # Dates as YAML dates (2027-03-31), not as quoted text.
    data["review_by"] = dt.date.fromisoformat(data["review_by"])
    if "checked_on" in data:
        data["checked_on"] = dt.date.fromisoformat(data["checked_on"])
    for source in data.get("sources", []):
        if "date" in source:
            source["date"] = dt.date.fromisoformat(source["date"])
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return SCHEMA_HEADER + body
