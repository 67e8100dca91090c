"""A task's reasons to deviate, which the desk chooses from (besides 'anders').

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get an empty list; the default is dropped after, as the model has none.
    with op.batch_alter_table("task") as task:
        task.add_column(
            sa.Column("deviation_reasons", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("task") as task:
        task.alter_column("deviation_reasons", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("task") as task:
        task.drop_column("deviation_reasons")
