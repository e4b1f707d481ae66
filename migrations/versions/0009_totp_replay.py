"""Two-factor codes work once: the time step of each agent's last accepted code.

Revision ID: 0009_totp_replay
Revises: 0008_workflow
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_totp_replay"
down_revision = "0008_workflow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("totp_last_step")
