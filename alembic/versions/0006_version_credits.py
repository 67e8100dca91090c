"""Credits and review date of a published version: who submitted it, whether it was
published at import without review, and the date by which it must be checked again (which
a confirmation moves without making a new version).

Existing versions are filled in from what is known of them: a version without an approver
was published by an import (so without review, edited by whoever imported it); the
submitter is whoever last submitted the draft before the version was published (from the
task's history); the review date is the one in the version's document.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

import datetime as dt

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_version = sa.table(
    "task_version",
    sa.column("id", sa.Integer),
    sa.column("task_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("document", sa.JSON),
    sa.column("published_by", sa.String),
    sa.column("approved_by", sa.String),
    sa.column("edited_by", sa.JSON),
    sa.column("submitted_by", sa.String),
    sa.column("import_unreviewed", sa.Boolean),
    sa.column("review_by", sa.Date),
)
_change = sa.table(
    "change",
    sa.column("id", sa.Integer),
    sa.column("task_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("version_number", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("task_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("submitted_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("import_unreviewed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("review_by", sa.Date(), nullable=True))

    _fill(op.get_bind())

    with op.batch_alter_table("task_version", schema=None) as batch_op:
        # The default filled the existing rows; new rows get theirs from the model.
        batch_op.alter_column("import_unreviewed", server_default=None)
        batch_op.alter_column("review_by", existing_type=sa.Date(), nullable=False)


def _fill(connection: sa.Connection) -> None:
    versions = connection.execute(
        sa.select(
            _version.c.id,
            _version.c.task_id,
            _version.c.number,
            _version.c.document,
            _version.c.published_by,
            _version.c.approved_by,
            _version.c.edited_by,
        )
    ).all()
    for row in versions:
        values = {"review_by": dt.date.fromisoformat(row.document["review_by"])}
        if row.approved_by is None:
            values["import_unreviewed"] = True
            values["edited_by"] = list(row.edited_by or []) or [row.published_by]
        else:
            values["submitted_by"] = _submitter(connection, row.task_id, row.number)
        connection.execute(sa.update(_version).where(_version.c.id == row.id).values(**values))


def _submitter(connection: sa.Connection, task_id: int, number: int) -> str | None:
    published = connection.execute(
        sa.select(sa.func.min(_change.c.id)).where(
            _change.c.task_id == task_id,
            _change.c.action == "published",
            _change.c.version_number == number,
        )
    ).scalar()
    if published is None:
        return None
    return connection.execute(
        sa.select(_change.c.actor)
        .where(
            _change.c.task_id == task_id, _change.c.action == "submitted", _change.c.id < published
        )
        .order_by(_change.c.id.desc())
        .limit(1)
    ).scalar()


def downgrade() -> None:
    with op.batch_alter_table("task_version", schema=None) as batch_op:
        batch_op.drop_column("review_by")
        batch_op.drop_column("import_unreviewed")
        batch_op.drop_column("submitted_by")
