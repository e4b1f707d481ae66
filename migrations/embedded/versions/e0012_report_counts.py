"""Report counts per site and quarter hour, and the days cached from them; the counts of
the conversations already reported are made here.

Revision ID: e0012_report_counts
Revises: e0011_missed_after
Create Date: 2026-12-03 08:00:00
"""

import time

import sqlalchemy as sa
from alembic import op

from server.storage.reports.sqlite_counts import recount

revision = "e0012_report_counts"
down_revision = "e0011_missed_after"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_counts",
        sa.Column("site_id", sa.Integer(), primary_key=True),
        sa.Column("slot_ms", sa.Integer(), primary_key=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("changed_ms", sa.Integer(), nullable=False),
    )
    op.create_table(
        "report_days",
        sa.Column("site_id", sa.Integer(), primary_key=True),
        sa.Column("zone", sa.Text(), primary_key=True),
        sa.Column("start_ms", sa.Integer(), primary_key=True),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
    )
    op.create_index("report_days_by_start", "report_days", ["site_id", "start_ms"])
    connection = op.get_bind().connection.driver_connection
    recount(connection, int(time.time() * 1000))


def downgrade() -> None:
    op.drop_table("report_days")
    op.drop_table("report_counts")
