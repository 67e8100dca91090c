"""Every route says who may use it, and means it: each route × each role (anonymous
included) gets 401 without an identity and 403 without the role, and never either of those
when the route is public or the role is allowed."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlmodel import select

from epss.auth import PUBLIC, Role, allow
from epss.auth.policy import route_table, undeclared_routes
from epss.db import unit_of_work
from epss.models import User
from tests.conftest import add_user

# A value for each path parameter, so the request reaches the route.
_PARAMS = {
    "slug": "reisdocument-aanvragen",
    "app": "demo-zaaksysteem",
    "step_id": "vraag-en-doel",
    "path": "epss.css",
    "name": "expert2",
    "app_id": "demo-zaaksysteem",
}  # an account, a host app
_STREAMING = re.compile(r"/live$")  # server-sent events: only the refusal is checked


def _url(path: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        return _PARAMS.get(name, str(uuid.uuid4()))

    return re.sub(r"\{([^}]+)\}", value, path)


def test_every_route_declares_its_policy(client: TestClient) -> None:
    table = route_table(client.app.routes)
    assert len(table) >= 20
    assert all(entry.policy is not None for entry in table)


def test_every_route_answers_each_role_as_declared(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    identities = {"anonymous": {}} | {role.value: people[role.value] for role in Role}
    identities["disabled"] = _disabled_account(client)
    wrong = []
    for entry in route_table(client.app.routes):
        for method in sorted(entry.methods - {"HEAD"}):
            url = _url(entry.path)
            for who, headers in identities.items():
                allowed = entry.policy.public or (
                    who not in ("anonymous", "disabled") and Role(who) in entry.policy.roles
                )
                if allowed and _STREAMING.search(entry.path):
                    continue
                client.cookies.clear()  # identity comes from the token alone
                answer = client.request(
                    method,
                    url,
                    headers={**headers, "Accept": "application/json"},
                    json={},
                    follow_redirects=False,
                )
                expected = None if allowed else 401 if who in ("anonymous", "disabled") else 403
                if expected is None and answer.status_code in (401, 403):
                    wrong.append(
                        f"{method} {url} as {who}: {answer.status_code}, expected it to be allowed"
                    )
                elif expected is not None and answer.status_code != expected:
                    wrong.append(
                        f"{method} {url} as {who}: {answer.status_code}, expected {expected}"
                    )
    assert wrong == []


def _disabled_account(client: TestClient) -> dict[str, str]:
    """A disabled account with every role that still holds a token (disabling removes its
    tokens; this is the worst case): the token must count as nobody."""
    services = client.app.state.services
    headers = add_user(services, "uitgeschakeld", *Role)
    with unit_of_work(services.engine) as session:
        user = session.exec(select(User).where(User.name == "uitgeschakeld")).one()
        user.active = False
        session.add(user)
    return headers


def test_a_route_without_a_policy_is_found() -> None:
    router = APIRouter()

    @router.get("/forgotten")
    def forgotten() -> None: ...

    assert undeclared_routes(router.routes) == ["['GET'] /forgotten"]


def test_two_policies_on_one_route_count_as_none() -> None:
    router = APIRouter(dependencies=[PUBLIC])

    @router.get("/both", dependencies=[allow(Role.beheerder)])
    def both() -> None: ...

    assert undeclared_routes(router.routes) == ["['GET'] /both"]


@pytest.mark.parametrize("header", ["Bearer epss_not-a-token", "Bearer ", "Basic abc"])
def test_a_bad_token_is_no_identity(client: TestClient, header: str) -> None:
    answer = client.get("/api/v1/me", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"
