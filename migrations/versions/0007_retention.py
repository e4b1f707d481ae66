"""Retention per site: how many days page views, messages and files are kept.

Revision ID: 0007_retention
Revises: 0006_two_factor
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_retention"
down_revision = "0006_two_factor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_retention",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id"),
    )


def downgrade() -> None:
    op.drop_table("site_retention")
