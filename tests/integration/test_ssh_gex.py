"""Diffie-Hellman group exchange (RFC 4419) against real servers: host keys and the group sizes handed out.

Debian's sshd restricted to ``diffie-hellman-group-exchange-sha256``, once with the system
``/etc/ssh/moduli`` (smallest group 2048 bits) and once with a ``ModuliFile`` holding only the
1024- and 3072-bit MODP primes; paramiko (a second implementation) with only the 1024-bit prime.
OpenSSH 9.2 refuses any request whose maximum is under 2048 bits (DH_GRP_MIN) and otherwise picks
the smallest group at least as large as the preferred size; paramiko hands out what it has.
"""

from __future__ import annotations

import asyncio
import datetime
import struct
import time
from pathlib import Path

import pytest

from pqscan.assess.engine import judge
from pqscan.assess.profiles import load_profile
from pqscan.collect.ssh import gex, wire
from pqscan.lab.ssh_server import SshServer, start_sshd, stop_sshd, write_moduli_file
from pqscan.model import AssetKind, ErrorKind, ScanResult, Severity, Usage
from tests.integration.ssh_fixtures import (  # noqa: F401 - fixtures register by name
    FAST,
    fixture_host_keys,
    fixture_lab_dir,
    paramiko_server,
    pipe,
    scan,
    scan_async,
    ssh_keygen_fingerprint,
    tcp_server,
)

pytestmark = pytest.mark.integration

GEX = "diffie-hellman-group-exchange-sha256"
TODAY = datetime.date(2026, 11, 25)
LIMIT_SECONDS = FAST.endpoint_timeout or 6.0


def _gex_sshd(lab_dir: Path, host_keys: list[Path], moduli: Path | None):
    options = {"KexAlgorithms": GEX}
    if moduli is not None:
        options["ModuliFile"] = str(moduli)
    server = start_sshd(lab_dir, options, host_keys)
    try:
        yield server
    finally:
        stop_sshd(server)


@pytest.fixture(scope="module")
def system_moduli_sshd(lab_dir, host_keys):
    yield from _gex_sshd(lab_dir, host_keys, None)


@pytest.fixture(scope="module")
def small_moduli_sshd(lab_dir, host_keys):
    yield from _gex_sshd(lab_dir, host_keys, write_moduli_file(lab_dir / "moduli-1024-3072", [1024, 3072]))


@pytest.fixture(scope="module")
def system_result(system_moduli_sshd) -> ScanResult:
    return scan(system_moduli_sshd)


@pytest.fixture(scope="module")
def small_result(small_moduli_sshd) -> ScanResult:
    return scan(small_moduli_sshd)


@pytest.fixture(scope="module")
def paramiko_1024(lab_dir):
    paramiko = pytest.importorskip("paramiko")
    saved = paramiko.Transport._modulus_pack
    assert paramiko.Transport.load_server_moduli(str(write_moduli_file(lab_dir / "moduli-1024", [1024])))
    key = paramiko.ECDSAKey.generate(bits=256)
    try:
        with paramiko_server((GEX,), [key]) as port:
            yield key, scan(port)
    finally:
        paramiko.Transport._modulus_pack = saved


def _groups(result: ScanResult) -> dict[str, dict]:
    (ep,) = [a for a in result.assets if a.kind is AssetKind.SSH_ENDPOINT]
    return {g["request"]: g for g in ep.attributes["gex_groups"]}


def _gex_finding(result: ScanResult):
    (finding,) = [f for f in result.findings if f.usage is Usage.KEY_EXCHANGE]
    assert finding.parameters["ssh_name"] == GEX
    return finding


def _severity(result: ScanResult) -> Severity:
    return judge(_gex_finding(result), load_profile("nist-ir-8547"), TODAY).severity


