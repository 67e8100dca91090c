"""Log lines that can be followed per request: every request gets an id (the incoming
`X-Request-ID` when it is a sane value, else a new one), echoed in the response, and every log
line made while handling it carries that id, uvicorn's access line included. `epss serve`
writes text (uvicorn's style) or, with EPSS_LOG_FORMAT=json, one JSON object per line.

Access lines leave out the query string: it may hold what people typed (a search for a
citizen service number), and personal data is kept out of logs as it is out of events.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import LOGGING_CONFIG

from epss.auth.accounts import RESET_PATH

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/@-]{0,127}")
_request_id: ContextVar[str | None] = ContextVar("epss_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return _request_id.get()


def request_id_from(value: str | None) -> str:
    """The id to use for a request that came with `X-Request-ID: value`: that value when
    it is a sane one (1–128 letters, digits and . _ : + = / @ -), else a new one."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIds:
    """ASGI middleware: gives each HTTP request its id (for the log lines made while it is
    handled) and answers it in the `X-Request-ID` header. Keep it the outermost middleware,
    so that the lines of every other layer carry the id too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == REQUEST_ID_HEADER.encode()),
            None,
        )
        request_id = request_id_from(incoming)
        # Each request runs in a task of its own, so the value ends with it; it is not
        # reset here, so that uvicorn's lines after the app returned (an error's traceback)
        # still carry it.
        _request_id.set(request_id)

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, with_id)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class AccessLineFilter(logging.Filter):
    """uvicorn's access lines without the query string, and with their parts as fields
    (`http_method`, `http_path`, `http_status`) for JSON lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, path, version, status = args
            path = str(path).split("?", 1)[0]
            if path.startswith(RESET_PATH):  # the secret of a one-time link: never logged
                path = RESET_PATH + "…"
            record.args = (client, method, path, version, status)
            record.http_method, record.http_path, record.http_status = method, path, status
        return True


class JsonLines(JsonFormatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id,
    process, then any extra fields of the record (and `exc_info` with a traceback)."""

    def __init__(self) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message", "request_id", "process"],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            # uvicorn adds a coloured copy of some messages: not for JSON.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")


def log_config(log_format: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` of `epss serve`: uvicorn's loggers and the app's
    (`epss.*`, at INFO), as text in uvicorn's style or as JSON lines on standard output."""
    filters = {
        "request_id": {"()": f"{__name__}.RequestIdFilter"},
        "access_line": {"()": f"{__name__}.AccessLineFilter"},
    }
    if log_format == "json":
        handler = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": filters,
            "formatters": {"json": {"()": f"{__name__}.JsonLines"}},
            "handlers": {
                "default": handler,
                "access": {**handler, "filters": ["request_id", "access_line"]},
            },
            "loggers": {
                "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
                "uvicorn.error": {"level": "INFO"},
                "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
                "epss": {"level": "INFO"},
            },
            "root": {"handlers": ["default"], "level": "WARNING"},
        }
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = filters
    config["handlers"]["default"]["filters"] = ["request_id"]
    config["handlers"]["access"]["filters"] = ["request_id", "access_line"]
    config["formatters"]["app"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s %(name)s: %(message)s",
    }
    config["handlers"]["app"] = {**config["handlers"]["default"], "formatter": "app"}
    config["loggers"]["epss"] = {"handlers": ["app"], "level": "INFO", "propagate": False}
    return config
