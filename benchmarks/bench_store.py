"""Store benchmark: an estate scanned weekly for two years, on SQLite and PostgreSQL.

    python benchmarks/bench_store.py                      # 100,000 findings x 100 scans, 1% changing per scan
    python benchmarks/bench_store.py --findings 10000 --scans 20 --backends sqlite

Each scan writes the whole estate through the same sink a live scan uses (1,000 targets of 100
findings; each scan replaces 1% of the findings with new ones). Prints per backend: write time per scan
(first scan, then median and max of the rescans), store size after each scan (SQLite file after a WAL
checkpoint; PostgreSQL ``pg_database_size``) and its growth per scan, ``pqscan history`` and the HTML
report with its progress section (both as subprocesses: wall time and peak RSS), and peak RSS of the writer.
Goals from the issue: store < 500 MB, history and the HTML progress report < 5 s each.
PostgreSQL is started in a temporary directory (Debian's server binaries); skipped with the reason if absent.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pqscan.inventory import Inventory  # noqa: E402
from pqscan.model import Asset, AssetKind, Evidence, Finding, ScanResult, Usage  # noqa: E402
from pqscan.store import open_store  # noqa: E402
from pqscan.store.sink import StoreSink  # noqa: E402

ALGORITHMS = ["RSA", "ECDSA-P256", "MD5", "SHA1", "X25519", "AES-128-GCM", "ML-KEM-768", "HMAC-SHA1"]


def estate(findings: int, per_target: int, generation: dict[int, int]) -> list[ScanResult]:
    """The estate at one point in time: finding i exists in its current 'generation' (a changed finding
    is a new one)."""
    results = []
    for t in range(findings // per_target):
        path = f"svc{t // 50}/src/file{t}.java"
        r = ScanResult(path, "code")
        r.assets.append(Asset(f"file:{path}", AssetKind.SOURCE_FILE, path, path, {"language": "java"}))
        for j in range(per_target):
            i = t * per_target + j
            gen = generation.get(i, 0)
            r.findings.append(Finding(f"file:{path}", ALGORITHMS[i % len(ALGORITHMS)], Usage.SIGNATURE, "code",
                                      {"generation": gen},
                                      Evidence(location=path, line=j + 1, symbol=f"call{j}.{gen}")))
        results.append(r)
    return results


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``cmd`` under GNU time: its wall time (s), CPU time (user + system, s) and peak RSS (MiB).
    (The rusage of a child Python forks counts the parent's pages before exec; ``time`` is a small parent.)"""
    t0 = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "pqscan-bench %U %S %M", *cmd], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    assert out.returncode == 0, out.stderr[-500:]
    user, system, peak_kib = out.stderr.rsplit("pqscan-bench ", 1)[1].split()
    return wall, float(user) + float(system), int(peak_kib) / 1024