def test_gex_only_server_host_keys_are_fetched_and_equal_ssh_keygen(system_moduli_sshd: SshServer, system_result):
    assert system_result.errors == []
    expected = {ssh_keygen_fingerprint(Path(str(k) + ".pub")) for k in system_moduli_sshd.host_keys}
    keys = [a for a in system_result.assets if a.kind is AssetKind.HOST_KEY]
    assert {k.attributes["fingerprint_sha256"] for k in keys} == expected


def test_gex_fetched_host_keys_are_verified_by_their_signature(system_result):
    keys = [a for a in system_result.assets if a.kind is AssetKind.HOST_KEY]
    assert len(keys) == 3 and all(k.attributes["kex_signature_verified"] is True for k in keys)


def test_openssh_refuses_a_1024_bit_group_request(system_result):
    assert _groups(system_result)["1024/1024/1024"]["outcome"] == "refused"


def test_system_moduli_give_a_2048_bit_group_recorded_as_key_bits(system_result):
    assert _groups(system_result)["2048/2048/8192"] == {"request": "2048/2048/8192", "outcome": "accepted",
                                                        "p_bits": 2048}
    assert _gex_finding(system_result).parameters["key_bits"] == 2048


def test_dh_2048_group_exchange_is_deprecated_after_2030_not_critical(system_result):
    verdict = judge(_gex_finding(system_result), load_profile("nist-ir-8547"), TODAY)
    assert verdict.deadline == datetime.date(2030, 12, 31)
    assert not verdict.classically_broken and verdict.severity is not Severity.CRITICAL


def test_moduli_file_with_1024_and_3072_gives_3072_to_a_2048_minimum(small_result):
    assert small_result.errors == []
    groups = _groups(small_result)
    assert groups["1024/1024/1024"]["outcome"] == "refused"  # OpenSSH's floor, whatever the file holds
    assert groups["2048/2048/8192"]["p_bits"] == 3072
    assert _gex_finding(small_result).parameters["key_bits"] == 3072


def test_server_handing_out_1024_bit_groups_is_recorded_and_judged_critical(paramiko_1024):
    _, result = paramiko_1024
    groups = _groups(result)
    assert groups["1024/1024/1024"] == {"request": "1024/1024/1024", "outcome": "accepted", "p_bits": 1024}
    assert groups["2048/2048/8192"]["outside_requested_range"] is True
    assert _gex_finding(result).parameters["key_bits"] == 1024
    assert _severity(result) is Severity.CRITICAL


def test_paramiko_host_key_is_fetched_and_verified_through_group_exchange(paramiko_1024):
    from pqscan.collect.ssh.keys import fingerprint_sha256

    key, result = paramiko_1024
    assert result.errors == []
    (host_key,) = [a for a in result.assets if a.kind is AssetKind.HOST_KEY]
    assert host_key.attributes["fingerprint_sha256"] == fingerprint_sha256(key.asbytes())
    assert host_key.attributes["kex_signature_verified"] is True


@pytest.fixture(scope="module")
def curve_and_gex_sshd(lab_dir, host_keys):
    server = start_sshd(lab_dir, {"KexAlgorithms": f"curve25519-sha256,{GEX}"}, host_keys)
    try:
        yield server
    finally:
        stop_sshd(server)


def _count_connections(upstream: int) -> tuple[ScanResult, int]:
    connections = 0

    async def counting_proxy(reader, writer):
        nonlocal connections
        connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def run() -> ScanResult:
        async with tcp_server(counting_proxy) as port:
            return await scan_async(port)

    result = asyncio.run(run())
    return result, connections


def test_gex_only_server_costs_one_extra_connection(system_moduli_sshd):
    result, connections = _count_connections(system_moduli_sshd.port)
    host_keys = {a.id for a in result.assets if a.kind is AssetKind.HOST_KEY}
    assert len(host_keys) == 3 and result.errors == []
    # one connection per host-key type (they also show the 2048/2048/8192 group), plus the 1024 probe
    assert connections == len(host_keys) + 1


