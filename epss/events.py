"""Events: what people do with the guidance, recorded append-only so that the guidance can be
improved (not to rank people).

The overlay sends events in batches. `parse_batch` validates a batch (every field, by its
position) and `store_events` writes it; it is the one function through which events are
written. Personal data is minimised before anything is stored:

- the user hint becomes a keyed pseudonym (HMAC-SHA256 with the service's secret key);
- a URL keeps only its scheme, host and path: query string, fragment and credentials are
  dropped, and runs of five or more digits (a citizen service number, a case number) are
  masked, as they are in the free-text details (a BSN typed into the search box) and in
  task and step ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Literal
from weakref import WeakKeyDictionary

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine

from epss.errors import EpssError
from epss.models import Event
from epss.taskfile.model import SLUG_PATTERN

# Each event type, with the keys its `details` may carry.
DETAIL_KEYS: dict[str, frozenset[str]] = {
    "panel_opened": frozenset(),
    "task_viewed": frozenset({"source"}),
    "step_viewed": frozenset(),
    "step_checked": frozenset(),
    "step_unchecked": frozenset(),
    "step_deviated": frozenset({"reason"}),
    "search": frozenset({"query", "results"}),
    "feedback": frozenset({"kind", "comment"}),
    "highlight_missing": frozenset({"selector"}),
}
EVENT_TYPES: tuple[str, ...] = tuple(DETAIL_KEYS)

MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 1024 * 1024
MAX_CLOCK_AHEAD = dt.timedelta(days=1)
DIGIT_MASK = "*****"

_LONG_NUMBER = re.compile(r"\d{5,}")
_QUERY_OR_FRAGMENT = re.compile(r"[?#]")
_URL = re.compile(r"""
    (?P<scheme>https?)://
    (?:[^/?\#\s]*@)?                              # credentials (up to the last @): dropped
    (?P<host>\[[0-9a-fA-F:.]+\]|[^@:/?\#\s\[\]]+)
    (?::(?P<port>[^/?\#]*))?
    (?P<path>[^?\#]*)                              # up to the query string or fragment
    """, re.IGNORECASE | re.VERBOSE)
_PSEUDONYM_PURPOSE = b"epss-actor:"
_WRITE_LOCK = 0x6570_7373_6576_6E74  # "epssevnt": PostgreSQL advisory lock of the writers


class BatchTooLarge(EpssError):
    status = 413
    code = "too_large"


# -- privacy ----------------------------------------------------------------------------


def mask_digits(value: str) -> str:
    """Replace every run of five or more digits by a fixed mask (its length is not kept)."""
    return _LONG_NUMBER.sub(DIGIT_MASK, value)


def normalise_url(value: str) -> str:
    """Scheme, host (and port) and path of an http(s) URL, or the path of a path; without
    query string, fragment or credentials, and with long numbers masked."""
    if value.startswith("/"):
        return mask_digits(_QUERY_OR_FRAGMENT.split(value, maxsplit=1)[0])
    url = _URL.match(value)
    if url is None:
        raise ValueError("expected an http(s) URL or a path starting with '/'")
    scheme, host, port, path = url.group("scheme", "host", "port", "path")
    netloc = mask_digits(host.lower())
    if port:
        if not port.isdigit() or int(port) > 65535:
            raise ValueError("the port must be a number from 0 to 65535")
        netloc += f":{int(port)}"
    return f"{scheme.lower()}://{netloc}{mask_digits(path)}"


def pseudonym(secret_key: str, user: str) -> str:
    """The keyed pseudonym of a user hint: the same under one secret key for the same user
    (ignoring case and surrounding spaces), and not traceable without that key."""
    return _pseudonymiser(secret_key)(user)


def _pseudonymiser(secret_key: str) -> Callable[[str], str]:
    keyed = hmac.new(secret_key.encode("utf-8"), _PSEUDONYM_PURPOSE, hashlib.sha256)

    def apply(user: str) -> str:
        mac = keyed.copy()
        mac.update(user.strip().casefold().encode("utf-8"))
        return mac.hexdigest()

    return apply


# -- the shape of a batch ---------------------------------------------------------------


Masked = AfterValidator(mask_digits)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80), Masked]
ShortName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=200)]


class Details(BaseModel):
    """What an event adds to its type. Each key is allowed only for the types DETAIL_KEYS
    names: query and results for search, reason for step_deviated, kind and comment for
    feedback, selector for highlight_missing, source for task_viewed. Long numbers in the
    free text are masked."""

    model_config = ConfigDict(extra="forbid", strict=True)

    query: Annotated[str, Field(max_length=200), Masked] | None = None
    results: int | None = Field(default=None, ge=0)
    reason: Annotated[str, Field(max_length=500), Masked] | None = None
    kind: Literal["wrong", "unclear", "suggestion"] | None = None
    comment: Annotated[str, Field(max_length=1000), Masked] | None = None
    selector: Annotated[str, Field(max_length=300), Masked] | None = None
    source: Literal["rule", "search", "manual"] | None = None


class EventIn(BaseModel):
    """One event as the overlay sends it. Validating needs a context (see parse_batch)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: uuid.UUID = Field(description="Generated by the client; a re-sent id is a duplicate.")
    type: Literal[EVENT_TYPES]
    occurred_at: AwareDatetime = Field(description="ISO 8601 with a time zone.")
    app: str = Field(min_length=1, max_length=80, description="A registered host app's id.")
    url: Annotated[str, StringConstraints(min_length=1, max_length=2000),
                   AfterValidator(normalise_url)] = Field(
        description="The page URL or path; stored without query string and fragment.")
    task_slug: Slug | None = None
    task_version: int | None = Field(default=None, ge=1)
    step_id: Slug | None = None
    user: ShortName | None = Field(default=None, description="Stored only as a pseudonym; "
                                   "blank is the same as absent.")
    team: ShortName | None = Field(default=None, description="Blank is the same as absent.")
    details: Details | None = None

    @field_validator("user", "team", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("occurred_at")
    @classmethod
    def _not_ahead_of_the_server(cls, value: dt.datetime, info: ValidationInfo) -> dt.datetime:
        now = _context(info)["now"]
        if value > now + MAX_CLOCK_AHEAD:
            raise ValueError(f"lies more than a day ahead of the server clock "
                             f"({now.isoformat(timespec='seconds')})")
        return value

    @field_validator("app")
    @classmethod
    def _registered(cls, value: str, info: ValidationInfo) -> str:
        if not _context(info)["is_known_app"](value):
            raise ValueError(f"unknown host application '{value}'")
        return value

    @field_validator("details")
    @classmethod
    def _fits_the_type(cls, value: Details | None, info: ValidationInfo) -> Details | None:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        extra = sorted(value.model_fields_set - DETAIL_KEYS[kind])
        if extra:
            allowed = ", ".join(sorted(DETAIL_KEYS[kind])) or "none"
            raise ValueError(f"{', '.join(extra)} not allowed for a {kind} event "
                             f"(allowed: {allowed})")
        return value


class EventBatch(BaseModel):
    """What `POST /api/v1/events` takes."""

    model_config = ConfigDict(extra="forbid", strict=True)

    events: list[EventIn] = Field(max_length=MAX_BATCH_EVENTS)


def _context(info: ValidationInfo) -> dict:
    if not info.context:
        raise RuntimeError("events are validated with parse_batch (it passes the context)")
    return info.context


def parse_batch(raw: bytes | str, *, now: dt.datetime,
                is_known_app: Callable[[str], bool]) -> list[EventIn]:
    """The events of a JSON batch, validated against the server time `now` and the
    registered host apps. Raises pydantic's ValidationError naming each bad field by its
    position, or BatchTooLarge."""
    try:
        batch = EventBatch.model_validate_json(
            raw, context={"now": now, "is_known_app": is_known_app})
    except ValidationError as exc:
        if any(e["type"] == "too_long" and e["loc"] == ("events",) for e in exc.errors()):
            raise BatchTooLarge(f"a batch holds at most {MAX_BATCH_EVENTS} events; "
                                "send them in smaller batches") from None
        raise
    return batch.events


# -- storing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    accepted: int  # newly stored
    duplicates: int  # stored before, or repeated within the batch


def store_events(connection: Connection, events: Sequence[EventIn], *, secret_key: str,
                 received_at: dt.datetime) -> Receipt:
    """Write the events in batch order, each id once (a known id is a duplicate, also
    within the batch). The only way events are written; it does not commit.

    On PostgreSQL the writers take turns (an advisory lock held until commit), so the
    sequence numbers follow the order of commits, as they do on SQLite."""
    sql, positional = _insert(connection.dialect)
    # SQLAlchemy's conversion of each value costs more than the insert; these are the
    # values it would send (SQLite has no date type: text in SQLAlchemy's format).
    when = _sqlite_time if connection.dialect.name == "sqlite" else _same
    received = when(received_at)
    actor = _pseudonymiser(secret_key)
    rows: list[tuple] = []
    seen: set[uuid.UUID] = set()
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        details = event.details.model_dump(exclude_none=True) if event.details else None
        rows.append((
            str(event.id), event.type, when(event.occurred_at), received, event.app,
            event.url, event.task_slug, event.task_version, event.step_id,
            actor(event.user) if event.user is not None else None, event.team,
            _json(details) if details else "{}",
        ))
    if not rows:
        return Receipt(0, len(events))
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK})
    parameters = rows if positional else [dict(zip(_COLUMNS, row, strict=True)) for row in rows]
    stored = connection.exec_driver_sql(sql, parameters).rowcount  # executemany: the sum
    return Receipt(stored, len(events) - stored)


_TABLE = Event.__table__
_COLUMNS = ("id", "type", "occurred_at", "received_at", "app", "url", "task_slug",
            "task_version", "step_id", "actor", "team", "details")
_INSERTS: dict[tuple[str, str, str], tuple[str, bool]] = {}


def _insert(dialect: Dialect) -> tuple[str, bool]:
    """INSERT … ON CONFLICT (id) DO NOTHING as SQLAlchemy writes it for this database,
    run by the driver itself; and whether it takes its values by position."""
    key = (dialect.name, dialect.driver, dialect.paramstyle)
    if key not in _INSERTS:
        constructs = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
        if dialect.name not in constructs:
            raise NotImplementedError(f"events cannot be stored in {dialect.name}")
        insert = constructs[dialect.name](_TABLE).on_conflict_do_nothing(index_elements=["id"])
        compiled = insert.inline().compile(dialect=dialect, column_keys=list(_COLUMNS))
        if dialect.positional and tuple(compiled.positiontup or ()) != _COLUMNS:
            raise RuntimeError(f"unexpected order of parameters: {compiled.positiontup}")
        _INSERTS[key] = (str(compiled), dialect.positional)
    return _INSERTS[key]


def _sqlite_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _same(value: dt.datetime) -> dt.datetime:
    return value


_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def record_events(engine: Engine, events: Sequence[EventIn], *, secret_key: str,
                  received_at: dt.datetime) -> Receipt:
    """Store the events and return once they are committed durably (on SQLite with
    synchronous=FULL: WAL with NORMAL may lose the last commits on a power failure).

    Batches that arrive while another is being written wait and are then written together,
    in order of arrival, in one transaction (group commit): the cost of a commit is shared,
    and on SQLite no writer sleeps on a locked database."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get(engine) or _WRITERS.setdefault(engine, _GroupWriter())
    return writer.write(engine, _Batch(events, secret_key, received_at))


@dataclass(eq=False)
class _Batch:
    events: Sequence[EventIn]
    secret_key: str
    received_at: dt.datetime
    receipt: Receipt | None = None
    error: BaseException | None = None
    leads: bool = False  # this request's thread writes the next group
    woken: threading.Event = field(default_factory=threading.Event)

    def outcome(self) -> Receipt:
        if self.error is not None:
            raise self.error
        assert self.receipt is not None
        return self.receipt


class _GroupWriter:
    """One per engine: the thread that finds no write under way writes every batch that
    is waiting, then hands the turn to the first batch that arrived meanwhile."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: list[_Batch] = []
        self.busy = False

    def write(self, engine: Engine, batch: _Batch) -> Receipt:
        with self.lock:
            self.waiting.append(batch)
            batch.leads = not self.busy
            self.busy = True
        if not batch.leads:
            batch.woken.wait()
        if batch.leads:
            with self.lock:
                group, self.waiting = self.waiting, []
            try:
                self._commit(engine, group)
            finally:
                for unfinished in (b for b in group if b.receipt is None and b.error is None):
                    unfinished.error = RuntimeError("the write was interrupted")
                    unfinished.woken.set()
                with self.lock:
                    if self.waiting:
                        self.waiting[0].leads = True
                        self.waiting[0].woken.set()
                    else:
                        self.busy = False
        return batch.outcome()

    def _commit(self, engine: Engine, group: list[_Batch]) -> None:
        try:
            _transaction(engine, group)
        except Exception as exc:
            if len(group) > 1:  # which batch failed? Each on its own, then.
                for batch in group:
                    self._commit(engine, [batch])
                return
            group[0].error = exc
        for batch in group:
            batch.woken.set()


def _transaction(engine: Engine, group: list[_Batch]) -> None:
    with engine.connect() as connection, _synchronous_full(connection):
        try:
            for batch in group:
                batch.receipt = store_events(connection, batch.events,
                                             secret_key=batch.secret_key,
                                             received_at=batch.received_at)
            connection.commit()
        except BaseException:
            connection.rollback()
            for batch in group:
                batch.receipt = None
            raise


_WRITERS: WeakKeyDictionary[Engine, _GroupWriter] = WeakKeyDictionary()  # no engine inside
_WRITERS_LOCK = threading.Lock()


@contextmanager
def _synchronous_full(connection: Connection) -> Iterator[None]:
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA synchronous").scalar())
    connection.exec_driver_sql("PRAGMA synchronous=FULL")
    connection.commit()  # ends SQLAlchemy's autobegun, empty transaction
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA synchronous={before}")
        connection.commit()
