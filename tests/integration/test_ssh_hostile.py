"""Hostile and broken SSH servers (real asyncio servers on loopback) end as recorded errors, in time."""

from __future__ import annotations

import asyncio
import os
import struct
import time

import pytest

from pqscan.collect.ssh import wire
from pqscan.lab.ssh_server import free_port
from pqscan.model import ErrorKind, ScanResult
from tests.integration.ssh_fixtures import FAST, scan_async, tcp_server

pytestmark = pytest.mark.integration

BANNER = b"SSH-2.0-Hostile_1.0\r\n"
# FAST allows 1 s per read and 6 s per endpoint; every hostile case must end well inside that.
LIMIT_SECONDS = FAST.endpoint_timeout or 6.0


def _scan_against(handler) -> tuple[ScanResult, float]:
    async def run() -> tuple[ScanResult, float]:
        async with tcp_server(handler) as port:
            start = time.monotonic()
            result = await scan_async(port)
            return result, time.monotonic() - start

    return asyncio.run(run())


async def _hold(reader: asyncio.StreamReader) -> None:
    await asyncio.sleep(30)


def _only_error(result: ScanResult):
    assert result.assets == [] and result.findings == []
    (err,) = result.errors
    return err


def test_garbage_without_newline_is_a_recorded_error():
    async def handler(reader, writer):
        writer.write(os.urandom(20000).replace(b"\n", b"."))
        await writer.drain()
        await _hold(reader)

    result, elapsed = _scan_against(handler)
    err = _only_error(result)
    assert err.stage == "identification"
    assert err.kind in (ErrorKind.TOO_LARGE, ErrorKind.TIMEOUT)
    assert elapsed < LIMIT_SECONDS


def test_endless_non_ssh_lines_stop_after_the_pre_banner_limit():
    async def handler(reader, writer):
        writer.write(b"HTTP/1.1 400 Bad Request\r\n" * 100)
        await writer.drain()
        await _hold(reader)

    result, elapsed = _scan_against(handler)
    err = _only_error(result)
    assert (err.stage, err.kind) == ("identification", ErrorKind.PROTOCOL_VIOLATION)
    assert "32" in err.message
    assert elapsed < LIMIT_SECONDS


def test_oversized_packet_length_is_refused_without_reading_it():
    async def handler(reader, writer):
        writer.write(BANNER + struct.pack(">I", 0x7FFFFFF0) + b"\x04")
        await writer.drain()
        await _hold(reader)

    result, elapsed = _scan_against(handler)
    err = _only_error(result)
    assert (err.stage, err.kind) == ("kexinit", ErrorKind.PROTOCOL_VIOLATION)
    assert "over" in err.message
    assert elapsed < LIMIT_SECONDS


def test_slow_drip_packet_times_out_within_the_read_timeout():
    async def handler(reader, writer):
        writer.write(BANNER + struct.pack(">I", 1000))
        await writer.drain()
        for _ in range(200):
            writer.write(b"\x00")
            await writer.drain()
            await asyncio.sleep(0.1)

    result, elapsed = _scan_against(handler)
    err = _only_error(result)
    assert (err.stage, err.kind) == ("kexinit", ErrorKind.TIMEOUT)
    assert elapsed < FAST.read_timeout + 2.0


def test_close_after_banner_is_a_recorded_error():
    async def handler(reader, writer):
        writer.write(BANNER)
        await writer.drain()

    result, elapsed = _scan_against(handler)
    err = _only_error(result)
    assert err.stage == "kexinit"
    assert err.kind in (ErrorKind.RESET, ErrorKind.MALFORMED)
    assert elapsed < LIMIT_SECONDS


def test_silent_server_times_out():
    async def handler(reader, writer):
        await _hold(reader)

    result, elapsed = _scan_against(handler)
    err = _only_error(result)
    assert (err.stage, err.kind) == ("identification", ErrorKind.TIMEOUT)
    assert elapsed < FAST.read_timeout + 2.0


def test_malformed_kexinit_payload_is_recorded_as_malformed():
    async def handler(reader, writer):
        writer.write(BANNER + wire.encode_packet(bytes([wire.MSG_KEXINIT]) + bytes(16) + b"\x00\x00\xff\xff"))
        await writer.drain()
        await _hold(reader)

    result, _ = _scan_against(handler)
    err = _only_error(result)
    assert (err.stage, err.kind) == ("kexinit", ErrorKind.MALFORMED)


def test_disconnect_instead_of_kexinit_is_a_protocol_violation_with_the_reason():
    async def handler(reader, writer):
        payload = bytes([wire.MSG_DISCONNECT]) + struct.pack(">I", 2) + wire.string(b"go away") + wire.string(b"")
        writer.write(BANNER + wire.encode_packet(payload))
        await writer.drain()
        await _hold(reader)

    result, _ = _scan_against(handler)
    err = _only_error(result)
    assert err.kind is ErrorKind.PROTOCOL_VIOLATION
    assert "go away" in err.message


def test_closed_port_is_refused():
    async def run() -> ScanResult:
        return await scan_async(free_port())

    err = _only_error(asyncio.run(run()))
    assert err.kind is ErrorKind.REFUSED


def test_host_key_failure_keeps_the_kexinit_observation():
    """A server whose KEXINIT is fine but whose key-exchange reply is garbage: lists kept, errors recorded."""
    kexinit = wire.build_kexinit(("curve25519-sha256",), ("ssh-ed25519",), ("aes128-ctr",), ("hmac-sha2-256",))

    async def handler(reader, writer):
        writer.write(BANNER + wire.encode_packet(kexinit))
        await writer.drain()
        await reader.readline()  # our identification
        await asyncio.sleep(0.05)
        writer.write(struct.pack(">I", 12) + b"\x04" + b"\x1f" + os.urandom(10))  # reply 31, truncated body
        await writer.drain()
        await _hold(reader)

    result, elapsed = _scan_against(handler)
    kex = [f.parameters["ssh_name"] for f in result.findings if f.evidence.symbol == "kex_algorithms"]
    assert kex == ["curve25519-sha256"]
    assert result.errors and all(e.stage.startswith("ssh-host-key") for e in result.errors)
    assert elapsed < LIMIT_SECONDS


def test_server_that_sends_kexinit_then_goes_silent_costs_one_timeout():
    kexinit = wire.build_kexinit(("curve25519-sha256", "diffie-hellman-group-exchange-sha256"),
                                 ("ssh-ed25519", "rsa-sha2-256"), ("aes128-ctr",), ("hmac-sha2-256",), ("none",))

    async def handler(reader, writer):
        writer.write(BANNER + wire.encode_packet(kexinit))
        await writer.drain()
        await _hold(reader)

    result, elapsed = _scan_against(handler)
    (err,) = result.errors
    assert err.kind is ErrorKind.TIMEOUT and err.stage.startswith("ssh-host-key:")
    assert "the other key exchanges were stopped with it" in err.message  # started alongside, not after
    assert result.assets  # the KEXINIT that did arrive is recorded
    assert elapsed < 2 * FAST.read_timeout  # one timeout, not one per connection
