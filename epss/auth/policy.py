"""Who may use which route. Every route declares its policy with one dependency:

    @router.get("/x", dependencies=[PUBLIC])               # anyone, no identity needed
    @router.post("/y", dependencies=[allow(Role.redacteur)])
    def z(who: Annotated[Identity, allow(*EDITORS)]): ...  # the identity as a parameter

`allow` answers 401 when nobody is identified and 403 when the person lacks the role.
`create_app` refuses to start when a route declares no policy (see `undeclared_routes`).

A request is identified by `Authorization: Bearer <API token>` or by the login cookie.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.routing import BaseRoute, compile_path

from epss.auth.accounts import Identity, identity_from_login, identity_from_token
from epss.auth.roles import Role
from epss.errors import Forbidden, Unauthorized
from epss.i18n import and_list, or_list

ROLE_LABELS = {
    Role.medewerker: "medewerker",
    Role.expert: "expert",
    Role.redacteur: "redacteur",
    Role.kwaliteit: "kwaliteitsmedewerker",
    Role.beheerder: "beheerder",
}
NEEDS_ROLE = "Hiervoor is de rol {wanted} nodig; {name} heeft de rol {roles}."

SESSION_COOKIE = "epss_session"
_UNKNOWN = object()


@dataclass(frozen=True)
class Policy:
    roles: frozenset[Role] | None  # None: public

    @property
    def public(self) -> bool:
        return self.roles is None


def identify(request: Request) -> Identity | None:
    """The person behind this request, or None. Looked up once per request."""
    known = getattr(request.state, "identity", _UNKNOWN)
    if known is None or isinstance(known, Identity):
        return known
    identity = None
    authorization = request.headers.get("authorization", "")
    secret = request.cookies.get(SESSION_COOKIE)
    if authorization or secret:
        with Session(request.app.state.services.engine) as session:
            if authorization.startswith("Bearer "):
                identity = identity_from_token(session, authorization[7:].strip())
            elif secret:
                identity = identity_from_login(session, secret)
            session.commit()
    request.state.identity = identity
    return identity


class _Public:
    """The dependency of PUBLIC: lets anyone through."""

    policy = Policy(None)

    def __call__(self) -> None:
        return None


PUBLIC = Depends(_Public())


class _Allow:
    """The dependency `allow` makes: FastAPI calls it; `policy` says whom it lets through."""

    def __init__(self, wanted: frozenset[Role]) -> None:
        self.wanted = wanted
        self.policy = Policy(wanted)

    def __call__(self, request: Request) -> Identity:
        identity = identify(request)
        if identity is None:
            raise Unauthorized(
                "Log eerst in, of stuur een API-token mee (Authorization: Bearer …)."
            )
        if not identity.has_any(self.wanted):
            raise Forbidden(
                NEEDS_ROLE,
                params={
                    "wanted": or_list(ROLE_LABELS[r] for r in sorted(self.wanted)),
                    "name": identity.name,
                    "roles": and_list(ROLE_LABELS.get(r, r) for r in sorted(identity.roles)),
                },
            )
        return identity


def allow(*roles: Role) -> Any:
    """A dependency that lets only these roles through, and gives the route the identity."""
    return Depends(_Allow(frozenset(roles)))


def policy_of(route: APIRoute) -> Policy | None:
    """The policy a route declared (through its own or its router's dependencies)."""
    found = [p for p in _calls(route.dependant) if p is not None]
    return found[0] if len(found) == 1 else None


def _calls(dependant: Dependant) -> Iterable[Policy | None]:
    for sub in dependant.dependencies:
        yield getattr(sub.call, "policy", None)
        yield from _calls(sub)


@dataclass(frozen=True)
class RouteEntry:
    path: str  # the full path, prefixes included
    methods: frozenset[str]
    policy: Policy | None
    pattern: re.Pattern[str]

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.pattern.match(path) is not None


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[tuple[APIRoute, str]]:
    """Every API route of an app with its full path, prefixes included. (FastAPI ≥ 0.16x
    keeps included routers nested; older versions list their routes flat.)"""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        pairs = (
            [(c.original_route, c.path) for c in contexts()]
            if contexts
            else [(route, getattr(route, "path", ""))]
        )
        for original, path in pairs:
            if isinstance(original, APIRoute):
                yield original, path


def route_table(routes: Iterable[BaseRoute]) -> list[RouteEntry]:
    """Every API route of an app with its full path and its policy."""
    return [
        RouteEntry(path, frozenset(route.methods or ()), policy_of(route), compile_path(path)[0])
        for route, path in api_routes(routes)
    ]


def undeclared_routes(routes: Iterable[BaseRoute]) -> list[str]:
    """Routes with no policy, or with more than one."""
    return [
        f"{sorted(route.methods or ())} {path}"
        for route, path in api_routes(routes)
        if policy_of(route) is None
    ]
