"""First connections dialled while pqscan loads (pqscan.collect.net.predial): the scan's first connection to an
endpoint is the dialled one, never one more; refusals read the same; limits, the loopback guard and the
options that must not dial are kept."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqscan.cli import cli
from pqscan.collect.net import predial
from pqscan.collect.net.netscan import NetError, NetOptions, connect
from pqscan.collect.net.targets import Endpoint
from pqscan.lab.tls_servers import LAB_CONFIGS, TlsServer
from pqscan.model import ErrorKind

pytestmark = pytest.mark.integration

OPTS = NetOptions(connect_timeout=1.0, read_timeout=1.0, endpoint_timeout=5.0)


@pytest.fixture(autouse=True)
def _nothing_left_dialled() -> Iterator[None]:
    yield
    predial.close_all()


@pytest.fixture(name="listener")
def fixture_listener() -> Iterator[socket.socket]:
    """A plain listening socket: the kernel completes TCP handshakes into its backlog without us."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock
    finally:
        sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_scans_first_connection_is_the_dialled_one(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    assert predial.dial([Endpoint("127.0.0.1", port)], limit=8, per_host=8) == 1
    time.sleep(0.05)  # pqscan loading: the handshake completes meanwhile
    accepted, _ = listener.accept()  # already in the backlog: dialled before any scan code ran
    dialled_port = accepted.getpeername()[1]

    async def use() -> int:
        async with connect("127.0.0.1", port, OPTS) as conn:
            await conn.send(b"ping")
            return int(conn.writer.get_extra_info("sockname")[1])

    assert asyncio.run(use()) == dialled_port
    assert accepted.recv(4) == b"ping"
    listener.settimeout(0.2)
    with pytest.raises(TimeoutError):
        listener.accept()  # and no second connection
    assert predial.take("127.0.0.1", port) is None  # taken once
    accepted.close()


def test_a_refused_dialled_connection_reads_as_a_refusal() -> None:
    port = _free_port()

    async def attempt() -> NetError:
        with pytest.raises(NetError) as caught:
            async with connect("127.0.0.1", port, OPTS):
                pass
        return caught.value

    plain = asyncio.run(attempt())
    predial.dial([Endpoint("127.0.0.1", port)], limit=8, per_host=8)
    dialled = asyncio.run(attempt())
    assert dialled.kind is plain.kind is ErrorKind.REFUSED
    assert str(dialled) == str(plain)


def test_a_dialled_connection_the_server_closed_while_we_loaded_is_replaced(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    predial.dial([Endpoint("127.0.0.1", port)], limit=8, per_host=8)
    early, _ = listener.accept()
    early.close()  # an idle timeout on the server's side, before any hello
    time.sleep(0.05)

    async def use() -> None:
        async with connect("127.0.0.1", port, OPTS) as conn:
            await conn.send(b"hello")

    asyncio.run(use())
    listener.settimeout(2)
    fresh, _ = listener.accept()  # a second connection carried the data
    fresh.settimeout(2)
    assert fresh.recv(5) == b"hello"
    fresh.close()


def test_limits_names_and_the_loopback_guard(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    same_host = [Endpoint("127.0.0.1", port) for _ in range(3)] + [Endpoint("127.0.0.1", p) for p in (1, 2, 3)]
    assert predial.dial(same_host, limit=64, per_host=2) == 2  # one per endpoint, per_host per host
    predial.close_all()
    assert predial.dial([Endpoint("127.0.0.2", p) for p in range(10, 20)], limit=4, per_host=8) == 4
    predial.close_all()
    assert predial.dial([Endpoint("localhost", port)], limit=8, per_host=8) == 0  # no DNS before the scan's own
    assert predial.dial([Endpoint("192.0.2.1", 443)], limit=8, per_host=8) == 0  # the test guard holds


def test_close_all_closes_what_nobody_took(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    predial.dial([Endpoint("127.0.0.1", port)], limit=8, per_host=8)
    accepted, _ = listener.accept()
    predial.close_all()
    accepted.settimeout(2)
    assert accepted.recv(1) == b""  # closed by our side
    accepted.close()


def test_pqscan_tls_dials_first_and_opens_no_extra_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pqscan tls` dials its first connection early by default and not with --rate (which paces every
    connection); the server counts the same connections either way."""
    dialled: list[int] = []
    real_dial = predial.dial
    monkeypatch.setattr(predial, "dial", lambda *a, **k: dialled.append(real_dial(*a, **k)) or dialled[-1])
    counts = []
    for extra in ([], ["--rate", "500"]):
        with TlsServer(LAB_CONFIGS["hybrid-and-classical"], tmp_path / f"lab{len(counts)}") as server:
            r = CliRunner().invoke(cli, ["tls", f"127.0.0.1:{server.port}", "--starttls", "none", "--no-suites",
                                         "--timeout", "2", "--format", "json", *extra])
            assert r.exit_code == 0, r.output
            counts.append(server.accepted)
    assert dialled == [1]  # the first run only
    assert counts[0] == counts[1]
