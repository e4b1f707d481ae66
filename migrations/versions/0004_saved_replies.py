"""Saved replies: shared per site, or one agent's own.

Revision ID: 0004_saved_replies
Revises: 0003_agent_settings
Create Date: 2026-12-02 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_saved_replies"
down_revision = "0003_agent_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("shortcut", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["agents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.create_index("ix_saved_replies_site_id", ["site_id"], unique=False)
        batch_op.create_index(
            "uq_saved_reply_shared",
            ["site_id", "shortcut"],
            unique=True,
            sqlite_where=sa.text("owner_id IS NULL"),
            postgresql_where=sa.text("owner_id IS NULL"),
        )
        batch_op.create_index(
            "uq_saved_reply_personal",
            ["site_id", "owner_id", "shortcut"],
            unique=True,
            sqlite_where=sa.text("owner_id IS NOT NULL"),
            postgresql_where=sa.text("owner_id IS NOT NULL"),
        )


def downgrade() -> None:
    op.drop_table("saved_replies")
