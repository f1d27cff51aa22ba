"""SSH scanning speed: pqscan vs ssh-audit on the same loopback fleet of real sshd instances, same run.

Usage: python benchmarks/bench_ssh.py [--servers 8] [--rounds 3] [--concurrency 16]
                                      [--ssh-audit /tmp/sshaudit-venv/bin/ssh-audit]

Starts ``--servers`` Debian sshd instances on loopback (half default, half restricted to classical
KEX; RSA, ECDSA and Ed25519 host keys each), then per round scans the whole fleet with

* pqscan: KEXINIT + every host key (one connection per key type) + the group-exchange size probe
  (two connections that stop at the server's GEX_GROUP: every server here offers
  diffie-hellman-group-exchange-sha256), all endpoints concurrently;
* ssh-audit (PyPI, installed in its own venv): ``-T targets --threads N -j`` (its default audit,
  which also runs its GEX modulus-size tests).

Printed: endpoints/s for each (best round and median), the ratio pqscan/ssh-audit, and a check of
the PQ classification on both sides: the default servers must show sntrup761x25519 as a PQ
hybrid KEX (pqscan: the catalogue's quantum status; ssh-audit: the KEX listed in its JSON), the
classical servers must show none. Install ssh-audit with:
  python3 -m venv /tmp/sshaudit-venv && /tmp/sshaudit-venv/bin/pip install ssh-audit
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pqscan.algorithms import IdKind, lookup
from pqscan.collect.net.netscan import NetOptions, scan_endpoints
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.ssh import probe_ssh
from pqscan.lab.ssh_server import CLASSICAL_KEX, SshServer, make_host_keys, start_sshd, stop_sshd
from pqscan.model import AssetKind, Usage

PQ_KEX = ("sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512", "mlkem768x25519-sha256")


def run_pqscan(servers: list[SshServer], concurrency: int) -> tuple[float, dict[int, dict[str, object]]]:
    endpoints = [Endpoint(host="127.0.0.1", port=s.port, service="ssh", scheme="ssh") for s in servers]
    options = NetOptions(connect_timeout=5, read_timeout=5, concurrency=concurrency, per_host=64, collector="ssh")
    start = time.perf_counter()
    results = asyncio.run(scan_endpoints(endpoints, probe_ssh, options))
    elapsed = time.perf_counter() - start
    summary: dict[int, dict[str, object]] = {}
    for r in results:
        port = int(r.target.rsplit(":", 1)[1])
        pq = sorted({f.parameters["ssh_name"] for f in r.findings if f.usage is Usage.KEY_EXCHANGE
                     and lookup(IdKind.SSH_KEX, f.parameters["ssh_name"]).is_quantum_safe})
        summary[port] = {"pq_kex": pq, "host_keys": sum(a.kind is AssetKind.HOST_KEY for a in r.assets),
                         "errors": len(r.errors)}
    return elapsed, summary


def run_ssh_audit(binary: str, servers: list[SshServer], threads: int, workdir: Path) -> tuple[float, dict[int, dict]]:
    targets = workdir / "targets.txt"
    targets.write_text("".join(f"127.0.0.1:{s.port}\n" for s in servers))
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    out = subprocess.run([binary, "-T", str(targets), "--threads", str(threads), "-j", "-t", "5"],
                         capture_output=True, text=True, timeout=600, env=env)
    elapsed = time.perf_counter() - start
    summary: dict[int, dict] = {}
    try:
        docs = json.loads(out.stdout)
    except json.JSONDecodeError:
        print("ssh-audit output was not JSON:", out.stdout[:500], out.stderr[:500], file=sys.stderr)
        return elapsed, summary
    for doc in docs if isinstance(docs, list) else [docs]:
        port = int(doc.get("target", "0:0").rsplit(":", 1)[1])
        kex = [k.get("algorithm") for k in doc.get("kex", [])]
        summary[port] = {"pq_kex": sorted(k for k in kex if k in PQ_KEX), "host_keys": len(doc.get("fingerprints", []))
                         // 2}  # ssh-audit prints SHA256 and MD5 fingerprints for each key
    return elapsed, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--ssh-audit", default="/tmp/sshaudit-venv/bin/ssh-audit")
    args = ap.parse_args()
    if not Path(args.ssh_audit).exists():
        print(f"ssh-audit not found at {args.ssh_audit}; see the docstring to install it", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="pqscan-bench-ssh-") as tmp:
        work = Path(tmp)
        keys = make_host_keys(work)
        servers = []
        try:
            for i in range(args.servers):
                opts = {"KexAlgorithms": ",".join(CLASSICAL_KEX)} if i % 2 else {}
                servers.append(start_sshd(work, opts, keys))
            classical = {s.port for s in servers if s.options}
            ours, theirs = [], []
            ours_summary: dict = {}
            theirs_summary: dict = {}
            for _ in range(args.rounds):
                t, ours_summary = run_pqscan(servers, args.concurrency)
                ours.append(t)
                t, theirs_summary = run_ssh_audit(args.ssh_audit, servers, args.concurrency, work)
                theirs.append(t)
        finally:
            for s in servers:
                stop_sshd(s)
    n = len(servers)
    print(f"fleet: {n} real sshd (OpenSSH 9.2p1) on 127.0.0.1, {len(classical)} classical-only; "
          f"{args.rounds} rounds; concurrency {args.concurrency}; {os.cpu_count()} CPU(s)")
    for name, times in (("pqscan ssh", ours), ("ssh-audit", theirs)):
        print(f"  {name:<10} best {n / min(times):8.1f} endpoints/s   median {n / statistics.median(times):8.1f} "
              f"endpoints/s   (round times {', '.join(f'{t:.2f}s' for t in times)})")
    ratio_best = min(theirs) / min(ours)
    ratio_median = statistics.median(theirs) / statistics.median(ours)
    print(f"  ratio pqscan / ssh-audit: {ratio_best:.1f}x (best), {ratio_median:.1f}x (median); target >= 3x")
    ok = True
    for label, summary in (("pqscan", ours_summary), ("ssh-audit", theirs_summary)):
        for s in servers:
            info = summary.get(s.port, {})
            want_pq = s.port not in classical
            got_pq = bool(info.get("pq_kex"))
            if got_pq != want_pq or info.get("host_keys") != 3:
                ok = False
                print(f"  {label} {s.port}: pq_kex={info.get('pq_kex')} host_keys={info.get('host_keys')} "
                      f"(expected PQ={want_pq}, 3 host keys)")
    print(f"  PQ classification and host keys correct on every endpoint for both tools: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
