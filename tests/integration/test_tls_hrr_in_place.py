"""A PQ group the elimination picks with a HelloRetryRequest is confirmed on that same connection: the
second ClientHello repeats the first (random, session id, groups), echoes the HRR's cookie and carries a
real share for the selected group (RFC 8446 §4.1.2, §4.2.2), and the server's ServerHello decides."""

from __future__ import annotations

import asyncio
import os
import struct
from dataclasses import dataclass, field

import pytest

from pqscan.collect.net.netscan import Limiter, scan_endpoints
from pqscan.collect.tls.clienthello import HRR_RANDOM
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.collect.tls.groups import BY_CODE
from pqscan.model import ScanResult
from tests.integration.tls_fixtures import FAST, endpoint, tcp_server

pytestmark = pytest.mark.integration

PREFERENCE = (0x11EC, 0x0201, 0x001D)  # X25519MLKEM768, MLKEM768, x25519: the scripted server's order


@dataclass
class Hello:
    random: bytes
    session_id: bytes
    groups: tuple[int, ...]
    shares: dict[int, bytes]
    cookie: bytes | None
    tls13: bool


def parse_hello(record: bytes) -> Hello:
    body = record[5 + 4 :]
    pos = 2
    random = body[pos : pos + 32]
    pos += 32
    session_id = body[pos + 1 : pos + 1 + body[pos]]
    pos += 1 + body[pos]
    pos += 2 + struct.unpack("!H", body[pos : pos + 2])[0]
    pos += 1 + body[pos]
    end = pos + 2 + struct.unpack("!H", body[pos : pos + 2])[0]
    pos += 2
    groups: tuple[int, ...] = ()
    shares: dict[int, bytes] = {}
    cookie = None
    tls13 = False
    while pos < end:
        code, length = struct.unpack("!HH", body[pos : pos + 4])
        data = body[pos + 4 : pos + 4 + length]
        if code == 0x000A:
            groups = tuple(struct.unpack(f"!{len(data) // 2 - 1}H", data[2:]))
        elif code == 0x0033:
            at = 2
            while at < len(data):
                group, size = struct.unpack("!HH", data[at : at + 4])
                shares[group] = data[at + 4 : at + 4 + size]
                at += 4 + size
        elif code == 0x002C:
            cookie = data
        elif code == 0x002B:
            tls13 = b"\x03\x04" in data[1:]
        pos += 4 + length
    return Hello(random, session_id, groups, shares, cookie, tls13)


def server_hello(group: int, *, hrr: bool, cookie: bytes | None = None) -> bytes:
    random = HRR_RANDOM if hrr else os.urandom(32)
    share = struct.pack("!H", group) if hrr else struct.pack("!HH", group, BY_CODE[group].server_share_len) + bytes(
        BY_CODE[group].server_share_len)
    exts = struct.pack("!HHH", 0x002B, 2, 0x0304) + struct.pack("!HH", 0x0033, len(share)) + share
    if cookie is not None:
        exts += struct.pack("!HH", 0x002C, len(cookie)) + cookie
    body = b"\x03\x03" + random + b"\x00" + b"\x13\x01" + b"\x00" + struct.pack("!H", len(exts)) + exts
    msg = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return struct.pack("!BHH", 22, 0x0303, len(msg)) + msg


ALERT_PROTOCOL_VERSION = bytes([21, 3, 3, 0, 2, 2, 70])
ALERT_HANDSHAKE_FAILURE = bytes([21, 3, 3, 0, 2, 2, 40])
ALERT_ILLEGAL_PARAMETER = bytes([21, 3, 3, 0, 2, 2, 47])


@dataclass
class Script:
    """A TLS 1.3 server that always answers an empty key_share with a HRR carrying a cookie."""

    second_hellos: list[tuple[int, bool]] = field(default_factory=list)  # (group, repeated the first correctly)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = parse_hello(await _read_record(reader))
        ours = [g for g in PREFERENCE if g in first.groups]
        if not first.tls13:
            writer.write(ALERT_PROTOCOL_VERSION)
        elif not ours:
            writer.write(ALERT_HANDSHAKE_FAILURE)
        elif ours[0] in first.shares:
            writer.write(server_hello(ours[0], hrr=False))
        elif first.shares:  # a share for a group we rank lower: ask for the one we want
            writer.write(server_hello(ours[0], hrr=True))
        else:
            cookie = struct.pack("!H", 16) + os.urandom(16)
            writer.write(server_hello(ours[0], hrr=True, cookie=cookie))
            await writer.drain()
            second = parse_hello(await _read_record(reader))
            share = second.shares.get(ours[0], b"")
            same = (second.random, second.session_id, second.groups, second.cookie) == (
                first.random, first.session_id, first.groups, cookie)
            right = same and list(second.shares) == [ours[0]] and len(share) == BY_CODE[ours[0]].client_share_len
            self.second_hellos.append((ours[0], right))
            writer.write(server_hello(ours[0], hrr=False) if right else ALERT_ILLEGAL_PARAMETER)
        await writer.drain()


async def _read_record(reader: asyncio.StreamReader) -> bytes:
    header = await reader.readexactly(5)
    return header + await reader.readexactly(struct.unpack("!H", header[3:5])[0])


def _scan(script: Script) -> tuple[ScanResult, int]:
    async def run() -> tuple[ScanResult, int]:
        limiter = Limiter(FAST.per_host, None)
        async with tcp_server(script.handle) as port:
            (result,) = await scan_endpoints([endpoint(port)], scan_tls_endpoint, FAST, limiter=limiter)
        return result, limiter.connections

    return asyncio.run(run())


def test_a_pq_group_picked_by_a_hrr_is_confirmed_by_a_second_hello_on_the_same_connection() -> None:
    script = Script()
    result, _ = _scan(script)
    attrs = result.assets[0].attributes
    assert attrs["supported_groups"] == ["X25519MLKEM768", "MLKEM768", "x25519"]
    check = attrs["key_share_checks"]["MLKEM768"]
    assert check["confirmed"] is True and check["server_share_len"] == 1088
    assert "on the HelloRetryRequest's connection" in check["evidence"]


def test_the_second_hello_repeats_the_first_and_echoes_the_cookie() -> None:
    script = Script()
    _scan(script)
    # MLKEM768 (picked at the second step) is confirmed in place; X25519MLKEM768, the first pick, is left to
    # the full handshake, and a classical pick needs no share.
    assert script.second_hellos == [(0x0201, True)]
