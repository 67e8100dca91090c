"""Who am I: the account behind an API token or login (for scripts and the pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from epss.auth import Identity, Role, allow
from epss.auth.accounts import email_of
from epss.web.deps import SessionDep

router = APIRouter(tags=["accounts"])


class MeOut(BaseModel):
    name: str
    roles: list[Role]
    team: str | None
    email: str | None = Field(description="Where the account's notices go; null: none.")


@router.get("/me", response_model=MeOut)
def me(who: Annotated[Identity, allow(*Role)], session: SessionDep) -> dict:
    """The account making the request: its roles, its team and its e-mail address."""
    email = email_of(session, who.name)
    return {"name": who.name, "roles": sorted(who.roles), "team": who.team, "email": email}
