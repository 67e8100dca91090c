"""Signed checkpoints: "the chain hash at seq S is H, after N events", signed with
HMAC-SHA256 under EPSS_SECRET_KEY. Each signature also covers the seq of the checkpoint
before it, so removing a checkpoint from the middle breaks the next one's signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from epss.audit.chain import stored_time

_PURPOSE = "epss-audit-checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    chain_hash: str
    events: int
    signature: str


def sign(secret_key: str, seq: int, chain_hash: str, events: int, previous_seq: int) -> str:
    """The signature of a checkpoint (hex); `previous_seq` is 0 for the first one."""
    message = f"{_PURPOSE}:{seq}:{chain_hash}:{events}:{previous_seq}".encode("ascii")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_correctly(secret_key: str, checkpoint: Checkpoint, previous_seq: int) -> bool:
    expected = sign(
        secret_key, checkpoint.seq, checkpoint.chain_hash, checkpoint.events, previous_seq
    )
    return hmac.compare_digest(expected, checkpoint.signature)


def checkpoints(connection: Connection) -> list[Checkpoint]:
    """Every checkpoint, oldest first (there are few: one per retention run or seal)."""
    rows = connection.execute(
        text("SELECT seq, chain_hash, events, signature FROM audit_checkpoint ORDER BY seq")
    )
    return [Checkpoint(*row) for row in rows]


def write_checkpoint(
    connection: Connection,
    *,
    secret_key: str,
    seq: int,
    chain_hash: str,
    events: int,
    note: str,
    now: dt.datetime,
) -> Checkpoint:
    """Sign and store a checkpoint at `seq` (after the newest one); one at that seq
    already stored is kept as it is. Does not commit."""
    existing = [c for c in checkpoints(connection) if c.seq >= seq]
    if existing and existing[0].seq == seq:
        return existing[0]
    if existing:
        raise ValueError(f"a checkpoint at seq {existing[-1].seq} is newer than seq {seq}")
    previous = connection.execute(text("SELECT max(seq) FROM audit_checkpoint")).scalar() or 0
    checkpoint = Checkpoint(
        seq, chain_hash, events, sign(secret_key, seq, chain_hash, events, previous)
    )
    connection.execute(
        text(
            "INSERT INTO audit_checkpoint (seq, chain_hash, events, created_at, signature, note) "
            "VALUES (:seq, :chain_hash, :events, :created_at, :signature, :note)"
        ),
        {
            "seq": seq,
            "chain_hash": chain_hash,
            "events": events,
            "signature": checkpoint.signature,
            "note": note,
            "created_at": stored_time(connection.dialect.name, now),
        },
    )
    return checkpoint
