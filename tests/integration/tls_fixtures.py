"""Fixtures for the TLS collector tests: lab servers, nginx, a STARTTLS SMTP server, hostile servers.

Import the fixtures into a test module (``from tls_fixtures import fixture_tls_lab, ...``); each
registers under the name without the ``fixture_`` prefix. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from pqscan.collect.net.netscan import NetOptions, scan_endpoints
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.lab import pki
from pqscan.lab.tls_servers import LAB_CONFIGS, TlsServer, dh_params_pem
from pqscan.model import ScanResult

# Short timeouts: hostile cases must end quickly; loopback peers answer in milliseconds.
FAST = NetOptions(connect_timeout=1.0, read_timeout=0.5, endpoint_timeout=5.0, concurrency=64, per_host=8)
# The JSSE lab server answers every probe (no silent path), so its timeouts are never waited out; they
# only bound a JVM that compiles its TLS code paths on first use and shares two busy cores with the
# rest of the suite (0.5 s per read was not enough for the first elimination steps under load).
JVM = NetOptions(connect_timeout=5.0, read_timeout=5.0, concurrency=64, per_host=8)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def endpoint(port: int, *, starttls: str | None = None, host: str = "127.0.0.1") -> Endpoint:
    return Endpoint(host=host, port=port, starttls=starttls)


def scan(port: int, options: NetOptions = FAST, **kw: str | None) -> ScanResult:
    return asyncio.run(scan_endpoints([endpoint(port, **kw)], scan_tls_endpoint, options))[0]


@pytest.fixture(scope="session", name="tls_lab_dir")
def fixture_tls_lab_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pqscan-tls-tests-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session", name="tls_lab")
def fixture_tls_lab(tls_lab_dir: Path) -> Iterator[dict[str, TlsServer]]:
    """Every lab server configuration, running for the whole session."""
    servers = {name: TlsServer(cfg, tls_lab_dir / name).start() for name, cfg in LAB_CONFIGS.items()}
    try:
        yield servers
    finally:
        for s in servers.values():
            s.stop()


@pytest.fixture(scope="session", name="lab_results")
def fixture_lab_results(tls_lab: dict[str, TlsServer]) -> dict[str, ScanResult]:
    """One scan of the whole lab fleet (together, as a real scan runs), results by server name."""
    names = list(tls_lab)
    results = asyncio.run(scan_endpoints([endpoint(tls_lab[n].port) for n in names], scan_tls_endpoint, FAST))
    by_key = {r.target: r for r in results}
    return {n: by_key[endpoint(tls_lab[n].port).key] for n in names}


# -- nginx --------------------------------------------------------------------------------------

NGINX_CURVES = "X25519:prime256v1:secp384r1"  # nginx `ssl_ecdh_curve`; OpenSSL 3.0 names


# The second nginx server block: what the reviewer's old server offered, on Debian's OpenSSL 3.0
# (which has no 3DES/RC4 to offer): ECDHE preferred, DHE on a 1024-bit group, RSA key transport.
NGINX_LEGACY_CIPHERS = "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA:AES128-SHA:@SECLEVEL=0"


@dataclass(frozen=True)
class Nginx:
    port: int
    bundle: pki.PemBundle
    prefix: Path
    legacy_port: int = 0  # TLS 1.2 only, NGINX_LEGACY_CIPHERS, ssl_dhparam 1024-bit


@pytest.fixture(scope="session", name="nginx")
def fixture_nginx(tls_lab_dir: Path) -> Iterator[Nginx]:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.skip("Debian nginx (/usr/sbin/nginx) is not installed")
    prefix = tls_lab_dir / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    bundle = pki.write_bundle(prefix, "rsa", pki.rsa_chain_leaf_first()[:2])
    port = free_port()
    legacy_port = free_port()
    dh_path = prefix / "dh1024.pem"
    dh_path.write_bytes(dh_params_pem("rfc2409-1024"))
    conf = prefix / "nginx.conf"
    temp = " ".join(f"{k}_temp_path {prefix}/tmp/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf.write_text(
        f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
daemon off;
events {{ worker_connections 512; }}
http {{
  access_log off;
  {temp}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {bundle.chain_path};
    ssl_certificate_key {bundle.key_path};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve {NGINX_CURVES};
    location / {{ return 200 "ok"; }}
  }}
  server {{
    listen 127.0.0.1:{legacy_port} ssl;
    ssl_certificate {bundle.chain_path};
    ssl_certificate_key {bundle.key_path};
    ssl_protocols TLSv1.2;
    ssl_ciphers {NGINX_LEGACY_CIPHERS};
    ssl_prefer_server_ciphers on;
    ssl_dhparam {dh_path};
    location / {{ return 200 "ok"; }}
  }}
}}
"""
    )
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.skip(f"nginx did not start: {proc.stderr.read().decode(errors='replace')[:300] if proc.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("nginx did not listen within 10 s")
        yield Nginx(port, bundle, prefix, legacy_port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# -- OpenJDK JSSE: the only TLS stack on this machine that still serves 3DES and RC4 ----------------

JAVA_SERVER_SOURCE = Path(__file__).parent / "tls_java" / "LegacyTlsServer.java"
# Server preference order: ECDHE first, then DHE (1024-bit group), 3DES and RC4 with RSA key transport.
JAVA_SUITES = ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
               "SSL_RSA_WITH_3DES_EDE_CBC_SHA", "SSL_RSA_WITH_RC4_128_SHA")
JAVA_PROTOCOLS = ("TLSv1", "TLSv1.2")


@dataclass(frozen=True)
class JavaServer:
    port: int
    bundle: pki.PemBundle


@pytest.fixture(scope="session", name="java_legacy_tls")
def fixture_java_legacy_tls(tls_lab_dir: Path) -> Iterator[JavaServer]:
    """OpenJDK 17's JSSE with 3DES, RC4, DHE-1024 and TLS 1.0 re-enabled (java.security overridden in-process)."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("OpenJDK (java) is not installed: no TLS server here can offer 3DES/RC4")
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    directory = tls_lab_dir / "java"
    bundle = pki.write_bundle(directory, "rsa", pki.rsa_chain_leaf_first()[:2])
    leaf, inter = bundle.chain
    store = directory / "server.p12"
    store.write_bytes(pkcs12.serialize_key_and_certificates(b"lab", leaf.key, leaf.cert, [inter.cert],
                                                            BestAvailableEncryption(b"changeit")))
    proc = subprocess.Popen(
        [java, "-Djdk.tls.ephemeralDHKeySize=1024", "-Xshare:auto", str(JAVA_SERVER_SOURCE), str(store), "changeit",
         ",".join(JAVA_PROTOCOLS), ",".join(JAVA_SUITES)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)  # the JVM compiles the source first: ~1-2 s
        line = proc.stdout.readline() if ready else ""
        if not line.startswith("port "):
            err = proc.stderr.read()[:400] if proc.stderr else ""
            pytest.skip(f"the JSSE lab server did not start: {line!r} {err}")
        port = int(line.split()[1])
        _first_handshake(port)
        yield JavaServer(port, bundle)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _first_handshake(port: int) -> None:
    """Ready means answering: one complete TLS 1.2 handshake (the JVM loads and compiles its TLS
    stack on the first connection), awaited with a bound, before any test measures the server."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock, ctx.wrap_socket(sock) as tls:
        assert tls.version() == "TLSv1.2"


# -- STARTTLS SMTP (aiosmtpd; its TLS is Python's ssl module on the system OpenSSL 3.0) ---------


@dataclass(frozen=True)
class SmtpServer:
    port: int
    bundle: pki.PemBundle


@pytest.fixture(scope="session", name="smtp_starttls")
def fixture_smtp_starttls(tls_lab_dir: Path) -> Iterator[SmtpServer]:
    aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # it logs every probe's failed handshake
    bundle = pki.write_bundle(tls_lab_dir / "smtp", "smtp", (pki.ecdsa_cert(),))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(bundle.chain_path), str(bundle.key_path))

    class Sink:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
            return "250 OK"

    port = free_port()
    controller = aiosmtpd_controller.Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=ctx,
                                                require_starttls=True, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer(port, bundle)
    finally:
        controller.stop()


# -- hostile servers: real asyncio TCP servers with a misbehaving handler ------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def tcp_server(handler: Handler) -> AsyncIterator[int]:
    """A loopback TCP server running ``handler`` per connection, in the current event loop."""
    tasks: set[asyncio.Task[None]] = set()

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
        try:
            await handler(reader, writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.close()
        for t in list(tasks):
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@asynccontextmanager
async def never_answering_server() -> AsyncIterator[int]:
    """Accepts, reads, never writes."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(60)

    async with tcp_server(hold) as port:
        yield port
