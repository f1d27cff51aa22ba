"""Hostile and broken servers (real asyncio TCP servers on loopback) end as recorded errors or correct
verdicts: no crash, no hang past the timeout, and the rest of the scan completes."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import time

import pytest

from pqscan.collect.net.netscan import scan_endpoints
from pqscan.collect.net.targets import parse_targets
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.lab.hostile_tls import X25519, client_hello_extensions, first_offered_group, hello_retry_request
from pqscan.lab.tls_servers import LAB_CONFIGS, TlsServer
from pqscan.model import AssetKind, ErrorKind, ScanResult, Usage
from tests.integration.tls_fixtures import FAST, Handler, endpoint, tcp_server

pytestmark = pytest.mark.integration

# FAST allows 0.5 s per read and 5 s per endpoint; every hostile case must end inside that.
LIMIT = (FAST.endpoint_timeout or 5.0) + 1.0


async def _read_hello(reader: asyncio.StreamReader) -> bytes:
    header = await reader.readexactly(5)
    return header + await reader.readexactly(struct.unpack("!H", header[3:5])[0])


def _scan_against(handler: Handler) -> tuple[ScanResult, float]:
    async def run() -> tuple[ScanResult, float]:
        async with tcp_server(handler) as port:
            start = time.monotonic()
            (result,) = await scan_endpoints([endpoint(port)], scan_tls_endpoint, FAST)
            return result, time.monotonic() - start

    return asyncio.run(run())


def _no_supported_group(result: ScanResult) -> None:
    for asset in result.assets:
        if asset.kind is AssetKind.TLS_ENDPOINT:
            assert not asset.attributes["supported_groups"]


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(bytes(range(256)) * 4)
    await writer.drain()
    await asyncio.sleep(1)


async def tls_alert(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_hello(reader)
    writer.write(bytes([21, 3, 3, 0, 2, 2, 40]))  # fatal handshake_failure to everything
    await writer.drain()


async def http_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()


async def truncated_record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_hello(reader)
    writer.write(bytes([22, 3, 3, 0, 100]) + b"\x02\x00\x00\x46" + b"\x03\x03")  # 100 announced, 6 sent
    await writer.drain()


async def absurd_length(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_hello(reader)
    writer.write(bytes([22, 3, 3, 0xFF, 0xFF]) + b"\x02" * 64)
    await writer.drain()
    await asyncio.sleep(1)


async def absurd_handshake_length(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_hello(reader)
    writer.write(bytes([22, 3, 3, 0, 4, 2, 0xFF, 0xFF, 0xFF]))  # a 16 MiB ServerHello announced
    await writer.drain()
    await asyncio.sleep(1)


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_hello(reader)
    for byte in bytes([22, 3, 3, 0, 90]) + b"\x02" * 90:  # one byte per second
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(1)


async def reset_mid_handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_hello(reader)
    writer.write(bytes([22, 3, 3, 0, 80]) + b"\x02\x00\x00\x4c\x03\x03" + b"\x00" * 10)
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST


async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(30)


async def accept_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    return None


async def wrong_group_hrr(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A HelloRetryRequest that always selects x25519, whatever was offered."""
    await _read_hello(reader)
    writer.write(hello_retry_request(X25519))
    await writer.drain()


def test_garbage_bytes_end_as_a_protocol_violation_error() -> None:
    result, took = _scan_against(garbage)
    assert [e.kind for e in result.errors] == [ErrorKind.PROTOCOL_VIOLATION] and took < LIMIT
    assert result.assets == []


def test_http_answer_on_the_tls_port_is_reported_as_not_tls() -> None:
    result, took = _scan_against(http_answer)
    (err,) = result.errors
    assert err.kind is ErrorKind.PROTOCOL_VIOLATION and "HTTP/1.1" in err.message and took < LIMIT


def test_server_answering_every_hello_with_an_alert_is_a_failed_endpoint() -> None:
    result, took = _scan_against(tls_alert)
    assert result.assets == [] and took < LIMIT
    (err,) = result.errors
    assert err.stage == "tls-hello" and "no TLS version accepted" in err.message and "handshake_failure" in err.message


