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
from functools import cache
from typing import TYPE_CHECKING

from pqscan.collect.net.netscan import Connection, KindError, NetError
from pqscan.model import ErrorKind

if TYPE_CHECKING:
    from cryptography import x509
    from OpenSSL import SSL

# pyOpenSSL (and cryptography's x509 it loads) is imported where first used: ``pqscan tls`` starts its
# connections without waiting for it (pqscan.collect.tls.collector preloads it beside them).

# Offered in this order: what a modern client offers, then every other group of the catalogue the
# bundled OpenSSL can make a share for (MLKEM512 and curveSM2MLKEM768 included: OpenSSL generates
# those shares itself, where cryptography has no ML-KEM-512). A server that supports none of the
# first ones answers with a HelloRetryRequest and OpenSSL sends the share it asks for. Shares go out
# for the first two (OpenSSL's "*" marks them), so a server with X25519 but no hybrid answers at once.
FIRST_GROUPS = ("X25519MLKEM768", "X25519", "secp256r1", "secp384r1")
KEY_SHARES = ("X25519MLKEM768", "X25519")
MAX_HANDSHAKE_BYTES = 512 * 1024
# tldr.fail check: the ClientHello goes out in two TCP segments, SPLIT_AT bytes then the rest, far enough
# apart that the server reads the first alone (TCP_NODELAY is set: each send is a segment of its own).
SPLIT_AT = 64
SPLIT_PAUSE = 0.01


@cache
def client_groups(only: str | None = None) -> str:
    """The OpenSSL group list: ``only`` that group, or every catalogue group OpenSSL knows, modern first
    (``*``: a key share goes out for it)."""
    if only is not None:
        return only
    from OpenSSL import SSL
    from OpenSSL._util import lib

    from pqscan.collect.tls.groups import GROUPS

    names = list(FIRST_GROUPS) + [g.openssl_name for g in GROUPS if g.openssl_name and g.openssl_name not in FIRST_GROUPS]
    probe = SSL.Context(SSL.TLS_METHOD)  # one context: each call replaces the list it holds
    accepted = [n for n in names if lib.SSL_CTX_set1_curves_list(probe._context, n.encode()) == 1]  # noqa: SLF001
    return ":".join(("*" if n in KEY_SHARES else "") + n for n in accepted)


class HandshakeError(KindError):
    """The full handshake failed (OpenSSL's reason), took too long or grew too large."""


@dataclass(frozen=True)
class HandshakeInfo:
    protocol: str  # "TLSv1.3"
    cipher: str  # OpenSSL name, e.g. "TLS_AES_256_GCM_SHA384"
    cipher_bits: int | None
    group: str | None  # OpenSSL group name, e.g. "X25519MLKEM768"
    chain: tuple[x509.Certificate, ...] = field(default=())
    hello_retry: bool = False  # the server asked for another share first (HelloRetryRequest)
    client_hello_len: int = 0
    split: bool = False  # the ClientHello went out in two TCP segments (tldr.fail check)


@cache
def _context(groups: str) -> SSL.Context:
    """One client context per group list, shared by every handshake offering it (no session is cached
    on the client side, so nothing is resumed from one endpoint to another)."""
    from OpenSSL import SSL
    from OpenSSL._util import lib

    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_verify(SSL.VERIFY_NONE)
    ctx.set_min_proto_version(SSL.TLS1_VERSION)
    # Observe old servers too: security level 0 lets the handshake complete with weak parameters.
    ctx.set_cipher_list(b"ALL:@SECLEVEL=0")
    if lib.SSL_CTX_set1_curves_list(ctx._context, groups.encode()) != 1:  # noqa: SLF001 - no public API
        raise HandshakeError(ErrorKind.INTERNAL, "this OpenSSL does not accept the client group list")
    return ctx


def _drain(tls: SSL.Connection) -> bytes:
    from OpenSSL import SSL

    out = b""
    while True:
        try:
            chunk = tls.bio_read(65536)
        except SSL.WantReadError:
            return out
        if not chunk:
            return out
        out += chunk


async def full_handshake(conn: Connection, sni: str | None, timeout: float, *, only_group: str | None = None,
                         split: bool = False) -> HandshakeInfo:
    """Run a client handshake over ``conn`` within ``timeout`` seconds; raise HandshakeError/NetError.

    ``only_group`` offers that one OpenSSL group (a key-share confirmation OpenSSL computes itself);
    ``split`` sends the ClientHello in two TCP segments."""
    from OpenSSL import SSL

    tls = SSL.Connection(_context(client_groups(only_group)), None)
    tls.set_connect_state()
    if sni:
        tls.set_tlsext_host_name(sni.encode("ascii"))
    received = 0
    flights = 0
    hello_len = 0

    async def send(pending: bytes) -> None:
        nonlocal flights, hello_len
        flights += 1
        if flights == 1:
            hello_len = len(pending)
            if split and len(pending) > SPLIT_AT:
                await conn.send(pending[:SPLIT_AT])
                await asyncio.sleep(SPLIT_PAUSE)
                pending = pending[SPLIT_AT:]
        await conn.send(pending)

    async def drive() -> None:
        nonlocal received
        while True:
            try:
                tls.do_handshake()
                pending = _drain(tls)
                if pending:
                    await send(pending)
                return
            except SSL.WantReadError:
                pass
            except SSL.Error as exc:
                raise HandshakeError(ErrorKind.PROTOCOL_VIOLATION, f"handshake failed: {_ssl_reason(exc)}") from None
            pending = _drain(tls)
            if pending:
                await send(pending)
            data = await conn.read_some(65536, "TLS handshake")
            if not data:
                raise NetError(ErrorKind.RESET, "connection closed during the handshake")
            received += len(data)
            if received > MAX_HANDSHAKE_BYTES:
                raise HandshakeError(ErrorKind.TOO_LARGE, f"handshake larger than {MAX_HANDSHAKE_BYTES} bytes")
            tls.bio_write(data)

    try:
        async with asyncio.timeout(timeout):
            await drive()
    except TimeoutError:
        raise HandshakeError(ErrorKind.TIMEOUT, f"handshake not finished within {timeout:g}s") from None
    chain = tls.get_peer_cert_chain(as_cryptography=True) or []
    return HandshakeInfo(
        protocol=str(tls.get_protocol_version_name()),
        cipher=str(tls.get_cipher_name()),
        cipher_bits=tls.get_cipher_bits(),
        group=tls.get_group_name(),
        chain=tuple(chain),
        hello_retry=flights > 2,  # hello, (second hello after a HRR), Finished
        client_hello_len=hello_len,
        split=split,
    )


def _ssl_reason(exc: SSL.Error) -> str:
    parts = []
    for item in exc.args[0] if exc.args and isinstance(exc.args[0], list) else []:
        if isinstance(item, tuple) and item:
            parts.append(str(item[-1]))
    return "; ".join(parts) or str(exc) or type(exc).__name__
