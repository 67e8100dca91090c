"""The shape every answer takes (columns and rows), the hiding of small groups, and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # Dutch; the pages translate it
    numeric: bool = False
    protected: bool = False  # a count that is hidden when its group is too small


@dataclass
class Table:
    """Rows of one answer. `hidden` counts the groups whose counts were hidden because
    fewer than `min_group_size` people were in them; their protected cells are None."""

    question: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    min_group_size: int
    hidden: int = 0
    chart: dict | None = None  # which columns the chart draws: {"kind", "label", "values"}
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"question": self.question, "min_group_size": self.min_group_size,
                "hidden_groups": self.hidden,
                "columns": [{"key": c.key, "label": c.label} for c in self.columns],
                "rows": self.rows, **self.extra}

    def as_csv(self, translate=lambda text: text) -> str:
        """The table as CSV (semicolons, as Dutch spreadsheets expect); a hidden count is
        written as it is shown: "< n"."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([translate(c.label) for c in self.columns])
        for row in self.rows:
            writer.writerow([self.cell(row, c) for c in self.columns])
        return out.getvalue()

    def cell(self, row: dict, column: Column) -> str:
        """A cell as the table shows it."""
        value = row.get(column.key)
        if value is None:
            return f"< {self.min_group_size}" if column.protected else ""
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)


def hide_small(rows: list[dict], columns: list[Column], minimum: int,
               *, drop: bool = False) -> tuple[list[dict], int]:
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
