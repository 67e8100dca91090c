"""Minimising personal data before an event is stored: long numbers masked, URLs without
query string, fragment or credentials, and the user hint as a keyed pseudonym."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

DIGIT_MASK = "*****"

_LONG_NUMBER = re.compile(r"\d{5,}")
_QUERY_OR_FRAGMENT = re.compile(r"[?#]")
_URL = re.compile(r"""
    (?P<scheme>https?)://
    (?:[^/?\#\s]*@)?                              # credentials (up to the last @): dropped
    (?P<host>\[[0-9a-fA-F:.]+\]|[^@:/?\#\s\[\]]+)
    (?::(?P<port>[^/?\#]*))?
    (?P<path>[^?\#]*)                              # up to the query string or fragment
    """, re.IGNORECASE | re.VERBOSE)
_PSEUDONYM_PURPOSE = b"epss-actor:"


def mask_digits(value: str) -> str:
    """Replace every run of five or more digits by a fixed mask (its length is not kept)."""
    return _LONG_NUMBER.sub(DIGIT_MASK, value)


def normalise_url(value: str) -> str:
    """Scheme, host (and port) and path of an http(s) URL, or the path of a path; without
    query string, fragment or credentials, and with long numbers masked."""
    if value.startswith("/"):
        return mask_digits(_QUERY_OR_FRAGMENT.split(value, maxsplit=1)[0])
    url = _URL.match(value)
    if url is None:
        raise ValueError("expected an http(s) URL or a path starting with '/'")
    scheme, host, port, path = url.group("scheme", "host", "port", "path")
    netloc = mask_digits(host.lower())
    if port:
        if not port.isdigit() or int(port) > 65535:
            raise ValueError("the port must be a number from 0 to 65535")
        netloc += f":{int(port)}"
    return f"{scheme.lower()}://{netloc}{mask_digits(path)}"


def pseudonym(secret_key: str, user: str) -> str:
    """The keyed pseudonym of a user hint: the same under one secret key for the same user
    (ignoring case and surrounding spaces), and not traceable without that key."""
    return _pseudonymiser(secret_key)(user)


def _pseudonymiser(secret_key: str) -> Callable[[str], str]:
    keyed = hmac.new(secret_key.encode("utf-8"), _PSEUDONYM_PURPOSE, hashlib.sha256)

    def apply(user: str) -> str:
        mac = keyed.copy()
        mac.update(user.strip().casefold().encode("utf-8"))
        return mac.hexdigest()

    return apply
