"""Whole numbers that come from outside (query strings, headers, form fields)."""

from __future__ import annotations

import re

# The largest whole number a request may name (a version, a count, an offset): what an
# INTEGER column holds on PostgreSQL, so a larger one is refused, not an overflow.
MAX_INT = 2**31 - 1
_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str, *, most: int = MAX_INT) -> int | None:
    """The number `text` spells in ASCII digits, or None: for '²', '١٢', '-1', '' and
    anything above `most` (str.isdigit() would let the first two through to int())."""
    text = text.strip()
    if not _DIGITS.fullmatch(text) or len(text) > len(str(most)):
        return None
    number = int(text)
    return number if number <= most else None