def test_server_with_curve25519_and_gex_costs_one_extra_connection(curve_and_gex_sshd):
    result, connections = _count_connections(curve_and_gex_sshd.port)
    host_keys = {a.id for a in result.assets if a.kind is AssetKind.HOST_KEY}
    assert len(host_keys) == 3 and result.errors == []
    assert {g["request"]: g.get("p_bits") for g in _groups(result).values()} == {"1024/1024/1024": None,
                                                                                  "2048/2048/8192": 2048}
    # one host-key fetch runs the 2048/2048/8192 group exchange itself; the 1024 probe stops at the group
    assert connections == len(host_keys) + 1


# -- hostile group-exchange servers: a recorded error within the timeout ------------------------------

BANNER = b"SSH-2.0-HostileGex_1.0\r\n"


def _hostile_gex(p: int, g: int):
    kexinit = wire.build_kexinit((GEX,), ("ssh-ed25519",), ("aes128-ctr",), ("hmac-sha2-256",))
    group = bytes([gex.MSG_KEX_DH_GEX_GROUP]) + wire.mpint(p) + wire.mpint(g)

    async def handler(reader, writer):
        writer.write(BANNER + wire.encode_packet(kexinit))
        await writer.drain()
        await reader.readline()  # the client's identification
        for _ in range(4):
            (length,) = struct.unpack(">I", await reader.readexactly(4))
            body = await reader.readexactly(length)
            if wire.packet_payload(body)[0] == gex.MSG_KEX_DH_GEX_REQUEST:
                writer.write(wire.encode_packet(group))
                await writer.drain()
        await asyncio.sleep(30)

    return handler


@pytest.mark.parametrize(("p", "g", "message"), [
    (1 << 99999 | 1, 2, "100000 bits"),
    (1, 0, "not a usable"),
    (None, 0, "generator"),  # p: the 2048-bit MODP prime
], ids=["p-100000-bits", "p-1-g-0", "g-0"])
def test_hostile_gex_group_is_a_recorded_error_within_the_timeout(p, g, message):
    from pqscan.lab.ssh_server import modp_prime

    handler = _hostile_gex(p if p is not None else modp_prime(2048), g)

    async def run() -> tuple[ScanResult, float]:
        async with tcp_server(handler) as port:
            start = time.monotonic()
            result = await scan_async(port)
            return result, time.monotonic() - start

    result, elapsed = asyncio.run(run())
    assert elapsed < LIMIT_SECONDS
    assert [a for a in result.assets if a.kind is AssetKind.HOST_KEY] == []
    assert result.errors and all(e.kind is ErrorKind.PROTOCOL_VIOLATION and message in e.message
                                 for e in result.errors)
    stages = {e.stage for e in result.errors}
    assert stages == {"ssh-host-key:ssh-ed25519", "ssh-gex-group:1024/1024/1024"}
    assert "key_bits" not in _gex_finding(result).parameters
    assert {g["outcome"] for g in _groups(result).values()} == {"error"}


# -- the command line ---------------------------------------------------------------------------------


def test_ssh_table_shows_the_group_sizes_handed_out(small_moduli_sshd):
    from click.testing import CliRunner

    from pqscan.cli import cli

    out = CliRunner().invoke(cli, ["ssh", small_moduli_sshd.target, "--timeout", "2"])
    assert out.exit_code == 0, out.output
    assert "1024/1024/1024: refused" in out.output and "2048/2048/8192: DH-3072" in out.output


def test_no_gex_probe_keeps_only_the_group_the_host_key_exchanges_saw(small_moduli_sshd):
    import json

    from click.testing import CliRunner

    from pqscan.cli import cli

    out = CliRunner().invoke(cli, ["ssh", small_moduli_sshd.target, "--timeout", "2", "--no-gex-probe", "-f", "json"])
    assert out.exit_code == 0, out.output
    (ep,) = [a for a in json.loads(out.output)["assets"] if a["kind"] == "ssh-endpoint"]
    assert ep["attributes"]["gex_groups"] == [{"request": "2048/2048/8192", "outcome": "accepted", "p_bits": 3072}]
