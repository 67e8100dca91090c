"""Tamper evidence (a hash chain over events, signed checkpoints), daily counts kept after
retention, the log of individual-level views, export cursors, keyed case references.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chain_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "event_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("app", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("task_slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("task_version", sa.Integer(), nullable=True),
        sa.Column("step_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("actors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "type", "app", "task_slug", "task_version", "step_id", "team"),
    )
    with op.batch_alter_table("event_daily", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_daily_day"), ["day"], unique=False)

    op.create_table(
        "export_cursor",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "personal_data_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("viewer", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("personal_data_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_view_at"), ["at"], unique=False)

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("case_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("chain_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_event_case_ref"), ["case_ref"], unique=False)
        # The quality questions (epss.quality.counts).
        batch_op.create_index(
            "ix_event_quality_task", ["type", "task_slug", "actor", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_event_quality_step",
            ["type", "task_slug", "step_id", "actor", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_event_quality_time", ["type", "occurred_at", "team", "actor"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_quality_time")
        batch_op.drop_index("ix_event_quality_step")
        batch_op.drop_index("ix_event_quality_task")
        batch_op.drop_index(batch_op.f("ix_event_case_ref"))
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("case_ref")

    with op.batch_alter_table("personal_data_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_view_at"))

    op.drop_table("personal_data_view")
    op.drop_table("export_cursor")
    with op.batch_alter_table("event_daily", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_daily_day"))

    op.drop_table("event_daily")
    op.drop_table("audit_checkpoint")
