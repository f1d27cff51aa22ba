"""TLS scanner benchmark: pqscan vs sslyze on the same loopback fleet, in the same run.

    /work/venv/bin/python benchmarks/bench_tls.py [--timeout 2] [--per-config 5] [--sslyze /tmp/sslyze-venv/bin/python]

The fleet runs in a separate process (so servers and scanner do not share a GIL):
* well-behaved pyOpenSSL lab servers, ``--per-config`` of each lab configuration (PQ-only,
  hybrid+classical, classical-only, PQ-forced, TLS 1.2-only, ML-DSA certificate, RSA chain, ...);
* silent servers (accept, never answer) and garbage servers (answer with random bytes).

pqscan runs twice per set: with the TLS <= 1.2 accepted-suite enumeration (default) and with
``--no-suites``. Measured for each tool, as a subprocess (wall time includes interpreter start-up for both):
endpoints/s on the mixed fleet and on the well-behaved part, connections per endpoint (counted by
the fleet's servers), peak RSS (``wait4``), and whether the PQ verdicts are right. Then a loopback
"/24": 254 addresses 127.0.1.1-254, most with a silent listener, some with nothing, a few real TLS
servers, scanned by pqscan only (a silent host costs sslyze its retries, the issue quotes ~1/s).
sslyze runs its elliptic-curves and certificate-info commands (benchmarks/sslyze_runner.py).
Every address is loopback; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PQSCAN_PY = sys.executable
PQ_GROUP = "X25519MLKEM768"


# -- the fleet (child process) ------------------------------------------------------------------


class Silent:
    """Accepts connections and never writes (holds them until the fleet stops)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(c)


class Garbage(Silent):
    """Answers every connection with random bytes, then closes."""

    def _loop(self) -> None:
        rnd = random.Random(7)
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            try:
                c.settimeout(1)
                c.recv(4096)
                c.sendall(bytes(rnd.randrange(256) for _ in range(512)))
            except OSError:
                pass
            c.close()


