"""A server offering only the ML-KEM hybrid KEX (paramiko, an independent SSH implementation)."""

from __future__ import annotations

import pytest

from pqscan.algorithms import IdKind, lookup
from pqscan.collect.ssh.keys import fingerprint_sha256
from pqscan.model import AssetKind, QuantumStatus, Usage
from tests.integration.ssh_fixtures import paramiko_server, scan

pytestmark = pytest.mark.integration

MLKEM = "mlkem768x25519-sha256"


@pytest.fixture(scope="module")
def mlkem_only():
    paramiko = pytest.importorskip("paramiko")
    if MLKEM not in paramiko.Transport._preferred_kex:
        pytest.skip(f"this paramiko has no {MLKEM}")
    key = paramiko.ECDSAKey.generate(bits=256)
    with paramiko_server((MLKEM,), [key]) as port:
        yield port, key, scan(port)


def test_mlkem_only_server_kex_list_is_exactly_mlkem768x25519(mlkem_only):
    _, _, result = mlkem_only
    kex = [f.parameters["ssh_name"] for f in result.findings if f.usage is Usage.KEY_EXCHANGE]
    assert kex == [MLKEM]


def test_mlkem768x25519_is_classified_as_a_hybrid(mlkem_only):
    _, _, result = mlkem_only
    if lookup(IdKind.SSH_KEX, MLKEM).is_unknown:
        pytest.skip(f"the algorithm catalogue has no entry for {MLKEM} yet (issue 2)")
    (finding,) = [f for f in result.findings if f.usage is Usage.KEY_EXCHANGE]
    assert lookup(IdKind.SSH_KEX, MLKEM).quantum_status is QuantumStatus.HYBRID
    assert finding.algorithm == lookup(IdKind.SSH_KEX, MLKEM).id
    assert finding.parameters["negotiated_openssh10"] is True


def test_host_key_is_fetched_through_the_mlkem_hybrid_exchange(mlkem_only):
    _, key, result = mlkem_only
    assert result.errors == []
    (host_key,) = [a for a in result.assets if a.kind is AssetKind.HOST_KEY]
    assert host_key.attributes["fingerprint_sha256"] == fingerprint_sha256(key.asbytes())
    assert host_key.attributes["curve"] == "P-256"


def test_software_is_read_from_the_paramiko_banner(mlkem_only):
    _, _, result = mlkem_only
    (software,) = [a for a in result.assets if a.kind is AssetKind.SOFTWARE]
    assert software.attributes["product"] == "paramiko"
