"""SSH transport-layer wire format (RFC 4253): identification line, binary packets, KEXINIT.

Pure functions over bytes, no I/O: the probe (:mod:`pqscan.collect.ssh.probe`) feeds them what it
read within its limits. Everything that comes from the server is untrusted; every parser checks
lengths before it slices and raises :class:`SshProtocolError` on anything malformed.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass

# RFC 4253 §4.2: the identification line is at most 255 bytes including CR LF.
MAX_IDENT_LINE = 255
# RFC 4253 §4.2 allows other lines before it; we read at most this many, each at most this long.
MAX_PRE_BANNER_LINES = 32
MAX_PRE_BANNER_LINE = 1024
# RFC 4253 §6.1: implementations MUST handle 35000-byte packets; allow some slack, refuse more.
MAX_PACKET_LENGTH = 65536
# A name-list longer than this is not a real algorithm list.
MAX_NAME_LIST = 16384

MSG_DISCONNECT = 1
MSG_IGNORE = 2
MSG_UNIMPLEMENTED = 3
MSG_DEBUG = 4
MSG_KEXINIT = 20
MSG_NEWKEYS = 21
MSG_KEX_ECDH_INIT = 30  # also KEXDH_INIT and the hybrid PQ INIT messages (same number)
MSG_KEX_ECDH_REPLY = 31

CLIENT_IDENT = b"SSH-2.0-pqscan_1.0\r\n"

# The ten name-lists of SSH_MSG_KEXINIT, in wire order (RFC 4253 §7.1).
KEXINIT_FIELDS = (
    "kex_algorithms",
    "server_host_key_algorithms",
    "encryption_algorithms_client_to_server",
    "encryption_algorithms_server_to_client",
    "mac_algorithms_client_to_server",
    "mac_algorithms_server_to_client",
    "compression_algorithms_client_to_server",
    "compression_algorithms_server_to_client",
    "languages_client_to_server",
    "languages_server_to_client",
)

_IDENT_RE = re.compile(rb"^SSH-([!-,.-~]+)-([!-~]+)(?: ([ -~]*))?$")


class SshProtocolError(ValueError):
    """The server sent something that is not the SSH we expect."""


class SshDisconnected(SshProtocolError):
    """The server ended the session with SSH_MSG_DISCONNECT (RFC 4253 §11.1) where we wanted a reply."""


@dataclass(frozen=True)
class Identification:
    """The server's identification string (RFC 4253 §4.2) and any lines sent before it."""

    raw: str
    proto_version: str  # "2.0" or "1.99"
    software: str  # "OpenSSH_9.2p1"
    comments: str = ""  # "Debian-2+deb12u3"
    pre_banner: tuple[str, ...] = ()

    @property
    def product(self) -> str:
        return self.software.split("_", 1)[0]

    @property
    def version(self) -> str:
        return self.software.split("_", 1)[1] if "_" in self.software else ""


def parse_identification(line: bytes, pre_banner: tuple[str, ...] = ()) -> Identification:
    text = line.rstrip(b"\r\n")
    if len(line) > MAX_IDENT_LINE:
        raise SshProtocolError(f"identification line is {len(line)} bytes, over RFC 4253's 255")
    m = _IDENT_RE.match(text)
    if not m:
        raise SshProtocolError(f"not an SSH identification line: {text[:80]!r}")
    proto = m.group(1).decode("ascii")
    if proto not in ("2.0", "1.99"):
        raise SshProtocolError(f"server speaks SSH protocol {proto}, not 2.0")
    return Identification(
        raw=text.decode("ascii"),
        proto_version=proto,
        software=m.group(2).decode("ascii"),
        comments=(m.group(3) or b"").decode("ascii"),
        pre_banner=pre_banner,
    )


# -- primitives (RFC 4251 §5) ----------------------------------------------------------------


_BYTE = struct.Struct(">B")
_UINT32 = struct.Struct(">I")


