"""Edits, deletions and quotes: messages.reply_to, and message_revisions, what a message
said before each edit or its deletion (kept for the audit view).

Revision ID: e0005_edits_and_quotes
Revises: e0004_webhook_outbox
Create Date: 2026-12-02 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0005_edits_and_quotes"
down_revision = "e0004_webhook_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("reply_to", sa.Text(), nullable=True))
    op.create_table(
        "message_revisions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor_kind", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "message_revisions_by_message",
        "message_revisions",
        ["site_id", "message_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("message_revisions_by_message", table_name="message_revisions")
    op.drop_table("message_revisions")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("reply_to")
