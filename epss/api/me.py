"""Who am I: the account behind an API token or login (for scripts and the pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from epss.auth import Identity, Role, allow

router = APIRouter(tags=["accounts"])


class MeOut(BaseModel):
    name: str
    roles: list[Role]
    team: str | None


@router.get("/me", response_model=MeOut)
def me(who: Annotated[Identity, allow(*Role)]) -> dict:
    """The account making the request, with its roles and team."""
    return {"name": who.name, "roles": sorted(who.roles), "team": who.team}
