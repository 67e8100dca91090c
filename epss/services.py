"""The long-lived parts of one running service, built from settings: the database engine,
the search index, the context resolver and the login throttle. The web app and the CLI
both use this."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from epss.auth.throttle import Throttle
from epss.catalog import catalog_fingerprint, newest_versions
from epss.context import ContextResolver
from epss.db import make_engine
from epss.glossary import Term, load_glossary
from epss.resources import shipped
from epss.search import SearchIndex, Synonyms
from epss.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    search_index: SearchIndex
    resolver: ContextResolver
    glossary: list[Term]
    login_throttle: Throttle

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        content = settings.content_dir or shipped("content")
        index = SearchIndex(settings.index_dir, Synonyms.from_file(content / "synonyms.yaml"))
        engine = make_engine(settings)
        return cls(settings, engine, index, ContextResolver(engine, index),
                   load_glossary(content / "glossary.yaml"),
                   Throttle(settings.secret_key, settings.login_free_attempts))

    def refresh_search_index(self, *, force: bool = False) -> bool:
        """Rebuild the index from the database when it is missing, corrupt or out of
        date (or always, with force). Returns True when it was rebuilt."""
        with Session(self.engine) as session:
            fingerprint = catalog_fingerprint(session)
            if not force and self.search_index.is_current(fingerprint):
                return False
            items = [(v.document, v.number) for v in newest_versions(session)]
        log.info("rebuilding the search index (%d tasks)", len(items))
        self.search_index.rebuild(items, fingerprint)
        return True

    def close(self) -> None:
        self.search_index.close()
        self.engine.dispose()
