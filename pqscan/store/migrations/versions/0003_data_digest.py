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
    op.add_column("observations", sa.Column("data_digest", sa.String(32)))


def downgrade() -> None:
    # In place (SQLite >= 3.35 drops a column itself). Alembic's batch mode would copy the table and drop
    # the old one, and with foreign keys on, SQLite's DROP TABLE deletes the rows first: ON DELETE
    # CASCADE took every observation_runs row with it (and 0002's, every scan_targets row).
    op.drop_column("observations", "data_digest")
