"""A full TLS handshake with pyOpenSSL: negotiated protocol, cipher, group and the chain as sent.

pyOpenSSL runs on the OpenSSL bundled with ``cryptography`` (4.x), so it negotiates the ML-KEM
hybrids and accepts ML-DSA certificates. It is driven through *memory BIOs* from asyncio rather
than on a blocking socket in a thread: the TCP connection, STARTTLS and every read stay under
:mod:`pqscan.collect.net.netscan`'s limits and deadlines, and a silent peer costs no thread. Certificates are
not verified: pqscan observes what a server presents, it does not judge trust.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from cryptography import x509
from OpenSSL import SSL
from OpenSSL._util import lib as _lib

from pqscan.collect.net.netscan import Connection, NetError
from pqscan.model import ErrorKind

# Offered in this order: what a modern client offers, then everything else OpenSSL can do.
CLIENT_GROUPS = (
    "X25519MLKEM768:X25519:secp256r1:secp384r1:secp521r1:X448:SecP256r1MLKEM768:SecP384r1MLKEM1024:"
    "MLKEM768:MLKEM1024:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"
)
MAX_HANDSHAKE_BYTES = 512 * 1024


class HandshakeError(Exception):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class HandshakeInfo:
    protocol: str  # "TLSv1.3"
    cipher: str  # OpenSSL name, e.g. "TLS_AES_256_GCM_SHA384"
    cipher_bits: int | None
    group: str | None  # OpenSSL group name, e.g. "X25519MLKEM768"
    chain: tuple[x509.Certificate, ...] = field(default=())


def _context() -> SSL.Context:
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_verify(SSL.VERIFY_NONE)
    ctx.set_min_proto_version(SSL.TLS1_VERSION)
    # Observe old servers too: security level 0 lets the handshake complete with weak parameters.
    ctx.set_cipher_list(b"ALL:@SECLEVEL=0")
    if _lib.SSL_CTX_set1_curves_list(ctx._context, CLIENT_GROUPS.encode()) != 1:  # noqa: SLF001 - no public API
        raise HandshakeError(ErrorKind.INTERNAL, "this OpenSSL does not accept the client group list")
    return ctx


def _drain(tls: SSL.Connection) -> bytes:
    out = b""
    while True:
        try:
            chunk = tls.bio_read(65536)
        except SSL.WantReadError:
            return out
        if not chunk:
            return out
        out += chunk


async def full_handshake(conn: Connection, sni: str | None, timeout: float) -> HandshakeInfo:
    """Run a client handshake over ``conn`` within ``timeout`` seconds; raise HandshakeError/NetError."""
    tls = SSL.Connection(_context(), None)
    tls.set_connect_state()
    if sni:
        tls.set_tlsext_host_name(sni.encode("ascii"))
    received = 0

    async def drive() -> None:
        nonlocal received
        while True:
            try:
                tls.do_handshake()
                pending = _drain(tls)
                if pending:
                    await conn.send(pending)
                return
            except SSL.WantReadError:
                pass
            except SSL.Error as exc:
                raise HandshakeError(ErrorKind.PROTOCOL_VIOLATION, f"handshake failed: {_ssl_reason(exc)}") from None
            pending = _drain(tls)
            if pending:
                await conn.send(pending)
            data = await conn.read_some(65536, "TLS handshake")
            if not data:
                raise NetError(ErrorKind.RESET, "connection closed during the handshake")
            received += len(data)
            if received > MAX_HANDSHAKE_BYTES:
                raise HandshakeError(ErrorKind.TOO_LARGE, f"handshake larger than {MAX_HANDSHAKE_BYTES} bytes")
            tls.bio_write(data)

    try:
        await asyncio.wait_for(drive(), timeout)
    except TimeoutError:
        raise HandshakeError(ErrorKind.TIMEOUT, f"handshake not finished within {timeout:g}s") from None
    chain = tls.get_peer_cert_chain(as_cryptography=True) or []
    return HandshakeInfo(
        protocol=str(tls.get_protocol_version_name()),
        cipher=str(tls.get_cipher_name()),
        cipher_bits=tls.get_cipher_bits(),
        group=tls.get_group_name(),
        chain=tuple(chain),
    )


def _ssl_reason(exc: SSL.Error) -> str:
    parts = []
    for item in exc.args[0] if exc.args and isinstance(exc.args[0], list) else []:
        if isinstance(item, tuple) and item:
            parts.append(str(item[-1]))
    return "; ".join(parts) or str(exc) or type(exc).__name__
