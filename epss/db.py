"""Database engine and sessions. SQLite (WAL mode) by default, PostgreSQL for many processes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from epss.errors import InvalidInput
from epss.settings import Settings


def make_engine(settings: Settings) -> Engine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


NUL_IN_TEXT = "Tekst mag geen nul-teken (NUL) bevatten; haal het weg en probeer het opnieuw."


def _refuse_nul(_connection, _cursor, _statement, parameters, _context, _many) -> None:
    """No text with a NUL character reaches a database: PostgreSQL cannot hold one (it
    would be a server error there) and SQLite would keep what PostgreSQL refuses. Whatever
    brought it is refused as invalid input, and its unit of work rolls back."""
    rows = parameters if isinstance(parameters, list) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise InvalidInput(NUL_IN_TEXT)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session that commits once at the end, or rolls back everything on an error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
