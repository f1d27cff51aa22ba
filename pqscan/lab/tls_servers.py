"""Real TLS servers on loopback for tests, benchmarks and ``pqscan demo``.

Each server is pyOpenSSL on the OpenSSL bundled with ``cryptography`` (so it speaks the ML-KEM
hybrids), listening on 127.0.0.1 on an ephemeral port, serving each connection in a thread::

    with TlsServer(LAB_CONFIGS["pq-only"], workdir) as server:
        scan(Endpoint("127.0.0.1", server.port))

pyOpenSSL has no public call to choose groups; ``SSL_CTX_set1_curves_list`` on the context does
it (shared/reference/network-probing.md, "Facts verified"). Shutdown is reliable: ``stop()``
closes the listener, wakes the accept loop and joins every thread with a bound.
"""

from __future__ import annotations

import base64
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from OpenSSL import SSL
from OpenSSL._util import lib as _lib

from pqscan.lab import pki

HTTP_RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
PQ_GROUPS = ("X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024", "MLKEM768", "MLKEM1024")
CLASSICAL_GROUPS = ("X25519", "secp256r1", "secp384r1", "ffdhe2048")


@dataclass(frozen=True)
class ServerConfig:
    """What a lab server offers. ``chain`` names a PKI from :data:`CHAINS`."""

    name: str
    groups: tuple[str, ...]  # OpenSSL group names, server preference order
    chain: str = "ecdsa"
    min_version: int = SSL.TLS1_2_VERSION
    max_version: int = SSL.TLS1_3_VERSION
    tls12_ciphers: str | None = None  # OpenSSL cipher string for TLS <= 1.2
    server_preference: bool = True
    # OpenSSL >= 3.5 group tuples ("A/B"): a group in an earlier tuple wins even when the client
    # sent a key share only for a later one, so the server answers with a HelloRetryRequest.
    tuples: bool = False
    starttls: str | None = None  # "smtp": speak plaintext SMTP until STARTTLS, then TLS on the same socket
    dh_params: str | None = None  # a key of DH_PARAMS: the server's own DHE group (TLS <= 1.2)

    @property
    def tls13(self) -> bool:
        return self.max_version >= SSL.TLS1_3_VERSION

    @property
    def tls12(self) -> bool:
        return self.min_version <= SSL.TLS1_2_VERSION


# PKIs a lab server can present, built on first use (fixed dates, fresh keys).
CHAINS: dict[str, Callable[[], tuple[pki.Issued, ...]]] = {
    "ecdsa": lambda: (pki.ecdsa_cert(),),
    "rsa-chain": pki.rsa_chain_leaf_first,
    "mldsa": lambda: (pki.mldsa65_cert(sans=("mldsa65.example",)),),
    "markup": lambda: (pki.markup_cert(),),
}

# RFC 2409 §6.2, the Second Oakley Group: a 1024-bit MODP prime, generator 2 (weak on purpose).
OAKLEY_GROUP_2_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)
DH_PARAMS: dict[str, tuple[int, int]] = {"rfc2409-1024": (OAKLEY_GROUP_2_P, 2)}


