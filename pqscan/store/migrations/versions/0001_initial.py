"""The first store schema: scans, finished targets, observations with their runs, errors.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("targets", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("attachments", sa.Text, nullable=False),
    )
    op.create_table(
        "scan_targets",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("target_hash", sa.String(64), primary_key=True),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("collector", sa.String(32), nullable=False),
    )
    op.create_index("ix_scan_targets_target", "scan_targets", ["target_hash", "scan_id"])
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("target_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("first_seen", sa.Integer, nullable=False),
        sa.Column("run_first", sa.Integer, nullable=False),
        sa.Column("last_seen", sa.Integer, nullable=False),
        sa.Column("disappeared", sa.Integer),
        sa.UniqueConstraint("key_hash", name="uq_observations_key"),
    )
    op.create_table(
        "observation_runs",
        sa.Column("observation_id", sa.Integer, sa.ForeignKey("observations.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("first_scan", sa.Integer, primary_key=True),
        sa.Column("last_scan", sa.Integer, nullable=False),
    )
    op.create_table(
        "scan_errors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_scan_errors_scan_id", "scan_errors", ["scan_id"])


def downgrade() -> None:
    op.drop_index("ix_scan_errors_scan_id", table_name="scan_errors")
    op.drop_table("scan_errors")
    op.drop_table("observation_runs")
    op.drop_table("observations")
    op.drop_index("ix_scan_targets_target", table_name="scan_targets")
    op.drop_table("scan_targets")
    op.drop_table("scans")
