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

from sqlmodel import Session, col, delete, select

from epss.auth.passwords import hash_password, needs_rehash, verify_password
from epss.auth.roles import Role
from epss.errors import InvalidInput, NotFound
from epss.models import ApiToken, LoginSession, PasswordReset, User, stored_id

SESSION_LIFETIME = dt.timedelta(hours=10)  # a working day
RESET_LIFETIME = dt.timedelta(hours=24)
RESET_PATH = "/account/herstel/"  # + the secret: where a reset link leads
TOKEN_PREFIX = "epss_"
MAX_EMAIL = 254
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
    return Identity(stored_id(user), user.name, frozenset(Role(r) for r in user.roles), user.team)


def create_user(
    session: Session,
    name: str,
    roles: list[str],
    *,
    team: str | None = None,
    password: str | None = None,
    email: str | None = None,
) -> User:
    """A new account. Without a password it can only use API tokens."""
    if not _NAME.match(name):
        raise InvalidInput(
            "Naam '{name}': gebruik 2 tot 80 kleine letters, cijfers, '.', '_' "
            "of '-', te beginnen met een letter of cijfer.",
            params={"name": name},
        )
    check_roles(roles)
    email = email_address(email)
    if session.exec(select(User).where(User.name == name)).first():
        raise InvalidInput("De naam '{name}' is al in gebruik.", params={"name": name})
    user = User(
        name=name,
        roles=sorted(set(roles)),
        team=team,
        password_hash=hash_password(password) if password is not None else None,
        email=email,
    )
    session.add(user)
    session.flush()
    return user


def check_roles(roles: list[str]) -> None:
    """At least one role, and only roles that exist."""
    unknown = [r for r in roles if r not in Role.__members__]
    if unknown:
        raise InvalidInput(
            "Rol: kies uit {roles} (onbekend: {unknown}).",
            params={"roles": ", ".join(Role), "unknown": ", ".join(unknown)},
        )
    if not roles:
        raise InvalidInput("Rol: geef minstens één van {roles}.", params={"roles": ", ".join(Role)})


def email_address(text: str | None) -> str | None:
    """An e-mail address as stored: trimmed, its domain in lower case; None when empty.
    Refused when it is plainly not an address (one @, a name before it, a domain with a dot
    after it, no spaces) or longer than MAX_EMAIL."""
    address = (text or "").strip()
    if not address:
        return None
    if len(address) > MAX_EMAIL:
        raise InvalidInput("E-mailadres: hooguit {length} tekens.", params={"length": MAX_EMAIL})
    params = {"address": address}
    if any(c.isspace() or not c.isprintable() for c in address):
        raise InvalidInput(
            "'{address}' is geen e-mailadres: er mogen geen spaties of andere onzichtbare "
            "tekens in staan.",
            params=params,
        )
    if address.count("@") != 1:
        raise InvalidInput(
            "'{address}' is geen e-mailadres: er hoort precies één @ in te staan.", params=params
        )
    local, domain = address.split("@")
    if not local:
        raise InvalidInput(
            "'{address}' is geen e-mailadres: vóór de @ hoort een naam te staan.", params=params
        )
    if len(domain.split(".")) < 2 or not all(domain.split(".")):
        raise InvalidInput(
            "'{address}' is geen e-mailadres: na de @ hoort een domein met een punt, "
            "zoals gemeente.nl.",
            params=params,
        )
    return f"{local}@{domain.lower()}"


def email_of(session: Session, name: str) -> str | None:
    """Where to mail the notices of the account `name`: its address, or None when it has
    none, is disabled or does not exist."""
    user = session.exec(select(User).where(User.name == name, User.active)).first()
    return user.email if user else None


