"""The webhook outbox: one row per delivery, claimed by workers with a lease.

Revision ID: e0004_webhook_outbox
Revises: e0003_search
Create Date: 2026-12-02 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0004_webhook_outbox"
down_revision = "e0003_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.Integer(), nullable=False),
        sa.Column("lease", sa.Text()),
        sa.Column("last_attempt_ms", sa.Integer()),
        sa.Column("response_status", sa.Integer()),
        sa.Column("latency_ms", sa.Integer()),
        sa.Column("response_excerpt", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("redelivery_of", sa.Text()),
    )
    op.create_index("webhook_deliveries_due", "webhook_deliveries", ["status", "locked_until"])
    op.create_index(
        "webhook_deliveries_by_endpoint", "webhook_deliveries", ["site_id", "endpoint_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