class Reader:
    """A cursor over one whole message; a field that would run past its end is a protocol error."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _check(self, n: int) -> int:
        """The end of an ``n``-byte field starting here, after checking that the message holds it."""
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise SshProtocolError(f"field of {n} bytes runs past the end of the message")
        return end

    def take(self, n: int) -> bytes:
        start, self.pos = self.pos, self._check(n)
        return self.data[start : self.pos]

    def _fixed(self, layout: struct.Struct) -> int:
        """A fixed-size integer, decoded in place (RFC 4251 §5: byte, uint32)."""
        start, self.pos = self.pos, self._check(layout.size)
        return int(layout.unpack_from(self.data, start)[0])

    def byte(self) -> int:
        return self._fixed(_BYTE)

    def uint32(self) -> int:
        return self._fixed(_UINT32)

    def string(self, limit: int = MAX_PACKET_LENGTH) -> bytes:
        n = self.uint32()
        if n > limit:
            raise SshProtocolError(f"string of {n} bytes is over the {limit}-byte limit")
        return self.take(n)

    def mpint(self) -> int:
        return int.from_bytes(self.string(), "big", signed=True)

    def name_list(self) -> tuple[str, ...]:
        raw = self.string(MAX_NAME_LIST)
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            raise SshProtocolError("name-list is not US-ASCII") from None
        if not text.isprintable():  # in US-ASCII: every control character and DEL
            raise SshProtocolError("name-list contains control characters")
        return tuple(n for n in text.split(",") if n) if text else ()

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos


def string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def mpint(value: int) -> bytes:
    if value == 0:
        return string(b"")
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
    return string(raw)


def name_list(names: tuple[str, ...] | list[str]) -> bytes:
    return string(",".join(names).encode("ascii"))


# -- packets (RFC 4253 §6) -------------------------------------------------------------------


def encode_packet(payload: bytes, block: int = 8) -> bytes:
    """An unencrypted binary packet: padding >= 4 bytes, total length a multiple of ``block``."""
    pad = block - (len(payload) + 5) % block
    if pad < 4:
        pad += block
    return struct.pack(">IB", len(payload) + pad + 1, pad) + payload + os.urandom(pad)


def packet_length(header: bytes) -> int:
    """The packet_length field, checked against our limit before anything is read."""
    (length,) = struct.unpack(">I", header)
    if length > MAX_PACKET_LENGTH:
        raise SshProtocolError(f"packet_length {length} is over the {MAX_PACKET_LENGTH}-byte limit")
    if length < 5:
        raise SshProtocolError(f"packet_length {length} is too small for a packet")
    return int(length)


def packet_payload(body: bytes) -> bytes:
    """Payload of a packet body (everything after packet_length), without the padding."""
    pad = body[0]
    if pad < 4 or pad + 1 > len(body):
        raise SshProtocolError(f"padding_length {pad} is invalid for a {len(body)}-byte packet")
    payload = body[1 : len(body) - pad]
    if not payload:
        raise SshProtocolError("empty packet payload")
    return payload


# -- KEXINIT (RFC 4253 §7.1) -----------------------------------------------------------------


@dataclass(frozen=True)
class KexInit:
    cookie: bytes
    kex_algorithms: tuple[str, ...]
    server_host_key_algorithms: tuple[str, ...]
    encryption_algorithms_client_to_server: tuple[str, ...]
    encryption_algorithms_server_to_client: tuple[str, ...]
    mac_algorithms_client_to_server: tuple[str, ...]
    mac_algorithms_server_to_client: tuple[str, ...]
    compression_algorithms_client_to_server: tuple[str, ...]
    compression_algorithms_server_to_client: tuple[str, ...]
    languages_client_to_server: tuple[str, ...]
    languages_server_to_client: tuple[str, ...]
    first_kex_packet_follows: bool = False

    def lists(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in KEXINIT_FIELDS}

    @property
    def ciphers(self) -> tuple[str, ...]:
        """Ciphers of both directions, server order, each once."""
        return tuple(dict.fromkeys(self.encryption_algorithms_server_to_client
                                   + self.encryption_algorithms_client_to_server))

    @property
    def macs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.mac_algorithms_server_to_client + self.mac_algorithms_client_to_server))


def parse_kexinit(payload: bytes) -> KexInit:
    r = Reader(payload)
    msg = r.byte()
    if msg != MSG_KEXINIT:
        raise SshProtocolError(f"expected SSH_MSG_KEXINIT (20), got message {msg}")
    cookie = r.take(16)
    lists = [r.name_list() for _ in KEXINIT_FIELDS]
    follows = bool(r.byte()) if r.remaining >= 1 else False
    return KexInit(cookie, lists[0], lists[1], lists[2], lists[3], lists[4], lists[5], lists[6], lists[7],
                   lists[8], lists[9], first_kex_packet_follows=follows)


def build_kexinit(
    kex: tuple[str, ...] | list[str],
    host_keys: tuple[str, ...] | list[str],
    ciphers: tuple[str, ...] | list[str],
    macs: tuple[str, ...] | list[str],
    compression: tuple[str, ...] | list[str] = ("none",),
) -> bytes:
    """A client KEXINIT payload."""
    parts = [bytes([MSG_KEXINIT]), os.urandom(16), name_list(list(kex)), name_list(list(host_keys)),
             name_list(list(ciphers)), name_list(list(ciphers)), name_list(list(macs)), name_list(list(macs)),
             name_list(list(compression)), name_list(list(compression)), name_list([]), name_list([]),
             b"\x00", struct.pack(">I", 0)]
    return b"".join(parts)


def disconnect_reason(payload: bytes) -> str:
    """The description of an SSH_MSG_DISCONNECT (RFC 4253 §11.1), sanitised."""
    r = Reader(payload)
    r.byte()
    try:
        code = r.uint32()
        text = r.string(1024).decode("utf-8", "replace")
    except SshProtocolError:
        return "disconnect"
    clean = "".join(c if c.isprintable() else "?" for c in text)[:200]
    return f"disconnect {code}: {clean}"


def negotiate(client: tuple[str, ...] | list[str], server: tuple[str, ...] | list[str]) -> str | None:
    """RFC 4253 §7.1: the first algorithm on the client's list that the server also supports."""
    offered = set(server)
    for name in client:
        if name in offered:
            return name
    return None


@dataclass(frozen=True)
class KexReply:
    """The server's answer to one key exchange: its host key, its signature, the hash it signed."""

    host_key_blob: bytes
    signature: bytes  # the signature blob: string type, string sig
    exchange_hash: bytes | None  # None when pqscan cannot recompute it (sntrup761)
