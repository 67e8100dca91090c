"""The OpenAPI document, true about errors: every operation lists the error answers it can
give, all in the one error shape of epss.web.http_errors, derived from what the route declares:

- 401 and 403 when its policy names roles (epss.auth.policy);
- 400 when it takes a body: one that cannot be read;
- 404 when its path has a parameter (the task, step or feedback may not exist);
- 422 when it takes parameters or a body, with the fields that were wrong;
- 503 always: the database cannot be reached (epss.operations.outage).

A route declares any other status it answers (409, 412, …) in its own `responses`. An
If-Match header is documented as required: FastAPI takes it as optional so that its
absence can be answered with 428 (epss.api.drafts)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict

from epss.auth.policy import route_table


class Problem(BaseModel):
    field: str  # where: "events[3].details.query"
    message: str


class ErrorBody(BaseModel):
    """Every error answer. Some carry more fields: `problems` (what was invalid), `field`,
    or `current` (what is stored now, with 412)."""

    model_config = ConfigDict(extra="allow")
    error: str  # a stable code: not_found, invalid_request, stale_version, …
    detail: str  # what went wrong, for a person (Dutch)
    problems: list[Problem] | None = None


_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_DESCRIPTIONS = {
    400: "The body cannot be read (not JSON, or not UTF-8).",
    401: "Nobody is identified: log in, or send an API token.",
    403: "The person's roles do not allow this.",
    404: "What the path names does not exist.",
    422: "The request is not valid; `problems` names each field.",
    503: "The database cannot be reached; try again after `Retry-After` seconds.",
}
_GENERATED_422 = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """Serve the document below instead of FastAPI's own, built once."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = document


def describe(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    roles = {
        (method.lower(), entry.path): not entry.policy.public
        for entry in route_table(app.routes)
        if entry.policy
        for method in entry.methods
    }
    for path, operations in spec.get("paths", {}).items():
        if path.startswith("/api/"):  # the probes answer 503 with their own report
            for method, operation in operations.items():
                _document_errors(operation, path, needs_role=roles.get((method, path), False))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in _GENERATED_422:
        schemas.pop(name, None)
    error_body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_body.pop("$defs"), ErrorBody=error_body)
    return spec


def _document_errors(operation: dict, path: str, *, needs_role: bool) -> None:
    responses = operation.setdefault("responses", {})
    statuses = [503]
    if needs_role:
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if operation.get("requestBody"):
        statuses.append(400)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append(422)
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"] == "if-match":
            parameter["required"] = True  # optional to FastAPI, so that its absence is a 428
    for status in statuses:
        responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
    for status, response in responses.items():
        if status[0] in "45":
            if status == "422":  # FastAPI's generated 422 describes its own shape, not ours
                response["description"] = _DESCRIPTIONS[422]
                response.pop("content", None)
            content = response.setdefault("content", {})
            content.setdefault("application/json", {})["schema"] = _ERROR_REF
