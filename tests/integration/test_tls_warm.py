"""Connections opened ahead (pqscan.collect.tls.warm): each elimination step's successor is connected
while the step is answered, a loop's last spare serves a probe that can wait, and none of it changes a
fact, costs a connection beyond the budget, holds a host slot another probe needs, or sends a hello on a
connection the server has given up.

On loopback the round trip is far below ``warm.MIN_RTT`` and nothing is opened ahead, so these tests
lower the threshold to 0 to run the warm path against the real lab servers (the 25 ms fleet of
benchmarks/bench_tls.py runs it unforced)."""

from __future__ import annotations

import asyncio
import functools
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from pqscan.collect.net.netscan import Limiter, NetOptions, connect, scan_endpoints
from pqscan.collect.tls import warm
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.collect.tls.handshake import full_handshake
from pqscan.collect.tls.starttls import open_tls_stream
from pqscan.lab.tls_servers import TlsServer
from pqscan.model import ScanResult
from tests.integration.tls_fixtures import FAST, endpoint, fixture_tls_lab, fixture_tls_lab_dir, tcp_server  # noqa: F401

pytestmark = pytest.mark.integration

SERVERS = ["pq-only", "hybrid-and-classical", "classical-only", "tls12-only", "rsa-chain", "mldsa-cert",
           "mlkem512-only", "hybrid-and-p384", "pq-forced"]
# The budget per well-behaved endpoint; the nine-group lab server needs ten for its elimination alone.
BUDGET = {"hybrid-and-classical": 16}


@pytest.fixture(name="pools")
def fixture_pools(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[warm.WarmPool]]:
    """Every WarmPool created while the test runs, with the round-trip threshold at 0 (warm on loopback)."""
    created: list[warm.WarmPool] = []
    original = warm.WarmPool.__init__

    def init(self: warm.WarmPool, *args: Any, **kw: Any) -> None:
        original(self, *args, **kw)
        created.append(self)

    monkeypatch.setattr(warm, "MIN_RTT", 0.0)
    monkeypatch.setattr(warm.WarmPool, "__init__", init)
    yield created


def _facts(result: ScanResult) -> dict[str, Any]:
    attrs = next(a for a in result.assets if a.kind.value == "tls-endpoint").attributes
    neg = attrs["negotiated"] or {}
    pref = attrs["preference"] or {}
    return {"groups": {n: g["verdict"] for n, g in attrs["groups"].items()}, "tls12": attrs["tls12_groups"],
            "order": pref.get("order"), "pref": pref.get("verdict"), "protocols": attrs["protocols"],
            "chain": neg.get("chain_length"), "upgrade": (attrs["hrr_upgrade"] or {}).get("forces_pq"),
            "rsa_kx": attrs["tls12_rsa_key_transport"], "errors": sorted(e.stage for e in result.errors)}


def _scan(lab: TlsServer) -> tuple[ScanResult, int]:
    before = lab.accepted
    result = asyncio.run(scan_endpoints([endpoint(lab.port)], functools.partial(scan_tls_endpoint, suites=False),
                                        FAST))[0]
    return result, lab.accepted - before


