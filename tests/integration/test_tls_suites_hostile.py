"""The suite-elimination loop against servers that lie: it always ends, within its bounds, with a
recorded error or a complete answer, and keeps what it learnt before the server misbehaved."""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Callable

import pytest

from pqscan.collect.net.netscan import scan_endpoints
from pqscan.collect.tls import clienthello as ch
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.collect.tls.suites import SuiteEnumeration, enumerate_suites, offer_order
from pqscan.model import ErrorKind, ScanResult
from tests.integration.tls_fixtures import FAST, Handler, endpoint, tcp_server

pytestmark = pytest.mark.integration

LIMIT = (FAST.endpoint_timeout or 5.0) + 1.0


def _offered_suites(hello: bytes) -> tuple[int, list[int], bool]:
    """(legacy_version, cipher suites, has supported_versions) of a ClientHello record (ours: one record)."""
    body = hello[5 + 4:]
    version = struct.unpack("!H", body[:2])[0]
    pos = 2 + 32
    pos += 1 + body[pos]
    (n,) = struct.unpack("!H", body[pos:pos + 2])
    suites = [struct.unpack("!H", body[pos + 2 + i:pos + 4 + i])[0] for i in range(0, n, 2)]
    return version, suites, b"\x00\x2b" in body[pos + 2 + n:]


def _server_hello(version: int, suite: int) -> bytes:
    sh = struct.pack("!H", version) + bytes(32) + b"\x00" + struct.pack("!HB", suite, 0)
    msgs = bytes([ch.HS_SERVER_HELLO]) + len(sh).to_bytes(3, "big") + sh + bytes([ch.HS_SERVER_HELLO_DONE, 0, 0, 0])
    return struct.pack("!BHH", ch.CT_HANDSHAKE, version, len(msgs)) + msgs


def _picker(choose: Callable[[list[int]], int]) -> Handler:
    """Refuses TLS 1.3 (protocol_version alert); answers a TLS <= 1.2 hello with the suite ``choose`` picks."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        header = await reader.readexactly(5)
        hello = header + await reader.readexactly(struct.unpack("!H", header[3:5])[0])
        version, suites, tls13 = _offered_suites(hello)
        if tls13 or version != ch.TLS12:
            writer.write(struct.pack("!BHHBB", ch.CT_ALERT, ch.TLS12, 2, 2, 70))
        else:
            writer.write(_server_hello(version, choose(suites)))
        await writer.drain()
        await reader.read(1)  # until the client hangs up

    return handler


def _enumerate(handler: Handler, **kw: int) -> tuple[SuiteEnumeration, float]:
    async def run() -> tuple[SuiteEnumeration, float]:
        async with tcp_server(handler) as port:
            start = time.monotonic()
            enum = await enumerate_suites(endpoint(port), FAST, ch.TLS12, **kw)
            return enum, time.monotonic() - start

    return asyncio.run(run())


def test_server_repeating_a_removed_suite_ends_the_loop_as_a_protocol_violation() -> None:
    enum, _ = _enumerate(_picker(lambda offered: 0x002F))
    assert [a.code for a in enum.accepted] == [0x002F] and enum.connections == 2
    assert enum.error_kind is ErrorKind.PROTOCOL_VIOLATION and not enum.complete


def test_server_accepting_everything_is_bounded_by_the_number_of_suites_offered() -> None:
    enum, took = _enumerate(_picker(lambda offered: offered[0]))
    assert len(enum.accepted) == len(offer_order()) and enum.complete and enum.server_order is False
    assert enum.connections == len(offer_order()) + 1 and took < LIMIT


def test_step_limit_stops_the_loop_early_and_says_so() -> None:
    enum, _ = _enumerate(_picker(lambda offered: offered[-1]), max_steps=5)
    assert len(enum.accepted) == 5 and enum.connections == 5 and not enum.complete
    assert enum.error_kind is ErrorKind.TIMEOUT


def test_lying_server_is_a_recorded_suite_error_and_the_endpoint_result_is_kept() -> None:
    async def run() -> ScanResult:
        async with tcp_server(_picker(lambda offered: 0x002F)) as port:
            (result,) = await scan_endpoints([endpoint(port)], scan_tls_endpoint, FAST)
            return result

    result = asyncio.run(run())
    assert result.assets and result.assets[0].attributes["tls_suites"]["TLS1.2"]["accepted"] == [
        "TLS_RSA_WITH_AES_128_CBC_SHA"]
    assert "tls-suites:TLS1.2" in {e.stage for e in result.errors}
