"""Guidance core: host apps, tasks and their steps, published versions, context rules.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_app",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("allowed_origins", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("goal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("standard", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criticality", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("zaaktypen", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("context_rules", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_domain"), ["domain"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_slug"), ["slug"], unique=True)

    op.create_table(
        "context_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("markers", sa.JSON(), nullable=False),
        sa.Column("zaaktype", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("start_step", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["host_app.id"],
        ),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("context_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_context_rule_app_id"), ["app_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_context_rule_task_id"), ["task_id"], unique=False)

    op.create_table(
        "step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("instruction", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("why", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("warning", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("check", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("branches", sa.JSON(), nullable=False),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "key"),
    )
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_step_task_id"), ["task_id"], unique=False)

    op.create_table(
        "task_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "number"),
    )
    with op.batch_alter_table("task_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_version_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_version_task_id"))

    op.drop_table("task_version")
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_task_id"))

    op.drop_table("step")
    with op.batch_alter_table("context_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_context_rule_task_id"))
        batch_op.drop_index(batch_op.f("ix_context_rule_app_id"))

    op.drop_table("context_rule")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_slug"))
        batch_op.drop_index(batch_op.f("ix_task_domain"))

    op.drop_table("task")
    op.drop_table("host_app")
