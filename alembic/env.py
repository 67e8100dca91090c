"""Alembic environment: the database URL comes from EPSS settings, or a connection is
handed in by `epss.migrations` (which is how the CLI and the tests run it)."""

from sqlmodel import SQLModel

import epss.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from alembic import context
from epss.db import make_engine
from epss.settings import Settings

target_metadata = SQLModel.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with make_engine(Settings()).connect() as conn:
        run(conn)
