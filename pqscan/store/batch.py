"""One batch of finished targets into the observations: only what changed is written.

The runs model (:mod:`pqscan.store.tables`): an observation's current run starts at ``run_first``;
while it is open (``disappeared`` NULL) it lasts through the latest scan that finished its target, so
a scan that sees it again writes nothing for it. A scan writes a row only for what changed:

* new: inserted, its run opened at this scan;
* changed (same id, other data): its data and digest;
* gone (its target finished without it): ``disappeared`` set to this scan, ``last_seen`` to the
  previous scan of its target (the run is closed);
* back after a gap: the closed run moves to ``observation_runs`` and a new run opens at this scan.

So an unchanged estate costs one ``scan_targets`` row per target per scan and no observation row
write (on PostgreSQL: no dead tuples, no bloat; on SQLite: no page rewritten).

Scans of one target are normally in id order. Two concurrent PostgreSQL writers may finish a target
out of order (``later``: a newer scan finished it first); the runs stay exact: what the older scan saw
is recorded as its own run, and what it no longer saw is split around it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, text, update

from pqscan.store.tables import observation_runs, observations

CHUNK = 500  # rows per IN (...) lookup or per executemany: well under SQLite's variable limit
PG_TARGET_LOCK = 0x7071  # the advisory-lock class of a target (two-key form: its own key space)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def lock_targets(conn: Connection, target_hashes: Sequence[str]) -> None:
    """PostgreSQL: hold each target's advisory lock until this transaction ends, taken in one global
    order (so two writers of overlapping batches never deadlock)."""
    keys = sorted({int(th[:8], 16) - 2**31 for th in target_hashes})
    for part in chunks(keys):
        conn.execute(text("SELECT pg_advisory_xact_lock(:cls, k) FROM "
                          "(SELECT unnest(CAST(:keys AS integer[])) AS k ORDER BY 1) AS ordered"),
                     {"cls": PG_TARGET_LOCK, "keys": list(part)})


@dataclass
class Batch:
    """The observation writes of one batch of scan ``scan_id``; ``prev``/``later``: per target hash, the
    scan that finished it last before this one / first after this one (absent: none)."""

    conn: Connection
    scan_id: int
    prev: Mapping[str, int]
    later: Mapping[str, int]

    def write(self, target_hashes: Sequence[str], rows: Mapping[str, Mapping[str, Any]]) -> None:
        """``target_hashes``: the targets this batch finished; ``rows``: every observation they hold now,
        by key."""
        o = observations
        scan = self.scan_id
        known = [th for th in target_hashes if th in self.prev or th in self.later]  # the others hold no row yet
        open_rows: dict[str, tuple[int, str, int, str | None]] = {}  # key -> id, target, run_first, digest
        for part in chunks(known):
            for oid, key, th, run_first, digest in self.conn.execute(
                    select(o.c.id, o.c.key_hash, o.c.target_hash, o.c.run_first, o.c.data_digest)
                    .where(o.c.target_hash.in_(part), o.c.disappeared.is_(None))):
                open_rows[key] = (oid, th, run_first, digest)
        known_set = set(known)
        missing = sorted(k for k, row in rows.items() if k not in open_rows and row["target_hash"] in known_set)
        closed: dict[str, tuple[int, int, int, int]] = {}  # key -> id, first_seen, run_first, last_seen
        for part in chunks(missing):
            for oid, key, first_seen, run_first, last_seen in self.conn.execute(
                    select(o.c.id, o.c.key_hash, o.c.first_seen, o.c.run_first, o.c.last_seen)
                    .where(o.c.key_hash.in_(part))):
                closed[key] = (oid, first_seen, run_first, last_seen)

        inserts: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []  # data only
        reopened: list[dict[str, Any]] = []
        extended: list[dict[str, Any]] = []  # a closed run that this (older) scan continues
        gone: list[dict[str, Any]] = []
        split: list[dict[str, Any]] = []  # open, not seen by this scan, seen again by a later one
        runs: list[dict[str, Any]] = []  # runs closed into observation_runs
        earlier_first: list[int] = []  # seen by this scan before the scan that first saw it
        for key, row in rows.items():
            th = row["target_hash"]
            nxt = self.later.get(th)
            data = {"oid": 0, "b_data": row["data"], "b_digest": row["data_digest"]}
            if key in open_rows:
                oid, _, run_first, digest = open_rows[key]
                if run_first > scan:  # a newer concurrent scan opened its run: this scan saw it too
                    runs.append({"observation_id": oid, "first_scan": scan, "last_scan": scan})
                    earlier_first.append(oid)
                elif digest != row["data_digest"]:
                    changed.append({**data, "oid": oid})
            elif key in closed:
                oid, first_seen, run_first, last_seen = closed[key]
                if first_seen > scan:
                    earlier_first.append(oid)
                if nxt is None:  # back after a gap
                    runs.append({"observation_id": oid, "first_scan": run_first, "last_scan": last_seen})
                    reopened.append({**data, "oid": oid})
                elif last_seen == self.prev.get(th):
                    extended.append({**data, "oid": oid})
                else:
                    runs.append({"observation_id": oid, "first_scan": scan, "last_scan": scan})
            else:  # new (its target's first scan, or not seen before)
                inserts.append({"key_hash": key, **row, "first_seen": scan, "run_first": scan, "last_seen": scan,
                                "disappeared": nxt})
        for key, (oid, th, run_first, _) in open_rows.items():
            if key in rows or run_first >= scan:
                continue
            before = self.prev.get(th, run_first)
            nxt = self.later.get(th)
            if nxt is None:
                gone.append({"oid": oid, "b_last": before})
            else:
                runs.append({"observation_id": oid, "first_scan": run_first, "last_scan": before})
                split.append({"oid": oid, "b_first": nxt})

        by_id = o.c.id == bindparam("oid")
        self._many(o.insert(), inserts)
        self._many(update(o).where(by_id).values(data=bindparam("b_data"), data_digest=bindparam("b_digest")),
                   changed)
        self._many(_insert_ignore(self.conn)(observation_runs), runs)
        self._many(update(o).where(by_id).values(
            run_first=scan, last_seen=scan, disappeared=None, data=bindparam("b_data"),
            data_digest=bindparam("b_digest")), reopened)
        self._many(update(o).where(by_id).values(last_seen=scan, data=bindparam("b_data"),
                                                 data_digest=bindparam("b_digest")), extended)
        self._many(update(o).where(by_id).values(disappeared=scan, last_seen=bindparam("b_last")), gone)
        self._many(update(o).where(by_id).values(run_first=bindparam("b_first")), split)
        self._many(update(o).where(by_id, o.c.first_seen > scan).values(first_seen=scan),
                   [{"oid": oid} for oid in earlier_first])

    def _many(self, statement: Any, params: list[dict[str, Any]]) -> None:
        for part in chunks(params):
            self.conn.execute(statement, list(part))


def _insert_ignore(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return lambda table: pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return lambda table: sqlite_insert(table).on_conflict_do_nothing()
