"""Tamper evidence for the events: a hash chain over every stored event, signed
checkpoints, verification, and retention that keeps daily counts and a verifiable chain.

Each event's `chain_hash` is SHA-256 over the previous event's `chain_hash` (hex, or
`GENESIS` for the first) followed by the canonical JSON of the event's stored content
(`chain.canonical`). A checkpoint signs (HMAC-SHA256 with EPSS_SECRET_KEY) the chain hash
at a sequence number, so verification can start there once retention removed the events
before it, and so a rewritten chain cannot be passed off as the signed one.
"""

from epss.audit.chain import GENESIS, canonical, link
from epss.audit.checkpoints import write_checkpoint
from epss.audit.verify import Verdict, verify_chain

__all__ = ["GENESIS", "Verdict", "canonical", "link", "verify_chain", "write_checkpoint"]
