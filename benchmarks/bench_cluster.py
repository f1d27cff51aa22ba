"""Cluster benchmark: the same scans locally and on Dask LocalClusters, in the same run.

    .venv/bin/python benchmarks/bench_cluster.py [--tree DIR] [--hosts 48] [--delay 0.02] [--quick]

1. CPU-bound: the code scanner over a large tree written by others (default: this Python's standard
   library), in this process (local) and with ``--cluster local:1`` / ``local:2`` for several batch
   sizes. Printed: files/s, the cluster's overhead against local (goal <= 10% for local:1), the
   speed-up of local:2 (goal >= 1.6x on 2 cores), the client time per batch (submit + collect:
   the scheduler overhead seen by pqscan), and the cluster start-up, reported apart.
2. Latency-bound: a loopback TLS fleet (``--hosts`` lab servers on 127.0.0.1..N, each waiting
   ``--delay`` s before every handshake, in a separate process), scanned locally and on 1, 2 and 4
   workers with the same global concurrency, for several batch sizes.

The default batch sizes in pqscan/cluster/scans.py are chosen from these figures (docs/cluster.md).
Every address is loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PQSCAN_TEST_LOOPBACK_ONLY", "1")
os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")

STDLIB = Path(os.__file__).parent


# -- the fleet (child process, its own GIL) -----------------------------------------------------


def serve_fleet(hosts: int, delay: float) -> None:
    import threading

    from pqscan.lab.tls_servers import CLASSICAL_GROUPS, PQ_GROUPS, ServerConfig, TlsServer

    class Slow(TlsServer):
        def _serve(self, ctx, client) -> None:  # type: ignore[no-untyped-def]
            time.sleep(delay)
            super()._serve(ctx, client)

    configs = (ServerConfig("pq", PQ_GROUPS[:1] + CLASSICAL_GROUPS[:2]), ServerConfig("classical", CLASSICAL_GROUPS[:2]))
    work = Path(tempfile.mkdtemp(prefix="pqscan-bench-cluster-"))
    servers = [Slow(configs[i % 2], work / str(i), host=f"127.0.0.{i + 1}").start() for i in range(hosts)]
    print(json.dumps([[s.host, s.port] for s in servers]), flush=True)
    sys.stdin.read()  # until the parent closes the pipe
    for s in servers:
        threading.Thread(target=s.stop, daemon=True).start()


# -- measurements -------------------------------------------------------------------------------


def timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def fingerprint(results: list[Any]) -> tuple[int, int]:
    from pqscan.inventory import Inventory

    inv = Inventory()
    for r in results:
        inv.add_result(r)
    return len(inv.assets), len(inv.findings)


def warm_page_cache(tree: Path) -> None:
    """Read every file once, so no run pays the disk for the others."""
    for path in tree.rglob("*"):
        try:
            if path.is_file():
                path.read_bytes()
        except OSError:
            pass


def noop_scan(items: Any) -> list[Any]:
    return []


def bench_overhead(workers: int, batches: int = 400) -> dict[str, Any]:
    """The cost of one batch with nothing to scan: submit, schedule, run, return, collect."""
    from pqscan.cluster import Cluster

    cluster = Cluster.parse(f"local:{workers}")
    cluster.connect()
    try:
        out = {}
        for in_flight in (1, 2 * workers):
            secs, _ = timed(lambda f=in_flight: cluster._run(range(batches), noop_scan, lambda r: None, batch_size=1,
                                                             in_flight=f))
            out[in_flight] = 1000 * secs / batches
            print(f"local:{workers} empty batches, {in_flight} in flight: {out[in_flight]:5.2f} ms per batch")
        return out
    finally:
        cluster.close()


def worker_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_seconds(fn: Any, client: Any = None) -> tuple[float, list[float]]:
    """CPU seconds of this process and of each worker process while ``fn`` runs: a measure that
    other work on the machine does not skew (wall time does, on a shared 2-core box)."""
    before = client.run(worker_cpu) if client is not None else {}
    t0 = time.process_time()
    fn()
    here = time.process_time() - t0
    after = client.run(worker_cpu) if client is not None else {}
    return here, [after[w] - before[w] for w in sorted(after)]


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def bench_code(tree: Path, batch_sizes: list[int], repeats: int) -> dict[str, Any]:
    """Per configuration: start-up, one cold run (fresh processes: what one `pqscan code --cluster
    local:N` pays for imports, rules and grammars), then ``repeats`` warm runs each followed by a
    local run (interleaved, so a busy machine weighs on both); medians compared."""
    from pqscan.cluster import Cluster
    from pqscan.collect.paths import PathScan, PathScanOptions

    def code_scan(cluster: Cluster | None = None) -> list[Any]:
        """The code collector over one walk of the tree, here or with its jobs on ``cluster``."""
        return list(PathScan([tree], PathScanOptions(collectors=("code",)), cluster=cluster).results())

    warm_page_cache(tree)
    cold_s, local = timed(code_scan)
    files = len(local)
    print(f"\n== CPU-bound: code scan of {tree} ({files} files, {fingerprint(local)[1]} findings)")
    print(f"local cold (first scan in this process): {cold_s:.2f} s")
    out: dict[str, Any] = {"files": files, "local_cold_s": cold_s, "runs": []}
    for workers in (1, 2):
        for size in batch_sizes:
            cluster = Cluster.parse(f"local:{workers}", files_batch=size)
            start_s, _ = timed(cluster.connect)
            warm: list[float] = []
            here: list[float] = []
            try:
                first_s, res = timed(lambda c=cluster: code_scan(c))
                for _ in range(repeats):
                    warm.append(timed(lambda c=cluster: code_scan(c))[0])
                    here.append(timed(code_scan)[0])
                client_cpu, workers_cpu = cpu_seconds(lambda c=cluster: code_scan(c),
                                                      cluster.connect())
                local_cpu, _ = cpu_seconds(code_scan)
            finally:
                cluster.close()
            stats = cluster.stats[-1]
            same = fingerprint(res) == fingerprint(local)
            w, h = median(warm), median(here)
            total = client_cpu + sum(workers_cpu)
            # On an idle machine with a core per worker, the wall time is bounded below by the busiest
            # process: the speed-up the CPU figures allow, whatever else runs here now.
            bound = local_cpu / max([client_cpu, *workers_cpu])
            row = {"workers": workers, "batch": size, "start_s": start_s, "cold_s": first_s, "warm_s": w,
                   "local_s": h, "speedup": h / w, "batches": stats.batches,
                   "client_ms_per_batch": 1000 * stats.submit_seconds / max(1, stats.batches), "same_inventory": same,
                   "cpu_local_s": local_cpu, "cpu_client_s": client_cpu, "cpu_workers_s": workers_cpu,
                   "cpu_overhead": total / local_cpu - 1, "cpu_speedup_bound": bound}
            out["runs"].append(row)
            print(f"local:{workers} batch {size:4d} ({stats.batches:3d} batches)  start-up {start_s:4.1f} s  "
                  f"cold {first_s:5.2f} s  warm {w:5.2f} s vs local {h:5.2f} s: x{h / w:4.2f} "
                  f"({100 * (w / h - 1):+5.1f}%), {files / w:4.0f} files/s  "
                  f"client {row['client_ms_per_batch']:5.1f} ms/batch  same inventory: {same}")
            print(f"{'':27s}CPU: local {local_cpu:5.2f} s; cluster {total:5.2f} s (client {client_cpu:4.2f} + "
                  f"workers {' + '.join(f'{c:4.2f}' for c in workers_cpu)}) = {100 * (total / local_cpu - 1):+5.1f}%; "
                  f"speed-up on idle cores at most x{bound:4.2f}")
    return out


def bench_tls(hosts: int, delay: float, rounds: list[int], concurrency: int, repeats: int) -> dict[str, Any]:
    from functools import partial

    from pqscan.cluster import Cluster
    from pqscan.cluster.batching import network_slots
    from pqscan.collect.net.netscan import NetOptions, run_scan
    from pqscan.collect.net.targets import Endpoint
    from pqscan.collect.tls.collector import scan_tls_endpoint

    fleet = subprocess.Popen([sys.executable, __file__, "--serve-fleet", str(hosts), "--delay", str(delay)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert fleet.stdout is not None
        endpoints = [Endpoint(h, p) for h, p in json.loads(fleet.stdout.readline())]
        opts = NetOptions(connect_timeout=2, read_timeout=2, endpoint_timeout=60, concurrency=concurrency)
        probe = partial(scan_tls_endpoint, suites=False)
        _, local = timed(lambda: run_scan(endpoints, probe, opts))  # warm-up, and the reference inventory
        print(f"\n== Latency-bound: {hosts} TLS hosts on loopback, {delay * 1000:.0f} ms before each handshake, "
              f"concurrency {concurrency} (cluster-wide), --no-suites")
        out: dict[str, Any] = {"runs": []}
        for workers in (1, 2, 4):
            cluster = Cluster.parse(f"local:{workers}")
            start_s, _ = timed(cluster.connect)
            per_batch = max(1, concurrency // network_slots(workers, concurrency))
            try:
                for k in rounds:
                    cluster.network_batch = k * per_batch
                    remote: list[float] = []
                    here: list[float] = []
                    for _ in range(repeats):
                        secs, res = timed(lambda c=cluster: c.run_scan(endpoints, probe, opts))
                        remote.append(secs)
                        here.append(timed(lambda: run_scan(endpoints, probe, opts))[0])
                    stats = cluster.stats[-1]
                    same = fingerprint(res) == fingerprint(local)
                    r, h = median(remote), median(here)
                    out["runs"].append({"workers": workers, "rounds": k, "batch": k * per_batch, "s": r, "local_s": h,
                                        "same_inventory": same,
                                        "client_ms_per_batch": 1000 * stats.submit_seconds / max(1, stats.batches)})
                    print(f"local:{workers} batch {k}x{per_batch:<3d} ({stats.batches:3d} batches)  {r:5.2f} s "
                          f"{hosts / r:6.1f} endpoints/s  vs local {h:5.2f} s: x{h / r:4.2f}  "
                          f"client {1000 * stats.submit_seconds / max(1, stats.batches):5.1f} ms/batch  "
                          f"same inventory: {same}  (start-up {start_s:.1f} s)")
            finally:
                cluster.close()
        return out
    finally:
        if fleet.stdin is not None:
            fleet.stdin.close()
        fleet.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", type=Path, default=STDLIB)
    ap.add_argument("--hosts", type=int, default=64)
    ap.add_argument("--delay", type=float, default=0.02)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--quick", action="store_true", help="fewer batch sizes")
    ap.add_argument("--repeats", type=int, default=3, help="warm runs per configuration (medians)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--serve-fleet", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_fleet:
        serve_fleet(args.serve_fleet, args.delay)
        return
    print(f"bench_cluster: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews every figure)")
    print("\n== Scheduler overhead")
    overhead = {w: bench_overhead(w) for w in (1, 2)}
    code = bench_code(args.tree, [128] if args.quick else [32, 128, 256, 512], args.repeats)
    tls = bench_tls(args.hosts, args.delay, [4] if args.quick else [1, 4, 8], args.concurrency, args.repeats)
    if args.json is not None:
        args.json.write_text(json.dumps({"overhead": overhead, "code": code, "tls": tls}, indent=1))


if __name__ == "__main__":
    main()
