"""Service settings, read from the environment (prefix EPSS_) or passed in directly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from epss.auth.roles import Role

DEFAULT_SECRET = "change-me-in-production"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Settings(BaseSettings):
    """Everything the service can be configured with. Each field is documented in the
    README's configuration table (a test keeps the two in step)."""

    model_config = SettingsConfigDict(env_prefix="EPSS_", extra="ignore")

    data_dir: Path = Field(
        default=Path("epss-data"),
        description="Folder for the SQLite database and the search index.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means SQLite at DATA_DIR/epss.sqlite3. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    secret_key: str = Field(
        default=DEFAULT_SECRET,
        description="Secret for signing sessions and keyed pseudonyms. Set it in production.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Extra origins allowed to call the API from a browser (comma-separated).",
    )
    content_dir: Path | None = Field(
        default=None,
        description="Folder with synonyms.yaml and glossary.yaml; empty means the shipped one.",
    )
    demo: bool = Field(default=False, description="Serve the demo case software under /demo.")
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="How `epss serve` writes its log: text, or json (one JSON "
        "object per line: time, level, logger, message, request_id, process).",
    )
    metrics_token: str = Field(
        default="",
        description="When set, /metrics answers only requests that send "
        "`Authorization: Bearer <this token>`; empty: anyone who reaches the service may read "
        "/metrics.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Send cookies only over HTTPS. Set it when the service is served over HTTPS "
        "(login cookies are always HttpOnly and SameSite=Lax).",
    )
    store_free_text: bool = Field(
        default=True,
        description="Store the free text of events (search queries, reasons for deviating), "
        "after a filter replaced what looks like personal data (numbers, dates, postcodes, "
        "e-mail addresses, phone numbers, names); the quality pages show a text only when "
        "at least the minimum group of people typed it. Off: no free text is stored.",
    )
    retention_months: int = Field(
        default=12,
        ge=1,
        description="Months that events are kept in detail; "
        "`epss retention run` keeps only daily counts of older ones.",
    )
    progress_keep_hours: int = Field(
        default=12,
        ge=1,
        le=24 * 31,
        description="Hours that the help panel keeps the ticked steps of a case in the "
        "browser (only there); older ticks are forgotten.",
    )
    min_group_size: int = Field(
        default=5,
        ge=1,
        description="Groups of fewer people are not shown in the quality "
        "pages (aggregated by default).",
    )
    xapi_endpoint: str = Field(
        default="",
        description="xAPI endpoint of a Learning Record Store, e.g. "
        "https://lrs.example/xAPI/ (empty: no xAPI export).",
    )
    xapi_username: str = Field(default="", description="User name for the LRS (HTTP Basic).")
    xapi_password: str = Field(default="", description="Password for the LRS (HTTP Basic).")
    login_free_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed logins per account name and client address "
        "before each further one must wait, 30 seconds at first and twice as long each time "
        "(at most 15 minutes); a client address may fail ten times as often over all names.",
    )
    oidc_issuer: str = Field(
        default="",
        description="Single sign-on: issuer URL of the OpenID Connect provider, "
        "e.g. https://login.microsoftonline.com/<tenant>/v2.0 (empty: no single sign-on).",
    )
    oidc_client_id: str = Field(
        default="", description="Single sign-on: the client id EPSS is registered with."
    )
    oidc_client_secret: str = Field(
        default="",
        description="Single sign-on: the client secret (empty: a public client, "
        "which proves itself with PKCE only).",
    )
    oidc_scopes: str = Field(
        default="openid profile email", description="Single sign-on: scopes to ask for."
    )
    oidc_groups_claim: str = Field(
        default="groups", description="Single sign-on: the ID-token claim with the groups."
    )
    oidc_role_map: Annotated[dict[str, list[Role]], NoDecode] = Field(
        default_factory=dict,
        description="Single sign-on: group → EPSS roles, e.g. "
        "grp-balie=medewerker;grp-kennis=expert,redacteur. A person gets the roles of all "
        "their mapped groups at every login; with none, no access.",
    )
    oidc_team_map: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="Single sign-on: group → team, e.g. "
        "grp-burgerzaken=Burgerzaken;grp-vergunningen=Vergunningen; the first group in this "
        "list that the person is in sets the team.",
    )
    oidc_name_claim: str = Field(
        default="preferred_username",
        description="Single sign-on: the claim that names the "
        "EPSS account (lower-cased; of an e-mail address only the part before the @).",
    )
    oidc_display_name: str = Field(
        default="",
        description="Single sign-on: the organisation's name on the login button, "
        'e.g. Gemeente Dijkhaven (empty: "uw organisatie").',
    )
    local_login: bool = Field(
        default=True,
        description="Whether logging in with an EPSS name and password stays "
        "available; false needs single sign-on.",
    )

    public_url: str = Field(
        default="",
        description="The address people reach EPSS at, e.g. https://epss.gemeente.nl, "
        "for the links in its mail (needed with EPSS_SMTP_HOST).",
    )
    smtp_host: str = Field(
        default="",
        description="Mail: the SMTP server EPSS sends its notices through, such as to "
        "the writers of a step whose field the desk's panel no longer finds (empty: no mail).",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Mail: the SMTP port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="Mail: starttls (port 587), tls (port 465), or none (a relay on the "
        "municipality's own network).",
    )
    smtp_username: str = Field(default="", description="Mail: user name (empty: none).")
    smtp_password: str = Field(default="", description="Mail: password.")
    mail_from: str = Field(
        default="",
        description="Mail: the sender, e.g. EPSS <epss@gemeente.nl> (needed with EPSS_SMTP_HOST).",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("oidc_role_map", mode="before")
    @classmethod
    def _parse_role_map(cls, value: object) -> object:
        groups = _group_map(value, "EPSS_OIDC_ROLE_MAP")
        if not isinstance(groups, dict):
            return groups
        roles = {
            group: [
                r.strip()
                for r in (targets.split(",") if isinstance(targets, str) else targets)
                if r.strip()
            ]
            for group, targets in groups.items()
        }
        for group, names in roles.items():
            unknown = [name for name in names if name not in Role.__members__]
            if unknown or not names:
                raise ValueError(
                    f"EPSS_OIDC_ROLE_MAP: group '{group}' maps to "
                    f"{'the unknown role(s) ' + ', '.join(unknown) if unknown else 'no role'}; "
                    f"choose from {', '.join(Role)}"
                )
        return roles

    @field_validator("oidc_team_map", mode="before")
    @classmethod
    def _parse_team_map(cls, value: object) -> object:
        return _group_map(value, "EPSS_OIDC_TEAM_MAP")

    @model_validator(mode="after")
    def _check_single_sign_on(self) -> Settings:
        if not self.oidc_issuer:
            if not self.local_login:
                raise ValueError(
                    "EPSS_LOCAL_LOGIN=false needs single sign-on "
                    "(EPSS_OIDC_ISSUER): otherwise nobody can log in"
                )
            return self
        issuer = urlsplit(self.oidc_issuer)
        if issuer.scheme != "https" and not (
            issuer.scheme == "http" and issuer.hostname in _LOOPBACK
        ):
            raise ValueError(
                f"EPSS_OIDC_ISSUER '{self.oidc_issuer}': use an https:// URL "
                "(http only on this machine, for tests)"
            )
        if not self.oidc_client_id:
            raise ValueError("EPSS_OIDC_CLIENT_ID is needed with EPSS_OIDC_ISSUER")
        if "openid" not in self.oidc_scopes.split():
            raise ValueError(f"EPSS_OIDC_SCOPES '{self.oidc_scopes}' must include openid")
        if not self.oidc_role_map:
            raise ValueError(
                "EPSS_OIDC_ROLE_MAP is needed with EPSS_OIDC_ISSUER: without "
                "it no one gets a role, so no one can log in"
            )
        return self

    @model_validator(mode="after")
    def _check_mail(self) -> Settings:
        if self.public_url and urlsplit(self.public_url).scheme not in ("http", "https"):
            raise ValueError(
                f"EPSS_PUBLIC_URL '{self.public_url}': use the http(s):// address of EPSS"
            )
        if self.smtp_host and not (self.mail_from and self.public_url):
            raise ValueError(
                "EPSS_SMTP_HOST needs EPSS_MAIL_FROM (the sender) and EPSS_PUBLIC_URL "
                "(for the links in the mail)"
            )
        return self

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'epss.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def _group_map(value: object, setting: str) -> object:
    """'grp-a=x;grp-b=y,z' → {'grp-a': 'x', 'grp-b': 'y,z'}, in the order written."""
    if not isinstance(value, str):
        return value
    pairs: dict[str, str] = {}
    for entry in (part.strip() for part in value.split(";")):
        if not entry:
            continue
        group, equals, target = (piece.strip() for piece in entry.partition("="))
        if not equals or not group or not target:
            raise ValueError(
                f"{setting}: '{entry}' is not group=value (entries are separated by ';')"
            )
        pairs[group] = target
    return pairs