async def hrr_forever(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A HelloRetryRequest for the first group offered, to every hello, key share or not (never a ServerHello)."""
    writer.write(hello_retry_request(first_offered_group(await _read_hello(reader))))
    await writer.drain()
    await asyncio.sleep(0.2)


def test_server_answering_hello_retry_request_forever_is_inconclusive_never_pq() -> None:
    result, took = _scan_against(hrr_forever)
    attrs = result.assets[0].attributes
    assert attrs["supported_groups"] == [] and took < LIMIT
    assert attrs["groups"]["X25519MLKEM768"]["verdict"] == "inconclusive"
    assert "contradicts itself" in attrs["groups"]["X25519MLKEM768"]["evidence"]
    assert attrs["inconclusive"] and "HelloRetryRequest" in attrs["inconclusive"]
    assert any(e.stage == "tls-group-confirmation" for e in result.errors)
    assert not [f for f in result.findings if f.usage is Usage.KEY_EXCHANGE]


def test_garbage_answer_is_escaped_once_in_the_error_message() -> None:
    async def high_bytes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(4096)
        writer.write(b"\x85\x85garbage" * 8)
        await writer.drain()

    result, _ = _scan_against(high_bytes)
    (err,) = result.errors
    assert "\\x85" in err.message and "\\\\x85" not in err.message


def test_truncated_record_is_a_malformed_error() -> None:
    result, took = _scan_against(truncated_record)
    assert [e.kind for e in result.errors] == [ErrorKind.MALFORMED] and took < LIMIT


def test_absurd_record_length_is_refused_without_reading_it() -> None:
    result, took = _scan_against(absurd_length)
    (err,) = result.errors
    assert err.kind is ErrorKind.PROTOCOL_VIOLATION and "65535" in err.message and took < LIMIT


def test_absurd_handshake_message_length_is_refused() -> None:
    result, took = _scan_against(absurd_handshake_length)
    (err,) = result.errors
    assert err.kind is ErrorKind.PROTOCOL_VIOLATION and took < LIMIT


def test_byte_per_second_drip_ends_at_the_read_timeout() -> None:
    result, took = _scan_against(drip)
    assert [e.kind for e in result.errors] == [ErrorKind.TIMEOUT] and took < 3 * FAST.read_timeout + 1


def test_reset_mid_handshake_is_recorded() -> None:
    result, took = _scan_against(reset_mid_handshake)
    assert result.errors and result.assets == [] and took < LIMIT
    assert result.errors[0].kind in (ErrorKind.RESET, ErrorKind.MALFORMED)


def test_server_that_never_answers_times_out_once() -> None:
    result, took = _scan_against(never_answers)
    (err,) = result.errors
    assert err.kind is ErrorKind.TIMEOUT and err.stage == "tls-hello" and took < 2 * FAST.read_timeout + 1


def test_server_that_accepts_then_closes_is_recorded_as_no_tls_answer() -> None:
    result, took = _scan_against(accept_then_close)
    assert result.errors and result.assets == [] and took < LIMIT
    assert result.errors[-1].kind is ErrorKind.RESET


def test_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as s:  # a port that was just free: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (result,) = asyncio.run(scan_endpoints([endpoint(port)], scan_tls_endpoint, FAST))
    (err,) = result.errors
    assert (err.stage, err.kind) == ("connect", ErrorKind.REFUSED)


def test_hrr_selecting_a_group_that_was_not_offered_is_a_protocol_violation() -> None:
    result, took = _scan_against(wrong_group_hrr)
    groups = result.assets[0].attributes["groups"]
    assert groups["x25519"]["verdict"] == "supported"
    assert groups["X25519MLKEM768"]["verdict"] == "protocol-violation"
    assert any(e.stage == "tls-group-probe:X25519MLKEM768" for e in result.errors) and took < LIMIT


def test_hostile_servers_do_not_stop_the_rest_of_the_scan(tmp_path) -> None:  # type: ignore[no-untyped-def]
    handlers = [garbage, tls_alert, http_answer, truncated_record, absurd_length, drip, reset_mid_handshake,
                never_answers, accept_then_close]

    async def run() -> list[ScanResult]:
        with TlsServer(LAB_CONFIGS["hybrid-and-classical"], tmp_path) as good:
            servers = [tcp_server(h) for h in handlers]
            ports = [await s.__aenter__() for s in servers]
            try:
                eps = [endpoint(p) for p in ports] + [endpoint(good.port)]
                return await scan_endpoints(eps, scan_tls_endpoint, FAST)
            finally:
                for s in servers:
                    await s.__aexit__(None, None, None)

    start = time.monotonic()
    results = asyncio.run(run())
    assert time.monotonic() - start < LIMIT  # in parallel: about one timeout, not the sum
    assert len(results) == len(handlers) + 1
    good_result = next(r for r in results if r.assets and r.assets[0].attributes["supported_groups"])
    assert "X25519MLKEM768" in good_result.assets[0].attributes["supported_groups"] and not good_result.errors


def _single_read_proxy(upstream_port: int) -> Handler:
    """The tldr.fail bug, for real: one read() must hold the whole ClientHello, else the connection drops.
    Complete hellos are relayed to a real lab server."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = await reader.read(65536)
        if len(first) < 5 or len(first) < 5 + struct.unpack("!H", first[3:5])[0]:
            return  # "malformed ClientHello": close
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        up_writer.write(first)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()

        try:
            await asyncio.wait_for(asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer)), 3)
        except (TimeoutError, OSError):
            pass
        finally:
            up_writer.transport.abort()

    return handler


