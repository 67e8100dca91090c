"""The change log that instances follow to stay in step, and who has which task open in
an editor on which instance.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_catalog_change_at", "catalog_change", ["at"])
    op.create_table(
        "editor_presence",
        sa.Column("instance", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("instance", "slug", "name"),
    )
    op.create_index("ix_editor_presence_seen_at", "editor_presence", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_editor_presence_seen_at", table_name="editor_presence")
    op.drop_table("editor_presence")
    op.drop_index("ix_catalog_change_at", table_name="catalog_change")
    op.drop_table("catalog_change")
