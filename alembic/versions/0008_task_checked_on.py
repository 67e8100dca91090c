"""The date a task's content was last checked against its sources ("laatst gecontroleerd
op"), beside its review date.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task", sa.Column("checked_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("task", "checked_on")
