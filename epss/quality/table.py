"""The shape every answer takes (columns and rows), the hiding of small groups, and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # Dutch; the pages translate it
    numeric: bool = False
    protected: bool = False  # a count that is hidden when its group is too small
    shown: bool = True  # False: an id for tools (JSON only); a title column names it for people
    date: bool = False  # a day, YYYY-MM-DD in the JSON, shown (and in the CSV) as dd-mm-jjjj
    words: bool = False  # interface words (Dutch), translated where they are shown


@dataclass
class Table:
    """Rows of one answer. `hidden` counts the groups whose counts were hidden because
    fewer than `min_group_size` people were in them; their protected cells are None."""

    question: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    min_group_size: int
    hidden: int = 0
    # Which columns the chart draws: {"kind", "label", "values"}.
    chart: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "min_group_size": self.min_group_size,
            "hidden_groups": self.hidden,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": self.rows,
            **self.extra,
        }

    def as_csv(self, translate: Callable[[str], str] = lambda text: text) -> str:
        """The table as the page shows it, as CSV (semicolons, as Dutch spreadsheets
        expect): the rows with figures; a hidden figure is written as it is shown."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([translate(c.label) for c in self.shown_columns])
        for row in self.rows_with_figures:
            writer.writerow([self.cell(row, c, translate) for c in self.shown_columns])
        return out.getvalue()

    @property
    def rows_with_figures(self) -> list[dict[str, Any]]:
        """The rows a page's table and chart show: all but the small groups."""
        small = {id(row) for row in self.small_groups}
        return [row for row in self.rows if id(row) not in small]

    @property
    def small_groups(self) -> list[dict[str, Any]]:
        """The rows whose people are hidden (too few): a page names them apart, without
        figures, rather than as a table of hidden cells. Not in a time series, where a
        quiet day stays a gap in its place."""
        people = any(c.key == "people" and c.protected for c in self.columns)
        if not people or (self.chart or {}).get("kind") == "line":
            return []
        return [row for row in self.rows if row.get("people") is None]

    def named(self, row: dict[str, Any], translate: Callable[[str], str] = str) -> str:
        """A row as its shown words, without figures: "Taak — Stap"."""
        words = [self.cell(row, c, translate) for c in self.shown_columns if not c.numeric]
        return " — ".join(w for w in words if w)

    @property
    def shown_columns(self) -> list[Column]:
        """The columns a page shows: not the ids (a title column names the same thing)."""
        return [c for c in self.columns if c.shown]

    def cell(
        self, row: dict[str, Any], column: Column, translate: Callable[[str], str] = str
    ) -> str:
        """A cell as the table shows it: numbers as Dutch readers write them; a hidden
        count of people as "< n", any other hidden figure as "verborgen" (a hidden median of
        hours is not "< 5" hours)."""
        value = row.get(column.key)
        if value is None:
            if not column.protected:
                return ""
            return f"< {self.min_group_size}" if column.key == "people" else translate("verborgen")
        if isinstance(value, float) or (column.numeric and isinstance(value, int)):
            return shown_number(value)
        if column.date and isinstance(value, str):
            return shown_day(value)
        return translate(value) if column.words and isinstance(value, str) else str(value)


def shown_number(value: float) -> str:
    """1234 -> '1.234', 36.44 -> '36,4': as Dutch readers write numbers."""
    text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    return text.translate(str.maketrans(",.", ".,"))


def shown_day(iso: str) -> str:
    """'2026-03-03' -> '03-03-2026', the one way the pages write a day (other text as is)."""
    try:
        return dt.date.fromisoformat(iso).strftime("%d-%m-%Y")
    except ValueError:
        return iso


def hide_small(
    rows: list[dict[str, Any]], columns: list[Column], minimum: int, *, drop: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """Hide the protected counts of every row with fewer than `minimum` people (the
    "people" key); with `drop` leave those rows out. Returns the rows and how many were
    hidden. The people count itself is protected too."""
    kept, hidden = [], 0
    protected = [c.key for c in columns if c.protected]
    for row in rows:
        if (row.get("people") or 0) >= minimum:
            kept.append(row)
            continue
        hidden += 1
        if not drop:
            kept.append({**row, **dict.fromkeys(protected)})
    return kept, hidden
