"""The store's tables (SQLAlchemy Core): scans, the targets each scan finished, and history rows.

History without copies: an asset or finding is one row per (target, id) in ``observations``, with
the scan that first saw it and its current run of consecutive sightings. A run starts at
``run_first``; while it is open (``disappeared`` NULL) it lasts through the latest scan that finished
its target, so an unchanged observation costs no row write per scan; once closed, it ends at
``last_seen`` and ``disappeared`` is the scan that finished its target without it. Earlier runs (it
disappeared, then came back) are kept in ``observation_runs``. A scan's inventory is rebuilt from
these rows: an observation belongs to scan N when N finished its target and N lies inside one of its
runs. Errors are facts of one scan and are kept per scan.

Changing these tables means a new Alembic revision in ``pqscan/store/migrations/versions``.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

scans = Table(
    "scans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("status", String(16), nullable=False),  # running | complete | incomplete
    Column("tool_version", String(64), nullable=False),
    Column("targets", Text, nullable=False),  # JSON list of target specs as given
    Column("profiles", Text, nullable=False),  # JSON list of profile ids the summary is computed for
    Column("summary", Text),  # JSON: counts by severity, readiness per profile, exposure (at finish)
    Column("attachments", Text, nullable=False),  # JSON object (bench results ...)
)

scan_targets = Table(
    "scan_targets",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("target_hash", String(64), primary_key=True),
    Column("target", Text, nullable=False),
    Column("collector", String(32), nullable=False),
    Index("ix_scan_targets_target", "target_hash", "scan_id"),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_hash", String(64), nullable=False),  # sha256(target, kind, ref)
    Column("kind", String(8), nullable=False),  # asset | finding
    Column("ref", Text, nullable=False),  # the asset id or finding id
    Column("target_hash", String(64), nullable=False),
    Column("data", Text, nullable=False),  # the latest JSON of the asset / finding
    Column("data_digest", String(32)),  # sha256 of data (prefix): a rescan compares this, not the JSON
    Column("first_seen", Integer, nullable=False),  # scan id
    Column("run_first", Integer, nullable=False),  # first scan of the current run of sightings
    Column("last_seen", Integer, nullable=False),  # closed run: its last scan; open run: the scan that opened it
    Column("disappeared", Integer),  # scan that finished its target without it (NULL while present)
    UniqueConstraint("key_hash", name="uq_observations_key"),
    Index("ix_observations_open", "target_hash", "disappeared"),
)

observation_runs = Table(
    "observation_runs",
    metadata,
    Column("observation_id", Integer, ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True),
    Column("first_scan", Integer, primary_key=True),
    Column("last_scan", Integer, nullable=False),
)

scan_errors = Table(
    "scan_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("data", Text, nullable=False),
)
