"""The long-lived parts of one running service, built from settings: the database engine,
the search index, the context resolver, the login throttle, the event writer and the
editors' live streams. Whatever one service keeps between requests lives here (or with its
engine), never in a module, so two services in one process share nothing. The web app and the CLI
both use this; a serving process also follows the change log (`start_following`), which
keeps its index, rules and editors' streams in step with every other instance."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from epss.auth.throttle import Throttle
from epss.catalog import newest_versions
from epss.changes import log as change_log
from epss.changes.follower import Follower
from epss.clock import utc_now
from epss.context import ContextResolver
from epss.db import make_engine
from epss.drafts.field_alerts import mail_field_alerts
from epss.drafts.presence import DraftHub, apply_change, serving_hub
from epss.drafts.roster import HEARTBEAT_SECONDS
from epss.events import EventWriter
from epss.glossary import Term, load_glossary
from epss.mail import send_mail
from epss.models import CatalogChange, stored_id
from epss.moments import LOCAL_TIME
from epss.resources import shipped
from epss.search import SearchIndex, Synonyms
from epss.search.index import IndexNeedsRebuild
from epss.settings import Settings

log = logging.getLogger(__name__)

INDEX_CARE_SECONDS = 2.0
ADVANCE_INDEX_SECONDS = 3600.0  # well within the week the change log keeps
FIELD_ALERT_SECONDS = 60.0


@dataclass
class Services:
    settings: Settings
    engine: Engine
    search_index: SearchIndex
    resolver: ContextResolver
    glossary: tuple[Term, ...]
    login_throttle: Throttle
    event_writer: EventWriter
    drafts: DraftHub
    follower: Follower | None = None
    clock: Callable[[], dt.datetime] = utc_now  # what the routes take as now (tests set it)
    _index_care_due: bool = False  # updates left segments to merge or a rebuild advised

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        content = settings.content_dir or shipped("content")
        index = SearchIndex(settings.index_dir, Synonyms.from_file(content / "synonyms.yaml"))
        engine = make_engine(settings)
        return cls(
            settings,
            engine,
            index,
            ContextResolver(
                engine,
                index,
                panel={
                    "progress_keep_hours": settings.progress_keep_hours,
                    "stores_free_text": settings.store_free_text,
                },
            ),
            load_glossary(content / "glossary.yaml"),
            Throttle(settings.secret_key, settings.login_free_attempts),
            EventWriter(engine),
            serving_hub(engine),
        )

    def today(self) -> dt.date:
        """The date in the Netherlands by this service's clock: review dates and the
        quality pages' periods count Dutch days."""
        return self.clock().astimezone(LOCAL_TIME).date()

    # -- the search index -------------------------------------------------------------

    def refresh_search_index(self, *, force: bool = False) -> bool:
        """Bring the index up to the database now. It is rebuilt (beside the live one,
        which keeps answering) when it is missing, corrupt, of another analysis version,
        from another database, further behind than the change log reaches, or with
        `force`; otherwise the task changes since its position are applied. Returns True
        when it was rebuilt."""
        with Session(self.engine) as session:
            newest = change_log.newest_position(session)
            oldest = change_log.oldest_position(session)
        position = self.search_index.position()
        if (
            force
            or position is None
            or position > newest
            or (oldest is not None and position < oldest - 1)
        ):
            with Session(self.engine) as session:
                items = [(v.document, v.number) for v in newest_versions(session)]
            log.info("rebuilding the search index (%d tasks)", len(items))
            self.search_index.rebuild(items, newest)
            return True
        if position < newest:
            with Session(self.engine) as session:
                changes = change_log.changes_after(session, position, limit=None)
            self._update_index({c.subject for c in changes if c.kind == change_log.TASK}, newest)
        return False

    def _update_index(self, slugs: set[str], position: int) -> None:
        items = self._documents_of(slugs)
        removed = slugs - {document["slug"] for document, _ in items}
        try:
            result = self.search_index.update(items, removed, position, self._documents_of)
        except IndexNeedsRebuild:
            # Missing or damaged: the follower's index care rebuilds it, off this path.
            log.warning("the search index needs a rebuild; it follows shortly")
            return
        self._index_care_due |= result.compaction_due or result.rebuild_advised

    def _documents_of(self, slugs: Iterable[str]) -> list[tuple[dict[str, Any], int]]:
        with Session(self.engine) as session:
            return [(v.document, v.number) for v in newest_versions(session, set(slugs))]

    # -- following the change log -------------------------------------------------------

    def apply_changes(self, changes: list[CatalogChange]) -> None:
        """What the changes of the log mean for this process: the index and the rules
        of changed tasks, host apps' origins and manifests, editors' streams."""
        slugs = {c.subject for c in changes if c.kind == change_log.TASK}
        if slugs:
            self._update_index(slugs, stored_id(changes[-1]))
        if slugs or any(c.kind == change_log.HOST_APP for c in changes):
            self.resolver.check_now()
        for change in changes:
            apply_change(self.drafts, change)

    def start_following(self) -> None:
        """For a serving process: bring the index up to date, then apply every change
        of the log from now on, this process's own right after their commit. Once: a
        second follower would be left running when the service closes."""
        if self.follower is not None:
            raise RuntimeError("this service already follows the change log")
        with Session(self.engine) as session:
            position = change_log.newest_position(session)
        self.refresh_search_index()
        self.resolver.follow_changes()
        hub = self.drafts
        self.follower = Follower(
            self.engine,
            self.apply_changes,
            position,
            chores=[
                (HEARTBEAT_SECONDS, hub.keep_fresh),
                (ADVANCE_INDEX_SECONDS, self._advance_index),
                (INDEX_CARE_SECONDS, self._care_for_index),
                *(
                    [(FIELD_ALERT_SECONDS, self.mail_field_alerts)]
                    if self.settings.mail_enabled
                    else []
                ),
            ],
        )
        self.follower.start()

    def _advance_index(self) -> None:
        """Move the index's position up to the follower's when only other changes (editors'
        presence, notices) came since its last task change. The log keeps a week, and an
        index further behind than the log reaches is rebuilt at the next start."""
        position = self.search_index.position()
        if position is not None and self.follower and position < self.follower.position:
            self._update_index(set(), self.follower.position)

    def _care_for_index(self) -> None:
        """Off the request path, in the follower's thread: an index deleted or damaged
        under the running process is rebuilt (searches meanwhile answer from the index
        they have open); the small segments that updates leave are merged, and an index
        that updates have left with many deleted documents is rebuilt beside the live one."""
        if self.search_index.position() is None:
            log.warning("the search index is missing or unreadable: rebuilding it")
            self.refresh_search_index()
            return
        if not self._index_care_due:
            return
        self._index_care_due = False
        result = self.search_index.compact()
        if result.rebuild_advised:
            self.refresh_search_index(force=True)

    def mail_field_alerts(self) -> int:
        """Mail the writers of steps whose field the desk's panel no longer finds."""
        send = partial(send_mail, self.settings)
        return mail_field_alerts(self.engine, self.settings, send, self.clock())

    def catch_up_lag(self) -> float:
        """Seconds this process is behind the changes made through other instances."""
        return self.follower.lag() if self.follower is not None else 0.0

    def close(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            try:
                self.drafts.close()
            except Exception:
                log.exception("could not record that this instance's editors left")
        self.search_index.close()
        self.engine.dispose()
