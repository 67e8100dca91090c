"""Pydantic's validation errors in plain Dutch words (translatable templates): one wording
for the API, the pages and task files, which name some forms in their own terms."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from epss.i18n import Message, Words

# By pydantic's error type; `{…}` from its context.
WORDS = {
    "missing": "dit veld ontbreekt",
    "extra_forbidden": "dit veld hoort hier niet (een tikfout?)",
    "int_parsing": "verwacht een geheel getal",
    "int_type": "verwacht een geheel getal",
    "int_from_float": "verwacht een geheel getal",
    "int_parsing_size": "is te groot",
    "float_parsing": "verwacht een getal",
    "float_type": "verwacht een getal",
    "bool_parsing": "verwacht ja of nee (true of false)",
    "bool_type": "verwacht ja of nee (true of false)",
    "string_type": "verwacht tekst",
    "string_too_short": "is te kort: minstens {min_length} tekens",
    "string_empty": "mag niet leeg zijn",
    "string_too_long": "is te lang: hooguit {max_length} tekens",
    "too_short": "heeft te weinig onderdelen: minstens {min_length}",
    "too_long": "heeft te veel onderdelen: hooguit {max_length}",
    "greater_than_equal": "moet minstens {ge} zijn",
    "greater_than": "moet groter zijn dan {gt}",
    "less_than_equal": "mag hooguit {le} zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "list_type": "verwacht een lijst",
    "dict_type": "verwacht een groep velden (een JSON-object)",
    "model_type": "verwacht een groep velden (een JSON-object)",
    "model_attributes_type": "verwacht een groep velden (een JSON-object)",
    "json_invalid": "is geen geldige JSON",
    "json_type": "is geen geldige JSON",
    "date_parsing": "verwacht een datum als JJJJ-MM-DD",
    "date_from_datetime_parsing": "verwacht een datum als JJJJ-MM-DD",
    "date_type": "verwacht een datum als JJJJ-MM-DD",
    "datetime_parsing": "verwacht een moment in ISO 8601, zoals 2026-03-03T10:42:00+01:00",
    "datetime_from_date_parsing": "verwacht een moment in ISO 8601, zoals "
    "2026-03-03T10:42:00+01:00",
    "datetime_type": "verwacht een moment in ISO 8601, zoals 2026-03-03T10:42:00+01:00",
    "timezone_aware": "het moment heeft geen tijdzone: voeg die toe, zoals +01:00 of Z",
    "uuid_parsing": "verwacht een UUID, zoals 8f0e0c7a-4a3b-4a53-9d5e-2b4a7f1c0d11",
    "uuid_type": "verwacht een UUID, zoals 8f0e0c7a-4a3b-4a53-9d5e-2b4a7f1c0d11",
    "literal_error": "kies uit {expected}",
    "enum": "kies uit {expected}",
    "string_pattern_mismatch": "heeft niet de goede vorm",
    "url_parsing": "is geen geldig adres (URL)",
}
SHOWN_INPUT = (
    "string_type",
    "int_parsing",
    "float_parsing",
    "bool_parsing",
    "date_parsing",
    "datetime_parsing",
    "uuid_parsing",
    "date_from_datetime_parsing",
)


def explain(error: Mapping[str, Any], words: Mapping[str, str] = WORDS) -> Words:
    """What is wrong, as a message; a validator's own words as they were given."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        said = ctx["error"]  # text, or `Words` with parameters
        said = said.args[0] if isinstance(said, Exception) and said.args else said
        return said if isinstance(said, Words) else Message(str(said))
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        kind = "string_empty"
    template = words.get(kind, "is niet geldig")
    params = {k: _shown(v) for k, v in ctx.items() if "{" + k + "}" in template}
    if kind in SHOWN_INPUT and isinstance(error.get("input"), str | int | float):
        template += " (gevonden: {input})"
        params["input"] = repr(error["input"])[:60]
    return Message(template, **params)


def _shown(value: object) -> str:
    """A limit as the interface writes it: a date (pydantic gives it as ISO text) as
    dd-mm-jjjj, 'or' in Dutch."""
    text = str(value)
    if _ISO_DAY.fullmatch(text):
        return dt.date.fromisoformat(text).strftime("%d-%m-%Y")
    return text.replace(" or ", " of ")


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
