"""STARTTLS: bring a plaintext connection to the point where the TLS ClientHello goes.

Protocols: SMTP (RFC 3207), IMAP (RFC 2595/9051), POP3 (RFC 2595 ``STLS``), FTP (RFC 4217
``AUTH TLS``), LDAP (RFC 4511 §4.14 StartTLS extended operation), PostgreSQL (SSLRequest,
protocol docs §55.2.10), XMPP (RFC 6120 §5). Every read is bounded in bytes and time by
:class:`pqscan.collect.net.netscan.Connection`; a server that says no or says nonsense raises
:class:`StarttlsError` with the reply shown safely.
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from pqscan.collect.net.netscan import Connection, KindError, NetError, NetOptions, connect
from pqscan.collect.net.targets import Endpoint
from pqscan.model import ErrorKind

MAX_LINE = 4096
MAX_LINES = 64  # multi-line replies (EHLO capabilities) longer than this are refused
MAX_XMPP_FEATURES = 64 * 1024
CLIENT_NAME = "pqscan.invalid"  # RFC 2606 reserved name, used in EHLO / stream headers


class StarttlsError(KindError):
    """The server refused STARTTLS or answered something else."""


def _show(data: bytes) -> str:
    text = data[:120].decode("ascii", "replace").strip()
    return "".join(ch if ch.isprintable() else "?" for ch in text)


async def _line(conn: Connection) -> bytes:
    return await conn.read_line(MAX_LINE, "STARTTLS reply line")


async def _smtp_reply(conn: Connection) -> tuple[int, bytes]:
    """A (possibly multi-line) SMTP/FTP reply: ``250-...`` lines then ``250 ...``."""
    lines = b""
    for _ in range(MAX_LINES):
        line = await _line(conn)
        lines += line
        if len(line) < 4 or not line[:3].isdigit():
            raise StarttlsError(ErrorKind.PROTOCOL_VIOLATION, f"not an SMTP/FTP reply: {_show(line)!r}")
        if line[3:4] != b"-":
            return int(line[:3]), lines
    raise StarttlsError(ErrorKind.TOO_LARGE, f"reply longer than {MAX_LINES} lines")


async def _expect_code(conn: Connection, code: int, what: str) -> None:
    got, text = await _smtp_reply(conn)
    if got != code:
        raise StarttlsError(ErrorKind.UNSUPPORTED, f"{what}: server answered {_show(text)!r}")


async def smtp(conn: Connection, host: str) -> None:
    await _expect_code(conn, 220, "SMTP greeting")
    await conn.send(f"EHLO {CLIENT_NAME}\r\n".encode())
    code, caps = await _smtp_reply(conn)
    if code != 250:
        raise StarttlsError(ErrorKind.UNSUPPORTED, f"EHLO refused: {_show(caps)!r}")
    if b"STARTTLS" not in caps.upper():
        raise StarttlsError(ErrorKind.UNSUPPORTED, "SMTP server does not offer STARTTLS")
    await conn.send(b"STARTTLS\r\n")
    await _expect_code(conn, 220, "STARTTLS")


async def ftp(conn: Connection, host: str) -> None:
    await _expect_code(conn, 220, "FTP greeting")
    await conn.send(b"AUTH TLS\r\n")
    await _expect_code(conn, 234, "AUTH TLS")


async def imap(conn: Connection, host: str) -> None:
    greeting = await _line(conn)
    if not greeting.startswith(b"* OK"):
        raise StarttlsError(ErrorKind.PROTOCOL_VIOLATION, f"not an IMAP greeting: {_show(greeting)!r}")
    await conn.send(b"pq1 STARTTLS\r\n")
    for _ in range(MAX_LINES):
        line = await _line(conn)
        if line.startswith(b"pq1 "):
            if line[4:6].upper() == b"OK":
                return
            raise StarttlsError(ErrorKind.UNSUPPORTED, f"IMAP STARTTLS refused: {_show(line)!r}")
    raise StarttlsError(ErrorKind.TOO_LARGE, "no tagged IMAP reply")


async def pop3(conn: Connection, host: str) -> None:
    greeting = await _line(conn)
    if not greeting.startswith(b"+OK"):
        raise StarttlsError(ErrorKind.PROTOCOL_VIOLATION, f"not a POP3 greeting: {_show(greeting)!r}")
    await conn.send(b"STLS\r\n")
    reply = await _line(conn)
    if not reply.startswith(b"+OK"):
        raise StarttlsError(ErrorKind.UNSUPPORTED, f"POP3 STLS refused: {_show(reply)!r}")


# RFC 4511 §4.14.1: ExtendedRequest { requestName 1.3.6.1.4.1.1466.20037 }, messageID 1.
_LDAP_OID = b"1.3.6.1.4.1.1466.20037"
LDAP_STARTTLS = b"\x30" + bytes([len(_LDAP_OID) + 7]) + b"\x02\x01\x01\x77" + bytes([len(_LDAP_OID) + 2]) + b"\x80" + bytes([len(_LDAP_OID)]) + _LDAP_OID


async def ldap(conn: Connection, host: str) -> None:
    await conn.send(LDAP_STARTTLS)
    head = await conn.read_exact(2, "LDAP response")
    if head[0] != 0x30:
        raise StarttlsError(ErrorKind.PROTOCOL_VIOLATION, f"not an LDAP message: {head.hex()}")
    length = head[1]
    if length & 0x80:
        n = length & 0x7F
        if not 0 < n <= 2:
            raise StarttlsError(ErrorKind.PROTOCOL_VIOLATION, "LDAP length field out of range")
        length = int.from_bytes(await conn.read_exact(n, "LDAP length"), "big")
    if length > 8192:
        raise StarttlsError(ErrorKind.TOO_LARGE, f"LDAP response of {length} bytes")
    body = await conn.read_exact(length, "LDAP response")
    # messageID INTEGER, then [APPLICATION 24] ExtendedResponse whose first field is resultCode ENUMERATED.
    idx = body.find(b"\x78")
    if idx < 0 or body.find(b"\x0a\x01", idx) < 0:
        raise StarttlsError(ErrorKind.PROTOCOL_VIOLATION, "LDAP answer is not an ExtendedResponse")
    code = body[body.find(b"\x0a\x01", idx) + 2]
    if code != 0:
        raise StarttlsError(ErrorKind.UNSUPPORTED, f"LDAP StartTLS refused (resultCode {code})")


# PostgreSQL SSLRequest: length 8, code 80877103 (1234 << 16 | 5679).
POSTGRES_SSL_REQUEST = struct.pack("!II", 8, 80877103)


async def postgres(conn: Connection, host: str) -> None:
    await conn.send(POSTGRES_SSL_REQUEST)
    answer = await conn.read_exact(1, "SSLRequest answer")
    if answer != b"S":
        raise StarttlsError(ErrorKind.UNSUPPORTED, f"PostgreSQL refused SSL (answered {answer!r})")


async def _read_until(conn: Connection, marker: bytes, cap: int, what: str) -> bytes:
    buf = b""
    while marker not in buf:
        chunk = await conn.read_some(4096, what)
        if not chunk:
            raise StarttlsError(ErrorKind.RESET, f"connection closed during {what}")
        buf += chunk
        if len(buf) > cap:
            raise StarttlsError(ErrorKind.TOO_LARGE, f"{what} longer than {cap} bytes")
    return buf


async def xmpp(conn: Connection, host: str) -> None:
    header = (
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        f"xmlns:stream='http://etherx.jabber.org/streams' to='{host}' version='1.0'>"
    )
    await conn.send(header.encode())
    features = await _read_until(conn, b"</stream:features>", MAX_XMPP_FEATURES, "XMPP stream features")
    if b"urn:ietf:params:xml:ns:xmpp-tls" not in features:
        raise StarttlsError(ErrorKind.UNSUPPORTED, "XMPP server does not offer STARTTLS")
    await conn.send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    answer = await _read_until(conn, b">", 4096, "XMPP STARTTLS answer")
    if b"<proceed" not in answer:
        raise StarttlsError(ErrorKind.UNSUPPORTED, f"XMPP STARTTLS refused: {_show(answer)!r}")


UPGRADERS: dict[str, Callable[[Connection, str], Awaitable[None]]] = {
    "smtp": smtp,
    "imap": imap,
    "pop3": pop3,
    "ftp": ftp,
    "ldap": ldap,
    "postgres": postgres,
    "xmpp": xmpp,
}


@asynccontextmanager
async def open_tls_stream(endpoint: Endpoint, options: NetOptions) -> AsyncIterator[Connection]:
    """A new connection ready for a ClientHello: connected, and upgraded with STARTTLS when configured
    (probes take theirs through :func:`pqscan.collect.tls.warm.tls_stream`)."""
    async with connect(endpoint.host, endpoint.port, options) as conn:
        if endpoint.starttls:
            upgrade = UPGRADERS.get(endpoint.starttls)
            if upgrade is None:
                raise StarttlsError(ErrorKind.UNSUPPORTED, f"unknown STARTTLS protocol {endpoint.starttls!r}")
            try:
                await upgrade(conn, endpoint.sni or endpoint.host)
            except NetError as exc:
                raise StarttlsError(exc.kind, f"STARTTLS {endpoint.starttls}: {exc}") from None
        yield conn
