"""What an admin does with accounts: find them, add one, change roles, team and e-mail
address, disable
and enable, set a password or make a one-time reset link, revoke API tokens. Every change
is recorded in the admin log with its before and after. Functions take a Session and never
commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, or_, select

from epss.admin.log import Actor, one_admin_at_a_time, record
from epss.auth.accounts import (
    check_roles,
    create_user,
    email_address,
    end_reset_links,
    new_api_token,
    new_reset_link_secret,
    user_by_name,
)
from epss.auth.passwords import hash_password
from epss.auth.roles import Role
from epss.drafts.presence import queue_streams_end
from epss.errors import Conflict, InvalidInput
from epss.models import ApiToken, LoginSession, User, stored_id

ACCOUNT = "account"
MAX_TEAM = 200


@dataclass(frozen=True)
class AccountSummary:
    """One row of the accounts list."""

    name: str
    roles: list[str]
    team: str | None
    email: str | None
    active: bool
    single_sign_on: bool
    has_password: bool
    tokens: int
    created_at: dt.datetime
    last_login_at: dt.datetime | None


def find_accounts(
    session: Session,
    *,
    text: str = "",
    role: str | None = None,
    team: str | None = None,
    active: bool | None = None,
) -> list[AccountSummary]:
    """Accounts whose name or team contains `text`, with the role, team and state asked."""
    tokens = (
        select(ApiToken.user_id, func.count().label("n")).group_by(col(ApiToken.user_id)).subquery()
    )
    query = (
        select(User, func.coalesce(tokens.c.n, 0))
        .join(tokens, tokens.c.user_id == User.id, isouter=True)
        .order_by(User.name)
    )
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(User.name).like(pattern),
                func.lower(func.coalesce(User.team, "")).like(pattern),
            )
        )
    if team:
        query = query.where(User.team == team)
    if active is not None:
        query = query.where(User.active == active)
    rows = [
        (user, count)
        for user, count in session.exec(query).all()
        if role is None or role in user.roles
    ]  # roles are a JSON list on both databases
    return [
        AccountSummary(
            u.name,
            sorted(u.roles),
            u.team,
            u.email,
            u.active,
            u.sso_subject is not None,
            u.password_hash is not None,
            n,
            u.created_at,
            u.last_login_at,
        )
        for u, n in rows
    ]


def teams(session: Session) -> list[str]:
    """Every team that an account has, sorted."""
    found = session.exec(
        select(col(User.team)).where(col(User.team).is_not(None)).distinct().order_by(User.team)
    ).all()
    return [team for team in found if team is not None]  # (all are: the query says so)


def add_account(
    session: Session,
    actor: Actor,
    name: str,
    roles: list[str],
    team: str | None,
    password: str | None,
    email: str | None = None,
) -> User:
    user = create_user(session, name, roles, team=_team(team), password=password, email=email)
    record(session, actor, "account.created", ACCOUNT, user.name, None, _state(user))
    return user


def set_roles(session: Session, actor: Actor, name: str, roles: list[str]) -> User:
    check_roles(roles)
    one_admin_at_a_time(session)  # before the last-admin check reads the others
    user = user_by_name(session, name)
    if user.active and Role.beheerder not in roles:
        _keep_an_admin(session, user)
    return _change(session, actor, user, "account.roles_changed", roles=sorted(set(roles)))


def set_team(session: Session, actor: Actor, name: str, team: str | None) -> User:
    return _change(
        session, actor, user_by_name(session, name), "account.team_changed", team=_team(team)
    )


def set_email(session: Session, actor: Actor, name: str, email: str | None) -> User:
    """The address EPSS mails the account's notices to; empty: none. Also what a person
    does on their own account page (then `actor` is that person)."""
    address = email_address(email)
    return _change(
        session, actor, user_by_name(session, name), "account.email_changed", email=address
    )


def disable(session: Session, actor: Actor, name: str) -> User:
    """The account can no longer log in or use a token, in any instance, from the next
    request on: its login sessions and tokens are removed. Its history stays."""
    one_admin_at_a_time(session)  # before the last-admin check reads the others
    user = user_by_name(session, name)
    if user.id == actor.user_id:
        raise InvalidInput("U kunt uw eigen account niet uitschakelen. Vraag een andere beheerder.")
    _keep_an_admin(session, user)
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    session.exec(delete(ApiToken).where(col(ApiToken.user_id) == user.id))
    end_reset_links(session, stored_id(user))
    queue_streams_end(session, user.name)
    return _change(session, actor, user, "account.disabled", active=False)


def enable(session: Session, actor: Actor, name: str) -> User:
    return _change(session, actor, user_by_name(session, name), "account.enabled", active=True)


def set_password(session: Session, actor: Actor, name: str, password: str) -> User:
    """A new password, set by an admin; the person's login sessions end."""
    user = _with_local_login(user_by_name(session, name))
    user.password_hash = hash_password(password)
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    end_reset_links(session, stored_id(user))
    session.add(user)
    record(session, actor, "account.password_set", ACCOUNT, user.name)
    return user


