"""The standalone panel (/paneel) as a host application of its own, so its events and
feedback are recorded like those of any case software.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

host_app = sa.table(
    "host_app",
    sa.column("id", sa.String),
    sa.column("name", sa.String),
    sa.column("allowed_origins", sa.JSON),
    sa.column("zaaktype_map", sa.JSON),
    sa.column("finish_buttons", sa.JSON),
)
STANDALONE = "epss-paneel"  # epss.hostapps.STANDALONE_PANEL_APP (tests/conftest.py puts it back)


def upgrade() -> None:
    known = op.get_bind().execute(sa.select(host_app.c.id).where(host_app.c.id == STANDALONE))
    if known.first() is None:
        op.bulk_insert(
            host_app,
            [
                {
                    "id": STANDALONE,
                    "name": "Losse hulp (/paneel)",
                    "allowed_origins": [],
                    "zaaktype_map": {},
                    "finish_buttons": [],
                }
            ],
        )


def downgrade() -> None:
    op.execute(host_app.delete().where(host_app.c.id == STANDALONE))
