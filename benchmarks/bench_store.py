"""Store benchmark: an estate scanned weekly for two years, on SQLite and PostgreSQL.

    python benchmarks/bench_store.py                      # 100,000 findings x 100 scans, 1% changing per scan
    python benchmarks/bench_store.py --findings 10000 --scans 20 --backends sqlite

Each scan writes the whole estate through the same sink a live scan uses (1,000 targets of 100
findings; each scan replaces 1% of the findings with new ones). Prints per backend: write time per scan
(median and max), store size (SQLite file; PostgreSQL ``pg_database_size``), ``pqscan history`` and the
HTML report with its progress section (both as subprocesses, wall time), and peak RSS of the writer.
Goals from the issue: store < 500 MB, history and the HTML progress report < 5 s each.
PostgreSQL is started in a temporary directory (Debian's server binaries); skipped with the reason if absent.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


def run_backend(name: str, url: str, findings: int, scans: int, per_target: int, size_of) -> dict:  # noqa: ANN001
    rng = random.Random(8547)
    generation: dict[int, int] = {}
    times = []
    first_size = 0.0
    with open_store(url) as store:
        for s in range(scans):
            if s:
                for i in rng.sample(range(findings), max(1, findings // 100)):
                    generation[i] = generation.get(i, 0) + 1
            results = estate(findings, per_target, generation)
            t0 = time.perf_counter()
            sink = StoreSink(store, ["estate"], ())
            for r in results:
                sink.write(r)
            sink.finish()
            times.append(time.perf_counter() - t0)
            if s == 0:
                first_size = size_of() / 1e6
            if s % 10 == 0 or s == scans - 1:
                print(f"  {name}: scan {s + 1}/{scans}: {times[-1]:.2f} s", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pqscan", "history", "--store", url, "--format", "json"],
                         capture_output=True, env=env)
    history_s = time.perf_counter() - t0
    assert out.returncode == 0, out.stderr[-500:]
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        rep = subprocess.run([sys.executable, "-m", "pqscan", "report", "--store", url, "--format", "html",
                              "-o", f"{d}/r.html"], capture_output=True, env=env)
        report_s = time.perf_counter() - t0
        assert rep.returncode == 0, rep.stderr[-500:]
    size = size_of() / 1e6
    growth = (size - first_size) / max(1, scans - 1)
    return {"backend": name, "write_median_s": statistics.median(times), "write_max_s": max(times),
            "size_mb": size, "growth_mb": growth, "size_100_mb": first_size + 99 * growth,
            "history_s": history_s, "report_s": report_s, "scans": scans}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--scans", type=int, default=100)
    ap.add_argument("--per-target", type=int, default=100)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    rows = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            d = tempfile.mkdtemp(prefix="pqscan-bench-store-")
            path = Path(d) / "estate.db"
            rows.append(run_backend("sqlite", f"sqlite:///{path}", args.findings, args.scans, args.per_target,
                                    lambda p=path: sum(f.stat().st_size for f in p.parent.iterdir())))
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nestate: {args.findings} findings, {args.scans} scans, 1% changing per scan; writer peak RSS {peak:.0f} MiB")
    print(f"{'backend':12} {'scans':>5} {'write/scan (median)':>20} {'write/scan (max)':>17} {'store size':>11} "
          f"{'growth/scan':>12} {'size at 100 scans':>18} {'history':>8} {'html report':>12}")
    for r in rows:
        print(f"{r['backend']:12} {r['scans']:>5} {r['write_median_s']:>19.2f}s {r['write_max_s']:>16.2f}s "
              f"{r['size_mb']:>9.1f}MB {r['growth_mb']:>10.2f}MB {r['size_100_mb']:>16.1f}MB "
              f"{r['history_s']:>7.2f}s {r['report_s']:>11.2f}s")
    print("(size at 100 scans: measured when --scans is 100, else the first scan's size plus 99 times the mean growth)")


if __name__ == "__main__":
    main()
