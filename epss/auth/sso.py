"""Single sign-on with OpenID Connect (authorization code + PKCE): what the organisation's
provider says about someone, and what that makes them in EPSS.

The protocol is Authlib's: discovery, state, nonce, PKCE and the ID token's signature and
claims. `OpenIdProvider` configures it from the settings and turns its failures into clear
errors. `person_from_claims` maps the verified claims to an account name, roles, a team and
an e-mail address; `sign_in` creates the account at the first login and brings its roles,
team and address in line with the provider's at every login, each change in the admin log.
An account is found by issuer and subject, never by name: an account that merely has the
same name is never taken over. Functions that take a Session never commit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import MismatchingStateError, OAuthError

with warnings.catch_warnings():
    # Authlib ≥ 1.9 warns that it talks HTTP through httpx rather than its successor
    # httpx2; httpx is what this project uses, and the warning would end up in every
    # command's output and every log.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.starlette_client import OAuth
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import RedirectResponse

from epss.admin.log import SINGLE_SIGN_ON, Actor, record
from epss.auth.accounts import SESSION_LIFETIME, create_user, email_address
from epss.errors import EpssError, Forbidden, InvalidInput
from epss.models import User
from epss.settings import Settings

DEFAULT_ORGANISATION = "uw organisatie"
LOGOUT_COOKIE = "epss_sso_logout"  # the note of `OpenIdProvider.logout_note` ...
LOGOUT_COOKIE_PATH = "/uitloggen"  # ... sent only when logging out
MAX_ID_TOKEN_HINT = 3000  # characters: a longer ID token does not fit in the logout cookie

UNREACHABLE = (
    "{org} is nu niet bereikbaar, dus inloggen via {org} lukt even niet. "
    "Probeer het over een paar minuten opnieuw."
)
MISCONFIGURED = "Inloggen via {org} is niet goed ingesteld. Meld het aan uw beheerder."
EXPIRED = "Deze inlogpoging is verlopen of al gebruikt. Begin opnieuw met inloggen."
NOT_FINISHED = (
    "{org} heeft het inloggen niet afgerond. Probeer het opnieuw; lukt het "
    "weer niet, meld het dan aan uw beheerder."
)
UNTRUSTED = (
    "Het bewijs van inloggen dat EPSS van {org} kreeg, klopt niet: het is niet "
    "voor EPSS bedoeld, niet van {org} of beschadigd. U bent niet ingelogd. Meld "
    "het aan uw beheerder als het blijft gebeuren."
)
NO_ROLE = "Uw account bij {org} geeft geen toegang tot EPSS; vraag uw beheerder om een rol."
NO_NAME = (
    "{org} gaf geen gebruikersnaam door, dus EPSS weet niet wie u bent. Vraag uw "
    "beheerder om dit in te stellen."
)
BAD_NAME = (
    "Uw gebruikersnaam bij {org} is als EPSS-naam niet bruikbaar. Vraag uw "
    "beheerder om dit in te stellen."
)
NAME_TAKEN = (
    "Er is al een EPSS-account '{name}' dat niet bij uw account bij {org} hoort. "
    "EPSS neemt het niet zomaar over: vraag uw beheerder om dat account te "
    "hernoemen of op te heffen; daarna kunt u inloggen."
)
DISABLED = (
    "Uw EPSS-account '{name}' is uitgeschakeld; vraag uw beheerder om het weer aan te zetten."
)
LOCAL_LOGIN_OFF = "Inloggen met naam en wachtwoord staat uit. Log in via {org}."


class ProviderUnreachable(EpssError):
    """The provider or its discovery document did not answer (properly)."""

    status = 503
    code = "sso_unreachable"


class SignInFailed(EpssError):
    """The provider's answer cannot be trusted or used: nobody is logged in."""

    status = 400
    code = "sso_failed"


class SignInRefused(Forbidden):
    """The provider vouched for the person, but EPSS does not let them in."""

    code = "sso_refused"


def organisation(settings: Settings) -> str:
    """The name people know the provider by (Dutch; the pages translate the default)."""
    return settings.oidc_display_name or DEFAULT_ORGANISATION


def local_login_allowed(settings: Settings) -> bool:
    """Whether logging in with an EPSS name and password is offered and accepted."""
    return settings.local_login or not settings.sso_enabled


def login_choices(settings: Settings) -> dict[str, Any]:
    """What the login page offers: `sso_organisation` (None without single sign-on) and
    `local_login` (the name and password form)."""
    return {
        "sso_organisation": organisation(settings) if settings.sso_enabled else None,
        "local_login": local_login_allowed(settings),
    }


