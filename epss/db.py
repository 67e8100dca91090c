"""Database engine and sessions. SQLite (WAL mode) by default, PostgreSQL for many processes."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor, ExecutionContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from epss.errors import InvalidInput
from epss.settings import Settings

T = TypeVar("T")


def make_engine(settings: Settings) -> Engine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    engine.update_execution_options(**{_KEPT: {}})
    return engine


_KEPT = "epss_kept"


def kept_with(engine: Engine) -> dict[str, Any]:
    """What this process keeps about one engine, and so about the one service that owns
    it: the change follower to call after a commit, the counter of publications. Kept in
    the engine's execution options, it goes with the engine; nothing about a service is
    kept in a module."""
    kept = engine.get_execution_options().get(_KEPT)
    if kept is None:  # an engine made elsewhere (a test, a migration)
        kept = {}
        engine.update_execution_options(**{_KEPT: kept})
    return kept


def engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


NUL_IN_TEXT = "Tekst mag geen nul-teken (NUL) bevatten; haal het weg en probeer het opnieuw."


def _refuse_nul(
    _connection: Connection,
    _cursor: DBAPICursor,
    _statement: str,
    parameters: Any,  # the driver's: one row or (executemany) a list, each a dict or a tuple
    _context: ExecutionContext | None,
    _many: bool,
) -> None:
    """No text with a NUL character reaches a database: PostgreSQL cannot hold one (it
    would be a server error there) and SQLite would keep what PostgreSQL refuses. Whatever
    brought it is refused as invalid input, and its unit of work rolls back."""
    rows = parameters if isinstance(parameters, list) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise InvalidInput(NUL_IN_TEXT)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def attempt(session: Session) -> Iterator[None]:
    """A change that may be refused, inside the request's unit of work: when it raises,
    what it did is undone (a savepoint), also what it meant to do after the commit (kept
    in `session.info`), and the session stays usable. So a handler can say why in the
    same transaction, which commits once at the end of the request.

    On SQLite the write transaction begins first, at once (BEGIN IMMEDIATE): the driver
    would otherwise begin it with the savepoint, and the savepoint's release would commit
    it; beginning the write at once also never meets another writer's newer snapshot."""
    connection = session.connection()
    dbapi = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and dbapi is not None and not dbapi.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    kept = {key: copy.copy(value) for key, value in session.info.items()}
    try:
        with session.begin_nested():
            yield
    except BaseException:
        session.info.clear()
        session.info.update(kept)
        raise


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


def store_once(
    engine: Engine,
    store: Callable[[Session], tuple[T, bool]],
    stored: Callable[[Session], T | None],
) -> tuple[T, bool]:
    """`store` in a unit of work of its own: its answer (read before the commit) and
    whether it made something new. When a request with the same id stored it at the same
    moment (the unique key refused this one), `stored` answers for that one: (it, False)."""
    try:
        with unit_of_work(engine) as session:
            return store(session)
    except IntegrityError:
        with Session(engine) as session:
            found = stored(session)
            if found is None:
                raise
            return found, False
