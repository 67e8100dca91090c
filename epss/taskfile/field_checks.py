"""Checks on what is typed in a step's field (a step's `field_checks`), as a task file
writes them. They run only in the browser (overlay_js/src/checks.js)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, model_validator

from epss.taskfile.parts import Line, Part


class CheckKind(StrEnum):
    """What a field check asks of what is typed in the step's field."""

    required = "required"  # not empty
    pattern = "pattern"  # the whole value matches `pattern`
    bsn = "bsn"  # nine digits that pass the eleven-test
    date = "date"  # a date (dd-mm-jjjj), between `from_days` and `to_days` from today


DAYS_AROUND_TODAY = 3660  # about ten years either way


class FieldCheck(Part):
    """A check on what is typed in the step's field, run only in the browser at the desk:
    what is typed never leaves the page. A failed check is shown at the field; it never
    stops the person."""

    ADDED_LATER: ClassVar[dict[str, object]] = {
        "pattern": None,
        "from_days": None,
        "to_days": None,
        "message": None,
    }

    kind: CheckKind = Field(title="Soort controle")
    pattern: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        title="Patroon",
        description="For kind 'pattern': a regular expression the whole value must match, "
        "written so it means the same in Python and JavaScript, e.g. [0-9]{4} ?[A-Z]{2}.",
    )
    from_days: int | None = Field(
        default=None,
        ge=-DAYS_AROUND_TODAY,
        le=DAYS_AROUND_TODAY,
        title="Vanaf (dagen vanaf vandaag)",
        description="For kind 'date': the earliest date, in days from today (-3 is three "
        "days ago).",
    )
    to_days: int | None = Field(
        default=None,
        ge=-DAYS_AROUND_TODAY,
        le=DAYS_AROUND_TODAY,
        title="Tot en met (dagen vanaf vandaag)",
        description="For kind 'date': the latest date, in days from today (0 is today).",
    )
    message: Line | None = Field(
        default=None,
        title="Melding",
        description="What the desk reads at the field when the check fails; without it the "
        "panel says what the kind of check expects.",
    )

    @model_validator(mode="after")
    def _fits_its_kind(self) -> FieldCheck:
        if (self.kind == CheckKind.pattern) != (self.pattern is not None):
            raise ValueError("een patroon hoort bij een controle op een patroon, en alleen daar")
        if self.pattern is not None:
            _same_in_javascript(self.pattern)
        window = (self.from_days, self.to_days)
        if self.kind != CheckKind.date and window != (None, None):
            raise ValueError("dagen (vanaf, tot en met) horen alleen bij een controle op een datum")
        if None not in window and window[0] > window[1]:  # type: ignore[operator]
            raise ValueError("'vanaf' ligt na 'tot en met'; draai ze om")
        return self


# Groups that read the same in Python and in the browser's JavaScript; other `(?` forms
# (named groups, inline flags) differ between the two or exist in one only.
_UNPORTABLE_GROUP = re.compile(r"\(\?(?![:=!]|<[=!])")


def _same_in_javascript(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error:
        raise ValueError("het patroon is geen geldige reguliere expressie") from None
    if _UNPORTABLE_GROUP.search(pattern.replace("\\(", "")) or "\\A" in pattern or "\\Z" in pattern:
        raise ValueError(
            "het patroon gebruikt een vorm die de browser anders leest (zoals (?P<naam>…), "
            "(?i), \\A of \\Z); schrijf het zonder"
        )
