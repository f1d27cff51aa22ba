"""Scans remember which profiles their summary was computed for; observations indexed by target.

The summary of a scan written by 0001 was computed for the default profile only, so existing rows
get ``["nist-ir-8547"]``.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scans", sa.Column("profiles", sa.Text, nullable=False, server_default='["nist-ir-8547"]'))
    op.create_index("ix_observations_target", "observations", ["target_hash", "last_seen"])


def downgrade() -> None:
    op.drop_index("ix_observations_target", table_name="observations")
    op.drop_column("scans", "profiles")  # in place (SQLite >= 3.35), never by copying the table: see 0003