def test_server_that_needs_the_hello_in_one_read_is_flagged_tldr_fail(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TlsServer(LAB_CONFIGS["pq-only"], tmp_path) as upstream:
        result, _ = _scan_against(_single_read_proxy(upstream.port))
    attrs = result.assets[0].attributes
    assert attrs["groups"]["X25519MLKEM768"]["verdict"] == "supported"
    assert attrs["split_client_hello"]["tolerant"] is False


def test_lab_server_accepts_a_split_client_hello(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TlsServer(LAB_CONFIGS["pq-only"], tmp_path) as server:
        (result,) = asyncio.run(scan_endpoints([endpoint(server.port)], scan_tls_endpoint, FAST))
    assert result.assets[0].attributes["split_client_hello"]["tolerant"] is True


def test_ipv6_loopback_endpoint_is_scanned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server = TlsServer(LAB_CONFIGS["pq-only"], tmp_path, host="::1").start()
    except OSError as exc:
        pytest.skip(f"cannot bind ::1 here: {exc}")
    try:
        (ep,) = parse_targets([f"[::1]:{server.port}"])
        (result,) = asyncio.run(scan_endpoints([ep], scan_tls_endpoint, FAST))
    finally:
        server.stop()
    assert result.target == f"tls://[::1]:{server.port}"
    assert result.assets[0].attributes["groups"]["X25519MLKEM768"]["verdict"] == "supported"


async def empty_share_intolerant(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """TLS 1.3 with x25519 only, answering missing_extension(109) to an empty key_share."""
    exts = client_hello_extensions(await _read_hello(reader))
    shares = exts.get(0x0033, b"\x00\x00")[2:]
    groups = []
    while len(shares) >= 4:
        code, length = struct.unpack("!HH", shares[:4])
        groups.append(code)
        shares = shares[4 + length :]
    if not groups:
        writer.write(bytes([21, 3, 3, 0, 2, 2, 109]))
    elif 0x001D in groups:
        sh_exts = struct.pack("!HHH", 0x002B, 2, 0x0304) + struct.pack("!HHHH", 0x0033, 36, 0x001D, 32) + bytes(32)
        body = b"\x03\x03" + os.urandom(32) + b"\x00" + b"\x13\x01" + b"\x00" + struct.pack("!H", len(sh_exts)) + sh_exts
        msg = b"\x02" + struct.pack("!I", len(body))[1:] + body
        writer.write(struct.pack("!BHH", 22, 0x0303, len(msg)) + msg)
    else:
        writer.write(bytes([21, 3, 3, 0, 2, 2, 40]))
    await writer.drain()


def test_tls13_server_refusing_empty_key_shares_is_decided_group_by_group_with_real_shares() -> None:
    result, took = _scan_against(empty_share_intolerant)
    attrs = result.assets[0].attributes
    assert attrs["protocols"]["TLS1.3"] is True and took < LIMIT
    assert attrs["groups"]["x25519"]["verdict"] == "supported"
    assert attrs["groups"]["secp256r1"]["verdict"] == "rejected"
    assert attrs["groups"]["X25519MLKEM768"]["verdict"] == "rejected"
    assert attrs["group_enumeration"]["method"] == "per-group probes"