def make_reset_link(session: Session, actor: Actor, name: str) -> str:
    """The secret of a one-time link (24 hours) for the person to set a password."""
    user = _with_local_login(user_by_name(session, name))
    if not user.active:
        raise InvalidInput(
            "Het account '{name}' is uitgeschakeld. Schakel het eerst in.", params={"name": name}
        )
    secret = new_reset_link_secret(session, user)
    record(session, actor, "account.reset_link_made", ACCOUNT, user.name)
    return secret


def make_token(session: Session, actor: Actor, name: str) -> str:
    """A new personal API token for the account (shown once): whoever holds it acts as
    that person, so it is recorded."""
    user = user_by_name(session, name)
    if not user.active:
        raise InvalidInput(
            "Het account '{name}' is uitgeschakeld. Schakel het eerst in.", params={"name": name}
        )
    token = new_api_token(session, user)
    record(session, actor, "account.token_made", ACCOUNT, user.name)
    return token


def revoke_tokens(session: Session, actor: Actor, name: str) -> int:
    """Remove every API token of the account; returns how many there were."""
    user = user_by_name(session, name)
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    for token in tokens:
        session.delete(token)
    record(
        session,
        actor,
        "account.tokens_revoked",
        ACCOUNT,
        user.name,
        {"tokens": len(tokens)},
        {"tokens": 0},
    )
    return len(tokens)


def _change(session: Session, actor: Actor, user: User, action: str, **changes: Any) -> User:
    before = _state(user)
    for field, value in changes.items():
        setattr(user, field, value)
    after = _state(user)
    if after != before:
        session.add(user)
        record(
            session,
            actor,
            action,
            ACCOUNT,
            user.name,
            {k: before.get(k) for k in changes},
            {k: after.get(k) for k in changes},
        )
    return user


def _state(user: User) -> dict[str, Any]:
    """What the log says of an account: roles, team, state, and an e-mail address if any."""
    state: dict[str, Any] = {"roles": sorted(user.roles), "team": user.team, "active": user.active}
    return state | ({"email": user.email} if user.email else {})


def _team(team: str | None) -> str | None:
    team = (team or "").strip()
    if len(team) > MAX_TEAM:
        raise InvalidInput("Team: hooguit {length} tekens.", params={"length": MAX_TEAM})
    return team or None


def _with_local_login(user: User) -> User:
    if user.sso_subject is not None:
        raise InvalidInput(
            "Het account '{name}' logt in via de organisatie (single sign-on); "
            "het wachtwoord wordt daar beheerd.",
            params={"name": user.name},
        )
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse a change that would leave no active admin."""
    if not user.active or Role.beheerder not in user.roles:
        return
    others = [
        u
        for u in session.exec(select(User).where(User.active, User.id != user.id))
        if Role.beheerder in u.roles
    ]
    if not others:
        raise Conflict(
            "'{name}' is de laatste actieve beheerder. Geef eerst iemand anders de rol beheerder.",
            params={"name": user.name},
        )