class OpenIdProvider:
    """The organisation's OpenID Connect provider as EPSS uses it: one per app, built from
    the settings. Its discovery document is fetched at the first login, then kept (a failed
    fetch is tried again at the next)."""

    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.organisation = organisation(settings)
        self._logout_notes = URLSafeTimedSerializer(settings.secret_key, salt="epss-sso-logout")
        secret = settings.oidc_client_secret
        self._client = OAuth().register(
            "provider",
            client_id=settings.oidc_client_id,
            client_secret=secret or None,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
                "timeout": 10,
            },
        )

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, for the issuer configured."""
        try:
            metadata: dict[str, Any] = await self._client.load_server_metadata()
        except Exception as exc:  # whatever failed (network, status, JSON): no provider
            raise self._unreachable(exc) from exc
        named = str(metadata.get("issuer", "")).rstrip("/")
        if named != self.issuer:
            raise SignInFailed(
                MISCONFIGURED,
                params={"org": self.organisation},
                extra={
                    "technical": f"the discovery document names the issuer '{named}', "
                    f"not '{self.issuer}' (EPSS_OIDC_ISSUER)"
                },
            )
        return metadata

    async def redirect_to_login(self, request: Request, redirect_uri: str) -> RedirectResponse:
        """Off to the provider's login. State, nonce and PKCE verifier wait in the session
        (a signed cookie) for the way back to `redirect_uri`."""
        await self.metadata()
        response: RedirectResponse = await self._client.authorize_redirect(request, redirect_uri)
        return response

    async def verified_claims(self, request: Request) -> tuple[dict[str, Any], str]:
        """The claims of the ID token the provider's answer (the callback `request`) brings,
        and the ID token itself. Authlib checks the state (once only), exchanges the code
        with the PKCE verifier, and checks the token's signature, issuer, audience, nonce
        and expiry."""
        metadata = await self.metadata()
        rules = {
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": self.client_id},
        }
        org = {"org": self.organisation}
        try:
            token = await self._client.authorize_access_token(request, claims_options=rules)
        except MismatchingStateError as exc:
            raise SignInFailed(EXPIRED, extra={"technical": _technical(exc)}) from exc
        except OAuthError as exc:  # the provider's own error answer
            raise SignInFailed(
                NOT_FINISHED, params=org, extra={"technical": _technical(exc)}
            ) from exc
        except (JoseError, AuthlibBaseError) as exc:  # the ID token failed a check
            raise SignInFailed(UNTRUSTED, params=org, extra={"technical": _technical(exc)}) from exc
        except Exception as exc:  # the token endpoint or the key set did not answer
            raise self._unreachable(exc) from exc
        if not token.get("userinfo") or not token.get("id_token"):
            raise SignInFailed(
                UNTRUSTED, params=org, extra={"technical": "the token response holds no ID token"}
            )
        return dict(token["userinfo"]), token["id_token"]

    def logout_note(self, login_secret: str, id_token: str) -> str:
        """A signed note, for a cookie, that this login came through the provider, with the
        ID token to hint whom to log out there (when it is short enough for a cookie)."""
        return self._logout_notes.dumps(
            {
                "login": _fingerprint(login_secret),
                "id_token": id_token if len(id_token) <= MAX_ID_TOKEN_HINT else None,
            }
        )

    async def logout_url(
        self, note: str | None, login_secret: str, post_logout_redirect_uri: str
    ) -> str | None:
        """Where to send someone who logs out, to end their session at the provider too;
        None when this login did not come through the provider (`note` missing, forged or
        of another login), or the provider has no end_session_endpoint or is unreachable."""
        if not note:
            return None
        try:
            data = self._logout_notes.loads(note, max_age=int(SESSION_LIFETIME.total_seconds()))
        except BadSignature:
            return None
        if data.get("login") != _fingerprint(login_secret):
            return None
        try:
            endpoint = (await self.metadata()).get("end_session_endpoint")
        except EpssError:
            return None
        if not endpoint:
            return None
        params = [
            ("client_id", self.client_id),
            ("post_logout_redirect_uri", post_logout_redirect_uri),
        ]
        if data.get("id_token"):
            params.insert(0, ("id_token_hint", data["id_token"]))
        url: str = add_params_to_uri(endpoint, params)
        return url

    def _unreachable(self, exc: Exception) -> ProviderUnreachable:
        return ProviderUnreachable(
            UNREACHABLE, params={"org": self.organisation}, extra={"technical": _technical(exc)}
        )


@dataclass(frozen=True)
class Person:
    """Who the provider says someone is, in EPSS terms."""

    subject: str  # "<issuer>|<sub>": stays the same when the person's names change
    name: str
    roles: tuple[str, ...]  # sorted
    team: str | None
    email: str | None = None  # None: the provider gave no (verified, usable) address


def person_from_claims(claims: Mapping[str, Any], settings: Settings) -> Person:
    """The person the verified claims describe. Their roles are those of all their groups
    in EPSS_OIDC_ROLE_MAP; their team is that of the first group in EPSS_OIDC_TEAM_MAP
    they are in; their e-mail address is the `email` claim, unless `email_verified` is false.
    Refused (SignInRefused) without a mapped group or a usable name."""
    org = organisation(settings)
    groups = claims.get(settings.oidc_groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    roles = sorted(
        {role.value for group in groups for role in settings.oidc_role_map.get(group, [])}
    )
    if not roles:
        raise SignInRefused(
            NO_ROLE,
            params={"org": org},
            extra={
                "technical": f"none of the {len(groups)} group(s) in the claim "
                f"'{settings.oidc_groups_claim}' is in EPSS_OIDC_ROLE_MAP"
            },
        )
    team = next((team for group, team in settings.oidc_team_map.items() if group in groups), None)
    given = claims.get(settings.oidc_name_claim)
    if not isinstance(given, str) or not given.strip():
        raise SignInRefused(
            NO_NAME,
            params={"org": org},
            extra={
                "technical": f"the ID token has no claim '{settings.oidc_name_claim}' "
                "(EPSS_OIDC_NAME_CLAIM)"
            },
        )
    name = account_name(given)
    if name is None:
        raise SignInRefused(
            BAD_NAME,
            params={"org": org},
            extra={
                "technical": f"'{given}' in the claim '{settings.oidc_name_claim}' leaves "
                "fewer than 2 usable characters"
            },
        )
    subject = f"{claims['iss']}|{claims['sub']}"
    return Person(subject, name, tuple(roles), team, _verified_email(claims))


def _verified_email(claims: Mapping[str, Any]) -> str | None:
    """The `email` claim as stored, or None: absent, not verified, or not an address (which
    does not stop the login)."""
    given = claims.get("email")
    if not isinstance(given, str) or claims.get("email_verified") in (False, "false"):
        return None
    try:
        return email_address(given)
    except InvalidInput:
        return None


def account_name(given: str) -> str | None:
    """An account name by the rules of `accounts.create_user` from what the provider calls
    someone: lower-case ASCII letters, digits, '.', '_' and '-' (other characters become
    '-'); of an e-mail address only the part before the @. None if nothing usable is left."""
    local = given.strip().split("@", 1)[0]
    plain = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-z0-9._-]+", "-", plain.lower()).strip("-._")[:80]
    return name if len(name) >= 2 else None


def sign_in(session: Session, person: Person, org: str) -> User:
    """The account of `person`: created at their first login, and at every later one given
    the roles and team the provider's groups now give, and the e-mail address the provider
    now gives, if any (recorded in the admin log when they change). Refused, changing
    nothing, for a disabled account or a name that another account has."""
    user = session.exec(select(User).where(User.sso_subject == person.subject)).first()
    if user is None:
        return _create(session, person, org)
    if not user.active:
        raise SignInRefused(
            DISABLED,
            params={"name": user.name},
            extra={"technical": "the account is disabled (active = false)"},
        )
    actor = Actor(user.name, via=SINGLE_SIGN_ON, user_id=user.id)
    given: dict[str, Any] = {"roles": list(person.roles), "team": person.team}
    if person.email is not None:  # without one from the provider, the stored one stays
        given["email"] = person.email
    for field, value in given.items():
        now = sorted(user.roles) if field == "roles" else getattr(user, field)
        if now != value:
            record(
                session,
                actor,
                f"account.{field}_changed",
                "account",
                user.name,
                before={field: now},
                after={field: value},
            )
            setattr(user, field, value)
    session.add(user)
    return user


def _create(session: Session, person: Person, org: str) -> User:
    if session.exec(select(User).where(User.name == person.name)).first() is not None:
        raise SignInRefused(
            NAME_TAKEN,
            params={"name": person.name, "org": org},
            extra={
                "technical": f"an account named '{person.name}' exists without this person's "
                f"single sign-on subject '{person.subject}'"
            },
        )
    user = create_user(
        session, person.name, list(person.roles), team=person.team, email=person.email
    )
    user.sso_subject = person.subject
    session.add(user)
    created = {"roles": list(person.roles), "team": person.team, "sso_subject": person.subject}
    record(
        session,
        Actor(user.name, via=SINGLE_SIGN_ON, user_id=user.id),
        "account.created",
        "account",
        user.name,
        after=created | ({"email": person.email} if person.email else {}),
    )
    return user


def _fingerprint(login_secret: str) -> str:
    return hashlib.sha256(login_secret.encode("utf-8")).hexdigest()[:32]


def _technical(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
