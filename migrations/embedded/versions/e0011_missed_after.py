"""A site's missed time: minutes a visitor's message may wait for an agent's reply before
the conversation counts as missed (the inbox's Missed view and the reports).

Revision ID: e0011_missed_after
Revises: e0010_mail_queue
Create Date: 2026-12-03 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0011_missed_after"
down_revision = "e0010_mail_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_settings") as batch:
        batch.add_column(
            sa.Column("missed_after_minutes", sa.Integer(), nullable=False, server_default="5")
        )


def downgrade() -> None:
    with op.batch_alter_table("report_settings") as batch:
        batch.drop_column("missed_after_minutes")
