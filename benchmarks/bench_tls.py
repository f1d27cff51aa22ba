"""TLS scanner benchmark: pqscan vs sslyze 6.3.1 on the same fleet, in the same run.

    python benchmarks/bench_tls.py [--timeout 2] [--per-kind 6] [--also-per-kind 4] [--repeat 3]
                                   [--sslyze /tmp/sslyze-venv/bin/python] [--no-netns] [--no-schedule]

The fleet runs in its own process (servers and scanner do not share a GIL), one endpoint per
address, ``--per-kind`` of each kind: hybrid-only, hybrid+classical, classical, TLS 1.2-only, RSA
chain, ECDSA (hybrid + P-384), ML-DSA-65 certificate, MLKEM512-only (pyOpenSSL lab servers), and
the hostile kinds garbage, silent, alert-only and HelloRetryRequest-forever.

Six of each by default, as in the lab of issue #16's own measurements (60 servers of ten kinds): 72
servers here, 48 of them well-behaved. The speed figures are endpoints per second, so the fleet's size moves
them: the smaller the fleet, the more each tool's start-up counts (pqscan sends its first hello about
0.13 s after it starts) and the fewer waves sslyze's ten-at-once scanner needs. So both comparisons
below run twice: on the whole fleet, and on the first ``--also-per-kind`` endpoints of each kind (4:
32 well-behaved endpoints).

1. **Facts**, loopback, whole fleet, once: for every endpoint, every fact pqscan reports is checked
   against the server's configuration: each group's verdict, the TLS 1.2 curves, the TLS 1.3 order
   and its verdict, the leaf key and signature algorithm, the chain length; the hostile kinds must
   be failed endpoints (garbage, silent, alert) or "inconclusive" with no supported group (HRR-forever).
2. **Well-behaved endpoints, loopback**: pqscan ``--no-suites`` (groups, order, chain: the facts
   sslyze's elliptic-curves + certificate-info commands give) and sslyze, alternating A B A B, both
   at their default concurrency; endpoints/s, the ratio per pair, CPU seconds of each tool and of the
   servers while it ran, connections per endpoint *per kind* (counted by the servers), peak RSS
   (wait4), the load average (other work on the machine moves every figure).
3. **Latency-bound fleet**: the same, with the servers in a network namespace the benchmark creates
   and the scanners in another, every packet delayed 25 ms each way (50 ms round trips). This
   kernel has no ``sch_netem``, so ``benchmarks/netns_delay.py`` adds the delay per packet with a
   TUN relay instead of ``tc netem`` (see there). Addresses are from 198.18.0.0/15 (RFC 2544,
   benchmarking) and exist only inside those namespaces, deleted afterwards. Needs root and
   iproute2 (``--no-netns`` skips). Here pqscan opens each elimination step's connection while the
   previous step is answered (pqscan.collect.tls.warm: only at round trips of 2 ms or more, so not on
   loopback), so its connection counts per kind differ between the two fleets; both are printed.
4. **1M-target scheduling**: a one-million-line ``@file`` of loopback endpoints (1000 addresses x
   1000 ports with nothing listening: each refused at once) streamed by ``iter_targets`` into
   ``run_scan(keep_results=False)`` for ``--schedule-seconds``: time to the first result, results/s,
   peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from netns_delay import NS_CLIENT, NS_SERVER  # type: ignore[import-not-found]  # same folder
from netns_delay import SERVER_NET as NETNS_SERVER_NET
from netns_delay import down as netns_down
from netns_delay import up as netns_up

HERE = Path(__file__).resolve().parent
PQSCAN_PY = sys.executable
PQ_GROUP = "X25519MLKEM768"
LOOPBACK_NET = "127.0.2."
TLS_KINDS = ("hybrid-only", "hybrid+classical", "classical", "tls12-only", "rsa-chain", "ecdsa", "mldsa-cert",
             "mlkem512-only")
HOSTILE_KINDS = ("garbage", "silent", "alert", "hrr-forever")


def kind_configs() -> dict[str, Any]:
    from OpenSSL import SSL

    from pqscan.lab.tls_servers import TLS12_WITH_RSA_KX, ServerConfig

    t13 = SSL.TLS1_3_VERSION
    return {
        "hybrid-only": ServerConfig("hybrid-only", ("X25519MLKEM768",), min_version=t13),
        "hybrid+classical": ServerConfig("hybrid+classical", ("X25519MLKEM768", "X25519", "secp256r1")),
        "classical": ServerConfig("classical", ("X25519", "secp256r1", "secp384r1")),
        "tls12-only": ServerConfig("tls12-only", ("X25519", "secp256r1"), chain="rsa-chain",
                                   max_version=SSL.TLS1_2_VERSION, tls12_ciphers=TLS12_WITH_RSA_KX),
        "rsa-chain": ServerConfig("rsa-chain", ("X25519MLKEM768", "X25519", "secp384r1"), chain="rsa-chain"),
        "ecdsa": ServerConfig("ecdsa", ("X25519MLKEM768", "secp384r1")),
        "mldsa-cert": ServerConfig("mldsa-cert", ("X25519MLKEM768", "X25519"), chain="mldsa", min_version=t13),
        "mlkem512-only": ServerConfig("mlkem512-only", ("MLKEM512",), min_version=t13),
    }


# -- hostile servers (fleet process) -------------------------------------------------------------


class Raw:
    """A listener whose every connection is handed to ``serve`` in a thread; counts connections."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(512)
        self.host, self.port = host, self.sock.getsockname()[1]
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
            threading.Thread(target=self._guard, args=(c,), daemon=True).start()

    def _guard(self, c: socket.socket) -> None:
        try:
            c.settimeout(5)
            self.serve(c)
        except OSError:
            pass

    def serve(self, c: socket.socket) -> None:
        self.held.append(c)  # silent: hold it until the fleet stops

    def stop(self) -> None:
        self.sock.close()


