"""Observations keep a digest of their JSON, so a rescan compares 32 characters instead of the document.

Rows written before have no digest: the next scan that sees them rewrites their data and digest.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("data_digest", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("data_digest")
