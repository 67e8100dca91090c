"""Accounts, API tokens and browser logins. Functions take a Session and never commit.

Secrets (tokens, session cookies) are random; only their SHA-256 is stored, so a copy of
the database does not let anyone log in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlmodel import Session, delete, select

from epss.auth.passwords import hash_password, needs_rehash, verify_password
from epss.auth.roles import Role
from epss.errors import InvalidInput, NotFound
from epss.models import ApiToken, LoginSession, User

SESSION_LIFETIME = dt.timedelta(hours=10)  # a working day
TOKEN_PREFIX = "epss_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


@dataclass(frozen=True)
class Identity:
    """Who is making a request."""

    user_id: int
    name: str
    roles: frozenset[Role]
    team: str | None = None

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _identity(user: User) -> Identity:
    return Identity(user.id, user.name, frozenset(Role(r) for r in user.roles), user.team)


def create_user(session: Session, name: str, roles: list[str], *, team: str | None = None,
                password: str | None = None) -> User:
    """A new account. Without a password it can only use API tokens."""
    if not _NAME.match(name):
        raise InvalidInput(f"name '{name}': use 2 to 80 lower-case letters, digits, '.', "
                           "'_' or '-', starting with a letter or digit")
    unknown = [r for r in roles if r not in Role.__members__]
    if not roles or unknown:
        raise InvalidInput(f"role: choose from {', '.join(Role)} (got {', '.join(unknown)})"
                           if unknown else f"role: give at least one of {', '.join(Role)}")
    if session.exec(select(User).where(User.name == name)).first():
        raise InvalidInput(f"name '{name}' is already taken")
    user = User(name=name, roles=sorted(set(roles)), team=team,
                password_hash=hash_password(password) if password is not None else None)
    session.add(user)
    session.flush()
    return user


def user_by_name(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound(f"there is no account '{name}'")
    return user


def new_api_token(session: Session, user: User) -> str:
    """A new personal token for `user`; shown once, stored only as a hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token)))
    return token


def identity_from_token(session: Session, token: str) -> Identity | None:
    row = session.exec(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token), User.active)
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.last_used_at is None or _now() - _aware(api_token.last_used_at) > \
            dt.timedelta(minutes=5):
        api_token.last_used_at = _now()
        session.add(api_token)
    return _identity(user)


def log_in(session: Session, name: str, password: str) -> str | None:
    """A new login session's secret (for the cookie), or None when the name or password
    is wrong. Takes as long for an unknown name as for a wrong password."""
    user = session.exec(select(User).where(User.name == name.strip().lower(),
                                           User.active)).first()
    if not verify_password(user.password_hash if user else None, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    secret = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_digest(secret), user_id=user.id,
                             expires_at=_now() + SESSION_LIFETIME))
    session.exec(delete(LoginSession).where(LoginSession.expires_at < _now()))
    return secret


def identity_from_login(session: Session, secret: str) -> Identity | None:
    user = session.exec(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _digest(secret), LoginSession.expires_at > _now(),
               User.active)
    ).first()
    return _identity(user) if user else None


def log_out(session: Session, secret: str) -> None:
    session.exec(delete(LoginSession).where(LoginSession.token_hash == _digest(secret)))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
