"""Events: what people do with the guidance, recorded append-only so that the guidance can be
improved (not to rank people).

The overlay sends events in batches. `parse_batch` validates a batch (every field, by its
position) and `store_events` writes it; it is the one function through which events are
written. Personal data is minimised before anything is stored:

- the user hint becomes a keyed pseudonym (HMAC-SHA256 with the service's secret key);
- a URL keeps only its scheme, host and path: query string, fragment and credentials are
  dropped, and runs of five or more digits (a citizen service number, a case number) are
  masked, as they are in task and step ids;
- free text that people type (search query, reason for deviating, comment: FREE_TEXT_FIELDS)
  is dropped, unless the setting store_free_text is on (then with long numbers masked);
- a case reference becomes a keyed hash (`case_ref_hash`), so someone who knows the number
  can find its events while the database does not reveal it.
"""

from epss.events.batch import MAX_BATCH_BYTES, BatchTooLarge, EventBatch, parse_batch
from epss.events.group_commit import EventWriter
from epss.events.privacy import pseudonym
from epss.events.store import Receipt

__all__ = [
    "MAX_BATCH_BYTES",
    "BatchTooLarge",
    "EventBatch",
    "EventWriter",
    "Receipt",
    "parse_batch",
    "pseudonym",
]
