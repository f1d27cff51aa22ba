"""Fixtures for SSH tests: real Debian sshd instances, a pre-banner proxy and hostile servers.

Import the fixtures into a test module (``from tests.integration.ssh_fixtures import fixture_default_sshd, ...``); each
registers under the name without the ``fixture_`` prefix.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from pqscan.collect.net.netscan import NetOptions, scan_endpoints
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.ssh import probe_ssh
from pqscan.lab.ssh_server import SshServer, make_host_keys, start_sshd, stop_sshd, unavailable_reason
from pqscan.model import ScanResult

FAST = NetOptions(connect_timeout=2.0, read_timeout=1.0, collector="ssh", endpoint_timeout=6.0)

# KEX lists for the variants (names from `ssh -Q kex` of OpenSSH 9.2p1).
CLASSICAL_KEX = "curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256"
SNTRUP_ONLY_KEX = "sntrup761x25519-sha512@openssh.com"


def _skip_without_sshd() -> None:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session", name="lab_dir")
def fixture_lab_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pqscan-ssh-tests-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session", name="host_keys")
def fixture_host_keys(lab_dir: Path) -> list[Path]:
    _skip_without_sshd()
    return make_host_keys(lab_dir)


def _server(lab_dir: Path, keys: list[Path], options: dict[str, str]) -> Iterator[SshServer]:
    server = start_sshd(lab_dir, options, keys)
    try:
        yield server
    finally:
        stop_sshd(server)


@pytest.fixture(scope="session", name="default_sshd")
def fixture_default_sshd(lab_dir: Path, host_keys: list[Path]) -> Iterator[SshServer]:
    """Debian's sshd with its default algorithms (offers sntrup761x25519)."""
    yield from _server(lab_dir, host_keys, {})


@pytest.fixture(scope="session", name="classical_sshd")
def fixture_classical_sshd(lab_dir: Path, host_keys: list[Path]) -> Iterator[SshServer]:
    yield from _server(lab_dir, host_keys, {"KexAlgorithms": CLASSICAL_KEX})


@pytest.fixture(scope="session", name="sntrup_only_sshd")
def fixture_sntrup_only_sshd(lab_dir: Path, host_keys: list[Path]) -> Iterator[SshServer]:
    yield from _server(lab_dir, host_keys, {"KexAlgorithms": SNTRUP_ONLY_KEX})


def endpoint(host: str, port: int) -> Endpoint:
    return Endpoint(host=host, port=port, service="ssh", scheme="ssh")


def scan(server_or_port: SshServer | int, options: NetOptions = FAST) -> ScanResult:
    port = server_or_port if isinstance(server_or_port, int) else server_or_port.port
    return asyncio.run(scan_endpoints([endpoint("127.0.0.1", port)], probe_ssh, options))[0]


def ssh_keygen_fingerprint(pub: Path) -> str:
    """``ssh-keygen -l -E sha256`` of a public key file: the SHA256:... field."""
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(pub)], capture_output=True, text=True,
                         check=True, timeout=30)
    return out.stdout.split()[1]


def have_ssh_keygen() -> bool:
    return shutil.which("ssh-keygen") is not None


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def tcp_server(handler: Handler) -> AsyncIterator[int]:
    """A real asyncio TCP server on a free loopback port; yields the port."""

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(guarded, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.close()
        await server.wait_closed()



async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    """Copy one direction of a proxied TCP connection until EOF (test proxies in front of sshd)."""
    try:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
    except ConnectionError:
        pass
    finally:
        dst.close()

def pre_banner_proxy(upstream_port: int, lines: list[bytes]) -> Handler:
    """Sends ``lines`` first, then relays both ways to a real sshd (RFC 4253 §4.2 pre-banner lines)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        writer.write(b"".join(lines))
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    return handler


async def scan_async(port: int, options: NetOptions = FAST) -> ScanResult:
    return (await scan_endpoints([endpoint("127.0.0.1", port)], probe_ssh, options))[0]


# -- a paramiko SSH server (a second, independent SSH implementation with ML-KEM hybrid KEX) ----------


class _NoAuth:
    """paramiko ServerInterface that accepts nothing: scanners never authenticate."""

    def __new__(cls):  # build lazily so importing this module does not need paramiko
        import paramiko

        class _Server(paramiko.ServerInterface):
            def get_allowed_auths(self, username: str) -> str:
                return "publickey"

        return _Server()


@contextmanager
def _loopback_server(handle: Callable[[Any], None]) -> Iterator[int]:
    """A thread accepting on a loopback port and handing each connection to ``handle``; yields the port."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            handle(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@contextmanager
def paramiko_server(kex: tuple[str, ...], host_keys: list) -> Iterator[int]:
    """paramiko in server mode on a loopback port, offering only ``kex``; yields the port."""
    import paramiko

    transports: list[paramiko.Transport] = []

    def handle(conn: Any) -> None:
        t = paramiko.Transport(conn)
        t.get_security_options().kex = kex
        for key in host_keys:
            t.add_server_key(key)
        transports.append(t)
        try:
            t.start_server(server=_NoAuth())
        except (paramiko.SSHException, EOFError, OSError):
            pass

    try:
        with _loopback_server(handle) as port:
            yield port
    finally:
        for t in transports:
            t.close()


@contextmanager
def canned_ssh_server(payload: bytes) -> Iterator[int]:
    """A loopback port whose server sends ``payload`` (identification, KEXINIT ...) to every client, reads
    the client's first packet and hangs up; yields the port."""

    def handle(conn: Any) -> None:
        with conn:
            conn.sendall(payload)
            conn.settimeout(1.0)
            try:
                conn.recv(65536)  # the client's KEXINIT; then we hang up
            except OSError:
                pass

    with _loopback_server(handle) as port:
        yield port
