"""A site's report settings: the goal page and the time zone its reports use.

Revision ID: e0009_report_settings
Revises: e0008_reports
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0009_report_settings"
down_revision = "e0008_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_settings",
        sa.Column("site_id", sa.Integer(), primary_key=True),
        sa.Column("goal_path", sa.Text(), nullable=False, server_default=""),
        sa.Column("time_zone", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("report_settings")
