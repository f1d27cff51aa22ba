"""TLS bytes on the wire: build ClientHellos, read and parse the server's answer.

Everything read from the server is untrusted: every length is checked against the bytes present
and against caps, and the reader keeps reading until a whole record (and a whole handshake
message, which may span records) has arrived, never trusting one ``read()`` (the pqcscan bug the
reference warns about). Sources: RFC 8446 (TLS 1.3) §4.1.2-4.1.4, §4.2, §5.1; RFC 5246 (TLS 1.2)
§7.4; RFC 8422 (ECDHE); shared/reference/network-probing.md §2.1.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from pqscan.collect.net.netscan import Connection, KindError, NetError
from pqscan.model import ErrorKind

# RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

# Record content types (RFC 8446 §5.1) and handshake message types (§4).
CT_CHANGE_CIPHER_SPEC, CT_ALERT, CT_HANDSHAKE, CT_APPLICATION_DATA = 20, 21, 22, 23
HS_CLIENT_HELLO, HS_SERVER_HELLO, HS_CERTIFICATE, HS_SERVER_KEY_EXCHANGE = 1, 2, 11, 12
HS_CERTIFICATE_REQUEST, HS_SERVER_HELLO_DONE = 13, 14

# Extension codepoints (IANA TLS ExtensionType registry).
EXT_SERVER_NAME, EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS, EXT_SIGNATURE_ALGORITHMS = 0x0000, 0x000A, 0x000B, 0x000D
EXT_EXTENDED_MASTER_SECRET, EXT_SUPPORTED_VERSIONS, EXT_COOKIE = 0x0017, 0x002B, 0x002C
EXT_PSK_KEY_EXCHANGE_MODES, EXT_KEY_SHARE, EXT_RENEGOTIATION_INFO = 0x002D, 0x0033, 0xFF01

TLS10, TLS11, TLS12, TLS13 = 0x0301, 0x0302, 0x0303, 0x0304
VERSION_NAMES = {0x0300: "SSLv3", TLS10: "TLS1.0", TLS11: "TLS1.1", TLS12: "TLS1.2", TLS13: "TLS1.3"}

# RFC 5246 §6.2.3 allows TLSCiphertext up to 2^14 + 2048; anything longer is a protocol violation.
MAX_RECORD_LEN = (1 << 14) + 2048
# Caps on what one probe reads: a TLS 1.3 answer to our hello (ServerHello/HRR), a TLS 1.2 flight
# (ServerHello + Certificate chain + ServerKeyExchange + ServerHelloDone).
MAX_HELLO_ANSWER = 64 * 1024
MAX_TLS12_FLIGHT = 256 * 1024

TLS13_SUITES = (0x1301, 0x1302, 0x1303)

# Signature schemes offered (RFC 8446 §4.2.3; ML-DSA 0x0904-0x0906 per draft-tls-westerbaan-mldsa)
# so that a server holding an ML-DSA or RSA-PSS certificate can still answer.
SIGNATURE_SCHEMES = (
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
    0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601, 0x0904, 0x0905, 0x0906, 0x0203, 0x0201,
)


@dataclass(frozen=True)
class Tls12Suite:
    code: int
    name: str
    kx: str  # "ECDHE", "DHE", "RSA" (key transport: no forward secrecy)
    auth: str  # "RSA", "ECDSA"


def _suites(kx: str, auth: str, items: str) -> tuple[Tls12Suite, ...]:
    out = []
    for item in items.split():
        code, name = item.split("=")
        out.append(Tls12Suite(int(code, 16), name, kx, auth))
    return tuple(out)


# IANA TLS Cipher Suites registry: the suites a TLS 1.2 probe offers, strongest first.
TLS12_SUITES: tuple[Tls12Suite, ...] = (
    _suites("ECDHE", "ECDSA", "C02C=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 C02B=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 "
            "CCA9=TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 C024=TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 "
            "C023=TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 C00A=TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA "
            "C009=TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA")
    + _suites("ECDHE", "RSA", "C030=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 C02F=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 "
              "CCA8=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 C028=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 "
              "C027=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 C014=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA "
              "C013=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
    + _suites("DHE", "RSA", "009F=TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 009E=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 "
              "CCAA=TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 006B=TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 "
              "0067=TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 0039=TLS_DHE_RSA_WITH_AES_256_CBC_SHA "
              "0033=TLS_DHE_RSA_WITH_AES_128_CBC_SHA")
    + _suites("RSA", "RSA", "009D=TLS_RSA_WITH_AES_256_GCM_SHA384 009C=TLS_RSA_WITH_AES_128_GCM_SHA256 "
              "003D=TLS_RSA_WITH_AES_256_CBC_SHA256 003C=TLS_RSA_WITH_AES_128_CBC_SHA256 "
              "0035=TLS_RSA_WITH_AES_256_CBC_SHA 002F=TLS_RSA_WITH_AES_128_CBC_SHA 000A=TLS_RSA_WITH_3DES_EDE_CBC_SHA")
)
TLS12_SUITES_BY_CODE = {s.code: s for s in TLS12_SUITES}
RSA_KX_SUITES = tuple(s.code for s in TLS12_SUITES if s.kx == "RSA")

# RFC 8446 §6.2 AlertDescription (the ones a scanner meets).
ALERT_NAMES = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
    40: "handshake_failure", 42: "bad_certificate", 47: "illegal_parameter", 48: "unknown_ca",
    50: "decode_error", 51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
    80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension",
    110: "unsupported_extension", 112: "unrecognized_name", 116: "certificate_required", 120: "no_application_protocol",
}


# -- building -----------------------------------------------------------------------------------


def _u8(b: bytes) -> bytes:
    return struct.pack("!B", len(b)) + b


def _u16(b: bytes) -> bytes:
    return struct.pack("!H", len(b)) + b


def _u24(b: bytes) -> bytes:
    return struct.pack("!I", len(b))[1:] + b


def _ext(code: int, body: bytes) -> bytes:
    return struct.pack("!H", code) + _u16(body)


def _codes(codes: Sequence[int]) -> bytes:
    return b"".join(struct.pack("!H", c) for c in codes)


def build_client_hello(
    *,
    sni: str | None,
    groups: Sequence[int],
    key_shares: Sequence[tuple[int, bytes]] = (),
    tls13: bool = True,
    suites: Sequence[int] = TLS13_SUITES,
    legacy_version: int = TLS12,
    record_version: int = TLS10,
    random: bytes | None = None,
    session_id: bytes | None = None,
    cookie: bytes | None = None,
) -> bytes:
    """A complete ClientHello record.

    ``tls13=True``: supported_versions = [TLS 1.3] and a key_share extension holding
    ``key_shares`` (an empty list asks the server to pick with a HelloRetryRequest, RFC 8446
    §4.2.8). ``tls13=False``: a classic TLS <= 1.2 hello at ``legacy_version``. ``random``,
    ``session_id`` and ``cookie`` (the HRR's cookie extension data) make the second ClientHello
    answering a HelloRetryRequest: the first one again, but for the key share and the cookie
    (RFC 8446 §4.1.2, §4.2.2).
    """
    exts = []
    if sni:
        name = sni.encode("ascii")
        exts.append(_ext(EXT_SERVER_NAME, _u16(b"\x00" + _u16(name))))
    if tls13:
        exts.append(_ext(EXT_SUPPORTED_VERSIONS, _u8(struct.pack("!H", TLS13))))
    if groups:
        exts.append(_ext(EXT_SUPPORTED_GROUPS, _u16(_codes(groups))))
    if not tls13:
        exts.append(_ext(EXT_EC_POINT_FORMATS, _u8(b"\x00")))
        exts.append(_ext(EXT_EXTENDED_MASTER_SECRET, b""))
        exts.append(_ext(EXT_RENEGOTIATION_INFO, _u8(b"")))
    if legacy_version >= TLS12:
        exts.append(_ext(EXT_SIGNATURE_ALGORITHMS, _u16(_codes(SIGNATURE_SCHEMES))))
    if tls13:
        shares = b"".join(struct.pack("!H", g) + _u16(share) for g, share in key_shares)
        exts.append(_ext(EXT_KEY_SHARE, _u16(shares)))
        exts.append(_ext(EXT_PSK_KEY_EXCHANGE_MODES, _u8(b"\x01")))  # psk_dhe_ke
        if cookie is not None:
            exts.append(_ext(EXT_COOKIE, cookie))  # the HRR's extension data as sent (a length-prefixed vector)
    if session_id is None:
        session_id = os.urandom(32) if tls13 else b""  # non-empty session id: middlebox compatibility mode
    body = (
        struct.pack("!H", legacy_version)
        + (random if random is not None else os.urandom(32))
        + _u8(session_id)
        + _u16(_codes(suites))
        + _u8(b"\x00")  # compression: null only
        + _u16(b"".join(exts))
    )
    handshake = struct.pack("!B", HS_CLIENT_HELLO) + _u24(body)
    return _records(CT_HANDSHAKE, record_version, handshake)


def _records(content_type: int, version: int, payload: bytes) -> bytes:
    out = b""
    for i in range(0, len(payload), 1 << 14):
        chunk = payload[i : i + (1 << 14)]
        out += struct.pack("!BHH", content_type, version, len(chunk)) + chunk
    return out


# -- parsing ------------------------------------------------------------------------------------


class TlsParseError(KindError):
    """The peer's bytes are not valid TLS (garbage, HTTP, absurd lengths, truncated structures)."""


@dataclass(frozen=True)
class Alert:
    level: int
    description: int

    @property
    def name(self) -> str:
        return ALERT_NAMES.get(self.description, f"alert_{self.description}")


@dataclass(frozen=True)
class ServerHello:
    legacy_version: int
    random: bytes
    cipher_suite: int
    extensions: tuple[tuple[int, bytes], ...]

    @property
    def is_hrr(self) -> bool:
        return self.random == HRR_RANDOM

    def ext(self, code: int) -> bytes | None:
        for c, body in self.extensions:
            if c == code:
                return body
        return None

    @property
    def selected_version(self) -> int:
        sv = self.ext(EXT_SUPPORTED_VERSIONS)
        if sv is not None and len(sv) == 2:
            return int(struct.unpack("!H", sv)[0])
        return self.legacy_version

    @property
    def key_share_group(self) -> int | None:
        ks = self.ext(EXT_KEY_SHARE)
        if ks is None or len(ks) < 2:
            return None
        return int(struct.unpack("!H", ks[:2])[0])

    @property
    def key_share_length(self) -> int | None:
        """Length of the server's key_exchange (a full ServerHello; None in a HRR)."""
        ks = self.ext(EXT_KEY_SHARE)
        if ks is None or len(ks) < 4 or self.is_hrr:
            return None
        (length,) = struct.unpack("!H", ks[2:4])
        return int(length) if len(ks) == 4 + length else None


@dataclass(frozen=True)
class ServerAnswer:
    """What the server sent back: a ServerHello (plus later handshake messages) or an alert."""

    server_hello: ServerHello | None
    alert: Alert | None
    messages: tuple[tuple[int, bytes], ...] = ()  # every plaintext handshake message read, in order
    bytes_read: int = 0

    def message(self, msg_type: int) -> bytes | None:
        for t, body in self.messages:
            if t == msg_type:
                return body
        return None


class _Reader:
    """A cursor over bytes that raises TlsParseError instead of reading past the end."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise TlsParseError(ErrorKind.MALFORMED, f"{self.what}: truncated (needs {n} more bytes)")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int(struct.unpack("!H", self.take(2))[0])

    def vec8(self) -> bytes:
        return self.take(self.u8())

    def vec16(self) -> bytes:
        return self.take(self.u16())

    @property
    def left(self) -> int:
        return len(self.data) - self.pos


def parse_server_hello(body: bytes) -> ServerHello:
    r = _Reader(body, "ServerHello")
    legacy_version = r.u16()
    random = r.take(32)
    r.vec8()  # legacy_session_id_echo
    suite = r.u16()
    r.u8()  # compression
    exts: list[tuple[int, bytes]] = []
    if r.left:
        er = _Reader(r.vec16(), "ServerHello extensions")
        while er.left:
            code = er.u16()
            exts.append((code, er.vec16()))
    return ServerHello(legacy_version, random, suite, tuple(exts))


def printable(data: bytes, limit: int = 40) -> str:
    """Untrusted bytes shown safely: ASCII letters as is, everything else escaped."""
    shown = data[:limit]
    text = "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in shown)
    return text + ("..." if len(data) > limit else "")


async def read_record(conn: Connection) -> tuple[int, int, bytes]:
    """One whole TLS record: (content type, version, payload). Garbage -> TlsParseError."""
    header = await conn.read_exact(5, "TLS record header")
    ctype, version, length = struct.unpack("!BHH", header)
    if ctype not in (CT_CHANGE_CIPHER_SPEC, CT_ALERT, CT_HANDSHAKE, CT_APPLICATION_DATA) or version >> 8 != 3:
        try:
            more = await conn.read_some(64, "answer", timeout=0.05)
        except NetError:
            more = b""
        raise TlsParseError(ErrorKind.PROTOCOL_VIOLATION, f"not a TLS answer: '{printable(header + more)}'")
    if length > MAX_RECORD_LEN or length == 0 and ctype != CT_APPLICATION_DATA:
        raise TlsParseError(ErrorKind.PROTOCOL_VIOLATION, f"TLS record length {length} is invalid (max {MAX_RECORD_LEN})")
    payload = await conn.read_exact(length, "TLS record")
    return ctype, version, payload


async def read_answer(conn: Connection, *, until: int = HS_SERVER_HELLO, max_bytes: int = MAX_HELLO_ANSWER) -> ServerAnswer:
    """Read records until the handshake message ``until`` (ServerHello, or ServerHelloDone for TLS 1.2)
    or an alert arrives. A TLS 1.3 server's encrypted flight after its ServerHello is not read."""
    buf = b""
    messages: list[tuple[int, bytes]] = []
    server_hello: ServerHello | None = None
    total = 0
    while True:
        ctype, _version, payload = await read_record(conn)
        total += 5 + len(payload)
        if total > max_bytes:
            raise TlsParseError(ErrorKind.TOO_LARGE, f"server sent more than {max_bytes} bytes before {until}")
        if ctype == CT_ALERT:
            if len(payload) < 2:
                raise TlsParseError(ErrorKind.MALFORMED, "truncated alert")
            return ServerAnswer(server_hello, Alert(payload[0], payload[1]), tuple(messages), total)
        if ctype == CT_CHANGE_CIPHER_SPEC:
            continue
        if ctype == CT_APPLICATION_DATA:
            if server_hello is not None:  # TLS 1.3: encrypted flight follows the ServerHello
                return ServerAnswer(server_hello, None, tuple(messages), total)
            raise TlsParseError(ErrorKind.PROTOCOL_VIOLATION, "application data before ServerHello")
        buf += payload
        while len(buf) >= 4:
            msg_type = buf[0]
            (length,) = struct.unpack("!I", b"\x00" + buf[1:4])
            if length > max_bytes:
                raise TlsParseError(ErrorKind.PROTOCOL_VIOLATION, f"handshake message length {length} is absurd")
            if len(buf) < 4 + length:
                break
            body, buf = buf[4 : 4 + length], buf[4 + length :]
            messages.append((msg_type, body))
            if msg_type == HS_SERVER_HELLO:
                server_hello = parse_server_hello(body)
                if server_hello.is_hrr or server_hello.selected_version == TLS13:
                    return ServerAnswer(server_hello, None, tuple(messages), total)
            elif server_hello is None:
                raise TlsParseError(ErrorKind.PROTOCOL_VIOLATION, f"handshake message {msg_type} before ServerHello")
            if msg_type == until:
                return ServerAnswer(server_hello, None, tuple(messages), total)


async def exchange(conn: Connection, hello: bytes, **kw: int) -> ServerAnswer:
    await conn.send(hello)
    return await read_answer(conn, **kw)


def leaf_certificate(body: bytes) -> bytes | None:
    """The first (leaf) DER certificate of a TLS <= 1.2 Certificate message (RFC 5246 §7.4.2), or None."""
    r = _Reader(body, "Certificate")
    listed = r.take(3)
    (length,) = struct.unpack("!I", b"\x00" + listed)
    certs = _Reader(r.take(length), "certificate_list")
    if not certs.left:
        return None
    (cert_len,) = struct.unpack("!I", b"\x00" + certs.take(3))
    return certs.take(cert_len)


def parse_server_key_exchange(body: bytes, kx: str) -> dict[str, int]:
    """The group of a TLS 1.2 ServerKeyExchange: ECDHE named curve (RFC 8422 §5.4) or DHE prime bits."""
    r = _Reader(body, "ServerKeyExchange")
    if kx == "ECDHE":
        curve_type = r.u8()
        if curve_type != 3:  # named_curve
            return {"curve_type": curve_type}
        return {"group": r.u16()}
    if kx == "DHE":
        p = r.vec16().lstrip(b"\x00")
        return {"dh_bits": len(p) * 8 - (8 - p[0].bit_length()) if p else 0}
    return {}