def run_backend(name: str, url: str, findings: int, scans: int, per_target: int, size_of) -> dict:  # noqa: ANN001
    rng = random.Random(8547)
    generation: dict[int, int] = {}
    times: list[float] = []
    cpu: list[float] = []  # this process only (a PostgreSQL server's work is not in it)
    sizes: list[float] = []
    with open_store(url) as store:
        for s in range(scans):
            if s:
                for i in rng.sample(range(findings), max(1, findings // 100)):
                    generation[i] = generation.get(i, 0) + 1
            results = estate(findings, per_target, generation)
            inventory = Inventory(targets=["estate"])
            t0, c0 = time.perf_counter(), time.process_time()
            sink = StoreSink(store, ["estate"], ())
            for r in results:
                sink.write(r)
                inventory.add_result(r)  # what a scan session does beside its sinks
            sink.finish(inventory)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            sizes.append(size_of() / 1e6)
            if s % 10 == 0 or s == scans - 1:
                print(f"  {name}: scan {s + 1}/{scans}: write {times[-1]:.2f} s, store {sizes[-1]:.1f} MB", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    history_s, history_cpu, history_mb = timed([sys.executable, "-m", "pqscan", "history", "--store", url, "--format", "json"], env)
    with tempfile.TemporaryDirectory() as d:
        report_s, report_cpu, report_mb = timed([sys.executable, "-m", "pqscan", "report", "--store", url, "--format", "html",
                                     "-o", f"{d}/r.html"], env)
    growth = (sizes[-1] - sizes[0]) / max(1, scans - 1)
    return {"backend": name, "write_first_s": times[0], "write_median_s": statistics.median(times[1:] or times),
            "write_max_s": max(times[1:] or times), "write_cpu_s": statistics.median(cpu[1:] or cpu), "first_mb": sizes[0], "size_mb": sizes[-1], "growth_mb": growth,
            "size_100_mb": sizes[-1] if scans == 100 else sizes[0] + 99 * growth, "history_s": history_s,
            "history_cpu": history_cpu, "history_mb": history_mb, "report_s": report_s, "report_cpu": report_cpu,
            "report_mb": report_mb, "scans": scans,
            "writer_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def sqlite_size(path: Path) -> int:
    """The store at rest: the database file after a WAL checkpoint (plus what is left of the WAL)."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(f.stat().st_size for f in path.parent.iterdir())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--scans", type=int, default=100)
    ap.add_argument("--per-target", type=int, default=100)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite store (its path is printed)")
    args = ap.parse_args()
    rows = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            d = tempfile.mkdtemp(prefix="pqscan-bench-store-")
            path = Path(d) / "estate.db"
            try:
                rows.append(run_backend("sqlite", f"sqlite:///{path}", args.findings, args.scans, args.per_target,
                                        lambda p=path: sqlite_size(p)))
            finally:
                if args.keep:
                    print(f"sqlite store kept: {path}")
                else:
                    shutil.rmtree(d, ignore_errors=True)
        elif backend == "postgresql":
            from tests.integration.store_fixtures import start_postgres, stop_postgres

            pg = start_postgres()
            if isinstance(pg, str):
                print(f"postgresql: skipped: {pg}")
                continue
            try:
                url = pg.new_database("bench")
                from sqlalchemy import create_engine, text

                def size(url: str = url) -> int:
                    eng = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
                    with eng.connect() as c:
                        n = c.execute(text("select pg_database_size(current_database())")).scalar()
                    eng.dispose()
                    return int(n)

                rows.append(run_backend("postgresql", url, args.findings, args.scans, args.per_target, size))
            finally:
                stop_postgres(pg)
    load = os.getloadavg()
    print(f"\nestate: {args.findings} findings in {args.findings // args.per_target} targets, {args.scans} scans, "
          f"1% changing per scan; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'backend':11} {'scans':>5} {'write 1st':>9} {'write/scan':>10} {'max':>6} {'cpu':>5} {'size 1st':>9} {'size now':>9} "
          f"{'growth/scan':>11} {'size@100':>9} {'history wall/cpu':>16} {'html wall/cpu':>14} {'peak MiB: writer':>16} "
          f"{'history':>7} {'html':>5}")
    for r in rows:
        print(f"{r['backend']:11} {r['scans']:>5} {r['write_first_s']:>8.1f}s {r['write_median_s']:>9.2f}s "
              f"{r['write_max_s']:>5.1f}s {r['write_cpu_s']:>4.1f}s {r['first_mb']:>7.1f}MB {r['size_mb']:>7.1f}MB {r['growth_mb']:>9.2f}MB "
              f"{r['size_100_mb']:>7.0f}MB {r['history_s']:>8.2f}s/{r['history_cpu']:>5.2f}s "
              f"{r['report_s']:>6.2f}s/{r['report_cpu']:>5.2f}s {r['writer_mb']:>16.0f} "
              f"{r['history_mb']:>7.0f} {r['report_mb']:>5.0f}")
    print("write/scan: median wall time of scans 2..N (max beside it; cpu: the writer's own CPU time, median); growth/scan: (size now - size after scan 1) / (N - 1);\n"
          "size@100: measured when N is 100, else extrapolated as size after scan 1 + 99 x growth/scan;\n"
          "writer peak is this process (cumulative over the backends run so far); SQLite size after a WAL checkpoint")

if __name__ == "__main__":
    main()
