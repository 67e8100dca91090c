"""The one error type of the domain. Each error carries its HTTP status and a stable code,
so the web layer answers `{"error": code, "detail": text}` without knowing the cause."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from epss.i18n import fill


class EpssError(Exception):
    """`detail` may be a text with `{placeholders}` filled from `params`: the web layer
    then translates the text before it fills it in (see `in_language`)."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.template = detail
        self.params = params or {}
        self.detail = self.in_language(lambda text: text)
        super().__init__(self.detail)
        self.extra = extra or {}  # more fields for the JSON answer (e.g. the current content)
        self.headers = headers

    def in_language(self, translate: Callable[[str], str]) -> str:
        """The detail in a language, given that language's translator."""
        return (
            fill(self.template, self.params, translate) if self.params else translate(self.template)
        )


class NotFound(EpssError):
    status = 404
    code = "not_found"


class InvalidInput(EpssError):
    status = 422
    code = "invalid"


class Unauthorized(EpssError):
    """Nobody is logged in (or the token is not valid)."""

    status = 401
    code = "unauthorized"


class Forbidden(EpssError):
    """The person is known but may not do this; the detail says why."""

    status = 403
    code = "forbidden"


class Conflict(EpssError):
    """The request is understood but clashes with the current state (e.g. nothing to publish)."""

    status = 409
    code = "conflict"


class StaleVersion(EpssError):
    """An edit was based on an older version than the stored one (a lost update avoided).
    `extra["current"]` holds what is stored now, so the editor can show both sides."""

    status = 412
    code = "stale_version"


class VersionRequired(EpssError):
    """An edit came without If-Match, so it could silently overwrite someone else's."""

    status = 428
    code = "version_required"


class TooManyRequests(EpssError):
    status = 429
    code = "too_many_requests"
