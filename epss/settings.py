"""Service settings, read from the environment (prefix EPSS_) or passed in directly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "change-me-in-production"


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
    search_limit_max: int = Field(default=50, description="Largest `limit` a search may ask.")
    secure_cookies: bool = Field(
        default=False,
        description="Send cookies only over HTTPS. Set it when the service is served over HTTPS "
        "(login cookies are always HttpOnly and SameSite=Lax).",
    )
    store_free_text: bool = Field(
        default=False,
        description="Store the free text of events (search queries, reasons for deviating); "
        "off by default, since people may type citizen data there.")
    retention_months: int = Field(
        default=12, ge=1, description="Months that events are kept in detail; "
        "`epss retention run` keeps only daily counts of older ones.")
    min_group_size: int = Field(
        default=5, ge=1, description="Groups of fewer people are not shown in the quality "
        "pages (aggregated by default).")
    xapi_endpoint: str = Field(
        default="", description="xAPI endpoint of a Learning Record Store, e.g. "
        "https://lrs.example/xAPI/ (empty: no xAPI export).")
    xapi_username: str = Field(default="", description="User name for the LRS (HTTP Basic).")
    xapi_password: str = Field(default="", description="Password for the LRS (HTTP Basic).")
    login_attempts_per_minute: int = Field(
        default=5, ge=1, description="Failed logins allowed per account name per minute.")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'epss.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"