@pytest.mark.parametrize("server", SERVERS)
def test_connections_opened_ahead_change_no_fact_and_stay_within_the_budget(
        tls_lab: dict[str, TlsServer], server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lab = tls_lab[server]
    monkeypatch.setattr(warm, "MIN_RTT", float("inf"))  # every connection opened when needed
    cold, cold_connections = _scan(lab)
    monkeypatch.setattr(warm, "MIN_RTT", 0.0)  # each elimination step's successor opened ahead
    hot, hot_connections = _scan(lab)
    assert _facts(hot) == _facts(cold)
    assert hot_connections <= BUDGET.get(server, 10)
    assert hot_connections <= cold_connections + 1  # at most one spare left over


def test_every_elimination_step_after_the_first_goes_out_on_a_connection_opened_ahead(
        tls_lab: dict[str, TlsServer], pools: list[warm.WarmPool]) -> None:
    result, connections = _scan(tls_lab["hybrid-and-classical"])  # nine TLS 1.3 groups, three TLS 1.2 curves
    attrs = next(a for a in result.assets if a.kind.value == "tls-endpoint").attributes
    steps = attrs["group_enumeration"]["TLS1.3"]["connections"] - 1 + attrs["group_enumeration"]["TLS1.2"]["connections"] - 1
    (pool,) = pools
    assert pool.used >= steps  # every step after each loop's first (and the leftovers' probes too)
    assert pool.opened - pool.used <= 1  # what was opened ahead and never used: one spare at most
    assert connections <= BUDGET["hybrid-and-classical"]


def test_nothing_is_opened_ahead_on_loopback(tls_lab: dict[str, TlsServer], monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[warm.WarmPool] = []
    original = warm.WarmPool.__init__

    def init(self: warm.WarmPool, *args: Any, **kw: Any) -> None:
        original(self, *args, **kw)
        created.append(self)

    monkeypatch.setattr(warm.WarmPool, "__init__", init)
    _scan(tls_lab["classical-only"])
    assert [(p.live, p.opened) for p in created] == [(False, 0)]


def test_the_kernel_round_trip_of_a_loopback_connection_is_below_the_threshold(tls_lab: dict[str, TlsServer]) -> None:
    async def rtt() -> float | None:
        async with connect("127.0.0.1", tls_lab["pq-only"].port, FAST) as conn:
            return conn.rtt()

    measured = asyncio.run(rtt())
    if sys.platform != "linux":
        pytest.skip("TCP_INFO round trips are read on Linux only")
    assert measured is not None and 0 <= measured < warm.MIN_RTT


def test_a_spare_the_server_closed_while_it_waited_is_not_used(pools: list[warm.WarmPool]) -> None:
    """A server that drops every connection it has not been written to within 50 ms: a hello sent on such
    a spare would read as "closed without an answer". A fresh connection is opened instead."""
    answered: list[bytes] = []

    async def impatient(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            data = await asyncio.wait_for(reader.read(16), 0.05)
        except TimeoutError:
            return  # closed unused
        answered.append(data)
        writer.write(b"ok")
        await writer.drain()

    async def run() -> tuple[bytes, warm.WarmPool]:
        async with tcp_server(impatient) as port:
            ep = endpoint(port)
            with warm.warm_connections(ep, FAST) as pool:
                pool.start(rtt=None)
                with warm.chain():
                    async with warm.tls_stream(ep, FAST) as conn:  # a step: opens its successor ahead
                        await conn.send(b"first")
                        assert await conn.read_some(2) == b"ok"
                    await asyncio.sleep(0.2)  # the successor waits; the server drops it
                    async with warm.tls_stream(ep, FAST) as conn:
                        await conn.send(b"second")
                        return await conn.read_some(2), pool

    reply, pool = asyncio.run(run())
    assert reply == b"ok" and answered == [b"first", b"second"]
    assert pool.opened >= 1 and pool.used == 0


def test_an_idle_spare_gives_its_host_slot_to_a_probe_that_waits_for_one(
        tls_lab: dict[str, TlsServer], pools: list[warm.WarmPool]) -> None:
    """Three connection slots on 127.0.0.1: a silent endpoint's first hello, its TLS 1.2 hello and the
    spare its TLS 1.3 loop opened ahead hold all three. A lab server scanned next on that host must not
    wait for the silent one's 5 s timeouts: the idle spare is closed and its slot given."""
    order: list[str] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    async def run() -> None:
        options = NetOptions(connect_timeout=5.0, read_timeout=5.0, endpoint_timeout=20.0, per_host=3)
        limiter = Limiter(options.per_host, None)
        probe = functools.partial(scan_tls_endpoint, suites=False)
        async with tcp_server(hold) as silent:
            first = asyncio.ensure_future(scan_endpoints([endpoint(silent)], probe, options, limiter=limiter,
                                                         on_result=lambda r: order.append(r.target)))
            await asyncio.sleep(0.3)  # its three connections are up, the spare idle
            await scan_endpoints([endpoint(tls_lab["classical-only"].port)], probe, options, limiter=limiter,
                                 on_result=lambda r: order.append(r.target))
            await first

    asyncio.run(run())
    assert len(order) == 2 and order[0] == endpoint(tls_lab["classical-only"].port).key


def test_the_full_handshake_sends_x25519_beside_the_hybrid_share(tls_lab: dict[str, TlsServer]) -> None:
    """A classical server answers the first flight: no HelloRetryRequest round trip for the chain."""

    async def run() -> tuple[str | None, bool]:
        ep = endpoint(tls_lab["classical-only"].port)
        async with open_tls_stream(ep, FAST) as conn:
            info = await full_handshake(conn, None, 2.0)
        return info.group, info.hello_retry

    assert asyncio.run(run()) == ("x25519", False)


def test_pqscan_tls_starts_without_importing_pyopenssl_or_cryptography() -> None:
    code = ("import sys, pqscan.cli, pqscan.commands.tls; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'OpenSSL', 'cryptography'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
