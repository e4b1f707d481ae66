"""The inbox: conversations gain snoozed_until, resolved_at, tags and waiting_key, with
indexes for the views (by assignee, by waiting time) and for waking snoozes; statuses are
renamed (a closed conversation is a resolved one).

waiting_key is the id of the oldest visitor message no agent has answered, or "~"; see
server/storage/messages/rules.py. Conversations stored before this revision start as not
waiting: their next visitor message starts the wait.

Revision ID: e0006_inbox
Revises: e0005_edits_and_quotes
Create Date: 2026-12-02 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0006_inbox"
down_revision = "e0005_edits_and_quotes"
branch_labels = None
depends_on = None

INDEXES = {
    "conversations_by_assignee": ["site_id", "status", "assignee_id", "activity_id"],
    "conversations_by_waiting": ["site_id", "status", "waiting_key"],
    "conversations_to_wake": ["status", "snoozed_until"],
}


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.DateTime()))
        batch.add_column(sa.Column("resolved_at", sa.DateTime()))
        batch.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("waiting_key", sa.Text(), nullable=False, server_default="~"))
    for name, columns in INDEXES.items():
        op.create_index(name, "conversations", columns)
    op.execute("UPDATE conversations SET status = 'resolved' WHERE status = 'closed'")


def downgrade() -> None:
    op.execute("UPDATE conversations SET status = 'closed' WHERE status = 'resolved'")
    for name in INDEXES:
        op.drop_index(name, table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        for column in ("waiting_key", "tags", "resolved_at", "snoozed_until"):
            batch.drop_column(column)
