"""`epss audit verify`: walk the chain in seq order (in batches, memory bounded) and name
the first event or checkpoint that does not match."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from epss.audit.chain import GENESIS, canonical, link
from epss.audit.checkpoints import checkpoints, signed_correctly
from epss.audit.head import read_events


@dataclass(frozen=True)
class Verdict:
    """The outcome: `problem` is None when the chain is intact."""

    checked: int  # events whose hash was recomputed
    events: int  # events in the chain up to last_seq, removed ones included
    last_seq: int  # 0 when the chain is empty
    last_hash: str
    seconds: float
    problem: str | None = None
    seq: int | None = None  # the first event (or checkpoint) that does not match
    id: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.ok:
            return (
                f"The event chain is intact: {self.checked:,} event(s) checked up to seq "
                f"{self.last_seq} ({self.events:,} in the chain) in {self.seconds:.1f} s."
            )
        return f"The event chain is BROKEN: {self.problem}"


def verify_chain(
    connection: Connection, *, secret_key: str, upto: int | None = None, batch: int = 5000
) -> Verdict:
    """Check every checkpoint's signature, then recompute every stored event's chain hash
    (seq ≤ `upto` when given), starting from the newest checkpoint before the oldest
    stored event when retention removed older ones (else from GENESIS)."""
    started = time.perf_counter()
    signed = checkpoints(connection)
    previous_seq = 0
    for checkpoint in signed:
        if not signed_correctly(secret_key, checkpoint, previous_seq):
            return _broken(
                started,
                f"the checkpoint at seq {checkpoint.seq} has a wrong "
                "signature: it was forged or changed, or a checkpoint before it "
                "was removed",
                checkpoint.seq,
            )
        previous_seq = checkpoint.seq
    first = connection.execute(text("SELECT min(seq) FROM event")).scalar()
    anchors = [c for c in signed if first is None or c.seq < first]
    anchor = anchors[-1] if anchors else None
    previous, count, last = (
        (anchor.chain_hash, anchor.events, anchor.seq) if anchor else (GENESIS, 0, 0)
    )
    pending = [c for c in signed if first is not None and c.seq >= first]
    checked = 0
    for row in read_events(connection, (first or 1) - 1, upto, batch):
        seq, event_id, stored = row[0], row[1], row[-1]
        if pending and pending[0].seq < seq:
            return _broken(
                started,
                f"event seq {pending[0].seq}, signed in a checkpoint, was removed",
                pending[0].seq,
            )
        if stored is None:
            return _broken(
                started,
                f"event seq {seq} (id {event_id}) has no chain hash: it "
                "was inserted outside EPSS, or its hash was removed",
                seq,
                event_id,
            )
        if link(previous, canonical(row[:-1])) != stored:
            if seq - last > 1:
                why = (
                    f"the event(s) before it (seq {last + 1}–{seq - 1}) were removed, or "
                    "it was changed"
                )
            elif last == 0:
                why = "it was changed, or events before it were removed"
            else:
                why = (
                    "it was changed, or the event before it (seq "
                    f"{last}) was removed, replaced or reordered"
                )
            return _broken(
                started,
                f"event seq {seq} (id {event_id}) does not match the chain: {why}",
                seq,
                event_id,
            )
        count += 1
        checked += 1
        previous, last = stored, seq
        if pending and pending[0].seq == seq:
            checkpoint = pending.pop(0)
            if checkpoint.chain_hash != stored or checkpoint.events != count:
                return _broken(
                    started,
                    f"the chain at seq {seq} differs from the signed "
                    "checkpoint there: events up to it were changed, removed or "
                    "inserted and the chain recomputed",
                    seq,
                    event_id,
                )
    if pending and (upto is None or pending[0].seq <= upto):
        return _broken(
            started,
            f"event seq {pending[0].seq}, signed in a checkpoint, was "
            "removed (with the events after it)",
            pending[0].seq,
        )
    if first is None and signed:  # retention removed every event: the chain ends there
        previous, count, last = signed[-1].chain_hash, signed[-1].events, signed[-1].seq
    return Verdict(checked, count, last, previous, time.perf_counter() - started)


def _broken(started: float, problem: str, seq: int, event_id: str | None = None) -> Verdict:
    return Verdict(0, 0, 0, "", time.perf_counter() - started, problem, seq, event_id)
