"""Report facts: one record per conversation and message counts per quarter hour.

Revision ID: e0008_reports
Revises: e0007_visitor_authorship
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0008_reports"
down_revision = "e0007_visitor_authorship"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_conversations",
        sa.Column("conversation_id", sa.Text(), primary_key=True),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.Column("first_visitor_ms", sa.Integer()),
        sa.Column("first_response_ms", sa.Integer()),
        sa.Column("responder_id", sa.Integer()),
        sa.Column("resolved_ms", sa.Integer()),
        sa.Column("assignee_id", sa.Integer()),
        sa.Column("visitor_messages", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("agent_messages", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("sentiment_sum", sa.Float(), nullable=False, server_default="0"),
        sa.Column("sentiment_n", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("rating", sa.Integer()),
        sa.Column("rating_comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("rated_ms", sa.Integer()),
    )
    for name, column in (
        ("created", "created_ms"),
        ("resolved", "resolved_ms"),
        ("rated", "rated_ms"),
    ):
        op.create_index(
            f"report_conversations_by_{name}", "report_conversations", ["site_id", column]
        )
    op.create_table(
        "report_message_slots",
        sa.Column("site_id", sa.Integer(), primary_key=True),
        sa.Column("slot_ms", sa.Integer(), primary_key=True),
        sa.Column("visitor", sa.Integer(), nullable=False),
        sa.Column("agent", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_message_slots")
    op.drop_table("report_conversations")