def _read_hello(c: socket.socket) -> bytes:
    buf = b""
    while len(buf) < 5 or len(buf) < 5 + struct.unpack("!H", buf[3:5])[0]:
        chunk = c.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


class Garbage(Raw):
    def serve(self, c: socket.socket) -> None:
        c.recv(4096)
        c.sendall(random.Random(7).randbytes(512))
        c.close()


class Alert(Raw):
    def serve(self, c: socket.socket) -> None:
        _read_hello(c)
        c.sendall(bytes([21, 3, 3, 0, 2, 2, 40]))  # fatal handshake_failure to every hello
        c.close()


class HrrForever(Raw):
    """A HelloRetryRequest for the first group offered, to every hello, key share or not."""

    def serve(self, c: socket.socket) -> None:
        from pqscan.lab.hostile_tls import first_offered_group, hello_retry_request

        c.sendall(hello_retry_request(first_offered_group(_read_hello(c))))
        time.sleep(0.1)
        c.close()


HOSTILE = {"garbage": Garbage, "silent": Raw, "alert": Alert, "hrr-forever": HrrForever}


def run_fleet(per_kind: int, prefix: str) -> None:
    from pqscan.lab.tls_servers import TlsServer

    tmp = Path(tempfile.mkdtemp(prefix="pqscan-bench-fleet-"))
    configs = kind_configs()
    servers: list[Any] = []
    plan: list[dict[str, Any]] = []
    bundles: dict[str, Any] = {}
    addresses = (f"{prefix}{n}" for n in range(1, 255))
    for kind, cfg in configs.items():
        for i in range(per_kind):
            s = TlsServer(cfg, tmp / f"{kind}-{i}", host=next(addresses), bundle=bundles.get(cfg.chain)).start()
            bundles[cfg.chain] = s.bundle
            servers.append(s)
            plan.append({"kind": kind, "host": s.host, "port": s.port})
    for kind, cls in HOSTILE.items():
        for _ in range(per_kind):
            r = cls(next(addresses))
            servers.append(r)
            plan.append({"kind": kind, "host": r.host, "port": r.port})
    print(json.dumps(plan), flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(json.dumps({f"{s.host}:{s.port}": s.accepted for s in servers}), flush=True)
        elif line.strip() == "quit":
            break
    os._exit(0)  # the servers' threads die with the process


# -- the tools (child processes) -----------------------------------------------------------------


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str, str, float]:
    """Run ``cmd``; return (wall seconds, peak RSS KiB, stdout, stderr, CPU seconds user+sys) using wait4 for this
    child only."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    t1 = threading.Thread(target=lambda: out_chunks.append(p.stdout.read()))  # type: ignore[union-attr]
    t2 = threading.Thread(target=lambda: err_chunks.append(p.stderr.read()))  # type: ignore[union-attr]
    t1.start()
    t2.start()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    t1.join()
    t2.join()
    return (time.monotonic() - start, usage.ru_maxrss, b"".join(out_chunks).decode(errors="replace"),
            b"".join(err_chunks).decode(errors="replace"), usage.ru_utime + usage.ru_stime)


def netns_prefix(netns: bool) -> list[str]:
    return ["ip", "netns", "exec", NS_CLIENT] if netns else []


def run_pqscan(targets: list[str], timeout: float, workdir: Path, *, netns: bool, extra: tuple[str, ...] = ()
               ) -> dict[str, Any]:
    tfile = workdir / f"targets-{time.monotonic_ns()}.txt"
    tfile.write_text("\n".join(targets) + "\n")
    cmd = [*netns_prefix(netns), PQSCAN_PY, "-m", "pqscan", "-q", "tls", f"@{tfile}", "--timeout", str(timeout),
           "--concurrency", "128", "--starttls", "none", "--format", "json", *extra]
    env = dict(os.environ)
    # As installed: Python caches pqscan's bytecode (sslyze's venv was compiled by pip at install); an
    # inherited PYTHONDONTWRITEBYTECODE would make every run recompile pqscan's modules from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not netns:
        env["PQSCAN_TEST_LOOPBACK_ONLY"] = "1"
    wall, rss, stdout, stderr, cpu = timed(cmd, env)
    if not stdout.strip():
        raise SystemExit(f"pqscan failed: {stderr[-2000:]}")
    return {"wall": wall, "rss_kib": rss, "cpu": cpu, "inventory": json.loads(stdout)}


def run_sslyze(python: str, targets: list[str], timeout: float, *, netns: bool, servers: int | None = None
               ) -> dict[str, Any]:
    cmd = [*netns_prefix(netns), python, str(HERE / "sslyze_runner.py"), str(max(1, int(round(timeout)))), *targets]
    env = dict(os.environ, SSLYZE_SERVERS=str(servers)) if servers else None
    wall, rss, stdout, stderr, cpu = timed(cmd, env)
    if not stdout.strip():
        raise SystemExit(f"sslyze failed: {stderr[-2000:]}")
    return {"wall": wall, "rss_kib": rss, "cpu": cpu, **json.loads(stdout.strip().splitlines()[-1])}


# -- checks --------------------------------------------------------------------------------------

CHAIN_FACTS = {  # leaf key, leaf signature, chain length (pqscan/lab/pki.py)
    "ecdsa": ("ECDSA-P256", "ECDSA-SHA256", 1),
    "rsa-chain": ("RSA", "RSASSA-PKCS1-SHA256", 3),
    "mldsa": ("ML-DSA-65", "ML-DSA-65", 1),
}
TLS12_CURVES = {"X25519": "x25519", "secp256r1": "secp256r1", "secp384r1": "secp384r1"}


def expected_facts(cfg: Any) -> dict[str, Any]:
    from pqscan.collect.tls.groups import BY_CODE, GROUPS, openssl_group_code

    offered = [openssl_group_code(n) for n in cfg.groups]
    verdicts = {g.name: ("no-tls13" if not cfg.tls13 else "supported" if g.code in offered else "rejected")
                for g in GROUPS}
    tls12 = [TLS12_CURVES[n] for n in cfg.groups if n in TLS12_CURVES] if cfg.tls12 else []
    if cfg.chain == "ecdsa" and "secp256r1" in tls12:
        tls12 = tls12[: tls12.index("secp256r1") + 1]  # RFC 8422 §5.1: see test_tls_groups
    order = [BY_CODE[c].name for c in offered if c is not None] if cfg.tls13 else None
    verdict = None if not cfg.tls13 else ("pq" if BY_CODE[offered[0]].quantum_safe else "classical")  # type: ignore[index]
    return {"groups": verdicts, "tls12_groups": tls12, "order": order, "pref": verdict,
            "chain": CHAIN_FACTS[cfg.chain]}


def check_endpoint(kind: str, inv: dict[str, Any], key: str, configs: dict[str, Any]) -> list[str]:
    """Wrong facts for one endpoint (empty list: every fact right)."""
    assets = {a["id"]: a for a in inv["assets"]}
    errors = [e for e in inv["errors"] if e["target"] == key]
    asset = assets.get(key)
    if kind in ("garbage", "silent", "alert"):
        return [] if asset is None and errors else [f"{kind} not recorded as a failed endpoint"]
    if kind == "hrr-forever":
        if asset is None:
            return ["no asset"]
        a = asset["attributes"]
        bad = a["supported_groups"] or a["groups"]["X25519MLKEM768"]["verdict"] != "inconclusive"
        return ["HRR-forever rated with supported groups"] if bad else []
    if asset is None:
        return [f"no asset ({[e['message'][:80] for e in errors]})"]
    want = expected_facts(configs[kind])
    a = asset["attributes"]
    wrong = [f"{g}: {v['verdict']} != {want['groups'][g]}" for g, v in a["groups"].items()
             if v["verdict"] != want["groups"][g]]
    if a["tls12_groups"] != want["tls12_groups"]:
        wrong.append(f"TLS 1.2 groups {a['tls12_groups']} != {want['tls12_groups']}")
    pref = a.get("preference") or {}
    if want["order"] is not None and (pref.get("order") != want["order"] or pref.get("verdict") != want["pref"]):
        wrong.append(f"preference {pref.get('order')} {pref.get('verdict')} != {want['order']} {want['pref']}")
    leaf_id = next((r["target"] for r in asset.get("relations", []) if r["kind"] == "presents"), None)
    leaf = assets.get(leaf_id or "", {}).get("attributes", {})
    got = (leaf.get("public_key_algorithm"), leaf.get("signature_algorithm"),
           (a.get("negotiated") or {}).get("chain_length"))
    if got != want["chain"]:
        wrong.append(f"certificate {got} != {want['chain']}")
    if errors:
        wrong.append(f"errors: {[e['message'][:80] for e in errors]}")
    return wrong


# -- the 1M-target scheduling run (child process) -------------------------------------------------


def run_schedule(lines: int, seconds: float) -> None:
    import asyncio
    import resource

    from pqscan.collect.net.netscan import NetOptions, scan_endpoints
    from pqscan.collect.net.targets import iter_targets
    from pqscan.collect.tls.collector import scan_tls_endpoint

    tmp = Path(tempfile.mkdtemp(prefix="pqscan-bench-1m-"))
    tfile = tmp / "targets.txt"
    with tfile.open("w") as fh:
        for i in range(lines):  # 127.0.16.0/22 (1024 addresses) x ports 40000+: nothing listens there
            fh.write(f"127.0.{16 + (i // 1000) // 256}.{(i // 1000) % 256}:{40000 + i % 1000}\n")
    os.environ["PQSCAN_TEST_LOOPBACK_ONLY"] = "1"
    start = time.monotonic()
    first: list[float] = []
    count = [0]

    def on_result(_r: object) -> None:
        if not first:
            first.append(time.monotonic() - start)
        count[0] += 1

    async def main() -> None:
        options = NetOptions(connect_timeout=1.0, read_timeout=1.0, concurrency=512)
        task = asyncio.ensure_future(scan_endpoints(iter_targets([f"@{tfile}"], starttls="none"), scan_tls_endpoint,
                                                    options, on_result=on_result, keep_results=False))
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
    wall = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"first": first[0] if first else None, "count": count[0], "wall": wall, "rss_mib": rss}))
    shutil.rmtree(tmp, ignore_errors=True)


# -- main ----------------------------------------------------------------------------------------


class Fleet:
    def __init__(self, per_kind: int, prefix: str, netns: bool) -> None:
        cmd = [*(["ip", "netns", "exec", NS_SERVER] if netns else []), sys.executable, __file__, "--fleet",
               "--per-kind", str(per_kind), "--prefix", prefix]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.plan: list[dict[str, Any]] = json.loads(self.proc.stdout.readline())

    def count(self) -> dict[str, int]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return dict(json.loads(self.proc.stdout.readline()))

    def cpu(self) -> float:
        """CPU seconds (user + system) the fleet's servers have used so far: what a scan makes them do."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        try:
            assert self.proc.stdin
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
        except OSError:
            pass
        self.proc.wait(timeout=30)


