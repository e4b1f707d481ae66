"""A visitor's rating of a resolved conversation: good, okay or bad, and a comment.

Revision ID: e0013_ratings
Revises: e0012_report_counts
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0013_ratings"
down_revision = "e0012_report_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("rating", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("rating")