def dh_params_pem(name: str) -> bytes:
    """PKCS#3 DHParameter PEM (SEQUENCE { INTEGER p, INTEGER g }) encoded by hand: cryptography's FFDH
    API is deprecated, and these are fixed public numbers."""
    p, g = DH_PARAMS[name]

    def der_len(n: int) -> bytes:
        return bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")

    def der_int(v: int) -> bytes:
        body = v.to_bytes(v.bit_length() // 8 + 1, "big")  # a leading zero keeps it positive
        return b"\x02" + der_len(len(body)) + body

    seq = der_int(p) + der_int(g)
    der = b"\x30" + der_len(len(seq)) + seq
    b64 = base64.encodebytes(der).decode().replace("\n", "")
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN DH PARAMETERS-----\n" + "\n".join(lines) + "\n-----END DH PARAMETERS-----\n").encode()


# What an old TLS 1.2 server offers: a modern suite first, then DHE on a 1024-bit group, RSA key
# transport and a NULL cipher (OpenSSL 4 has no 3DES or RC4 left to offer; see tests for those).
LEGACY_SUITES_CIPHERS = "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:AES128-SHA:NULL-SHA:@SECLEVEL=0"

TLS12_WITH_RSA_KX = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA"

LAB_CONFIGS: dict[str, ServerConfig] = {
    c.name: c
    for c in (
        ServerConfig("pq-only", ("X25519MLKEM768",), min_version=SSL.TLS1_3_VERSION),
        ServerConfig("hybrid-and-classical", PQ_GROUPS + CLASSICAL_GROUPS),
        ServerConfig("classical-only", CLASSICAL_GROUPS),
        ServerConfig("pq-forced", ("X25519MLKEM768", "X25519"), min_version=SSL.TLS1_3_VERSION, tuples=True),
        ServerConfig("tls12-only", ("X25519", "secp256r1"), chain="rsa-chain", max_version=SSL.TLS1_2_VERSION,
                     tls12_ciphers=TLS12_WITH_RSA_KX),
        ServerConfig("mldsa-cert", ("X25519MLKEM768", "X25519"), chain="mldsa", min_version=SSL.TLS1_3_VERSION),
        ServerConfig("rsa-chain", ("X25519MLKEM768", "X25519", "secp256r1"), chain="rsa-chain"),
        ServerConfig("markup-cert", ("X25519",), chain="markup"),
        ServerConfig("legacy-tls10", ("X25519", "secp256r1"), chain="rsa-chain", min_version=SSL.TLS1_VERSION,
                     max_version=SSL.TLS1_2_VERSION, tls12_ciphers="DEFAULT:@SECLEVEL=0"),
        ServerConfig("legacy-suites", ("X25519", "secp256r1"), chain="rsa-chain", max_version=SSL.TLS1_2_VERSION,
                     tls12_ciphers=LEGACY_SUITES_CIPHERS, dh_params="rfc2409-1024"),
        # ML-KEM-512 alone: cryptography cannot make that share; OpenSSL (the full handshake) can.
        ServerConfig("mlkem512-only", ("MLKEM512",), min_version=SSL.TLS1_3_VERSION),
        # A hybrid preferred over P-384, no X25519; TLS 1.2 with P-384 alone.
        ServerConfig("hybrid-and-p384", ("X25519MLKEM768", "secp384r1")),
    )
}


@dataclass
class TlsServer:
    """A pyOpenSSL server in threads on 127.0.0.1. Use as a context manager or call start()/stop()."""

    config: ServerConfig
    workdir: Path
    host: str = "127.0.0.1"
    port: int = 0
    bundle: pki.PemBundle | None = None
    handshakes: int = 0
    accepted: int = 0  # TCP connections accepted (benchmarks count connections per endpoint)
    _sock: socket.socket | None = field(default=None, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _context(self) -> SSL.Context:
        if self.bundle is None:
            self.bundle = pki.write_bundle(self.workdir, f"{self.config.chain}", CHAINS[self.config.chain]())
        ctx = SSL.Context(SSL.TLS_METHOD)
        ctx.set_min_proto_version(self.config.min_version)
        ctx.set_max_proto_version(self.config.max_version)
        ctx.use_certificate_chain_file(str(self.bundle.chain_path))
        ctx.use_privatekey_file(str(self.bundle.key_path))
        ctx.check_privatekey()
        groups = ("/" if self.config.tuples else ":").join(self.config.groups).encode()
        if _lib.SSL_CTX_set1_curves_list(ctx._context, groups) != 1:  # noqa: SLF001 - no public API
            raise ValueError(f"OpenSSL rejected the group list {groups!r}")
        if self.config.tls12_ciphers:
            ctx.set_cipher_list(self.config.tls12_ciphers.encode())
        if self.config.dh_params:
            self.workdir.mkdir(parents=True, exist_ok=True)
            dh_path = self.workdir / f"dh-{self.config.dh_params}.pem"
            dh_path.write_bytes(dh_params_pem(self.config.dh_params))
            ctx.load_tmp_dh(str(dh_path).encode())
        if self.config.server_preference:
            ctx.set_options(SSL.OP_CIPHER_SERVER_PREFERENCE)
        return ctx

    def start(self) -> TlsServer:
        ctx = self._context()
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(256)
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        t = threading.Thread(target=self._accept_loop, args=(ctx,), name=f"tls-lab-{self.config.name}", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def _accept_loop(self, ctx: SSL.Context) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed by stop()
            t = threading.Thread(target=self._serve, args=(ctx, client), daemon=True)
            with self._lock:
                self.accepted += 1
                self._threads = [x for x in self._threads if x.is_alive()]
                self._threads.append(t)
            t.start()

    def _serve(self, ctx: SSL.Context, client: socket.socket) -> None:
        # Blocking fd with kernel timeouts: a Python-level timeout makes the fd non-blocking, and
        # OpenSSL would then fail the handshake with WANT_READ whenever the hello is not there yet.
        client.setblocking(True)
        timeout = struct.pack("ll", 5, 0)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)
        try:
            if self.config.starttls == "smtp" and not _smtp_until_starttls(client):
                client.close()
                return
        except OSError:
            client.close()
            return
        conn = SSL.Connection(ctx, client)
        conn.set_accept_state()
        try:
            conn.do_handshake()
            with self._lock:
                self.handshakes += 1
            try:
                conn.recv(4096)
            except (SSL.Error, OSError):
                pass
            conn.sendall(HTTP_RESPONSE)
            conn.shutdown()
        except (SSL.Error, OSError):
            pass  # probes hang up after the ServerHello by design
        finally:
            client.close()

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(timeout=6.0)

    def __enter__(self) -> TlsServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


# A lab SMTP server (RFC 3207) whose TLS is pyOpenSSL, so STARTTLS endpoints can offer ML-KEM too.
SMTP_STARTTLS_CONFIG = ServerConfig("smtp-starttls", PQ_GROUPS[:1] + CLASSICAL_GROUPS[:2], starttls="smtp")


def _smtp_until_starttls(client: socket.socket) -> bool:
    """Plaintext SMTP up to a successful STARTTLS; bounded to 16 commands of at most 1 KiB."""
    client.sendall(b"220 pqscan-lab ESMTP\r\n")
    buf = b""
    for _ in range(16):
        while b"\n" not in buf:
            chunk = client.recv(1024)
            if not chunk or len(buf) > 1024:
                return False
            buf += chunk
        line, _, buf = buf.partition(b"\n")
        verb = line.strip().upper()
        if verb.startswith((b"EHLO", b"HELO")):
            client.sendall(b"250-pqscan-lab\r\n250 STARTTLS\r\n")
        elif verb == b"STARTTLS":
            client.sendall(b"220 ready to start TLS\r\n")
            return True
        elif verb == b"QUIT":
            client.sendall(b"221 bye\r\n")
            return False
        else:
            client.sendall(b"530 must issue STARTTLS first\r\n")
    return False


def serve_forever(names: list[str], workdir: Path) -> None:
    """Start the named lab servers, print ``name port`` lines, serve until stdin closes (for benchmarks)."""
    import sys

    servers = [TlsServer(LAB_CONFIGS[n], workdir / f"{i}-{n}").start() for i, n in enumerate(names)]
    try:
        for s in servers:
            print(s.config.name, s.port, flush=True)
        print("ready", flush=True)
        sys.stdin.read()
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":  # python -m pqscan.lab.tls_servers NAME... (servers until stdin closes)
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pqscan-tls-lab-") as tmp:
        serve_forever(sys.argv[1:], Path(tmp))
