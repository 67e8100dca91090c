"""xAPI export: consultations of the guidance as xAPI 1.0.3 statements, sent to a Learning
Record Store (LRS).

`statements` turns a stored event into a statement (or decides it has none), `client` sends
batches of statements with retries, `export` walks the events after the "xapi" export cursor
and moves the cursor only after the LRS acknowledged them. The statement id is a UUID derived
from the event id, so an event becomes the same statement however often it is sent.
"""

from epss.xapi.client import LrsClient, LrsRefused, LrsUnavailable, XapiError
from epss.xapi.export import CURSOR_NAME, ExportReport, export_events
from epss.xapi.statements import STATEMENT_NAMESPACE, VERBS, statement_id, to_statement

__all__ = [
    "CURSOR_NAME",
    "STATEMENT_NAMESPACE",
    "VERBS",
    "ExportReport",
    "LrsClient",
    "LrsRefused",
    "LrsUnavailable",
    "XapiError",
    "export_events",
    "statement_id",
    "to_statement",
]
