"""The chain hash of an event: SHA-256 over the previous hash and the event's canonical
stored content, the same whether computed when writing or when reading back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of the first event ever stored

# The stored fields that are hashed, in the order of a row given to `canonical`.
FIELDS = (
    "seq",
    "id",
    "type",
    "occurred_at",
    "received_at",
    "app",
    "url",
    "task_slug",
    "task_version",
    "step_id",
    "actor",
    "team",
    "details",
    "case_ref",
)

_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def sqlite_time(value: dt.datetime) -> str:
    """A moment as SQLAlchemy stores it in SQLite (which has no date type): UTC text,
    'YYYY-MM-DD HH:MM:SS.ffffff'. For SQL that bypasses SQLAlchemy's conversion."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def stored_time(connection_dialect: str, value: dt.datetime) -> dt.datetime | str:
    """`value` as a parameter of raw SQL on this database: text on SQLite, else as is."""
    return sqlite_time(value) if connection_dialect == "sqlite" else value


def utc_text(value: dt.datetime | str) -> str:
    """A moment as hashed: UTC, ISO 8601 with microseconds and a Z. Takes a datetime (naive
    means UTC) or SQLite's stored text ('YYYY-MM-DD HH:MM:SS.ffffff', UTC)."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":  # SQLAlchemy's SQLite format: fast path
            return f"{value[:10]}T{value[11:]}Z"
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Sequence[Any]) -> bytes:
    """The canonical JSON (UTF-8, keys sorted, no spaces, non-ASCII as is: what
    `json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` gives)
    of an event's stored content. `row` holds the values of FIELDS in that order: times as
    datetimes or SQLite text, details as a dict or JSON text."""
    parts = []
    for prefix, index in _ORDER:
        value = row[index]
        if index in _TIMES:
            value = utc_text(value)
        elif index == _DETAILS:
            parts.append(prefix + _details(value))
            continue
        parts.append(
            prefix
            + (
                _string(value)
                if isinstance(value, str)
                else "null"
                if value is None
                else _dumps(value)
            )
        )
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def _details(value: dict[str, Any] | str | bytes | None) -> str:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return _dumps(value) if value else "{}"


# Written by hand for speed (this runs for every event written and verified), the same as
# json.dumps would: keys in sorted order, strings escaped by json's own encoder.
_ORDER = [(f'"{key}":', FIELDS.index(key)) for key in sorted(FIELDS)]
_TIMES = {FIELDS.index("occurred_at"), FIELDS.index("received_at")}
_DETAILS = FIELDS.index("details")
_string = json.encoder.encode_basestring


def link(previous: str, content: bytes) -> str:
    """The chain hash of an event whose canonical content is `content`."""
    digest = hashlib.sha256(previous.encode("ascii"))
    digest.update(content)
    return digest.hexdigest()
