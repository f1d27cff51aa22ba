"""How to run the code-scanning peers and read where their findings are.

Each peer is a PyPI package installed in its own venv (``/tmp/peer-<name>``, override with
``PQSCAN_PEER_VENVS``):

    for p in pqc-scan pqcpilot cbom-scan pqc-lint bandit; do
        python3 -m venv /tmp/peer-$p && /tmp/peer-$p/bin/pip install $p; done

A peer's findings are read from its JSON output as (path relative to the scanned root, line).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VENVS = Path(os.environ.get("PQSCAN_PEER_VENVS", "/tmp"))
# bandit tests about cryptography (hashes, ciphers, modes, key sizes, TLS versions, pycrypto imports)
BANDIT_CRYPTO_TESTS = {"B303", "B304", "B305", "B324", "B413", "B502", "B503", "B504", "B505"}


def _rel(path: str, root: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return p.as_posix()
    return p.as_posix()


def _pqc_scan(doc: Any, root: Path) -> list[tuple[str, int]]:
    return [(_rel(f["file_path"], root), int(f.get("line_number") or 0)) for f in doc.get("findings", [])]


def _pqcpilot(doc: Any, root: Path) -> list[tuple[str, int]]:
    return [(_rel(f["path"], root), int(f.get("line") or 0)) for f in doc.get("findings", [])]


def _cbom_scan(doc: Any, root: Path) -> list[tuple[str, int]]:
    out = []
    for c in doc.get("components", []):
        for occ in (c.get("evidence") or {}).get("occurrences") or []:
            out.append((_rel(str(occ.get("location", "")), root), int(occ.get("line") or 0)))
    return out


def _pqc_lint(doc: Any, root: Path) -> list[tuple[str, int]]:
    return [(_rel(f["file"], root), int(f.get("line") or 0)) for f in doc.get("findings", [])]


def _bandit(doc: Any, root: Path) -> list[tuple[str, int]]:
    return [(_rel(r["filename"], root), int(r.get("line_number") or 0)) for r in doc.get("results", [])
            if r.get("test_id") in BANDIT_CRYPTO_TESTS]


@dataclass(frozen=True)
class Peer:
    name: str
    argv: Callable[[Path, Path], list[str]]  # (scanned root, output file) -> command line
    parse: Callable[[Any, Path], list[tuple[str, int]]]
    languages: str

    @property
    def executable(self) -> Path:
        return VENVS / f"peer-{self.name}" / "bin" / self.name

    def available(self) -> bool:
        return self.executable.exists()


PEERS: Sequence[Peer] = (
    Peer("pqc-scan", lambda root, out: ["scan", str(root), "-o", "json", "-f", str(out)], _pqc_scan,
         "many (regex)"),
    Peer("pqcpilot", lambda root, out: ["scan", str(root), "--format", "json", "-o", str(out), "--fail-on", "never"],
         _pqcpilot, "python, java, go, javascript"),
    Peer("cbom-scan", lambda root, out: ["scan", str(root), "-f", "json", "-o", str(out), "--fail-on", "never"],
         _cbom_scan, "many (regex)"),
    Peer("pqc-lint", lambda root, out: ["scan", str(root), "--format", "json", "-o", str(out)], _pqc_lint,
         "python, javascript, go, rust, java, c"),
    Peer("bandit", lambda root, out: ["-r", str(root), "-f", "json", "-o", str(out), "-q"], _bandit,
         "python (crypto tests only counted)"),
)


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    locations: list[tuple[str, int]]
    error: str = ""


# A process's peak RSS (ru_maxrss) starts from its parent's size at fork and survives exec, so a tool
# forked from this benchmark (~55 MB) would report at least that. Each tool is started by a bare
# interpreter (~9 MB) that forks it, times it from fork to exit and writes the wall seconds and the
# tool's own peak RSS (KiB) on the pipe whose descriptor it is given.
_LAUNCHER = """
import os, sys, time
fd = int(sys.argv[1])
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(fd)
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
os.write(fd, f"{time.perf_counter() - start} {usage.ru_maxrss}".encode())
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


def run_measured(argv: list[str], timeout: float) -> tuple[float, float, int, str]:
    """Wall time, peak RSS (MB, of the tool's own process) and exit status of one command."""
    read_end, write_end = os.pipe()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER, str(write_end), *argv], pass_fds=(write_end,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    os.close(write_end)
    try:
        _out, err_bytes = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        os.close(read_end)
        return time.perf_counter() - start, 0.0, -1, "timeout"
    elapsed = time.perf_counter() - start
    with os.fdopen(read_end, "rb") as fh:
        report = fh.read().split()
    rss_mb = 0.0
    if len(report) == 2:
        elapsed, rss_mb = float(report[0]), int(report[1]) / 1024
    return elapsed, rss_mb, proc.returncode, err_bytes.decode("utf-8", "replace")[-300:]


def run_peer(peer: Peer, root: Path, out: Path, timeout: float) -> Run:
    out.unlink(missing_ok=True)
    seconds, rss, _code, err = run_measured([str(peer.executable), *peer.argv(root, out)], timeout)
    if err == "timeout":
        return Run(seconds, rss, [], "timeout")
    try:
        doc = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Run(seconds, rss, [], f"no JSON output ({exc.__class__.__name__}): {err.strip()[-120:]}")
    return Run(seconds, rss, peer.parse(doc, root))
