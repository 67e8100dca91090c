"""Minimising personal data before an event is stored: long numbers masked, URLs without
query string, fragment or credentials, the user hint as a keyed pseudonym, a case reference
as a keyed hash, and which details count as free text."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from epss.context.patterns import NOT_A_PAGE_ADDRESS, PAGE_ADDRESS

DIGIT_MASK = "*****"

_LONG_NUMBER = re.compile(r"\d{5,}")
_QUERY_OR_FRAGMENT = re.compile(r"[?#]")
_URL = re.compile(
    r"""
    (?P<scheme>https?)://
    (?:[^/?\#\x00-\x20]*@)?                        # credentials (up to the last @): dropped
    (?P<host>\[[0-9a-fA-F:.]+\]|[^@:/?\#\x00-\x20\[\]]+)
    (?::(?P<port>[^/?\#]*))?
    (?P<path>[^?\#]*)                              # up to the query string or fragment
    """,
    re.IGNORECASE | re.VERBOSE,
)
_PSEUDONYM_PURPOSE = b"epss-actor:"
_CASE_PURPOSE = b"epss-case:"

# The event details that people type themselves, and so can hold citizen data (a name, a
# citizen service number, an address): stored only when the setting store_free_text is on,
# and then with long numbers masked. `results` (a count), `kind`, `source`, `match` and
# `selector` (a CSS selector of the host page) are not free text.
FREE_TEXT_FIELDS: tuple[str, ...] = ("query", "reason", "comment")


def mask_digits(value: str) -> str:
    """Replace every run of five or more digits by a fixed mask (its length is not kept)."""
    return _LONG_NUMBER.sub(DIGIT_MASK, value)


def normalise_url(value: str) -> str:
    """Scheme, host (and port) and path of an http(s) URL, or the path of a path; without
    query string, fragment or credentials, and with long numbers masked."""
    if value.startswith("/"):
        return mask_digits(_QUERY_OR_FRAGMENT.split(value, maxsplit=1)[0])
    found = _URL.match(value) if PAGE_ADDRESS.match(value) else None  # _URL takes all those
    if found is None:
        raise ValueError(NOT_A_PAGE_ADDRESS)
    scheme, host, port, path = found.group("scheme", "host", "port", "path")
    netloc = mask_digits(host.lower())
    if port:
        netloc += f":{int(port)}"
    return f"{scheme.lower()}://{netloc}{mask_digits(path)}"


def pseudonym(secret_key: str, user: str) -> str:
    """The keyed pseudonym of a user hint: the same under one secret key for the same user
    (ignoring case and surrounding spaces), and not traceable without that key."""
    return pseudonymiser(secret_key)(user)


def normalise_case_ref(reference: str) -> str:
    """A case reference as it is hashed: without surrounding spaces, in capitals."""
    return reference.strip().upper()


def case_ref_hash(secret_key: str, reference: str) -> str:
    """The keyed hash (HMAC-SHA256, hex) of a case reference such as "Z-2026-000101": the
    same for " z-2026-000101 ", so someone who knows the number can find its events, while
    the database does not reveal it."""
    return case_hasher(secret_key)(reference)


def case_hasher(secret_key: str) -> Callable[[str], str]:
    keyed = hmac.new(secret_key.encode("utf-8"), _CASE_PURPOSE, hashlib.sha256)

    def apply(reference: str) -> str:
        mac = keyed.copy()
        mac.update(normalise_case_ref(reference).encode("utf-8"))
        return mac.hexdigest()

    return apply


def pseudonymiser(secret_key: str) -> Callable[[str], str]:
    keyed = hmac.new(secret_key.encode("utf-8"), _PSEUDONYM_PURPOSE, hashlib.sha256)

    def apply(user: str) -> str:
        mac = keyed.copy()
        mac.update(user.strip().casefold().encode("utf-8"))
        return mac.hexdigest()

    return apply
