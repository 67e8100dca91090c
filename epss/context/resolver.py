"""Resolve a page context to tasks: the host app's rules first, then a search on the
page's own words, and nothing for a page that is about none of the tasks."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from epss.catalog import catalog_fingerprint
from epss.context.patterns import (
    NOT_A_PAGE_ADDRESS,
    PAGE_ADDRESS,
    PAGE_ADDRESS_PATTERN,
    url_path,
)
from epss.context.rules import Page, Rule, RuleSet
from epss.errors import NotFound
from epss.hostapps import host_apps_fingerprint
from epss.i18n import Message
from epss.models import ContextRule, HostApp, Task
from epss.search import SearchIndex

# Words that screens of any case application carry; they say nothing about the task.
GENERIC_PAGE_WORDS = frozenset(
    {
        "aanvraag",
        "aanvragen",
        "zaak",
        "zaken",
        "zaaksysteem",
        "overzicht",
        "nieuw",
        "nieuwe",
        "detail",
        "details",
        "formulier",
        "gemeente",
        "taak",
        "taken",
        "behandelen",
        "behandeling",
        "status",
        "home",
        "start",
        "dashboard",
        "werkvoorraad",
        "index",
        "html",
        "php",
        "aspx",
        "app",
        "apps",
        "edit",
        "view",
        "bewerken",
        "demo",
        "melding",
        "dossier",
        "dossiers",
        "document",
        "documenten",
        "tab",
    }
)
MAX_MATCHES = 5
FALLBACK_MATCHES = 3


class PageContext(BaseModel):
    """What the overlay knows about the screen the person is on."""

    model_config = ConfigDict(extra="forbid")

    app: str = Field(min_length=1, max_length=80, description="Host application id.")
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="The page URL or its path.",
        json_schema_extra={"pattern": PAGE_ADDRESS_PATTERN},
    )
    title: str = Field(default="", max_length=500, description="The page title.")
    markers: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = Field(
        default_factory=list,
        max_length=200,
        description="Marker selectors of the app's manifest that are present on the page.",
    )
    zaaktype: str | None = Field(
        default=None, max_length=300, description="Zaaktype identificatie, when the page shows it."
    )

    @field_validator("url")
    @classmethod
    def _http_or_path(cls, value: str) -> str:
        if not PAGE_ADDRESS.match(value):
            raise ValueError(NOT_A_PAGE_ADDRESS)
        return value


@dataclass(frozen=True)
class TaskMatch:
    task: str
    title: str
    version: int
    start_step: str | None
    source: str  # "rule" or "search"
    reason: str


@dataclass
class _AppRules:
    rules: RuleSet
    manifest: dict[str, Any]
    etag: str


@dataclass
class _RuleBook:
    fingerprint: str
    apps: dict[str, _AppRules] = field(default_factory=dict)
    tasks: dict[str, tuple[str, int]] = field(default_factory=dict)  # slug → (title, version)
    origins: frozenset[str] = frozenset()  # of every host app, for CORS


class ContextResolver:
    """Keeps the compiled rules of every host app in memory; reloads them when the
    catalog changed (checked at most every `check_every` seconds, so most requests
    touch no database)."""

    def __init__(
        self,
        engine: Engine,
        search_index: SearchIndex,
        *,
        check_every: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        panel: dict[str, Any] | None = None,
    ):
        self.engine = engine
        # What the overlay's panel must know of this service, in every manifest.
        self.panel = panel or {}
        self.search_index = search_index
        self.check_every = check_every
        self.clock = clock
        self._book: _RuleBook | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def resolve(self, context: PageContext) -> list[TaskMatch]:
        book = self._current()
        app = book.apps.get(context.app)
        if app is None:
            raise NotFound("Er is geen hostapplicatie '{app}'.", params={"app": context.app})
        page = Page(
            path=url_path(context.url),
            title=context.title,
            markers=frozenset(context.markers),
            zaaktype=context.zaaktype,
        )
        matches = [
            TaskMatch(
                rule.task_slug, *book.tasks[rule.task_slug], rule.start_step, "rule", str(why)
            )
            for rule, why in app.rules.best_matches(page)[:MAX_MATCHES]
        ]
        return matches or self._search_fallback(page)

    def manifest(self, app_id: str) -> tuple[dict[str, Any], str]:
        """The rules of one host app for client-side matching, and its ETag."""
        app = self._current().apps.get(app_id)
        if app is None:
            raise NotFound("Er is geen hostapplicatie '{app}'.", params={"app": app_id})
        return app.manifest, app.etag

    def follow_changes(self) -> None:
        """For a process whose follower calls `check_now` on every change of the catalog
        and the host apps: the rules are read again then, and no longer polled for."""
        self.check_every = float("inf")

    def check_now(self) -> None:
        """Look at the catalog again on the next call (this process just published)."""
        with self._lock:
            self._checked_at = float("-inf")

    def allows_origin(self, origin: str) -> bool:
        """Whether `origin` is one of a registered host app's origins."""
        return origin in self._current().origins

    def _search_fallback(self, page: Page) -> list[TaskMatch]:
        words = re.findall(r"[^\W\d_]{3,}", f"{page.title} {page.path}".casefold())
        meaningful = [w for w in dict.fromkeys(words) if w not in GENERIC_PAGE_WORDS]
        if not meaningful:
            return []
        # Only tasks carry headings, so every hit is a different task.
        hits = self.search_index.search(
            " ".join(meaningful), limit=FALLBACK_MATCHES, headings_only=True, fuzzy=False
        )
        reason = str(
            Message(
                "geen regel paste; de woorden van de pagina passen bij deze taak: {words}",
                words=", ".join(meaningful),
            )
        )
        return [
            TaskMatch(hit.task_slug, hit.task_title, hit.task_version, None, "search", reason)
            for hit in hits
        ]

    def _current(self) -> _RuleBook:
        with self._lock:
            now = self.clock()
            if self._book is not None and now - self._checked_at < self.check_every:
                return self._book
            self._checked_at = now
            with Session(self.engine) as session:
                fingerprint = catalog_fingerprint(session) + host_apps_fingerprint(session)
                if self._book is None or self._book.fingerprint != fingerprint:
                    self._book = _load(session, fingerprint, self.panel)
            return self._book


