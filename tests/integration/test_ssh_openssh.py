"""The SSH probe against Debian's real OpenSSH server: what it sees must equal ``sshd -T``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pqscan.algorithms import IdKind, lookup
from pqscan.collect.ssh.assets import is_pseudo
from pqscan.collect.ssh.keys import key_type_for
from pqscan.lab.ssh_server import sshd_effective_config
from pqscan.model import AssetKind, QuantumStatus, RelationKind, ScanResult, Usage
from tests.integration.ssh_fixtures import (  # noqa: F401 - fixtures register by name
    fixture_classical_sshd,
    fixture_default_sshd,
    fixture_host_keys,
    fixture_lab_dir,
    fixture_sntrup_only_sshd,
    pre_banner_proxy,
    scan,
    scan_async,
    ssh_keygen_fingerprint,
    tcp_server,
)

pytestmark = pytest.mark.integration


def _endpoint(result: ScanResult):
    (ep,) = [a for a in result.assets if a.kind is AssetKind.SSH_ENDPOINT]
    return ep


def _names(result: ScanResult, usage: Usage) -> list[str]:
    return [f.parameters["ssh_name"] for f in result.findings if f.usage is usage and "ssh_name" in f.parameters]


@pytest.fixture(scope="module")
def default_result(default_sshd):
    return scan(default_sshd)


@pytest.fixture(scope="module")
def classical_result(classical_sshd):
    return scan(classical_sshd)


def test_default_server_scan_has_no_errors(default_result):
    assert default_result.errors == []


def test_kex_list_equals_sshd_T_kexalgorithms(default_sshd, default_result):
    expected = sshd_effective_config(default_sshd.config)["kexalgorithms"]
    assert _names(default_result, Usage.KEY_EXCHANGE) == expected


def test_classical_kex_list_equals_sshd_T_kexalgorithms(classical_sshd, classical_result):
    expected = sshd_effective_config(classical_sshd.config)["kexalgorithms"]
    assert _names(classical_result, Usage.KEY_EXCHANGE) == expected


def test_only_pseudo_algorithms_are_dropped_from_the_raw_kex_list(default_result):
    raw = _endpoint(default_result).attributes["kex_algorithms"]
    assert [k for k in raw if not is_pseudo(k)] == _names(default_result, Usage.KEY_EXCHANGE)
    assert "kex-strict-s-v00@openssh.com" in raw  # Debian 12's sshd has the Terrapin fix


def test_ciphers_and_macs_equal_sshd_T(default_sshd, default_result):
    cfg = sshd_effective_config(default_sshd.config)
    ep = _endpoint(default_result).attributes
    assert ep["encryption_algorithms_server_to_client"] == cfg["ciphers"]
    assert ep["mac_algorithms_server_to_client"] == cfg["macs"]


def _loaded_key_types(keys: list[Path]) -> set[str]:
    return {Path(str(k) + ".pub").read_text().split()[0] for k in keys}


def test_host_key_algorithms_are_sshd_T_entries_for_the_loaded_keys(default_sshd, default_result):
    allowed = sshd_effective_config(default_sshd.config)["hostkeyalgorithms"]
    loaded = _loaded_key_types(default_sshd.host_keys)
    offered = _endpoint(default_result).attributes["server_host_key_algorithms"]
    assert sorted(offered) == sorted(a for a in allowed if key_type_for(a) in loaded)


def test_each_host_key_matches_ssh_keygen_fingerprint(default_sshd, default_result):
    expected = {ssh_keygen_fingerprint(Path(str(k) + ".pub")) for k in default_sshd.host_keys}
    got = {a.attributes["fingerprint_sha256"] for a in default_result.assets if a.kind is AssetKind.HOST_KEY}
    assert got == expected


def test_host_keys_have_algorithm_and_size(default_result):
    keys = {a.attributes["ssh_key_type"]: a.attributes for a in default_result.assets if a.kind is AssetKind.HOST_KEY}
    assert keys["ssh-rsa"]["key_bits"] == 3072
    assert keys["ecdsa-sha2-nistp256"]["curve"] == "P-256"
    assert keys["ssh-ed25519"]["algorithm"] == "Ed25519"


def test_endpoint_links_its_host_keys_and_software(default_result):
    ep = _endpoint(default_result)
    host_keys = {a.id for a in default_result.assets if a.kind is AssetKind.HOST_KEY}
    assert {r.target for r in ep.relations if r.kind is RelationKind.HAS_HOST_KEY} == host_keys
    (software,) = [r.target for r in ep.relations if r.kind is RelationKind.RUNS]
    assert software.startswith("software:OpenSSH_9.2p1")


def _kex_statuses(result: ScanResult) -> dict[str, QuantumStatus]:
    return {f.parameters["ssh_name"]: lookup(IdKind.SSH_KEX, f.parameters["ssh_name"]).quantum_status
            for f in result.findings if f.usage is Usage.KEY_EXCHANGE}


def _require_catalogue(*names: str) -> None:
    missing = [n for n in names if lookup(IdKind.SSH_KEX, n).is_unknown]
    if missing:
        pytest.skip(f"the algorithm catalogue has no entry for {', '.join(missing)} yet (issue 2)")


def test_default_server_offers_sntrup761_hybrid(default_result):
    _require_catalogue("sntrup761x25519-sha512@openssh.com")
    statuses = _kex_statuses(default_result)
    assert statuses["sntrup761x25519-sha512@openssh.com"] is QuantumStatus.HYBRID
    findings = {f.parameters["ssh_name"]: f for f in default_result.findings if f.usage is Usage.KEY_EXCHANGE}
    assert findings["sntrup761x25519-sha512@openssh.com"].algorithm == \
        lookup(IdKind.SSH_KEX, "sntrup761x25519-sha512@openssh.com").id


def test_classical_server_offers_no_quantum_safe_kex(classical_result):
    _require_catalogue(*_names(classical_result, Usage.KEY_EXCHANGE))
    assert set(_kex_statuses(classical_result).values()) == {QuantumStatus.BROKEN}


def test_openssh10_client_would_negotiate_sntrup_with_debian_default(default_result):
    negotiated = _endpoint(default_result).attributes["openssh10_negotiated"]
    assert negotiated["kex"] == "sntrup761x25519-sha512"  # OpenSSH 10 lists the IANA name before @openssh.com
    assert negotiated["host_key"] == "ssh-ed25519"


def test_openssh10_client_would_negotiate_curve25519_with_classical_server(classical_result):
    assert _endpoint(classical_result).attributes["openssh10_negotiated"]["kex"] == "curve25519-sha256"


def test_host_keys_are_fetched_through_sntrup761_when_it_is_the_only_kex(sntrup_only_sshd):
    result = scan(sntrup_only_sshd)
    assert result.errors == []
    assert len([a for a in result.assets if a.kind is AssetKind.HOST_KEY]) == 3


def test_pre_banner_lines_are_tolerated_and_recorded(default_sshd):
    lines = [b"Welcome to the lab\r\n", b"Authorised use only\r\n"]

    async def run() -> ScanResult:
        async with tcp_server(pre_banner_proxy(default_sshd.port, lines)) as port:
            return await scan_async(port)

    result = asyncio.run(run())
    assert result.errors == []
    ep = _endpoint(result)
    assert ep.attributes["pre_banner_lines"] == ["Welcome to the lab", "Authorised use only"]
    assert ep.attributes["software"] == "OpenSSH_9.2p1"


VERIFIABLE_KEX = ["curve25519-sha256", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
                  "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512"]


@pytest.mark.parametrize("kex", VERIFIABLE_KEX)
def test_host_keys_fetched_through_each_kex_carry_a_verified_signature(lab_dir, host_keys, kex):
    from pqscan.lab.ssh_server import start_sshd, stop_sshd

    server = start_sshd(lab_dir, {"KexAlgorithms": kex}, host_keys)
    try:
        result = scan(server)
    finally:
        stop_sshd(server)
    assert result.errors == []
    keys = [a for a in result.assets if a.kind is AssetKind.HOST_KEY]
    assert len(keys) == 3
    assert all(k.attributes["kex_signature_verified"] is True for k in keys)


def test_sntrup_fetched_host_keys_are_marked_unverifiable(sntrup_only_sshd):
    result = scan(sntrup_only_sshd)
    keys = [a for a in result.assets if a.kind is AssetKind.HOST_KEY]
    assert keys and all("kex_signature_verified" not in k.attributes for k in keys)


def test_host_certificate_is_fetched_with_its_ca_and_principals(lab_dir):
    import subprocess

    from pqscan.lab.ssh_server import start_sshd, stop_sshd

    d = lab_dir / "hostcert"
    d.mkdir(exist_ok=True)
    for name in ("ca", "ssh_host_ed25519_key"):
        if not (d / name).exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
    subprocess.run(["ssh-keygen", "-q", "-s", str(d / "ca"), "-I", "lab-host", "-h", "-n", "localhost,127.0.0.1",
                    "-V", "+52w", str(d / "ssh_host_ed25519_key.pub")], check=True, capture_output=True)
    server = start_sshd(d, {"HostCertificate": str(d / "ssh_host_ed25519_key-cert.pub")},
                        [d / "ssh_host_ed25519_key"])
    try:
        result = scan(server)
    finally:
        stop_sshd(server)
    assert result.errors == []
    (cert,) = [a for a in result.assets if a.kind is AssetKind.HOST_KEY and a.attributes.get("openssh_certificate")]
    info = cert.attributes["certificate"]
    assert info["ca_fingerprint_sha256"] == ssh_keygen_fingerprint(d / "ca.pub")
    assert (info["cert_type"], info["principals"]) == ("host", ["localhost", "127.0.0.1"])
    assert cert.attributes["kex_signature_verified"] is True
