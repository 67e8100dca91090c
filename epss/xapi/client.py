"""Sending statements to a Learning Record Store: HTTP Basic, `X-Experience-API-Version:
1.0.3`, retries with exponential backoff when the LRS cannot be reached or answers 429/5xx.

An LRS answers a statement id it already holds either by accepting the batch (Ralph, when the
statement is the same) or with 409 Conflict (others). A 409 is resolved one statement at a
time: a statement the LRS holds under its id counts as sent ("already there")."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

XAPI_VERSION = "1.0.3"
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class XapiError(Exception):
    """The export could not finish; the message says why, in words for the operator."""


class LrsUnavailable(XapiError):
    """The LRS could not be reached, or kept failing, after every retry."""


class LrsRefused(XapiError):
    """The LRS refused a statement (a 4xx answer other than a duplicate)."""

    def __init__(self, message: str, statement_id: str | None = None) -> None:
        super().__init__(message)
        self.statement_id = statement_id


@dataclass
class SendResult:
    stored: int = 0  # new in the LRS
    already_there: int = 0  # the LRS held them already


class LrsClient:
    """One LRS. `endpoint` is its xAPI base (…/xAPI/); statements go to …/statements."""

    def __init__(
        self,
        endpoint: str,
        username: str,
        password: str,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.sleep = sleep
        self.http = httpx.Client(
            auth=(username, password) if username or password else None,
            headers={"X-Experience-API-Version": XAPI_VERSION},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> LrsClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def statements_url(self) -> str:
        return f"{self.endpoint}/statements"

    def send(self, statements: Sequence[dict[str, Any]]) -> SendResult:
        """Store the statements (one request for the batch when all goes well). Raises
        LrsUnavailable or LrsRefused (naming the refused statement) otherwise."""
        if not statements:
            return SendResult()
        answer = self._request("POST", json=list(statements))
        if answer.status_code in (200, 204):
            ids = answer.json() if answer.status_code == 200 and answer.content else []
            stored = len(ids) if isinstance(ids, list) else len(statements)
            return SendResult(stored, len(statements) - stored)
        if len(statements) == 1:
            return self._single_refused(statements[0], answer)
        # 409 (a duplicate) or a refusal: one at a time, to find out which one.
        total = SendResult()
        for statement in statements:
            part = self.send([statement])
            total.stored += part.stored
            total.already_there += part.already_there
        return total

    def holds(self, statement_id: str) -> bool:
        """Whether the LRS holds a statement with this id."""
        answer = self._request("GET", params={"statementId": statement_id})
        return answer.status_code == 200

    def _single_refused(self, statement: dict[str, Any], answer: httpx.Response) -> SendResult:
        sid = statement.get("id")
        if answer.status_code == 409 and sid and self.holds(sid):
            return SendResult(0, 1)
        raise LrsRefused(
            f"the LRS at {self.endpoint} refused statement {sid} "
            f"(HTTP {answer.status_code}): {_reason(answer)}",
            sid,
        )

    def _request(self, method: str, **kwargs: Any) -> httpx.Response:
        problem, reached = "", False
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                answer = self.http.request(method, self.statements_url, **kwargs)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            if answer.status_code in RETRY_STATUS:
                problem, reached = f"HTTP {answer.status_code}: {_reason(answer)}", True
                continue
            if answer.status_code in (401, 403):
                raise LrsRefused(
                    f"the LRS at {self.endpoint} refused the credentials "
                    f"(HTTP {answer.status_code}); check EPSS_XAPI_USERNAME "
                    "and EPSS_XAPI_PASSWORD"
                )
            return answer
        failed = "kept failing" if reached else "could not be reached"
        raise LrsUnavailable(
            f"the LRS at {self.endpoint} {failed} after {self.attempts} attempt(s) ({problem})"
        )


def _reason(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:500] or answer.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    return str(detail)[:500]