def _load(session: Session, fingerprint: str, panel: dict[str, Any]) -> _RuleBook:
    book = _RuleBook(fingerprint)
    rows = session.exec(
        select(ContextRule, Task.slug, Task.title, Task.published_version)
        .join(Task, col(Task.id) == ContextRule.task_id)
        .order_by(ContextRule.app_id, Task.slug, col(ContextRule.position))
    ).all()
    host_apps = session.exec(select(HostApp)).all()
    book.origins = frozenset(o for app in host_apps for o in app.allowed_origins)
    by_app: dict[str, list[dict[str, Any]]] = {app.id: [] for app in host_apps}
    codes = {app.id: _codes_by_zaaktype(app.zaaktype_map) for app in host_apps}
    finish_buttons = {app.id: list(app.finish_buttons) for app in host_apps}
    for rule, slug, title, version in rows:
        if version is None:  # never: rules are written when a task is published
            continue
        book.tasks[slug] = (title, version)
        entry = {
            "task": slug,
            "task_title": title,
            "version": version,
            "url": rule.url,
            "title": rule.title,
            "markers": rule.markers,
            "zaaktype": rule.zaaktype,
            "priority": rule.priority,
            "start_step": rule.start_step,
        }
        by_app.setdefault(rule.app_id, []).append(entry)
        # The application may report its own code for the zaaktype: the rule holds for it too.
        if rule.zaaktype is not None:
            for code in codes.get(rule.app_id, {}).get(rule.zaaktype, ()):
                by_app[rule.app_id].append({**entry, "zaaktype": code})
    for app_id, entries in by_app.items():
        manifest = {
            "app": app_id,
            "markers": sorted({m for entry in entries for m in entry["markers"]}),
            "rules": entries,
            # CSS selectors of the buttons that finish a case, in the admin's order.
            "finish_buttons": finish_buttons.get(app_id, []),
            **panel,
        }
        body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        rules = [Rule.from_manifest(entry, order) for order, entry in enumerate(entries)]
        book.apps[app_id] = _AppRules(RuleSet(rules), manifest, etag)
    return book


def _codes_by_zaaktype(zaaktype_map: dict[str, str]) -> dict[str, list[str]]:
    """{own code: zaaktype} → {zaaktype: [own codes]}."""
    codes: dict[str, list[str]] = {}
    for code, zaaktype in sorted(zaaktype_map.items()):
        codes.setdefault(zaaktype, []).append(code)
    return codes
