"""Mail for the writers of a step whose field the desk's panel no longer finds: an account's
e-mail address, and which alerts were mailed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )
    op.create_table(
        "field_alert",
        sa.Column("task_slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("step_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("app", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("mailed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("task_slug", "step_id", "app"),
    )


def downgrade() -> None:
    op.drop_table("field_alert")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email")
