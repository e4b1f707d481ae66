"""Two-factor sign-in: an agent's TOTP secret and recovery codes; a site's requirement.

Revision ID: 0006_two_factor
Revises: 0005_webhooks
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_two_factor"
down_revision = "0005_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as agents:
        agents.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        agents.add_column(sa.Column("recovery_codes", sa.JSON(), nullable=True))
    with op.batch_alter_table("sites") as sites:
        sites.add_column(
            sa.Column("require_two_factor", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("sites") as sites:
        sites.drop_column("require_two_factor")
    with op.batch_alter_table("agents") as agents:
        agents.drop_column("recovery_codes")
        agents.drop_column("totp_secret")
