"""The questions a quality officer asks of the events, answered in aggregate.

Each question is a function `(session, period, settings-like limits, ...) -> Table`. A
Table is the one shape the JSON API, the pages (table and chart) and the CSV export all
show, so they always agree. Every group that holds fewer distinct people (pseudonyms) than
`min_group_size` is hidden before a Table leaves this package: its counts become None and
`hidden` says how many groups that were.

Days whose events retention removed are read from the daily counts (`event_daily`) where
a question can be answered from them (consultations and the step funnel).
"""

from epss.quality.period import Period, parse_period
from epss.quality.questions import QUESTIONS, Question, answer
from epss.quality.table import Column, Table

__all__ = ["QUESTIONS", "Column", "Period", "Question", "Table", "answer", "parse_period"]
