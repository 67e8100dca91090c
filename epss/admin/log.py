"""The admin log: every administrative action (who, when, what, before and after),
append-only and chained by hash like the event store, so a row changed or removed
afterwards is found by `verify_admin_log`. Functions take a Session and never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from epss.audit.chain import GENESIS, utc_text
from epss.models import AdminAction

WEB = "web"
COMMAND_LINE = "command line"
SINGLE_SIGN_ON = "single sign-on"
_LOCK_ID = 0x45505353  # "EPSS": PostgreSQL advisory lock of the admin log's writers


@dataclass(frozen=True)
class Actor:
    """Who does an administrative action, and through which road."""

    name: str
    via: str = WEB
    user_id: int | None = None


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject_kind: str,
    subject: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AdminAction:
    """Append one action to the log, linked to the one before it."""
    one_admin_at_a_time(session)
    previous = session.exec(
        select(AdminAction.chain_hash).order_by(col(AdminAction.seq).desc()).limit(1)
    ).first()
    entry = AdminAction(
        actor=actor.name,
        via=actor.via,
        action=action,
        subject_kind=subject_kind,
        subject=subject,
        before=before,
        after=after,
        at=dt.datetime.now(dt.UTC),
        chain_hash="",
    )
    entry.chain_hash = _link(previous or GENESIS, entry)
    session.add(entry)
    session.flush()
    return entry


def admin_log(
    session: Session, *, limit: int, offset: int = 0, subject: str | None = None
) -> tuple[list[AdminAction], int]:
    """The newest actions first (of one subject, when given), and how many there are."""
    query = select(AdminAction)
    count = select(func.count()).select_from(AdminAction)
    if subject:
        query = query.where(AdminAction.subject == subject)
        count = count.where(AdminAction.subject == subject)
    rows = session.exec(
        query.order_by(col(AdminAction.seq).desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), session.exec(count).one()


def verify_admin_log(session: Session) -> int | None:
    """The seq of the first action whose hash does not follow from its content and the
    action before it (changed or removed afterwards), or None when the log holds."""
    previous = GENESIS
    for entry in session.exec(select(AdminAction).order_by(col(AdminAction.seq))):
        if _link(previous, entry) != entry.chain_hash:
            return entry.seq
        previous = entry.chain_hash
    return None


def _link(previous: str, entry: AdminAction) -> str:
    content = {
        "at": utc_text(entry.at),
        "actor": entry.actor,
        "via": entry.via,
        "action": entry.action,
        "subject_kind": entry.subject_kind,
        "subject": entry.subject,
        "before": entry.before,
        "after": entry.after,
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(previous.encode() + canonical.encode("utf-8")).hexdigest()


def one_admin_at_a_time(session: Session) -> None:
    """Let one transaction at a time do admin work (and link to the newest action): take
    it before reading what a check depends on (e.g. "is someone else still an admin?").
    PostgreSQL: an advisory lock until commit. SQLite: a write statement takes the
    database's one write lock now (or fails when another writer committed since this
    transaction began reading)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)").bindparams(id=_LOCK_ID))
    else:
        session.execute(text("UPDATE admin_action SET seq = seq WHERE 1 = 0"))