def per_kind_connections(plan: list[dict[str, Any]], before: dict[str, int], after: dict[str, int]
                         ) -> dict[str, float]:
    out: dict[str, list[int]] = {}
    for e in plan:
        key = f"{e['host']}:{e['port']}"
        out.setdefault(e["kind"], []).append(after[key] - before[key])
    return {k: sum(v) / len(v) for k, v in out.items()}


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _first_per_kind(plan: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    taken: dict[str, int] = {}
    out = []
    for e in plan:
        taken[e["kind"]] = taken.get(e["kind"], 0) + 1
        if taken[e["kind"]] <= n:
            out.append(e)
    return out


def compare(label: str, fleet: Fleet, args: argparse.Namespace, work: Path, netns: bool,
            per_kind: int | None = None) -> None:
    """pqscan --no-suites and sslyze alternately (A B A B ...), both at their default concurrency; with
    ``per_kind``, on the first that many endpoints of each kind only, and without the extra runs."""
    per_kind = per_kind or args.per_kind
    good = _first_per_kind([e for e in fleet.plan if e["kind"] in TLS_KINDS], per_kind)
    targets = [f"{e['host']}:{e['port']}" for e in good]
    have_sslyze = Path(args.sslyze).exists()
    pq = "pqscan --no-suites"
    run_pqscan(targets, args.timeout, work, netns=netns, extra=("--no-suites",))  # warm-up (bytecode cache)
    runs: dict[str, list[dict[str, Any]]] = {pq: [], "sslyze": []}
    conns: dict[str, dict[str, float]] = {}
    load_before = _load()
    for _ in range(args.repeat):  # alternate: A B A B ...
        c0, f0 = fleet.count(), fleet.cpu()
        runs[pq].append(run_pqscan(targets, args.timeout, work, netns=netns, extra=("--no-suites",)))
        c1, f1 = fleet.count(), fleet.cpu()
        runs[pq][-1]["fleet_cpu"] = f1 - f0
        conns[pq] = per_kind_connections(good, c0, c1)
        if have_sslyze:
            runs["sslyze"].append(run_sslyze(args.sslyze, targets, args.timeout, netns=netns))
            runs["sslyze"][-1]["fleet_cpu"] = fleet.cpu() - f1
            conns["sslyze"] = per_kind_connections(good, c1, fleet.count())
    load_after = _load()
    extra_runs: list[tuple[str, dict[str, Any]]] = []
    if per_kind == args.per_kind:
        c0 = fleet.count()
        extra_runs.append(("pqscan (with suites)", run_pqscan(targets, args.timeout, work, netns=netns)))
        conns["pqscan (with suites)"] = per_kind_connections(good, c0, fleet.count())
    if have_sslyze and args.sslyze_servers and per_kind == args.per_kind:
        c0 = fleet.count()
        name = f"sslyze {args.sslyze_servers} servers"
        extra_runs.append((name, run_sslyze(args.sslyze, targets, args.timeout, netns=netns,
                                            servers=args.sslyze_servers)))
        conns[name] = per_kind_connections(good, c0, fleet.count())
    print(f"\n[{label}] {len(targets)} well-behaved endpoints ({per_kind} per kind), "
          f"median of {args.repeat} alternating runs per tool; load average {load_before} -> {load_after}")
    print("  both at their defaults: pqscan 128 endpoints at once, 8 connections per host; sslyze Scanner() "
          "10 servers at once, 5 connections per server")
    med: dict[str, dict[str, Any]] = {}
    for tool, rr in list(runs.items()) + [(t, [r]) for t, r in extra_runs]:
        if not rr:
            print(f"  {tool:<22}: not run (sslyze not found at {args.sslyze})")
            continue
        m = sorted(rr, key=lambda r: r["wall"])[len(rr) // 2]
        cpu = sorted(r["cpu"] for r in rr)[len(rr) // 2]
        served = sorted(r.get("fleet_cpu", -1.0) for r in rr)[len(rr) // 2]
        med[tool] = m
        c = conns[tool]
        mean = sum(c[k] for k in TLS_KINDS) / len(TLS_KINDS)
        servers = f" (servers {served:4.2f} s)" if served >= 0 else ""
        print(f"  {tool:<22}: {m['wall']:6.2f} s  {len(targets) / m['wall']:6.1f} endpoints/s  CPU {cpu:5.2f} s{servers}  "
              f"peak RSS {m['rss_kib'] / 1024:6.1f} MiB  connections/endpoint mean {mean:4.1f}")
        print("      per kind: " + ", ".join(f"{k} {c[k]:.1f}" for k in TLS_KINDS))
    configs = kind_configs()
    right = [sum(not check_endpoint(e["kind"], r["inventory"], f"tls://{e['host']}:{e['port']}", configs) for e in good)
             for r in runs[pq]]
    print(f"  pqscan facts right on {'/'.join(map(str, right))} of {len(good)} endpoints (each timed run checked)")
    if "sslyze" in med:
        ratio = med["sslyze"]["wall"] / med[pq]["wall"]
        pairs = sorted(b["wall"] / a["wall"] for a, b in zip(runs[pq], runs["sslyze"], strict=True))
        print(f"  ratio pqscan/sslyze endpoints/s: {ratio:.1f}x (medians); per alternating pair "
              + ", ".join(f"{r:.1f}x" for r in pairs))
        ss = med["sslyze"]["results"]
        pq_should = [e for e in good if kind_configs()[e["kind"]].tls13 and "MLKEM" in "".join(
            kind_configs()[e["kind"]].groups)]
        saw = sum(1 for e in pq_should if any("MLKEM" in c for c in ss.get(f"{e['host']}:{e['port']}", {})
                                              .get("curves") or []))
        print(f"  sslyze saw an ML-KEM group on {saw}/{len(pq_should)} endpoints that support one")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--per-kind", type=int, default=6)
    ap.add_argument("--also-per-kind", type=int, default=4,
                    help="compare again on this many endpoints of each kind of the same fleet (0: not)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sslyze", default="/tmp/sslyze-venv/bin/python")
    ap.add_argument("--sslyze-servers", type=int, default=0,
                    help="also run sslyze once with this many servers at once (its default is 10)")
    ap.add_argument("--no-netns", action="store_true")
    ap.add_argument("--no-schedule", action="store_true")
    ap.add_argument("--schedule-lines", type=int, default=1_000_000)
    ap.add_argument("--schedule-seconds", type=float, default=20.0)
    ap.add_argument("--fleet", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--schedule", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--prefix", default=LOOPBACK_NET, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.fleet:
        run_fleet(args.per_kind, args.prefix)
        return
    if args.schedule:
        run_schedule(args.schedule_lines, args.schedule_seconds)
        return
    work = Path(tempfile.mkdtemp(prefix="pqscan-bench-"))
    print(f"timeout {args.timeout:g}s; {os.cpu_count()} CPUs; load average {_load()}; sslyze: {args.sslyze}")
    configs = kind_configs()
    fleet = Fleet(args.per_kind, LOOPBACK_NET, netns=False)
    try:
        # 1. facts, whole fleet
        res = run_pqscan([f"{e['host']}:{e['port']}" for e in fleet.plan], args.timeout, work, netns=False)
        wrong = {}
        for e in fleet.plan:
            bad = check_endpoint(e["kind"], res["inventory"], f"tls://{e['host']}:{e['port']}", configs)
            if bad:
                wrong[f"{e['kind']} {e['host']}:{e['port']}"] = bad
        n = len(fleet.plan)
        print(f"\n[facts] {n} endpoints, {len(TLS_KINDS) + len(HOSTILE_KINDS)} kinds, loopback: every fact right on "
              f"{n - len(wrong)}/{n} ({res['wall']:.2f} s, {n / res['wall']:.1f} endpoints/s mixed)")
        for k, v in wrong.items():
            print(f"  WRONG {k}: {'; '.join(v)[:400]}")
        # 2. well-behaved, loopback
        compare("loopback", fleet, args, work, netns=False)
        if 0 < args.also_per_kind < args.per_kind:
            compare("loopback, smaller fleet", fleet, args, work, netns=False, per_kind=args.also_per_kind)
    finally:
        fleet.close()
    # 3. latency-bound fleet in network namespaces
    if not args.no_netns:
        if os.geteuid() != 0 or shutil.which("ip") is None or not Path("/dev/net/tun").exists():
            print("\n[netns] skipped: needs root, iproute2 and /dev/net/tun")
        else:
            try:
                netns_up(len(TLS_KINDS + HOSTILE_KINDS) * args.per_kind)
                nfleet = Fleet(args.per_kind, NETNS_SERVER_NET, netns=True)
                try:
                    compare("netns, 25 ms each way (TUN relay)", nfleet, args, work, netns=True)
                    if 0 < args.also_per_kind < args.per_kind:
                        compare("netns, 25 ms each way, smaller fleet", nfleet, args, work, netns=True,
                                per_kind=args.also_per_kind)
                finally:
                    nfleet.close()
            finally:
                netns_down()
    # 4. 1M-target scheduling
    if not args.no_schedule:
        wall, rss, stdout, stderr, _cpu = timed([sys.executable, __file__, "--schedule", "--schedule-lines",
                                           str(args.schedule_lines), "--schedule-seconds", str(args.schedule_seconds)])
        try:
            r = json.loads(stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            print(f"\n[1M scheduling] failed: {stderr[-500:]}")
            return
        first = f"{r['first']:.2f} s" if r["first"] is not None else "none"
        print(f"\n[1M scheduling] {args.schedule_lines} target lines (closed loopback ports), run for "
              f"{r['wall']:.1f} s: first result after {first}, {r['count']} results ({r['count'] / r['wall']:.0f}/s), "
              f"peak RSS {rss / 1024:.1f} MiB (wait4; the process's own figure {r['rss_mib']:.1f} MiB)")


if __name__ == "__main__":
    main()
