"""The one error type of the domain. Each error carries its HTTP status and a stable code,
so the web layer answers `{"error": code, "detail": text}` without knowing the cause."""

from __future__ import annotations


class EpssError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotFound(EpssError):
    status = 404
    code = "not_found"


class InvalidInput(EpssError):
    status = 422
    code = "invalid"
