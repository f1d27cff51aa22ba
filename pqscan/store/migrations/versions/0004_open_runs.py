"""An open run lasts through the latest scan of its target: rescanning an unchanged estate writes no row.

Until 0003 every sighting moved ``last_seen`` forward (one row write per observation per scan: on
PostgreSQL a dead tuple each, the store grew with every scan). From 0004 a run whose ``disappeared``
is NULL is open and lasts through the latest scan that finished its target; ``last_seen`` counts only
once the run is closed. Existing rows already say so, except an open row that a later scan of its
target did not see (possible only from out-of-order concurrent writers): it is closed at that scan.
The downgrade writes the latest scan of its target into every open row's ``last_seen``.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LATER = "FROM scan_targets st WHERE st.target_hash = observations.target_hash AND st.scan_id > observations.last_seen"


def upgrade() -> None:
    op.execute(f"UPDATE observations SET disappeared = (SELECT min(st.scan_id) {_LATER}) "
               f"WHERE disappeared IS NULL AND EXISTS (SELECT 1 {_LATER})")
    op.drop_index("ix_observations_target", table_name="observations")
    op.create_index("ix_observations_open", "observations", ["target_hash", "disappeared"])


def downgrade() -> None:
    op.drop_index("ix_observations_open", table_name="observations")
    op.create_index("ix_observations_target", "observations", ["target_hash", "last_seen"])
    op.execute("UPDATE observations SET last_seen = COALESCE((SELECT max(st.scan_id) FROM scan_targets st "
               "WHERE st.target_hash = observations.target_hash), last_seen) WHERE disappeared IS NULL")
