"""What became of a case, as the case software reported it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcome",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("app", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("task_slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("case_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("occurred_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_case_ref"), ["case_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_task_slug"), ["task_slug"], unique=False)


def downgrade() -> None:
    op.drop_table("outcome")
