"""Hostile TLS and SSH servers scanned through the command line: no crash (exit 3), no hang past the
timeout, one recorded result per endpoint, and an exit code that says whether anything was scanned.

The server behaviours are the ones in tests/integration/test_tls_hostile.py and test_ssh_hostile.py
(reused, not copied). Issue #17 cause 7 (HelloRetryRequest forever rated PQ-ready) was fixed in the TLS
collector; the case is kept here through the CLI. Cause 8's last part: c15dbd4 exited 0 when every
target failed; now 4 (README "Exit codes"), 0 as soon as one endpoint was scanned.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from pqscan.lab.tls_servers import LAB_CONFIGS, TlsServer
from tests.hostile.helpers import NOTHING_SCANNED, OK, pqscan, servers_in_thread
from tests.integration import test_tls_hostile as tls_hostile

pytestmark = pytest.mark.integration

TIMEOUT = 1.0
# Every hostile TLS behaviour already specified for the collector, here all at once through `pqscan tls`.
TLS_HOSTILE = [tls_hostile.garbage, tls_hostile.tls_alert, tls_hostile.http_answer, tls_hostile.truncated_record,
               tls_hostile.absurd_length, tls_hostile.absurd_handshake_length, tls_hostile.drip,
               tls_hostile.reset_mid_handshake, tls_hostile.never_answers, tls_hostile.accept_then_close]


async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Valid-looking handshake records, forever, as fast as the socket takes them."""
    await reader.read(4096)
    record = bytes([22, 3, 3, 0x40, 0x00]) + b"\x0b" + b"\x00" * (0x4000 - 1)
    for _ in range(2000):  # 32 MiB at most
        writer.write(record)
        await writer.drain()


def test_a_fleet_of_hostile_tls_servers_ends_in_time_with_one_result_each(tmp_path: Path) -> None:
    out = tmp_path / "hostile.json"
    with servers_in_thread([*TLS_HOSTILE, flood]) as ports:
        start = time.monotonic()
        proc = pqscan("tls", *(f"127.0.0.1:{p}" for p in ports), "--timeout", str(TIMEOUT), "--no-suites",
                      "-o", out, "-q")
        took = time.monotonic() - start
    assert proc.returncode == NOTHING_SCANNED, proc.stderr  # none of them speaks TLS: nothing scanned
    assert proc.stderr.strip().splitlines()[-1].startswith("pqscan: none of the 11 endpoint(s) could be scanned")
    doc = json.loads(out.read_text())
    assert sorted(doc["completed_targets"]) == sorted(f"tls://127.0.0.1:{p}" for p in ports)
    assert {e["target"] for e in doc["errors"]} == set(doc["completed_targets"])
    assert took < 30, took  # in parallel; each endpoint is bounded by the read timeout and the endpoint limit


def test_one_good_endpoint_among_failures_exits_0(tmp_path: Path) -> None:
    with TlsServer(LAB_CONFIGS["hybrid-and-classical"], tmp_path) as good, \
            servers_in_thread([tls_hostile.tls_alert]) as (bad,):
        proc = pqscan("tls", f"127.0.0.1:{good.port}", f"127.0.0.1:{bad}", "--timeout", "2", "--no-suites",
                      "-f", "json")
    assert proc.returncode == OK, proc.stderr
    assert f"tls://127.0.0.1:{good.port}" in {a["id"] for a in json.loads(proc.stdout)["assets"]}


def test_every_refused_endpoint_exits_4_for_tls_ssh_and_scan(tmp_path: Path) -> None:
    for command in ("tls", "ssh"):
        proc = pqscan(command, "127.0.0.1:9", "--timeout", "0.5")
        assert proc.returncode == NOTHING_SCANNED, (command, proc.stderr)
    # `scan` of network targets only, none of which answers, says so the same way...
    proc = pqscan("scan", "127.0.0.1:9", "ssh://127.0.0.1:9", "--timeout", "0.5", "-o", tmp_path / "x.json")
    assert proc.returncode == NOTHING_SCANNED, proc.stderr
    assert "none of the network targets could be scanned" in proc.stderr
    # ...but a directory beside them was scanned: the run stands (exit by --fail-on only).
    (tmp_path / "empty").mkdir()
    proc = pqscan("scan", "127.0.0.1:9", tmp_path / "empty", "--timeout", "0.5", "-o", tmp_path / "y.json")
    assert proc.returncode == OK, proc.stderr


def test_hello_retry_request_forever_is_never_rated_pq_ready_through_the_cli(tmp_path: Path) -> None:
    """Cause 7 (fixed in the TLS collector; tests/integration/test_tls_hostile.py specifies it there)."""
    out = tmp_path / "hrr.json"
    with servers_in_thread([tls_hostile.hrr_forever]) as (port,):
        proc = pqscan("tls", f"127.0.0.1:{port}", "--timeout", str(TIMEOUT), "--no-suites", "-o", out, "-q")
    assert proc.returncode in (OK, NOTHING_SCANNED), proc.stderr
    doc = json.loads(out.read_text())
    for asset in doc["assets"]:
        if asset["kind"] == "tls-endpoint":
            assert asset["attributes"]["supported_groups"] == []
            assert asset["attributes"]["groups"]["X25519MLKEM768"]["verdict"] == "inconclusive"
    assert not [f for f in doc["findings"] if f["algorithm"] == "X25519MLKEM768"]
    assessed = json.loads(pqscan("assess", out, "-f", "json").stdout)
    assert "X25519MLKEM768" not in json.dumps(assessed.get("findings", []))


async def _ssh_drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    for byte in b"SSH-2.0-Drip_1.0\r\n":
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.5)


async def _ssh_endless_lines(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    for _ in range(10_000):
        writer.write(b"x" * 200 + b"\r\n")
        await writer.drain()


async def _ssh_huge_packet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"SSH-2.0-Big_1.0\r\n" + (0x7FFFFFF0).to_bytes(4, "big") + b"\x04")
    await writer.drain()
    await asyncio.sleep(10)


async def _ssh_reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    import socket
    import struct

    writer.write(b"SSH-2.0-Rst_1.0\r\n")
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_fleet_of_hostile_ssh_servers_ends_in_time_with_one_result_each(tmp_path: Path) -> None:
    out = tmp_path / "ssh.jsonl"
    with servers_in_thread([_ssh_drip, _ssh_endless_lines, _ssh_huge_packet, _ssh_reset]) as ports:
        start = time.monotonic()
        proc = pqscan("ssh", *(f"127.0.0.1:{p}" for p in ports), "--timeout", str(TIMEOUT), "-o", out, "-q")
        took = time.monotonic() - start
    assert proc.returncode == NOTHING_SCANNED, proc.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["target"] for r in lines if r["type"] == "done") == sorted(f"ssh://127.0.0.1:{p}" for p in ports)
    assert took < 30, took
