"""Pieces of misbehaving TLS servers, for the tests and the benchmarks: a ClientHello's extensions read
from its bytes, and a HelloRetryRequest built by hand (RFC 8446 §4.1.3-4.1.4), as such a server sends it."""

from __future__ import annotations

import struct

from pqscan.collect.tls.clienthello import HRR_RANDOM

SUPPORTED_GROUPS = 0x000A
KEY_SHARE = 0x0033
X25519 = b"\x00\x1d"


def client_hello_extensions(record: bytes) -> dict[int, bytes]:
    """The extensions of a ClientHello record (record and handshake headers included), by code; a
    truncated or malformed hello gives what could be read."""
    out: dict[int, bytes] = {}
    try:
        pos = 5 + 4 + 2 + 32  # record header, handshake header, legacy_version, random
        pos += 1 + record[pos]  # session id
        pos += 2 + struct.unpack("!H", record[pos:pos + 2])[0]  # cipher suites
        pos += 1 + record[pos]  # compression methods
        end = pos + 2 + struct.unpack("!H", record[pos:pos + 2])[0]
        pos += 2
        while pos < end:
            code, length = struct.unpack("!HH", record[pos:pos + 4])
            out[code] = record[pos + 4:pos + 4 + length]
            pos += 4 + length
    except (IndexError, struct.error):
        pass
    return out


def first_offered_group(record: bytes) -> bytes:
    """The first entry of the hello's supported_groups (two bytes); x25519 when it offers none."""
    groups = client_hello_extensions(record).get(SUPPORTED_GROUPS, b"")
    return groups[2:4] if len(groups) >= 4 else X25519


def hello_retry_request(group: bytes) -> bytes:
    """A TLS 1.3 HelloRetryRequest record asking for ``group`` (TLS_AES_128_GCM_SHA256, no cookie)."""
    exts = struct.pack("!HHH", 0x002B, 2, 0x0304) + struct.pack("!HH", KEY_SHARE, 2) + group
    body = b"\x03\x03" + HRR_RANDOM + b"\x00" + b"\x13\x01" + b"\x00" + struct.pack("!H", len(exts)) + exts
    msg = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return struct.pack("!BHH", 22, 0x0303, len(msg)) + msg
