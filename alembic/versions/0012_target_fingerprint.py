"""A step's target fingerprint: what its field looked like when it was picked.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("step") as step:
        step.add_column(sa.Column("target_fingerprint", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("step") as step:
        step.drop_column("target_fingerprint")
