"""Help at the field: a step's tip and checks for its field, and a host application's
buttons that finish a case.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get an empty list; the default is dropped after, as the models have none.
    with op.batch_alter_table("step") as step:
        step.add_column(sa.Column("field_tip", sa.String(length=300), nullable=True))
        step.add_column(sa.Column("field_checks", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("step") as step:
        step.alter_column("field_checks", server_default=None)
    with op.batch_alter_table("host_app") as host_app:
        host_app.add_column(
            sa.Column("finish_buttons", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("host_app") as host_app:
        host_app.alter_column("finish_buttons", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("host_app") as host_app:
        host_app.drop_column("finish_buttons")
    with op.batch_alter_table("step") as step:
        step.drop_column("field_checks")
        step.drop_column("field_tip")