def run_fleet(per_config: int, silent: int, garbage: int, slash24: bool) -> None:
    from pqscan.lab.tls_servers import LAB_CONFIGS, TlsServer

    tmp = Path(tempfile.mkdtemp(prefix="pqscan-bench-fleet-"))
    servers: list[Any] = []
    plan: list[dict[str, Any]] = []
    bundles: dict[str, Any] = {}
    # Each endpoint on its own loopback address (127.0.2.N), as hosts of a real network are.
    addresses = (f"127.0.2.{n}" for n in range(1, 255))
    for name, cfg in LAB_CONFIGS.items():
        for i in range(per_config):
            s = TlsServer(cfg, tmp / f"{name}-{i}", host=next(addresses), bundle=bundles.get(cfg.chain)).start()
            bundles[cfg.chain] = s.bundle
            servers.append(s)
            plan.append({"kind": "tls", "config": name, "host": s.host, "port": s.port,
                         "groups": list(cfg.groups), "tls13": cfg.tls13})
    for _ in range(silent):
        s = Silent(next(addresses))
        servers.append(s)
        plan.append({"kind": "silent", "host": s.sock.getsockname()[0], "port": s.port})
    for _ in range(garbage):
        s = Garbage(next(addresses))
        servers.append(s)
        plan.append({"kind": "garbage", "host": s.sock.getsockname()[0], "port": s.port})
    sweep: list[dict[str, Any]] = []
    if slash24:
        port = 8443
        for last in range(1, 255):
            host = f"127.0.1.{last}"
            if last % 60 == 1:  # 5 real TLS servers
                s = TlsServer(LAB_CONFIGS["hybrid-and-classical"], tmp / f"sweep-{last}", host=host, port=port,
                              bundle=bundles.get("ecdsa")).start()
                servers.append(s)
                sweep.append({"kind": "tls", "host": host, "port": port})
            elif last % 5 == 0:  # ~50 with nothing listening: refused at once
                sweep.append({"kind": "refused", "host": host, "port": port})
            else:  # the rest accept and never answer
                servers.append(Silent(host, port))
                sweep.append({"kind": "silent", "host": host, "port": port})
    print(json.dumps({"fleet": plan, "sweep": sweep}), flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(json.dumps(sum(s.accepted for s in servers)), flush=True)
        elif line.strip() == "quit":
            break


# -- the tools (child processes) -----------------------------------------------------------------


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str, str]:
    """Run ``cmd``; return (wall seconds, peak RSS KiB, stdout, stderr) using wait4 for this child only."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    t1 = threading.Thread(target=lambda: out_chunks.append(p.stdout.read()))  # type: ignore[union-attr]
    t2 = threading.Thread(target=lambda: err_chunks.append(p.stderr.read()))  # type: ignore[union-attr]
    t1.start()
    t2.start()
    _, _status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(_status)
    t1.join()
    t2.join()
    return (time.monotonic() - start, usage.ru_maxrss, b"".join(out_chunks).decode(errors="replace"),
            b"".join(err_chunks).decode(errors="replace"))


def run_pqscan(targets: list[str], timeout: float, workdir: Path, concurrency: int = 128,
               extra: tuple[str, ...] = ()) -> dict[str, Any]:
    tfile = workdir / f"targets-{len(targets)}-{time.monotonic_ns()}.txt"
    tfile.write_text("\n".join(targets) + "\n")
    out = workdir / f"pqscan-{time.monotonic_ns()}.jsonl"
    cmd = [PQSCAN_PY, "-m", "pqscan", "-q", "tls", f"@{tfile}", "--timeout", str(timeout), "--concurrency",
           str(concurrency), "--starttls", "none", "-o", str(out), "--format", "json", *extra]
    env = {**os.environ, "PQSCAN_TEST_LOOPBACK_ONLY": "1"}
    wall, rss, stdout, stderr = timed(cmd, env)
    if not stdout.strip():
        raise SystemExit(f"pqscan failed: {stderr[-2000:]}")
    inv = json.loads(stdout)
    return {"wall": wall, "rss_kib": rss, "inventory": inv}


def run_sslyze(python: str, targets: list[str], timeout: float) -> dict[str, Any]:
    cmd = [python, str(HERE / "sslyze_runner.py"), str(max(1, int(round(timeout)))), *targets]
    wall, rss, stdout, stderr = timed(cmd)
    if not stdout.strip():
        raise SystemExit(f"sslyze failed: {stderr[-2000:]}")
    data = json.loads(stdout.strip().splitlines()[-1])
    return {"wall": wall, "rss_kib": rss, **data}


# -- checks --------------------------------------------------------------------------------------


def pqscan_correct(inv: dict[str, Any], fleet: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(endpoints whose every group verdict matches the config, well-behaved endpoints, PQ verdicts right)."""
    from pqscan.collect.tls.groups import GROUPS, QUANTUM_SAFE_KINDS, openssl_group_code

    assets = {a["id"]: a for a in inv["assets"]}
    all_right = pq_right = 0
    total = 0
    for e in fleet:
        if e["kind"] != "tls":
            continue
        total += 1
        attrs = assets.get(f"tls://{e['host']}:{e['port']}", {}).get("attributes", {})
        offered = {openssl_group_code(n) for n in e["groups"]}
        ok = True
        for g in GROUPS:
            want = "no-tls13" if not e["tls13"] else ("supported" if g.code in offered else "rejected")
            got = (attrs.get("groups") or {}).get(g.name, {}).get("verdict")
            right = got == want
            ok &= right
            if g.kind in QUANTUM_SAFE_KINDS and right:
                pq_right += 1
        all_right += ok
    return all_right, total, pq_right


