"""Database tables. Alembic (alembic/versions) is the only way their schema changes.

Task and Step hold the working copy (the draft) that experts edit. TaskVersion holds the
immutable published snapshots; what the overlay shows is always one of those. ContextRule
holds the rules of the latest published version, so matching never sees a draft. Change is
the history of every edit and workflow step; Feedback is what the desk said about a step.
Event is the append-only record of what people did with the guidance. User, ApiToken and
LoginSession are the accounts and how they prove who they are; PasswordReset and
LoginThrottle serve logging in; AdminAction is the append-only log of what admins did.
CatalogChange is the log every instance follows to stay in step with the others (see
epss.changes); EditorPresence says who has which task open in an editor, on which instance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import JSON, Column, Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def stored_id(row: _Stored) -> int:
    """The id of a row the database holds. Its field says `int | None` because a new row
    has none until it is flushed; a stored row always has one."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was not flushed")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for queries that read columns without the ORM."""
    # SQLModel sets __table__ (SQLAlchemy's declarative mapping does) without declaring it.
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


class HostApp(SQLModel, table=True):
    """A case application the overlay runs in."""

    __tablename__ = "host_app"

    id: str = Field(primary_key=True, max_length=80)
    name: str = Field(max_length=200)
    allowed_origins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    zaaktype_map: dict[str, str] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="The application's own case-type codes → zaaktype identificaties.",
    )
    finish_buttons: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="CSS selectors of the buttons that finish a case; pressing one with "
        "mandatory steps unticked makes the help panel warn (it never stops the press).",
    )


class Task(SQLModel, table=True):
    """A critical task: the working copy of its own fields."""

    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    title: str = Field(max_length=300)
    domain: str = Field(index=True, max_length=80)
    goal: str
    trigger: str = ""
    standard: str = ""
    criticality: str = Field(max_length=20)
    owner: str = Field(max_length=300)
    review_by: dt.date
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    zaaktypen: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    deviation_reasons: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    context_rules: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    review_interval_months: int = Field(
        default=12, sa_column_kwargs={"server_default": "12"}, description="Months between reviews."
    )
    checked_on: dt.date | None = Field(
        default=None, description="When the content was last checked against its sources."
    )
    status: str = Field(
        default="draft",
        max_length=20,
        description="published (draft = newest version), draft or submitted.",
    )
    version: int = Field(default=1, description="Row version of the task's own fields.")
    steps_version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": "1"},
        description="Row version of the list of steps (adding, removing and reordering).",
    )
    published_version: int | None = Field(default=None)
    submitted_by: str | None = Field(default=None, max_length=80)
    submitted_at: dt.datetime | None = Field(default=None)
    review_comment: str | None = Field(default=None, description="Why it was sent back.")
    updated_at: dt.datetime = Field(default_factory=_now)


class Step(SQLModel, table=True):
    """One step of a task's working copy."""

    __tablename__ = "step"
    __table_args__ = (UniqueConstraint("task_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=80, description="The step's id in the task file.")
    position: int
    title: str = Field(max_length=300)
    mandatory: bool = True
    instruction: str
    why: str = ""
    warning: str = ""
    check: str = ""
    estimated_minutes: int | None = None
    branches: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    target: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    field_tip: str | None = Field(default=None, max_length=300)
    field_checks: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    target_fingerprint: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1, description="Row version for optimistic locking.")


class TaskVersion(SQLModel, table=True):
    """A published snapshot of a task and its steps: its document and content hash never
    change. Beside them the version's credits, and `review_by`: the date by which this
    guidance must be checked again, which a confirmation that it is still correct moves
    without making a new version (the document keeps the date it was published with)."""

    __tablename__ = "task_version"
    __table_args__ = (UniqueConstraint("task_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    number: int
    content_hash: str = Field(max_length=64, description="SHA-256 of the canonical document.")
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    published_at: dt.datetime = Field(default_factory=_now)
    published_by: str = Field(
        max_length=200,
        description="Who published it: the approver, or with import_unreviewed who imported it.",
    )
    approved_by: str | None = Field(
        default=None,
        max_length=200,
        description="The redacteur who reviewed and published it; "
        "None when it was published at import, without review.",
    )
    submitted_by: str | None = Field(
        default=None,
        max_length=200,
        description="Who submitted the draft for review (after an import: who imported it).",
    )
    edited_by: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Who changed the draft since the version before (an import: who imported it).",
    )
    import_unreviewed: bool = Field(
        default=False, description="Published at import, without review (`epss import --publish`)."
    )
    review_by: dt.date = Field(
        description="Check again by: the document's review_by at "
        "publication, moved by each confirmation that it is still "
        "correct."
    )


class ContextRule(SQLModel, table=True):
    """A rule of the latest published version: when a host app screen shows this task."""

    __tablename__ = "context_rule"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    app_id: str = Field(foreign_key="host_app.id", index=True, max_length=80)
    position: int
    url: str | None = Field(default=None, max_length=300)
    title: str | None = Field(default=None, max_length=300)
    markers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    zaaktype: str | None = Field(default=None, max_length=300)
    priority: int = 0
    start_step: str | None = Field(default=None, max_length=80)


class Event(SQLModel, table=True):
    """What someone did with the guidance, as the overlay reported it. Append-only, and
    written only by `epss.events.store.store_events`, which applies the privacy rules first."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_task_slug_occurred_at", "task_slug", "occurred_at"),
        # The quality questions (epss.quality.counts): people per task, per step and per
        # day or team, read from these indexes alone and grouped in their order.
        Index("ix_event_quality_task", "type", "task_slug", "actor", "occurred_at"),
        Index("ix_event_quality_step", "type", "task_slug", "step_id", "actor", "occurred_at"),
        Index("ix_event_quality_time", "type", "occurred_at", "team", "actor"),
        Index("ix_event_app_received_at", "app", "received_at"),  # a host app's last call
        # SQLite: AUTOINCREMENT, so a sequence number is never handed out twice.
        {"sqlite_autoincrement": True},
    )

    seq: int | None = Field(
        default=None, primary_key=True, description="Order of arrival (the order of writing)."
    )
    id: str = Field(unique=True, max_length=36, description="The client's UUID (idempotency).")
    type: str = Field(max_length=40)
    occurred_at: dt.datetime = Field(index=True)
    received_at: dt.datetime
    app: str = Field(max_length=80)
    url: str = Field(max_length=2000, description="Scheme, host and path; long numbers masked.")
    task_slug: str | None = Field(default=None, max_length=80)
    task_version: int | None = Field(default=None)
    step_id: str | None = Field(default=None, max_length=80)
    actor: str | None = Field(
        default=None,
        index=True,
        max_length=64,
        description="Keyed pseudonym of the user (HMAC-SHA256, hex).",
    )
    team: str | None = Field(default=None, max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    case_ref: str | None = Field(
        default=None,
        index=True,
        max_length=64,
        description="Keyed hash (HMAC-SHA256) of a case reference.",
    )
    chain_hash: str | None = Field(
        default=None,
        max_length=64,
        description="SHA-256 over this event's content and the "
        "previous event's chain_hash (tamper evidence).",
    )


class Change(SQLModel, table=True):
    """One recorded change to a task's working copy or its workflow: who, when, what.
    `before` and `after` hold the changed fields, so the history can show a diff."""

    __tablename__ = "change"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    at: dt.datetime = Field(default_factory=_now, index=True)
    actor: str = Field(max_length=80, description="Account name of who did it.")
    action: str = Field(max_length=40)
    step_key: str | None = Field(default=None, max_length=80)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    comment: str = ""
    version_number: int | None = Field(
        default=None, description="The published version this created."
    )


class Feedback(SQLModel, table=True):
    """What someone at the desk said about a step or task ("klopt niet", "onduidelijk",
    "suggestie"), and what the experts did with it."""

    __tablename__ = "feedback"

    id: str = Field(primary_key=True, max_length=36, description="The client's UUID.")
    task_slug: str = Field(index=True, max_length=80)
    task_version: int
    step_key: str | None = Field(default=None, max_length=80)
    kind: str = Field(max_length=20)
    comment: str = ""
    app: str | None = Field(default=None, max_length=80)
    url: str | None = Field(
        default=None,
        max_length=2000,
        description="The screen it was given on: scheme, host and path; long numbers masked.",
    )
    actor: str | None = Field(default=None, max_length=64, description="Keyed pseudonym.")
    team: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(default_factory=_now, index=True)
    status: str = Field(
        default="new", index=True, max_length=20, description="new, accepted, declined."
    )
    handled_by: str | None = Field(default=None, max_length=80)
    handled_at: dt.datetime | None = Field(default=None)
    answer: str = Field(default="", description="The experts' reply to the sender.")
    change_id: int | None = Field(
        default=None,
        foreign_key="change.id",
        description="The change that answers it, when accepted.",
    )


class Outcome(SQLModel, table=True):
    """What became of a case, as the case software reported it (finished, returned for
    correction, rejected by the issuing authority, fraud detected), to set against whether
    the guidance was consulted for it. Only the keyed hash of the case reference is kept."""

    __tablename__ = "outcome"

    id: str = Field(primary_key=True, max_length=36, description="The sender's UUID.")
    app: str = Field(max_length=80)
    task_slug: str = Field(index=True, max_length=80)
    case_ref: str = Field(index=True, max_length=64, description="Keyed hash of the case.")
    kind: str = Field(max_length=20, description="afgerond, teruggestuurd, afgewezen, fraude.")
    occurred_at: dt.datetime = Field(index=True)
    received_at: dt.datetime = Field(default_factory=_now)


class FieldAlert(SQLModel, table=True):
    """That the writers of a step were mailed about its field, which the desk's panel did
    not find in a host app: one mail per step and app in a period, whichever instance
    sends it (the row is claimed before the mail goes)."""

    __tablename__ = "field_alert"

    task_slug: str = Field(primary_key=True, max_length=80)
    step_id: str = Field(primary_key=True, max_length=80)
    app: str = Field(primary_key=True, max_length=80)
    mailed_at: dt.datetime


class User(SQLModel, table=True):
    """An account. Without a password hash it can only use API tokens."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    team: str | None = Field(default=None, max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=_now)
    last_login_at: dt.datetime | None = Field(default=None)
    sso_subject: str | None = Field(
        default=None,
        unique=True,
        max_length=300,
        description="Issuer and subject of a single sign-on "
        "account; its roles and team follow the provider.",
    )
    email: str | None = Field(
        default=None,
        max_length=254,
        description="Where EPSS mails its notices to this person (a field of a step they "
        "wrote that the desk's panel no longer finds); none: no mail.",
    )


class ApiToken(SQLModel, table=True):
    """A personal token for scripts. Only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(unique=True, max_length=64)
    created_at: dt.datetime = Field(default_factory=_now)
    last_used_at: dt.datetime | None = Field(default=None)


class LoginSession(SQLModel, table=True):
    """A browser login. The cookie holds a random secret; only its SHA-256 is stored, so
    logging out (deleting the row) ends the session everywhere."""

    __tablename__ = "login_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=_now)
    expires_at: dt.datetime = Field(index=True)


class PasswordReset(SQLModel, table=True):
    """A one-time link to set a new password, made by an admin. Only its SHA-256 is stored."""

    __tablename__ = "password_reset"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=_now)
    expires_at: dt.datetime
    used_at: dt.datetime | None = Field(default=None)


class LoginThrottle(SQLModel, table=True):
    """Failed logins of one account name from one client address, kept in the database so
    every instance counts them. The key is a keyed hash."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failure_at: dt.datetime
    blocked_until: dt.datetime | None = Field(default=None)


class AdminAction(SQLModel, table=True):
    """One administrative action: who, when, what, before and after. Append-only, and
    chained by hash like the event store, so a change afterwards is detectable."""

    __tablename__ = "admin_action"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=_now, index=True)
    actor: str = Field(
        max_length=80, description="Account name, or the system user of the command line."
    )
    via: str = Field(max_length=20, description="web, command line or single sign-on.")
    action: str = Field(max_length=40)
    subject_kind: str = Field(max_length=20, description="account or host_app.")
    subject: str = Field(index=True, max_length=300)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    chain_hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """A signed statement of the event chain at `seq`: verification can start here after
    retention removed the events before it."""

    __tablename__ = "audit_checkpoint"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    chain_hash: str = Field(max_length=64)
    events: int = Field(description="How many events the chain held up to seq.")
    created_at: dt.datetime = Field(default_factory=_now)
    signature: str = Field(max_length=64, description="HMAC-SHA256 with the secret key.")
    note: str = ""


class EventDaily(SQLModel, table=True):
    """Events counted per day, kept after retention removed the events themselves."""

    __tablename__ = "event_daily"
    __table_args__ = (
        UniqueConstraint("day", "type", "app", "task_slug", "task_version", "step_id", "team"),
    )

    id: int | None = Field(default=None, primary_key=True)
    day: dt.date = Field(index=True)
    type: str = Field(max_length=40)
    app: str = Field(max_length=80)
    task_slug: str | None = Field(default=None, max_length=80)
    task_version: int | None = Field(default=None)
    step_id: str | None = Field(default=None, max_length=80)
    team: str | None = Field(default=None, max_length=200)
    events: int
    actors: int = Field(description="Distinct pseudonyms that day.")


class PersonalDataView(SQLModel, table=True):
    """Every look at individual-level data, with its stated purpose (visible to admins)."""

    __tablename__ = "personal_data_view"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=_now, index=True)
    viewer: str = Field(max_length=80)
    purpose: str
    what: str = Field(description="Which view, with its filters.")
    subject: str | None = Field(
        default=None, max_length=64, description="The pseudonym looked at, if one."
    )


class ExportCursor(SQLModel, table=True):
    """How far an export (e.g. xAPI) got through the events."""

    __tablename__ = "export_cursor"

    name: str = Field(primary_key=True, max_length=40)
    last_seq: int = 0
    updated_at: dt.datetime = Field(default_factory=_now)


class CatalogChange(SQLModel, table=True):
    """Something every instance must apply: a task published, a host app or account
    changed, an editor's notice. Ids are given in commit order (see epss.changes.log)."""

    __tablename__ = "catalog_change"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    subject: str = Field(max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: dt.datetime = Field(default_factory=_now, index=True)


class EditorPresence(SQLModel, table=True):
    """A person with a task open in an editor, on one instance; kept fresh by that
    instance's heartbeat, so the rows of an instance that died go stale by themselves."""

    __tablename__ = "editor_presence"

    instance: str = Field(primary_key=True, max_length=40)
    slug: str = Field(primary_key=True, max_length=200)
    name: str = Field(primary_key=True, max_length=200)
    seen_at: dt.datetime = Field(default_factory=_now, index=True)
