"""The e-mail queue, and the addresses that unsubscribed from a site's mail.

Revision ID: e0010_mail_queue
Revises: e0009_report_settings
Create Date: 2026-12-02 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0010_mail_queue"
down_revision = "e0009_report_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_queue",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("pending_key", sa.Text(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.Column("due_ms", sa.Integer(), nullable=False),
        sa.Column("lease", sa.Text()),
        sa.Column("finished_ms", sa.Integer()),
        sa.Column("error", sa.Text(), nullable=False),
    )
    op.create_index("mail_queue_pending_key", "mail_queue", ["pending_key"], unique=True)
    op.create_index("mail_queue_due", "mail_queue", ["status", "due_ms"])
    op.create_table(
        "mail_optouts",
        sa.Column("site_id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.Text(), primary_key=True),
        sa.Column("at_ms", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mail_optouts")
    op.drop_table("mail_queue")