def sslyze_saw_pq(results: dict[str, Any], fleet: list[dict[str, Any]]) -> tuple[int, int]:
    should = [e for e in fleet if e["kind"] == "tls" and PQ_GROUP in e["groups"] and e["tls13"]]
    saw = sum(1 for e in should if PQ_GROUP in (results.get(f"{e['host']}:{e['port']}", {}).get("curves") or []))
    return saw, len(should)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--per-config", type=int, default=5)
    ap.add_argument("--silent", type=int, default=8)
    ap.add_argument("--garbage", type=int, default=8)
    ap.add_argument("--sslyze", default="/tmp/sslyze-venv/bin/python")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool on the well-behaved set (median)")
    ap.add_argument("--fleet", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.fleet:
        run_fleet(args.per_config, args.silent, args.garbage, not args.no_sweep)
        return

    fleet_proc = subprocess.Popen(
        [sys.executable, __file__, "--fleet", "--per-config", str(args.per_config), "--silent", str(args.silent),
         "--garbage", str(args.garbage), *(["--no-sweep"] if args.no_sweep else [])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert fleet_proc.stdin and fleet_proc.stdout

    def count() -> int:
        fleet_proc.stdin.write("count\n")  # type: ignore[union-attr]
        fleet_proc.stdin.flush()  # type: ignore[union-attr]
        return int(fleet_proc.stdout.readline())  # type: ignore[union-attr]

    try:
        layout = json.loads(fleet_proc.stdout.readline())
        fleet, sweep = layout["fleet"], layout["sweep"]
        mixed = [f"{e['host']}:{e['port']}" for e in fleet]
        good = [f"{e['host']}:{e['port']}" for e in fleet if e["kind"] == "tls"]
        kinds = {k: sum(1 for e in fleet if e["kind"] == k) for k in ("tls", "silent", "garbage")}
        print(f"fleet: {len(mixed)} endpoints ({kinds['tls']} TLS lab servers, {kinds['silent']} silent, "
              f"{kinds['garbage']} garbage); timeout {args.timeout:g}s; {os.cpu_count()} CPUs")
        work = Path(tempfile.mkdtemp(prefix="pqscan-bench-"))
        have_sslyze = Path(args.sslyze).exists()
        rows = []
        run_pqscan(good, args.timeout, work)  # warm-up: first connections to each lab server are slower
        if have_sslyze:
            run_sslyze(args.sslyze, good, args.timeout)
        for label, targets, repeat in (("mixed", mixed, 1), ("well-behaved", good, args.repeat)):
            pq_runs, ss_runs, ns_runs = [], [], []
            for _ in range(repeat):  # alternate the tools; report the median wall time of each
                c0 = count()
                ns = run_pqscan(targets, args.timeout, work, extra=("--no-suites",))
                c1 = count()
                ns["conn"] = (c1 - c0) / len(targets)
                ns_runs.append(ns)
                c0 = count()
                pq = run_pqscan(targets, args.timeout, work)
                c1 = count()
                pq["conn"] = (c1 - c0) / len(targets)
                pq_runs.append(pq)
                if have_sslyze:
                    ss = run_sslyze(args.sslyze, targets, args.timeout)
                    ss["conn"] = (count() - c1) / len(targets)
                    ss_runs.append(ss)
            pq = sorted(pq_runs, key=lambda r: r["wall"])[len(pq_runs) // 2]
            right, total, pq_right = pqscan_correct(pq["inventory"], fleet)
            ns = sorted(ns_runs, key=lambda r: r["wall"])[len(ns_runs) // 2]
            suites = sum(len(v.get("accepted") or ()) for a in pq["inventory"]["assets"]
                         for v in ((a.get("attributes") or {}).get("tls_suites") or {}).values())
            row = {"set": label, "n": len(targets), "repeat": repeat, "pq_eps": len(targets) / pq["wall"],
                   "pq_wall": pq["wall"], "pq_conn": pq["conn"], "pq_rss": pq["rss_kib"] / 1024,
                   "pq_right": f"{right}/{total} endpoints, {pq_right} PQ verdicts right",
                   "pq_suites": suites, "ns_eps": len(targets) / ns["wall"], "ns_wall": ns["wall"],
                   "ns_conn": ns["conn"], "ns_rss": ns["rss_kib"] / 1024}
            if ss_runs:
                ss = sorted(ss_runs, key=lambda r: r["wall"])[len(ss_runs) // 2]
                saw, should = sslyze_saw_pq(ss["results"], fleet)
                by_config: dict[str, int] = {}
                for e in fleet:
                    status = ss["results"].get(f"{e['host']}:{e['port']}", {}).get("status")
                    if e["kind"] == "tls" and status != "COMPLETED":
                        by_config[e["config"]] = by_config.get(e["config"], 0) + 1
                failed = ", ".join(f"{k} x{v}" for k, v in sorted(by_config.items())) or "none"
                row.update({"ss_failed": failed,"ss_eps": len(targets) / ss["wall"], "ss_wall": ss["wall"], "ss_conn": ss["conn"],
                            "ss_rss": ss["rss_kib"] / 1024, "ss_pq": f"saw {PQ_GROUP} on {saw}/{should}"})
            rows.append(row)
        print()
        for r in rows:
            print(f"[{r['set']}] {r['n']} endpoints (median of {r['repeat']} run(s) per tool)")
            print(f"  pqscan : {r['pq_wall']:7.2f} s  {r['pq_eps']:7.2f} endpoints/s  {r['pq_conn']:5.1f} conn/endpoint"
                  f"  peak RSS {r['pq_rss']:6.1f} MiB  verdicts: {r['pq_right']}; {r['pq_suites']} accepted "
                  "suite(s) enumerated (version x suite)")
            print(f"  pqscan --no-suites: {r['ns_wall']:7.2f} s  {r['ns_eps']:7.2f} endpoints/s  {r['ns_conn']:5.1f} "
                  f"conn/endpoint  peak RSS {r['ns_rss']:6.1f} MiB")
            if "ss_eps" in r:
                print(f"  sslyze : {r['ss_wall']:7.2f} s  {r['ss_eps']:7.2f} endpoints/s  {r['ss_conn']:5.1f} conn/endpoint"
                      f"  peak RSS {r['ss_rss']:6.1f} MiB  {r['ss_pq']}")
                print(f"           sslyze could not scan these TLS lab servers: {r['ss_failed']}")
                print(f"  ratio  : pqscan/sslyze endpoints/s = {r['pq_eps'] / r['ss_eps']:.1f}x")
            else:
                print("  sslyze : not found (install: python3 -m venv /tmp/sslyze-venv && /tmp/sslyze-venv/bin/pip install sslyze)")
        if sweep:
            targets = [f"{e['host']}:{e['port']}" for e in sweep]
            k = {kind: sum(1 for e in sweep if e["kind"] == kind) for kind in ("tls", "silent", "refused")}
            res = run_pqscan(targets, args.timeout, work, concurrency=256)
            inv = res["inventory"]
            ok = sum(1 for a in inv["assets"] if a["kind"] == "tls-endpoint")
            print(f"\n[loopback /24] {len(targets)} addresses 127.0.1.1-254 ({k['tls']} TLS, {k['silent']} silent, "
                  f"{k['refused']} refused), concurrency 256, timeout {args.timeout:g}s")
            print(f"  pqscan : {res['wall']:7.2f} s wall ({len(targets) / res['wall']:.1f} addresses/s), {ok} TLS endpoints "
                  f"found, {len(inv['errors'])} errors recorded; serial timeouts alone would take "
                  f"{k['silent'] * args.timeout:.0f} s")
    finally:
        try:
            fleet_proc.stdin.write("quit\n")
            fleet_proc.stdin.flush()
        except OSError:
            pass
        fleet_proc.wait(timeout=30)


if __name__ == "__main__":
    main()
