"""messages.kind: what a message is (message, note, event); older rows are messages.

Files written between the arrival of kinds and of migrations already have the column
(added at start, without a version): those are stamped at the baseline too, so the column
is added only where it is missing.

Revision ID: e0002_message_kind
Revises: e0001_baseline
Create Date: 2026-12-02 11:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e0002_message_kind"
down_revision = "e0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("messages")}
    if "kind" in columns:
        return
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("kind", sa.Text(), nullable=False, server_default="message"))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("kind")
