"""SSH scanning speed: pqscan vs ssh-audit on the same loopback fleet of real sshd instances, same run.

Usage: python benchmarks/bench_ssh.py [--servers 8] [--rounds 3] [--concurrency 16]
                                      [--ssh-audit /tmp/ssh-audit-venv/bin/ssh-audit]

Starts ``--servers`` Debian sshd instances on loopback (half default, half restricted to classical
KEX; RSA, ECDSA and Ed25519 host keys each), then per round scans the whole fleet with each tool
in turn (A B C A B C ...), each as a user runs it:

* pqscan: ``pqscan -q ssh @targets --format json`` with its defaults (KEXINIT, every host key, the
  group-exchange size probe); every server here offers diffie-hellman-group-exchange-sha256, so that
  is one connection per host-key type (one of them also shows the 2048/2048/8192 group) plus the
  1024/1024/1024 probe, which stops at the server's answer;
* ssh-audit 3.9 (PyPI, installed in its own venv): ``-T targets --threads N -j`` (its default audit,
  which also runs its GEX modulus-size tests and its connection-rate test), and the same with
  ``--skip-rate-test``.

Both start from compiled bytecode, as after ``pip install`` or a first run: one untimed warm-up run
of each tool comes first, and pqscan runs without ``PYTHONDONTWRITEBYTECODE`` (set in some
sessions; it would make every run compile each module it imports, ~0.3 s, while ssh-audit's venv
is compiled), so the warm-up writes ``__pycache__`` for exactly the modules ``pqscan ssh`` imports.
Interpreter start-up counts for both.
Each run is timed with ``wait4`` (wall, peak RSS, the tool's own CPU); the servers count too: each
sshd logs its connections (``LogLevel VERBOSE``) and the CPU its per-connection children used is read
from the listeners' ``/proc/<pid>/stat``. The machine is shared, so the CPU figures (client + sshd
per endpoint) are the load-independent cost; wall-clock ratios are from the same rounds.

Facts checked on every endpoint, for both tools (last round): PQ hybrid KEX present exactly on the
default servers; the KEX, cipher and MAC lists equal ``sshd -T``'s (pseudo-algorithms aside); the
three host keys' SHA-256 fingerprints equal ``ssh-keygen -l``'s. Install ssh-audit with:
  python3 -m venv /tmp/ssh-audit-venv && /tmp/ssh-audit-venv/bin/pip install ssh-audit==3.9.0
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_tls import timed  # type: ignore[import-not-found]  # same folder: one wait4 timer

from pqscan.algorithms import IdKind, is_ssh_pseudo_algorithm, lookup
from pqscan.lab.ssh_server import CLASSICAL_KEX, SshServer, make_host_keys, sshd_effective_config, start_sshd, stop_sshd

PQ_KEX = ("sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512", "mlkem768x25519-sha256")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Fleet:
    """The sshd listeners, a count of the connections each logged, and their children's CPU."""

    servers: list[SshServer] = field(default_factory=list)
    connections: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, server: SshServer) -> None:
        self.servers.append(server)
        self.connections[server.port] = 0
        threading.Thread(target=self._drain, args=(server,), daemon=True).start()

    def _drain(self, server: SshServer) -> None:
        """Read sshd's log (stderr) as it comes, so the pipe never fills; count the connections it logs."""
        assert server.process is not None and server.process.stderr is not None
        for line in server.process.stderr:
            if line.startswith(b"Connection from "):  # not "ssh_dispatch_run_fatal: Connection from"
                with self._lock:
                    self.connections[server.port] += 1

    def total_connections(self) -> int:
        with self._lock:
            return sum(self.connections.values())

    def sshd_cpu(self) -> float:
        """CPU seconds used by the listeners' finished children (one per connection) so far."""
        total = 0
        for s in self.servers:
            assert s.process is not None
            fields = Path(f"/proc/{s.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[13]) + int(fields[14])  # cutime, cstime (proc(5) fields 16, 17)
        return total / TICKS


@dataclass
class Run:
    wall: float
    rss_kib: int
    cpu: float  # the tool's own user + system CPU seconds
    sshd_cpu: float
    connections: int
    summary: dict[int, dict[str, Any]]


def measured(fleet: Fleet, cmd: list[str], env: dict[str, str]) -> tuple[Run, str, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0, s0 = fleet.total_connections(), fleet.sshd_cpu()
    wall, rss, stdout, stderr, _ = timed(cmd, env)  # CPU below: the tool and every process it reaped
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    threading.Event().wait(0.5)  # the last sshd children exit and are reaped; their log lines drain
    return Run(wall, rss, cpu, fleet.sshd_cpu() - s0, fleet.total_connections() - c0, {}), stdout, stderr


def run_pqscan(fleet: Fleet, concurrency: int, workdir: Path) -> Run:
    targets = workdir / "pqscan-targets.txt"
    targets.write_text("".join(f"127.0.0.1:{s.port}\n" for s in fleet.servers))
    cmd = [sys.executable, "-m", "pqscan", "-q", "ssh", f"@{targets}", "--timeout", "5", "--concurrency",
           str(concurrency), "--per-host", "64", "--format", "json"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run, stdout, stderr = measured(fleet, cmd, {**env, "PQSCAN_TEST_LOOPBACK_ONLY": "1"})
    try:
        inv = json.loads(stdout)
    except json.JSONDecodeError:
        print("pqscan output was not JSON:", stdout[:500], stderr[:500], file=sys.stderr)
        return run
    by_id = {a["id"]: a for a in inv["assets"]}
    for a in inv["assets"]:
        if a["kind"] != "ssh-endpoint":
            continue
        attrs = a["attributes"]
        kex = [k for k in attrs["kex_algorithms"] if not is_ssh_pseudo_algorithm(k)]
        keys = [by_id[r["target"]] for r in a.get("relations", []) if r["target"] in by_id
                and by_id[r["target"]]["kind"] == "host-key"]
        run.summary[int(a["id"].rsplit(":", 1)[1])] = {
            "pq_kex": sorted(k for k in kex if lookup(IdKind.SSH_KEX, k).is_quantum_safe),
            "kex": kex, "ciphers": attrs["encryption_algorithms_server_to_client"],
            "macs": attrs["mac_algorithms_server_to_client"],
            "fingerprints": sorted(k["attributes"]["fingerprint_sha256"] for k in keys),
            "errors": sum(1 for e in inv["errors"] if e["target"] == a["id"])}
    return run


def run_ssh_audit(binary: str, fleet: Fleet, threads: int, workdir: Path, *extra: str) -> Run:
    targets = workdir / "targets.txt"
    targets.write_text("".join(f"127.0.0.1:{s.port}\n" for s in fleet.servers))
    cmd = [binary, "-T", str(targets), "--threads", str(threads), "-j", "-t", "5", *extra]
    run, stdout, stderr = measured(fleet, cmd, {**os.environ, "NO_COLOR": "1"})
    try:
        docs = json.loads(stdout)
    except json.JSONDecodeError:
        print("ssh-audit output was not JSON:", stdout[:500], stderr[:500], file=sys.stderr)
        return run
    for doc in docs if isinstance(docs, list) else [docs]:
        kex = [k["algorithm"] for k in doc.get("kex", []) if not is_ssh_pseudo_algorithm(k["algorithm"])]
        run.summary[int(doc.get("target", "0:0").rsplit(":", 1)[1])] = {
            "pq_kex": sorted(k for k in kex if k in PQ_KEX), "kex": kex,
            "ciphers": [c["algorithm"] for c in doc.get("enc", [])],
            "macs": [m["algorithm"] for m in doc.get("mac", [])],
            "fingerprints": sorted(f"SHA256:{f['hash']}" for f in doc.get("fingerprints", [])
                                   if f.get("hash_alg") == "SHA256")}
    return run


def expected_facts(fleet: Fleet, host_keys: list[Path]) -> dict[int, dict[str, Any]]:
    """What every endpoint must show: sshd -T's lists, ssh-keygen's fingerprints, PQ or not."""
    prints = sorted(subprocess.run(["ssh-keygen", "-l", "-f", f"{k}.pub"], capture_output=True, text=True,
                                   check=True, timeout=30).stdout.split()[1] for k in host_keys)
    configs: dict[str, dict[str, list[str]]] = {}
    out = {}
    for s in fleet.servers:
        kind = "classical" if "KexAlgorithms" in s.options else "default"
        cfg = configs.setdefault(kind, sshd_effective_config(s.config))
        out[s.port] = {"pq": kind == "default", "kex": cfg["kexalgorithms"], "ciphers": cfg["ciphers"],
                       "macs": cfg["macs"], "fingerprints": prints}
    return out


def wrong_facts(label: str, summary: dict[int, dict[str, Any]], expected: dict[int, dict[str, Any]]) -> list[str]:
    problems = []
    for port, want in expected.items():
        got = summary.get(port)
        if got is None:
            problems.append(f"{label} {port}: no result")
            continue
        if bool(got["pq_kex"]) != want["pq"]:
            problems.append(f"{label} {port}: PQ KEX {got['pq_kex']} (expected PQ={want['pq']})")
        for fact in ("kex", "ciphers", "macs", "fingerprints"):
            if got[fact] != want[fact]:
                problems.append(f"{label} {port}: {fact} {got[fact]} != {want[fact]}")
    return problems


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
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="pqscan-bench-ssh-") as tmp:
        work = Path(tmp)
        keys = make_host_keys(work)
        fleet = Fleet()
        try:
            for i in range(args.servers):
                opts = {"KexAlgorithms": ",".join(CLASSICAL_KEX)} if i % 2 else {}
                fleet.add(start_sshd(work, {**opts, "LogLevel": "VERBOSE"}, keys))
            expected = expected_facts(fleet, keys)
            run_pqscan(fleet, args.concurrency, work)  # warm-up (bytecode, page cache), not timed
            run_ssh_audit(args.ssh_audit, fleet, args.concurrency, work, "--skip-rate-test")
            runs: dict[str, list[Run]] = {"pqscan ssh": [], "ssh-audit": [], "ssh-audit --skip-rate-test": []}
            for _ in range(args.rounds):  # alternate the tools each round
                runs["pqscan ssh"].append(run_pqscan(fleet, args.concurrency, work))
                runs["ssh-audit"].append(run_ssh_audit(args.ssh_audit, fleet, args.concurrency, work))
                runs["ssh-audit --skip-rate-test"].append(
                    run_ssh_audit(args.ssh_audit, fleet, args.concurrency, work, "--skip-rate-test"))
        finally:
            for s in fleet.servers:
                stop_sshd(s)
    n = len(fleet.servers)
    classical = sum(1 for s in fleet.servers if s.options.get("KexAlgorithms"))
    print(f"fleet: {n} real sshd (OpenSSH 9.2p1) on 127.0.0.1, {classical} classical-only; {args.rounds} rounds; "
          f"concurrency {args.concurrency}; {os.cpu_count()} CPU(s); load average before "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, rr in runs.items():
        times = [r.wall for r in rr]
        print(f"  {name:<27} best {n / min(times):6.1f} endpoints/s  median {n / statistics.median(times):6.1f} "
              f"endpoints/s  (rounds {', '.join(f'{t:.2f}s' for t in times)})")
        print(f"  {'':<27} connections/endpoint {statistics.median(r.connections for r in rr) / n:5.2f}  "
              f"CPU/endpoint: client {1000 * statistics.median(r.cpu for r in rr) / n:5.1f} ms, sshd "
              f"{1000 * statistics.median(r.sshd_cpu for r in rr) / n:5.1f} ms  peak RSS "
              f"{max(r.rss_kib for r in rr) / 1024:5.1f} MiB")
    ours = runs["pqscan ssh"]
    for peer, target in (("ssh-audit", 5), ("ssh-audit --skip-rate-test", 3)):
        theirs = runs[peer]
        best = min(r.wall for r in theirs) / min(r.wall for r in ours)
        median = statistics.median(r.wall for r in theirs) / statistics.median(r.wall for r in ours)
        paired = statistics.median(t.wall / o.wall for t, o in zip(theirs, ours, strict=True))
        cpu = statistics.median(t.cpu + t.sshd_cpu for t in theirs) / statistics.median(o.cpu + o.sshd_cpu for o in ours)
        print(f"  ratio pqscan / {peer}: {best:.1f}x (best), {median:.1f}x (median), {paired:.1f}x (median of "
              f"same-round pairs), {cpu:.1f}x (client + sshd CPU); target >= {target}x")
    problems = []
    for label, name in (("pqscan", "pqscan ssh"), ("ssh-audit", "ssh-audit"),
                        ("ssh-audit --skip-rate-test", "ssh-audit --skip-rate-test")):
        problems += wrong_facts(label, runs[name][-1].summary, expected)
    errors = sum(info.get("errors", 0) for info in ours[-1].summary.values())
    for line in problems[:20]:
        print("  " + line)
    print(f"  facts (PQ KEX, KEX/cipher/MAC lists = sshd -T, 3 host-key fingerprints = ssh-keygen) right on every "
          f"endpoint for every tool: {'yes' if not problems else 'NO'}; pqscan errors recorded: {errors}")
    return 0 if not problems and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
