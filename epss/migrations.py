"""Run the Alembic migrations from code (`epss db upgrade`, the demo, the tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from alembic import command
from epss.resources import shipped


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(shipped("alembic")))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default)."""
    config = _config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` ('base' removes every table)."""
    config = _config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction to migrate in. On SQLite with foreign keys not enforced
    meanwhile: a migration that changes a column copies the table and drops the old one,
    and with enforcement that drop would delete every row that refers to it (ON DELETE
    CASCADE), such as a task's versions and steps. The references are checked after."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # (outside a transaction, or SQLite ignores it)
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                broken = (
                    connection.exec_driver_sql("PRAGMA foreign_key_check").all() if sqlite else []
                )
                if broken:
                    raise RuntimeError(
                        f"the migration left rows that refer to nothing: {broken[:5]}"
                    )
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def is_current(engine: Engine) -> bool:
    """True when the database schema is at the newest migration."""
    heads = set(ScriptDirectory.from_config(_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