def user_by_name(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound("Er is geen account '{name}'.", params={"name": name})
    return user


def new_api_token(session: Session, user: User) -> str:
    """A new personal token for `user`; shown once, stored only as a hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=stored_id(user), token_hash=_digest(token)))
    return token


def identity_from_token(session: Session, token: str) -> Identity | None:
    row = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token), User.active)
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.last_used_at is None or _now() - _aware(api_token.last_used_at) > dt.timedelta(
        minutes=5
    ):
        api_token.last_used_at = _now()
        session.add(api_token)
    return _identity(user)


def log_in(session: Session, name: str, password: str) -> str | None:
    """A new login session's secret (for the cookie), or None when the name or password
    is wrong. Takes as long for an unknown name as for a wrong password."""
    user = session.exec(select(User).where(User.name == name.strip().lower(), User.active)).first()
    password_hash = user.password_hash if user else None
    # verify_password is False without a hash; the other two conditions tell mypy so.
    if not verify_password(password_hash, password) or user is None or password_hash is None:
        return None
    if needs_rehash(password_hash):
        user.password_hash = hash_password(password)
    return start_session(session, user)


def start_session(session: Session, user: User) -> str:
    """A new login session for `user` (who proved who they are): its secret, for the
    cookie. Records the login and clears expired sessions."""
    secret = secrets.token_urlsafe(32)
    user.last_login_at = _now()
    session.add(user)
    session.add(
        LoginSession(
            token_hash=_digest(secret),
            user_id=stored_id(user),
            expires_at=_now() + SESSION_LIFETIME,
        )
    )
    session.exec(delete(LoginSession).where(col(LoginSession.expires_at) < _now()))
    return secret


def identity_from_login(session: Session, secret: str) -> Identity | None:
    user = session.exec(
        select(User)
        .join(LoginSession, col(LoginSession.user_id) == User.id)
        .where(
            LoginSession.token_hash == _digest(secret),
            LoginSession.expires_at > _now(),
            User.active,
        )
    ).first()
    return _identity(user) if user else None


def is_active(session: Session, user_id: int) -> bool:
    """Whether the account exists and is not disabled."""
    return bool(session.exec(select(User.active).where(User.id == user_id)).first())


def log_out(session: Session, secret: str) -> None:
    session.exec(delete(LoginSession).where(col(LoginSession.token_hash) == _digest(secret)))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def change_own_password(session: Session, user_id: int, current: str, new: str) -> None:
    """A person sets a new password, proving the current one. Their other login sessions
    end (a stolen session does not outlive the change); this one stays."""
    user = session.get(User, user_id)
    if user is None or user.password_hash is None:
        raise InvalidInput(
            "Dit account heeft geen wachtwoord bij EPSS: u logt in via uw organisatie."
        )
    if not verify_password(user.password_hash, current):
        raise InvalidInput("Het huidige wachtwoord klopt niet.")
    if new == current:
        raise InvalidInput("Kies een ander wachtwoord dan het huidige.")
    user.password_hash = hash_password(new)
    session.add(user)
    end_reset_links(session, stored_id(user))


def end_reset_links(session: Session, user_id: int) -> None:
    """Unused reset links of a person stop working (their password changed, or their
    account was disabled): an intercepted link must not outlive that."""
    session.exec(
        delete(PasswordReset).where(
            col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None)
        )
    )


def end_other_sessions(session: Session, user_id: int, keep_secret: str | None) -> None:
    """End every login session of a person but the one with `keep_secret`."""
    query = delete(LoginSession).where(col(LoginSession.user_id) == user_id)
    if keep_secret:
        query = query.where(col(LoginSession.token_hash) != _digest(keep_secret))
    session.exec(query)


def new_reset_link_secret(session: Session, user: User) -> str:
    """A one-time secret to set a new password within RESET_LIFETIME; only its hash is
    stored. Earlier unused links of the person stop working."""
    end_reset_links(session, stored_id(user))
    secret = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            token_hash=_digest(secret),
            user_id=stored_id(user),
            expires_at=_now() + RESET_LIFETIME,
        )
    )
    return secret


def reset_link_user(session: Session, secret: str) -> User:
    """The account a reset link is for, when the link can still be used."""
    return _usable_reset(session, secret)[1]


def _usable_reset(session: Session, secret: str) -> tuple[PasswordReset, User]:
    reset = session.get(PasswordReset, _digest(secret))
    if reset is None:
        raise NotFound("Deze herstellink bestaat niet. Vraag uw beheerder om een nieuwe.")
    if reset.used_at is not None:
        raise InvalidInput("Deze herstellink is al gebruikt. Vraag uw beheerder om een nieuwe.")
    if _aware(reset.expires_at) < _now():
        raise InvalidInput(
            "Deze herstellink is verlopen (hij is 24 uur geldig). Vraag uw beheerder om een nieuwe."
        )
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        raise InvalidInput("Dit account is uitgeschakeld. Neem contact op met uw beheerder.")
    return reset, user


def use_reset_link(session: Session, secret: str, new: str) -> User:
    """Set a new password with a reset link, once; every login session of the person ends."""
    reset, user = _usable_reset(session, secret)
    user.password_hash = hash_password(new)
    reset.used_at = _now()
    session.add(user)
    end_other_sessions(session, stored_id(user), None)
    return user
