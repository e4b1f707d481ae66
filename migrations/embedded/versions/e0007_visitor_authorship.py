"""A visitor's own messages, found by author when the visitor is erased.

Revision ID: e0007_visitor_authorship
Revises: e0006_inbox
Create Date: 2026-12-02 13:15:00
"""

from alembic import op

revision = "e0007_visitor_authorship"
down_revision = "e0006_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("messages_by_author", "messages", ["site_id", "author_kind", "author_id"])


def downgrade() -> None:
    op.drop_index("messages_by_author", table_name="messages")
