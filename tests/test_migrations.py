"""Alembic owns the schema: the migrations build exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from epss import migrations
from epss.services import Services


def test_models_and_migrations_agree(services: Services) -> None:
    with services.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    assert migrations.is_current(services.engine)


def test_migrations_go_down_and_up_again(services: Services) -> None:
    migrations.downgrade(services.engine, "base")
    assert not migrations.is_current(services.engine)
    migrations.upgrade(services.engine)
    assert migrations.is_current(services.engine)


def test_sqlite_runs_in_wal_mode(sqlite_settings) -> None:
    services = Services.from_settings(sqlite_settings)
    with services.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    services.close()
