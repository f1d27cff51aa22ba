"""The shared scan machinery (pqscan.collect.net.netscan) with real loopback sockets: limits, budgets, streaming."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from pqscan.collect.net.netscan import Limiter, NetError, NetOptions, connect, scan_endpoints
from pqscan.collect.net.targets import Endpoint
from pqscan.inventory import JsonlWriter, load
from pqscan.model import ErrorKind, ScanResult
from tests.integration.tls_fixtures import tcp_server

pytestmark = pytest.mark.integration

OPTS = NetOptions(connect_timeout=1.0, read_timeout=0.5, endpoint_timeout=3.0, concurrency=16, per_host=2)


async def _echo_later(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(0.05)
    writer.write(b"hello\n")
    await writer.drain()


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_per_host_limit_caps_simultaneous_connections_to_one_host() -> None:
    live = peak = 0

    async def probe(ep: Endpoint, options: NetOptions) -> ScanResult:
        nonlocal live, peak

        async def one() -> None:
            nonlocal live, peak
            async with connect(ep.host, ep.port, options) as conn:
                live += 1
                peak = max(peak, live)
                await conn.read_line(64)
                live -= 1

        await asyncio.gather(*(one() for _ in range(6)))
        return ScanResult(ep.key, "test")

    async def main() -> None:
        async with tcp_server(_echo_later) as port:
            await scan_endpoints([Endpoint("127.0.0.1", port)], probe, OPTS)

    _run(main())
    assert peak == OPTS.per_host


def test_limiter_counts_every_connection_it_paces() -> None:
    async def probe(ep: Endpoint, options: NetOptions) -> ScanResult:
        for _ in range(3):
            async with connect(ep.host, ep.port, options) as conn:
                await conn.read_line(64)
        return ScanResult(ep.key, "test")

    limiter = Limiter(per_host=4, rate=None)

    async def main() -> None:
        async with tcp_server(_echo_later) as port:
            await scan_endpoints([Endpoint("127.0.0.1", port)], probe, OPTS, limiter=limiter)

    _run(main())
    assert limiter.connections == 3


def test_a_crashing_probe_is_recorded_and_the_other_endpoints_finish() -> None:
    async def probe(ep: Endpoint, options: NetOptions) -> ScanResult:
        if ep.port == 1:
            raise RuntimeError("bug in a probe")
        return ScanResult(ep.key, "test")

    results = _run(scan_endpoints([Endpoint("127.0.0.1", 1), Endpoint("127.0.0.1", 2)], probe, OPTS))
    by_key = {r.target: r for r in results}
    assert by_key["tls://127.0.0.1:1"].errors[0].kind is ErrorKind.INTERNAL
    assert by_key["tls://127.0.0.1:2"].errors == []


def test_endpoint_budget_ends_a_probe_that_never_returns() -> None:
    async def probe(ep: Endpoint, options: NetOptions) -> ScanResult:
        await asyncio.sleep(60)
        raise AssertionError("unreachable")

    opts = NetOptions(endpoint_timeout=0.2)
    (result,) = _run(scan_endpoints([Endpoint("127.0.0.1", 9)], probe, opts))
    assert result.errors[0].kind is ErrorKind.TIMEOUT


def test_bounded_read_refuses_an_overlong_line() -> None:
    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"x" * 20000)
        await writer.drain()
        await asyncio.sleep(1)

    async def main() -> NetError:
        async with tcp_server(flood) as port, connect("127.0.0.1", port, OPTS, stream_limit=4096) as conn:
            try:
                await conn.read_line(4096)
            except NetError as exc:
                return exc
        raise AssertionError("no error")

    assert _run(main()).kind is ErrorKind.TOO_LARGE


def test_results_stream_with_done_markers_and_skip_keys_resume(tmp_path: Path) -> None:
    async def probe(ep: Endpoint, options: NetOptions) -> ScanResult:
        return ScanResult(ep.key, "test")

    eps = [Endpoint("127.0.0.1", p) for p in (11, 12, 13)]
    out = tmp_path / "s.jsonl"
    with JsonlWriter(out) as writer:
        _run(scan_endpoints(eps, probe, OPTS, skip_keys={"tls://127.0.0.1:12"},
                           on_result=lambda r: writer.write_result(r, done=True)))
    done = [json.loads(line)["target"] for line in out.read_text().splitlines() if '"done"' in line]
    assert sorted(done) == ["tls://127.0.0.1:11", "tls://127.0.0.1:13"]
    assert set(load(out).completed_targets) == set(done)


def test_connect_refuses_a_non_loopback_address_under_the_test_guard() -> None:
    async def main() -> NetError:
        try:
            async with connect("192.0.2.1", 443, OPTS):
                pass
        except NetError as exc:
            return exc
        raise AssertionError("connected")

    err = _run(main())
    assert err.kind is ErrorKind.SKIPPED and "PQSCAN_TEST_LOOPBACK_ONLY" in str(err)


def test_rate_spaces_new_connections() -> None:
    starts: list[float] = []

    async def probe(ep: Endpoint, options: NetOptions) -> ScanResult:
        async with connect(ep.host, ep.port, options) as conn:
            starts.append(asyncio.get_running_loop().time())
            await conn.read_line(64)
        return ScanResult(ep.key, "test")

    async def paced() -> None:
        async with tcp_server(_echo_later) as port:
            opts = NetOptions(connect_timeout=1.0, read_timeout=1.0, concurrency=8, per_host=8, rate=20.0)
            await scan_endpoints([Endpoint("127.0.0.1", port, spec=str(i), scheme=f"t{i}") for i in range(5)],
                                 probe, opts)

    _run(paced())
    assert len(starts) == 5
    # 5 connections at 20/s span 0.2 s; unpaced they would start within a few ms. The bound is half the
    # ideal span so scheduling jitter on a loaded machine cannot fail it, yet pacing is still required.
    assert max(starts) - min(starts) >= 0.1
