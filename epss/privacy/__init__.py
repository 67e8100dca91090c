"""Personal data around the events: what is recorded about a person ("mijn gegevens": their
events and their feedback, with task and step titles), case references as keyed hashes, and
the log of every look at individual-level data.

The events themselves are minimised when they are stored (see `epss.events.privacy`).
Views of data about one person other than oneself go through `record_view`, with a stated
purpose; admins see that log at /beheer/inzage-log.
"""

from epss.privacy.cases import case_ref_hash, events_of_case
from epss.privacy.mine import (
    MY_EVENT_FIELDS,
    MY_FEEDBACK_FIELDS,
    my_events,
    my_events_csv,
    my_feedback,
    my_feedback_csv,
)
from epss.privacy.views import MAX_PURPOSE, record_view, views_log

__all__ = [
    "MAX_PURPOSE",
    "MY_EVENT_FIELDS",
    "MY_FEEDBACK_FIELDS",
    "case_ref_hash",
    "events_of_case",
    "my_events",
    "my_events_csv",
    "my_feedback",
    "my_feedback_csv",
    "record_view",
    "views_log",
]
