"""SSH scanning speed: pqscan vs ssh-audit on the same loopback fleet of real sshd instances, same run.

Usage: python benchmarks/bench_ssh.py [--servers 8] [--rounds 3] [--concurrency 16]
                                      [--ssh-audit /tmp/ssh-audit-venv/bin/ssh-audit]

Starts ``--servers`` Debian sshd instances on loopback (half default, half restricted to classical
KEX; RSA, ECDSA and Ed25519 host keys each), then per round scans the whole fleet with

* pqscan: KEXINIT + every host key (one connection per key type) + the group-exchange size probe
  (two connections that stop at the server's GEX_GROUP: every server here offers
  diffie-hellman-group-exchange-sha256), all endpoints concurrently;
* ssh-audit 3.9 (PyPI, installed in its own venv): ``-T targets --threads N -j`` (its default audit,
  which also runs its GEX modulus-size tests and its connection-rate test), and the same with
  ``--skip-rate-test``.

Each tool runs as a subprocess (``pqscan -q ssh @targets --format json``; interpreter start-up
counted for both), timed with ``wait4``, which also gives its peak RSS.
Printed: endpoints/s for each (best round and median), the ratios pqscan/ssh-audit, and a check of
the PQ classification on both sides: the default servers must show sntrup761x25519 as a PQ
hybrid KEX (pqscan: the catalogue's quantum status; ssh-audit: the KEX listed in its JSON), the
classical servers must show none. Install ssh-audit with:
  python3 -m venv /tmp/ssh-audit-venv && /tmp/ssh-audit-venv/bin/pip install ssh-audit==3.9.0
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench_tls import timed  # type: ignore[import-not-found]  # same folder: one wait4 timer

from pqscan.algorithms import IdKind, lookup
from pqscan.lab.ssh_server import CLASSICAL_KEX, SshServer, make_host_keys, start_sshd, stop_sshd
from pqscan.model import AssetKind, Usage

PQ_KEX = ("sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512", "mlkem768x25519-sha256")


def run_pqscan(servers: list[SshServer], concurrency: int, workdir: Path
               ) -> tuple[float, int, dict[int, dict[str, object]]]:
    """(wall seconds, peak RSS KiB, per-port summary) of ``pqscan ssh`` over the fleet."""
    targets = workdir / "pqscan-targets.txt"
    targets.write_text("".join(f"127.0.0.1:{s.port}\n" for s in servers))
    cmd = [sys.executable, "-m", "pqscan", "-q", "ssh", f"@{targets}", "--timeout", "5", "--concurrency",
           str(concurrency), "--per-host", "64", "--format", "json"]
    wall, rss, stdout, stderr = timed(cmd, {**os.environ, "PQSCAN_TEST_LOOPBACK_ONLY": "1"})
    inv = json.loads(stdout)
    summary: dict[int, dict[str, object]] = {}
    for a in inv["assets"]:
        if a["kind"] != "ssh-endpoint":
            continue
        port = int(a["id"].rsplit(":", 1)[1])
        pq = sorted({f["parameters"]["ssh_name"] for f in inv["findings"] if f["asset_id"] == a["id"]
                     and f["usage"] == Usage.KEY_EXCHANGE.value and "ssh_name" in f["parameters"]
                     and lookup(IdKind.SSH_KEX, f["parameters"]["ssh_name"]).is_quantum_safe})
        keys = sum(1 for r in a.get("relations", []) if str(r.get("target", "")).startswith("ssh-host-key:")
                   or r.get("kind") == "uses-host-key")
        summary[port] = {"pq_kex": pq, "host_keys": keys or _host_keys(inv, a["id"]),
                         "errors": sum(1 for e in inv["errors"] if e["target"] == a["id"])}
    return wall, rss, summary


def _host_keys(inv: dict, endpoint_id: str) -> int:
    rel = {r["target"] for a in inv["assets"] if a["id"] == endpoint_id for r in a.get("relations", [])}
    return sum(1 for a in inv["assets"] if a["kind"] == AssetKind.HOST_KEY.value and a["id"] in rel)


def run_ssh_audit(binary: str, servers: list[SshServer], threads: int, workdir: Path, *extra: str
                  ) -> tuple[float, int, dict[int, dict]]:
    targets = workdir / "targets.txt"
    targets.write_text("".join(f"127.0.0.1:{s.port}\n" for s in servers))
    env = {**os.environ, "NO_COLOR": "1"}
    elapsed, rss, stdout, stderr = timed([binary, "-T", str(targets), "--threads", str(threads), "-j", "-t", "5",
                                          *extra], env)
    summary: dict[int, dict] = {}
    try:
        docs = json.loads(stdout)
    except json.JSONDecodeError:
        print("ssh-audit output was not JSON:", stdout[:500], stderr[:500], file=sys.stderr)
        return elapsed, rss, summary
    for doc in docs if isinstance(docs, list) else [docs]:
        port = int(doc.get("target", "0:0").rsplit(":", 1)[1])
        kex = [k.get("algorithm") for k in doc.get("kex", [])]
        summary[port] = {"pq_kex": sorted(k for k in kex if k in PQ_KEX), "host_keys": len(doc.get("fingerprints", []))
                         // 2}  # ssh-audit prints SHA256 and MD5 fingerprints for each key
    return elapsed, rss, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--ssh-audit", default="/tmp/ssh-audit-venv/bin/ssh-audit")
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
            runs: dict[str, list[tuple[float, int]]] = {"pqscan ssh": [], "ssh-audit": [],
                                                        "ssh-audit --skip-rate-test": []}
            summaries: dict[str, dict] = {}
            for _ in range(args.rounds):  # alternate the tools each round
                t, rss, summaries["pqscan"] = run_pqscan(servers, args.concurrency, work)
                runs["pqscan ssh"].append((t, rss))
                t, rss, summaries["ssh-audit"] = run_ssh_audit(args.ssh_audit, servers, args.concurrency, work)
                runs["ssh-audit"].append((t, rss))
                t, rss, _ = run_ssh_audit(args.ssh_audit, servers, args.concurrency, work, "--skip-rate-test")
                runs["ssh-audit --skip-rate-test"].append((t, rss))
        finally:
            for s in servers:
                stop_sshd(s)
    n = len(servers)
    print(f"fleet: {n} real sshd (OpenSSH 9.2p1) on 127.0.0.1, {len(classical)} classical-only; "
          f"{args.rounds} rounds; concurrency {args.concurrency}; {os.cpu_count()} CPU(s)")
    for name, rr in runs.items():
        times = [t for t, _ in rr]
        print(f"  {name:<27} best {n / min(times):7.1f} endpoints/s   median {n / statistics.median(times):7.1f} "
              f"endpoints/s   peak RSS {max(r for _, r in rr) / 1024:6.1f} MiB   "
              f"(round times {', '.join(f'{t:.2f}s' for t in times)})")
    ours = [t for t, _ in runs["pqscan ssh"]]
    for peer, target in (("ssh-audit", 5), ("ssh-audit --skip-rate-test", 3)):
        theirs = [t for t, _ in runs[peer]]
        print(f"  ratio pqscan / {peer}: {min(theirs) / min(ours):.1f}x (best), "
              f"{statistics.median(theirs) / statistics.median(ours):.1f}x (median); target >= {target}x")
    ok = True
    for label in ("pqscan", "ssh-audit"):
        summary = summaries[label]
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
