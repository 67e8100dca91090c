"""Alembic owns the schema: the migrations build exactly the tables the models describe."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from epss import migrations
from epss.db import make_engine
from epss.services import Services
from epss.settings import Settings
from tests.conftest import scratch_postgres


def test_models_and_migrations_agree(services: Services) -> None:
    with services.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    assert migrations.is_current(services.engine)


def test_migrations_go_down_and_up_again(database: str, tmp_path: Path) -> None:
    # A database of its own: a failure halfway must not spoil the shared test database.
    with ExitStack() as stack:
        if database == "postgresql":
            engine = create_engine(stack.enter_context(scratch_postgres()))
        else:
            engine = make_engine(Settings(data_dir=tmp_path))
        stack.callback(engine.dispose)
        migrations.upgrade(engine)
        migrations.downgrade(engine, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        assert not migrations.is_current(engine)
        migrations.upgrade(engine)
        assert migrations.is_current(engine)


def test_sqlite_runs_in_wal_mode(sqlite_settings: Settings) -> None:
    services = Services.from_settings(sqlite_settings)
    with services.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    services.close()
