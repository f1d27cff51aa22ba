"""The estate store: every scan's results, kept over time without a copy per scan.

One interface over SQLite (a file, the default) and PostgreSQL (for teams), through SQLAlchemy 2
Core; the schema is created and upgraded in place by Alembic (``pqscan/store/migrations``).

Writing: :meth:`Store.begin_scan` opens a scan (or resumes the latest unfinished one),
:meth:`Store.record` writes finished targets' results in one transaction each batch, with the
targets marked done in the same transaction, so a scan killed mid-way keeps every target it
recorded and ``--resume`` continues with the rest; :meth:`Store.finish` marks it complete. A scan
is never marked complete unless ``finish`` ran.

Concurrency: SQLite allows one writer: a second writing pqscan is refused with a clear message (an
exclusive lock file beside the database). PostgreSQL takes several writers at once: inserts are
``ON CONFLICT DO NOTHING`` on a unique key and the rows a batch updates are locked in key order, so
nothing is lost or duplicated.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, create_engine, delete, event, exists, func, or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from pqscan import __version__
from pqscan.errors import InputError, PqscanError
from pqscan.inventory import Inventory, now_iso
from pqscan.model import Asset, Finding, ScanError, ScanResult
from pqscan.store.batch import Batch, chunks, lock_targets
from pqscan.store.tables import observation_runs, observations, scan_errors, scan_targets, scans

STORE_ENV = "PQSCAN_STORE"


class StoreError(PqscanError):
    """The store cannot be opened, is busy, or holds something pqscan cannot read."""


class StoreBusyError(StoreError):
    """Another pqscan is writing this SQLite store."""


class ScanStatus:
    RUNNING = "running"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class ScanRecord:
    """One scan as the store lists it (``pqscan history``)."""

    id: int
    started_at: str
    finished_at: str | None
    status: str
    tool_version: str
    targets: tuple[str, ...]
    profiles: tuple[str, ...]
    summary: Mapping[str, Any] | None
    targets_done: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "started": self.started_at, "finished": self.finished_at, "status": self.status,
                "tool_version": self.tool_version, "targets": list(self.targets), "targets_done": self.targets_done,
                "profiles": list(self.profiles), "summary": dict(self.summary) if self.summary else None}


@dataclass(frozen=True)
class OpenScan:
    """A scan being written: its id and the targets already recorded (to skip on resume)."""

    id: int
    resumed: bool
    completed_targets: frozenset[str]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _key(target_hash: str, kind: str, ref: str) -> str:
    return _sha(f"{target_hash}\0{kind}\0{ref}")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def resolve_url(url: str | None) -> str | None:
    """The store URL from ``--store`` or ``$PQSCAN_STORE``; a bare path means a SQLite file."""
    url = url or os.environ.get(STORE_ENV) or None
    if url is None:
        return None
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    return Path(url[len(prefix):])


class Store:
    """A connection to one store. Use :func:`open_store`."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.dialect = engine.dialect.name
        self._lock_fd: int | None = None
        self._pg_lock: Connection | None = None
        self._active_scan: int | None = None

    # -- opening ------------------------------------------------------------------------------
    def migrate(self, revision: str = "head") -> None:
        """Create or upgrade the schema in place (Alembic)."""
        self._alembic("upgrade", revision)

    def downgrade(self, revision: str) -> None:
        self._alembic("downgrade", revision)

    def schema_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _alembic(self, action: str, revision: str) -> None:
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("pqscan.store") / "migrations"))
        if action == "upgrade" and revision == "head" and \
                self.schema_revision() == ScriptDirectory.from_config(cfg).get_current_head():
            return  # nothing to do: the common case, and no Alembic machinery to run
        # Alembic's context is process-global: one migration at a time here, and one at a time per
        # database: a PostgreSQL advisory lock, SQLite's write lock taken up front (its driver would
        # otherwise run the DDL outside any transaction, and two processes creating one new store
        # would both create its tables). Whoever waited finds the schema done and Alembic does nothing.
        # (Not a flock on the SQLite file: closing any descriptor of it drops SQLite's own locks.)
        with _MIGRATE_LOCK, self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_BASE - 1)))
            elif self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to busy_timeout for another migration
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, revision)

    def close(self) -> None:
        self.release_writer()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the one-writer rule for SQLite ----------------------------------------------------------
    def acquire_writer(self) -> None:
        path = _sqlite_path(self.url)
        if path is None or self._lock_fd is not None:
            return
        lock_path = path.with_name(path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise StoreBusyError(f"{path}: another pqscan is writing this store (pid {holder}); SQLite takes "
                                 f"one writer at a time: wait for it, or use a PostgreSQL store for "
                                 f"concurrent scanners") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def release_writer(self) -> None:
        self._active_scan = None
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None
        if self._pg_lock is not None:
            self._pg_lock.close()
            self._pg_lock = None

    def _writer_alive(self, scan_id: int) -> bool:
        """Is the scan's writer still running? (It holds a lock that dies with its process.)"""
        path = _sqlite_path(self.url)
        if path is not None:
            lock_path = path.with_name(path.name + ".lock")
            if self._lock_fd is not None:  # this process holds the one writer lock
                return scan_id == self._active_scan
            try:
                fd = os.open(lock_path, os.O_RDWR)
            except FileNotFoundError:
                return False
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                return False
            except BlockingIOError:
                return True
            finally:
                os.close(fd)
        if self.dialect == "postgresql":
            if scan_id == self._active_scan:
                return True
            with self.engine.connect() as conn:
                got = conn.execute(select(func.pg_try_advisory_lock(_PG_LOCK_BASE + scan_id))).scalar()
                if got:
                    conn.execute(select(func.pg_advisory_unlock(_PG_LOCK_BASE + scan_id)))
                return not got
        return False

    # -- writing a scan ---------------------------------------------------------------------------
    def begin_scan(self, targets: Sequence[str], profiles: Sequence[str] = (), *, resume: bool = False,
                   started: str | None = None) -> OpenScan:
        """Open a new scan, or with ``resume`` continue the latest unfinished one whose writer is gone."""
        self.acquire_writer()
        with self.engine.begin() as conn:
            if resume:
                rows = conn.execute(select(scans.c.id).where(scans.c.status != ScanStatus.COMPLETE)
                                    .order_by(scans.c.id.desc())).scalars().all()
                for scan_id in rows:
                    if self._writer_alive(scan_id):
                        continue
                    done = conn.execute(select(scan_targets.c.target).where(scan_targets.c.scan_id == scan_id))
                    conn.execute(update(scans).where(scans.c.id == scan_id).values(status=ScanStatus.RUNNING))
                    self._hold_pg_lock(scan_id)
                    self._active_scan = scan_id
                    return OpenScan(scan_id, True, frozenset(t for (t,) in done))
            scan_id = conn.execute(scans.insert().values(
                started_at=started or now_iso(), status=ScanStatus.RUNNING, tool_version=__version__,
                targets=_dumps(list(targets)), profiles=_dumps(list(profiles)), attachments="{}",
            )).inserted_primary_key[0]
        self._hold_pg_lock(int(scan_id))
        self._active_scan = int(scan_id)
        return OpenScan(int(scan_id), False, frozenset())

    def _hold_pg_lock(self, scan_id: int) -> None:
        if self.dialect != "postgresql":
            return
        conn = self.engine.connect()
        conn.execute(select(func.pg_advisory_lock(_PG_LOCK_BASE + scan_id)))
        conn.commit()
        self._pg_lock = conn

    def record(self, scan_id: int, results: Iterable[ScanResult]) -> None:
        """Write finished targets' results and mark the targets done, all in one transaction."""
        by_target: dict[str, list[ScanResult]] = {}
        for r in results:
            by_target.setdefault(r.target, []).append(r)
        if not by_target:
            return
        try:
            with self.engine.begin() as conn:
                self._record_targets(conn, scan_id, by_target)
        except SQLAlchemyError as exc:
            raise StoreError(f"{self._where()}: could not write results: {_db_message(exc)}") from exc

    def _record_targets(self, conn: Connection, scan_id: int, by_target: Mapping[str, list[ScanResult]]) -> None:
        """A batch of targets in a few statements (not a few per target): the store's hot path.

        An observation whose current run is open (``disappeared`` NULL) is present in every scan that
        finished its target since ``run_first``, so seeing it again writes nothing: a scan writes rows
        only for what changed (new, changed, gone, back) and its ``scan_targets`` rows."""
        hashes = {target: _sha(target) for target in by_target}
        ths = sorted(set(hashes.values()))
        if self.dialect == "postgresql":
            lock_targets(conn, ths)  # concurrent writers of one target take turns (until commit)
        done: set[str] = set()
        prev: dict[str, int] = {}
        later: dict[str, int] = {}
        st = scan_targets
        for chunk in chunks(ths):
            done.update(conn.execute(select(st.c.target_hash).where(
                st.c.scan_id == scan_id, st.c.target_hash.in_(chunk))).scalars())
            prev.update(conn.execute(select(st.c.target_hash, func.max(st.c.scan_id)).where(
                st.c.target_hash.in_(chunk), st.c.scan_id < scan_id).group_by(st.c.target_hash)).all())
            later.update(conn.execute(select(st.c.target_hash, func.min(st.c.scan_id)).where(
                st.c.target_hash.in_(chunk), st.c.scan_id > scan_id).group_by(st.c.target_hash)).all())
        rows: dict[str, dict[str, Any]] = {}
        errors: list[dict[str, Any]] = []
        finished: list[dict[str, Any]] = []
        for target, group in by_target.items():
            th = hashes[target]
            if th in done:
                continue  # recorded already (a retried batch): nothing twice
            for r in group:
                for kind, ref, record in ([("asset", a.id, a.to_dict()) for a in r.assets]
                                          + [("finding", f.id, f.to_dict()) for f in r.findings]):
                    data = _dumps(record)
                    rows[_key(th, kind, ref)] = {"kind": kind, "ref": ref, "target_hash": th, "data": data,
                                                 "data_digest": _sha(data)[:32]}
                errors += [{"scan_id": scan_id, "data": _dumps(e.to_dict())} for e in r.errors]
            finished.append({"scan_id": scan_id, "target_hash": th, "target": target,
                             "collector": group[0].collector[:32]})
        if finished:
            Batch(conn, scan_id, prev, later).write(sorted(f["target_hash"] for f in finished), rows)
        if errors:
            conn.execute(scan_errors.insert(), errors)
        if finished:
            conn.execute(scan_targets.insert(), finished)

    def attach(self, scan_id: int, name: str, value: Any) -> None:
        with self.engine.begin() as conn:
            raw = conn.execute(select(scans.c.attachments).where(scans.c.id == scan_id)).scalar() or "{}"
            data = json.loads(raw)
            data[name] = value
            conn.execute(update(scans).where(scans.c.id == scan_id).values(attachments=_dumps(data)))

    def finish(self, scan_id: int, summary: Mapping[str, Any] | None = None, *, complete: bool = True,
               finished: str | None = None) -> None:
        """Mark the scan complete (or, interrupted, incomplete) and keep its summary."""
        with self.engine.begin() as conn:
            conn.execute(update(scans).where(scans.c.id == scan_id).values(
                status=ScanStatus.COMPLETE if complete else ScanStatus.INCOMPLETE,
                finished_at=(finished or now_iso()) if complete else None,
                summary=_dumps(summary) if summary is not None else None))
        self.release_writer()

    # -- reading ------------------------------------------------------------------------------
    def list_scans(self) -> list[ScanRecord]:
        with self.engine.connect() as conn:
            done = dict(conn.execute(select(scan_targets.c.scan_id, func.count())
                                     .group_by(scan_targets.c.scan_id)).all())
            out = []
            for row in conn.execute(select(scans).order_by(scans.c.id)).mappings():
                status = row["status"]
                if status == ScanStatus.RUNNING and not self._writer_alive(row["id"]):
                    status = ScanStatus.INCOMPLETE
                out.append(ScanRecord(
                    id=row["id"], started_at=row["started_at"], finished_at=row["finished_at"], status=status,
                    tool_version=row["tool_version"], targets=tuple(json.loads(row["targets"])),
                    profiles=tuple(json.loads(row["profiles"])),
                    summary=json.loads(row["summary"]) if row["summary"] else None,
                    targets_done=int(done.get(row["id"], 0))))
        return out

    def resolve_scan(self, ref: str) -> int:
        """A scan id from ``N``, ``latest``, ``latest~K`` or a date (the last scan started that day or before)."""
        scans_ = self.list_scans()
        if not scans_:
            raise StoreError(f"{self._where()}: the store holds no scan yet")
        ref = ref.strip()
        if ref == "latest" or ref.startswith("latest~"):
            back = int(ref[7:] or 0) if ref[7:].isdigit() or not ref[7:] else -1
            if back < 0 or back >= len(scans_):
                raise StoreError(f"scan {ref!r}: the store holds {len(scans_)} scan(s)")
            return scans_[-1 - back].id
        if ref.isdigit():
            if int(ref) not in {s.id for s in scans_}:
                raise StoreError(f"scan {ref}: no such scan in {self._where()} (see `pqscan history`)")
            return int(ref)
        try:
            day = datetime.fromisoformat(ref).date() if "T" in ref else datetime.strptime(ref, "%Y-%m-%d").date()
        except ValueError:
            raise StoreError(f"scan {ref!r}: expected a scan id, 'latest', 'latest~N' or a date YYYY-MM-DD") from None
        earlier = [s for s in scans_ if s.started_at[:10] <= day.isoformat()]
        if not earlier:
            raise StoreError(f"scan {ref!r}: no scan started on or before {day.isoformat()}")
        return earlier[-1].id

    def scan_inventory(self, scan_id: int, *, estate: bool = False) -> Inventory:
        """The inventory as scan ``scan_id`` saw it; with ``estate``, every target's latest state as of that scan."""
        with self.engine.connect() as conn:
            head = conn.execute(select(scans).where(scans.c.id == scan_id)).mappings().first()
            if head is None:
                raise StoreError(f"scan {scan_id}: no such scan in {self._where()}")
            if estate:
                latest = (select(scan_targets.c.target_hash, func.max(scan_targets.c.scan_id).label("at"))
                          .where(scan_targets.c.scan_id <= scan_id).group_by(scan_targets.c.target_hash)
                          .subquery())
            else:
                latest = (select(scan_targets.c.target_hash, scan_targets.c.scan_id.label("at"))
                          .where(scan_targets.c.scan_id == scan_id).subquery())
            run = observation_runs
            o = observations
            present = or_(  # in its current run (open: through the latest scan of its target), or an earlier one
                and_(o.c.run_first <= latest.c.at, or_(o.c.disappeared.is_(None), o.c.last_seen >= latest.c.at)),
                exists().where(run.c.observation_id == observations.c.id, run.c.first_scan <= latest.c.at,
                               run.c.last_scan >= latest.c.at),
            )
            rows = conn.execute(select(o.c.kind, o.c.ref, o.c.data).join(latest, latest.c.target_hash == o.c.target_hash)
                                .where(present).order_by(o.c.id))
            inv = Inventory(started=head["started_at"], finished=head["finished_at"],
                            tool_version=head["tool_version"], targets=list(json.loads(head["targets"])),
                            attachments=json.loads(head["attachments"] or "{}"))
            for kind, ref, data in rows:
                record = json.loads(data)
                if kind == "asset":
                    inv.add_asset(Asset.from_dict(record))
                else:
                    finding = Finding.from_dict(record)
                    finding.__dict__["id"] = ref  # the id it was recorded under (Finding.id's cache: not hashed again)
                    inv.add_finding(finding)
            errors_at = [scan_id] if not estate else None
            query = select(scan_errors.c.data).order_by(scan_errors.c.id)
            query = query.where(scan_errors.c.scan_id.in_(errors_at)) if errors_at else query.where(
                scan_errors.c.scan_id == scan_id)
            for (data,) in conn.execute(query):
                inv.add_error(ScanError.from_dict(json.loads(data)))
            for (target,) in conn.execute(select(scan_targets.c.target).where(scan_targets.c.scan_id == scan_id)
                                          .order_by(scan_targets.c.target)):
                inv.mark_done(target)
        return inv

    def targets_outside(self, scan_id: int) -> int:
        """How many targets the store knows that scan ``scan_id`` did not cover."""
        with self.engine.connect() as conn:
            everything = conn.execute(select(func.count(func.distinct(scan_targets.c.target_hash)))).scalar() or 0
            mine = conn.execute(select(func.count()).select_from(scan_targets)
                                .where(scan_targets.c.scan_id == scan_id)).scalar() or 0
        return int(everything) - int(mine)

    def lifetimes(self, refs: Iterable[str]) -> dict[str, tuple[int, int, int | None]]:
        """(first seen, last seen, disappeared) scan ids per asset or finding id."""
        o = observations
        out: dict[str, tuple[int, int, int | None]] = {}
        wanted = list(dict.fromkeys(refs))
        with self.engine.connect() as conn:
            for chunk in chunks(wanted):
                for ref, first, last, gone in conn.execute(select(
                        o.c.ref, func.min(o.c.first_seen), func.max(_last_seen()), func.max(o.c.disappeared))
                        .where(o.c.ref.in_(chunk)).group_by(o.c.ref)):
                    out[ref] = (first, last, gone)
        return out

    # -- import and prune ---------------------------------------------------------------------------
    def import_inventory(self, inventory: Inventory, profiles: Sequence[str] = (),
                         summary: Mapping[str, Any] | None = None, *, scope: str | None = None) -> int:
        """Record a finished inventory file as one scan. Its results are one target (its scope: by
        default its target list), so importing the same estate's files in date order builds history."""
        scope = scope or "inventory:" + ",".join(sorted(inventory.targets) or ["(no targets)"])
        opened = self.begin_scan(inventory.targets, profiles, started=inventory.started)
        try:
            result = ScanResult(target=scope, collector="import", assets=list(inventory.assets.values()),
                                findings=list(inventory.findings), errors=list(inventory.errors))
            self.record(opened.id, [result])
            for name, value in inventory.attachments.items():
                self.attach(opened.id, name, value)
            self.finish(opened.id, summary, finished=inventory.finished or inventory.started)
        except BaseException:
            self.release_writer()
            raise
        return opened.id

    def prune(self, *, keep: int | None = None, before: str | None = None) -> int:
        """Delete scans older than the newest ``keep`` or started before ``before`` (ISO date); returns how many.

        History rows that only those scans saw go with them; everything a kept scan saw stays readable."""
        ids = [s.id for s in self.list_scans()]
        doomed: set[int] = set()
        if keep is not None:
            doomed |= set(ids[:max(0, len(ids) - keep)])
        if before is not None:
            doomed |= {s.id for s in self.list_scans() if s.started_at[:10] < before}
        if not doomed:
            return 0
        kept = [i for i in ids if i not in doomed]
        self.acquire_writer()
        try:
            with self.engine.begin() as conn:
                for chunk in chunks(sorted(doomed)):
                    conn.execute(delete(scan_errors).where(scan_errors.c.scan_id.in_(chunk)))
                    conn.execute(delete(scan_targets).where(scan_targets.c.scan_id.in_(chunk)))
                    conn.execute(delete(scans).where(scans.c.id.in_(chunk)))
                oldest = min(kept) if kept else None
                if oldest is None:
                    conn.execute(delete(observation_runs))
                    conn.execute(delete(observations))
                else:
                    conn.execute(delete(observation_runs).where(observation_runs.c.last_scan < oldest))
                    # closed before the oldest kept scan, or open on a target no kept scan finished
                    o = observations
                    unseen = or_(and_(o.c.disappeared.is_not(None), o.c.last_seen < oldest),
                                 and_(o.c.disappeared.is_(None), ~exists().where(
                                     scan_targets.c.target_hash == o.c.target_hash)))
                    conn.execute(delete(observation_runs).where(observation_runs.c.observation_id.in_(
                        select(o.c.id).where(unseen))))
                    conn.execute(delete(o).where(unseen))
        finally:
            self.release_writer()
        return len(doomed)

    def _where(self) -> str:
        path = _sqlite_path(self.url)
        return str(path) if path is not None else _redact(self.url)


def _last_seen() -> Any:
    """An observation's last sighting: the latest scan of its target while its run is open."""
    o = observations
    latest = (select(func.max(scan_targets.c.scan_id)).where(scan_targets.c.target_hash == o.c.target_hash)
              .scalar_subquery())
    return case((o.c.disappeared.is_(None), func.coalesce(latest, o.c.last_seen)), else_=o.c.last_seen)


_MIGRATE_LOCK = threading.Lock()
_PG_LOCK_BASE = 0x7071_0000  # advisory-lock keys for scans: "pq" << 16 + scan id


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url


def _db_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; a crash loses no committed batch in WAL
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and create or upgrade) the store at ``url`` (``sqlite:///path``, ``postgresql://…``, a path,
    or ``$PQSCAN_STORE``)."""
    resolved = resolve_url(url)
    if resolved is None:
        raise StoreError(f"no store given: pass --store URL or set {STORE_ENV} (e.g. sqlite:///estate.db)")
    if resolved.startswith("sqlite:"):
        path = _sqlite_path(resolved)
        if path is None or not str(path):
            raise StoreError(f"{resolved}: a SQLite store is sqlite:///PATH (an absolute or relative file path)")
        if not path.parent.is_dir():
            raise InputError(f"{path.parent}: no such directory for the store")
        if path.is_dir():
            raise InputError(f"{path}: is a directory, expected a SQLite store file")
        engine = create_engine(resolved)
        event.listen(engine, "connect", _sqlite_pragmas)
    elif resolved.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        pg_url = "postgresql+psycopg://" + resolved.split("://", 1)[1]
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError("a PostgreSQL store needs the psycopg driver: pip install 'pqscan[postgres]'") from None
        engine = create_engine(pg_url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    else:
        raise StoreError(f"{_redact(resolved)}: unsupported store (use sqlite:///PATH or postgresql://…)")
    store = Store(resolved, engine)
    try:
        if migrate:
            store.migrate()
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise StoreError(f"{store._where()}: cannot open the store: {_db_message(exc)}") from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"{store._where()}: cannot open the store: {_db_message(exc)}") from exc
    return store


@contextmanager
def opened(url: str | None) -> Iterator[Store]:
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
