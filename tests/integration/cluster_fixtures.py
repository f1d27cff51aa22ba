"""Fixtures for the Dask cluster tests: a real ``dask scheduler`` and ``dask worker`` processes on
loopback, and a TLS fleet spread over loopback addresses (127.0.0.N) whose servers answer slowly.

Everything listens on 127.0.0.0/8; every process started here is stopped (SIGKILL after a grace
period) when its context ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pqscan.collect.net.targets import Endpoint
from pqscan.lab.tls_servers import CLASSICAL_GROUPS, PQ_GROUPS, ServerConfig, TlsServer

distributed = pytest.importorskip("distributed", reason="the cluster extra (distributed) is not installed")

FLEET_CONFIGS = (
    ServerConfig("pq-first", PQ_GROUPS[:1] + CLASSICAL_GROUPS[:2]),
    ServerConfig("classical", CLASSICAL_GROUPS[:2]),
)


class SlowTlsServer(TlsServer):
    """A lab TLS server that waits ``delay`` seconds before each handshake (a far-away peer).

    ``on_accept``, when set, is called with each client's (host, port) before the handshake."""

    delay: float = 0.0
    on_accept: Callable[[tuple[str, int]], None] | None = None

    def _serve(self, ctx, client) -> None:  # type: ignore[no-untyped-def]
        if self.on_accept is not None:
            self.on_accept(client.getpeername()[:2])
        time.sleep(self.delay)
        super()._serve(ctx, client)


def tcp_ports_of(pid: int) -> set[int]:
    """Local ports of the IPv4 TCP sockets process ``pid`` holds (from /proc: its socket inodes, the
    kernel's socket table)."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes:
            ports.add(int(fields[1].split(":")[1], 16))
    return ports


@dataclass
class Fleet:
    servers: list[TlsServer]

    @property
    def endpoints(self) -> list[Endpoint]:
        return [Endpoint(s.host, s.port) for s in self.servers]

    @property
    def keys(self) -> list[str]:
        return [e.key for e in self.endpoints]


@contextlib.contextmanager
def tls_fleet(workdir: Path, hosts: int, *, first: int = 1, delay: float = 0.0) -> Iterator[Fleet]:
    """One lab server on each of 127.0.0.<first> .. 127.0.0.<first+hosts-1>, configurations alternating."""
    servers: list[TlsServer] = []
    try:
        for i in range(hosts):
            cfg = FLEET_CONFIGS[i % len(FLEET_CONFIGS)]
            server = SlowTlsServer(cfg, workdir / f"{cfg.name}-{first + i}", host=f"127.0.0.{first + i}")
            server.delay = delay
            servers.append(server.start())
        yield Fleet(servers)
    finally:
        for s in servers:
            s.stop()


@dataclass
class DaskProcesses:
    scheduler_file: Path
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def start_worker(dask: DaskProcesses, name: str, *, resources: str | None = None,
                 env: dict[str, str] | None = None, preload: Path | None = None) -> subprocess.Popen[bytes]:
    """``dask worker`` (no nanny: SIGKILL ends the worker itself), one process, one thread."""
    cmd = [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(dask.scheduler_file),
           "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--name", name, "--host", "127.0.0.1",
           "--no-dashboard", "--death-timeout", "20"]
    if resources:
        cmd += ["--resources", resources]
    if preload is not None:
        cmd += ["--preload", str(preload)]
    # cwd outside the checkout: `python -m` puts the cwd first on sys.path, ahead of PYTHONPATH.
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, cwd=dask.scheduler_file.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    dask.workers[name] = proc
    return proc


def wait_for_workers(dask: DaskProcesses, names: set[str], timeout: float = 30.0) -> None:
    with distributed.Client(dask.address, timeout=10, set_as_default=False) as client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = {str(w.get("name")) for w in client.scheduler_info(n_workers=-1)["workers"].values()}
            if names <= got:
                return
            dead = [n for n, p in dask.workers.items() if n in names and p.poll() is not None]
            if dead:
                raise RuntimeError(f"dask worker(s) {dead} exited at start")
            time.sleep(0.1)
    raise RuntimeError(f"dask workers {names} did not register within {timeout}s")


@contextlib.contextmanager
def dask_scheduler() -> Iterator[DaskProcesses]:
    """A real ``dask scheduler`` on 127.0.0.1 (random port, no dashboard); workers added with start_worker."""
    with tempfile.TemporaryDirectory(prefix="pqscan-dask-") as tmp:
        sfile = Path(tmp) / "scheduler.json"
        proc = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                 "--port", "0", "--no-dashboard", "--scheduler-file", str(sfile)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        dask = DaskProcesses(sfile, "", proc)
        try:
            deadline = time.monotonic() + 20
            while not sfile.exists() or not sfile.read_text().strip():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("dask scheduler did not start")
                time.sleep(0.05)
            time.sleep(0.05)
            dask.address = json.loads(sfile.read_text())["address"]
            yield dask
        finally:
            for w in dask.workers.values():
                _stop(w)
            _stop(proc)


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
