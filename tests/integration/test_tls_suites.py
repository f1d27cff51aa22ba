"""Accepted TLS <= 1.2 cipher suites by elimination, against real servers: the pyOpenSSL lab,
OpenJDK's JSSE (3DES, RC4, DHE-1024, TLS 1.0) and Debian nginx (DHE-1024 on OpenSSL 3.0)."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from OpenSSL import SSL

from pqscan.collect.net.netscan import Limiter, scan_endpoints
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.lab.tls_servers import LAB_CONFIGS, ServerConfig, TlsServer
from pqscan.model import Finding, ScanResult, Usage
from tests.integration.tls_fixtures import (  # noqa: F401 - fixtures register by name
    FAST,
    JAVA_SUITES,
    JVM,
    JavaServer,
    Nginx,
    endpoint,
    fixture_java_legacy_tls,
    fixture_lab_results,
    fixture_nginx,
    fixture_tls_lab,
    fixture_tls_lab_dir,
    scan,
)

pytestmark = pytest.mark.integration

LEGACY_ORDER = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_NULL_SHA"]  # LEGACY_SUITES_CIPHERS in IANA names
JAVA_ORDER = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
              "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"]
assert len(JAVA_ORDER) == len(JAVA_SUITES)


def suites_attr(result: ScanResult) -> dict[str, Any]:
    return dict(result.assets[0].attributes["tls_suites"])


def found(result: ScanResult, algorithm: str, usage: Usage) -> Finding:
    (f,) = [f for f in result.findings if f.algorithm == algorithm and f.usage is usage]
    return f


# -- pyOpenSSL lab (OpenSSL 4) ----------------------------------------------------------------------


def test_elimination_finds_every_accepted_suite_in_the_servers_preference_order(
    lab_results: dict[str, ScanResult],
) -> None:
    tls12 = suites_attr(lab_results["legacy-suites"])["TLS1.2"]
    assert tls12["accepted"] == LEGACY_ORDER and tls12["complete"] is True and tls12["server_order"] is True


def test_enumeration_costs_one_connection_per_accepted_suite_plus_two(lab_results: dict[str, ScanResult]) -> None:
    # N picks + the refusal that ends the loop + the reversed-pair preference check
    assert suites_attr(lab_results["legacy-suites"])["TLS1.2"]["connections"] == len(LEGACY_ORDER) + 2


def test_dhe_suite_records_the_1024_bit_prime_from_server_key_exchange(lab_results: dict[str, ScanResult]) -> None:
    dh = found(lab_results["legacy-suites"], "DH", Usage.KEY_EXCHANGE)
    assert dh.parameters["key_bits"] == 1024 and dh.parameters["cipher_suites"] == ["TLS_DHE_RSA_WITH_AES_128_CBC_SHA"]


def test_rsa_key_transport_suites_are_one_rsaes_pkcs1_finding_with_the_leaf_key_size(
    lab_results: dict[str, ScanResult],
) -> None:
    rsa = found(lab_results["legacy-suites"], "RSAES-PKCS1", Usage.ENCRYPTION)
    assert rsa.parameters["key_bits"] == 2048 and rsa.parameters["forward_secret"] is False
    assert rsa.parameters["cipher_suites"] == ["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_NULL_SHA"]


def test_null_cipher_suite_is_a_null_symmetric_finding(lab_results: dict[str, ScanResult]) -> None:
    assert found(lab_results["legacy-suites"], "NULL", Usage.SYMMETRIC).parameters["mode"] == "none"


def test_cbc_suites_record_their_record_mac_as_hmac_and_aead_suites_their_prf(
    lab_results: dict[str, ScanResult],
) -> None:
    result = lab_results["legacy-suites"]
    assert found(result, "HMAC-SHA1", Usage.MAC).parameters["cipher_suites"] == LEGACY_ORDER[1:]
    assert found(result, "HMAC-SHA256", Usage.KDF).parameters["role"] == "prf"
    assert not [f for f in result.findings if f.algorithm in ("SHA-1", "SHA-256")]


def test_ecdhe_suite_records_the_curve_the_server_used(lab_results: dict[str, ScanResult]) -> None:
    x25519 = found(lab_results["legacy-suites"], "X25519", Usage.KEY_EXCHANGE)
    assert x25519.parameters["protocol"] == "TLS1.2" and x25519.parameters["cipher_suites"] == LEGACY_ORDER[:1]


def test_tls13_only_server_has_no_suite_enumeration(lab_results: dict[str, ScanResult]) -> None:
    assert suites_attr(lab_results["pq-only"]) == {}


def test_old_versions_are_enumerated_separately(lab_results: dict[str, ScanResult]) -> None:
    suites = suites_attr(lab_results["legacy-tls10"])
    assert set(suites) == {"TLS1.2", "TLS1.1", "TLS1.0"} and all(v["complete"] for v in suites.values())
    assert not any("GCM" in s for s in suites["TLS1.0"]["accepted"])  # AEAD suites are TLS 1.2 only


def test_client_order_server_is_reported_as_not_having_its_own_order(tmp_path: Path) -> None:
    config = ServerConfig("client-order", ("X25519",), max_version=SSL.TLS1_2_VERSION,
                          tls12_ciphers="ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA", server_preference=False)
    with TlsServer(config, tmp_path) as server:
        tls12 = suites_attr(scan(server.port))["TLS1.2"]
    assert sorted(tls12["accepted"]) == ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"]
    assert tls12["server_order"] is False


def test_no_suites_mode_skips_the_enumeration_and_uses_fewer_connections(tls_lab: dict[str, TlsServer]) -> None:
    port = tls_lab["legacy-suites"].port

    def run(suites: bool) -> tuple[ScanResult, int]:
        limiter = Limiter(FAST.per_host, None)
        probe = functools.partial(scan_tls_endpoint, suites=suites)
        (result,) = asyncio.run(scan_endpoints([endpoint(port)], probe, FAST, limiter=limiter))
        return result, limiter.connections

    (_, n_full), (quick, n_quick) = run(True), run(False)
    assert quick.assets[0].attributes["tls_suites"] is None and n_quick < n_full
    rsa = found(quick, "RSAES-PKCS1", Usage.ENCRYPTION)  # the single RSA-suite probe still sees key transport
    assert rsa.parameters["key_bits"] == 2048


def test_enumerating_every_lab_server_records_no_errors(lab_results: dict[str, ScanResult]) -> None:
    assert {n: [e.stage for e in r.errors] for n, r in lab_results.items() if r.errors} == {}
    assert LAB_CONFIGS["legacy-suites"].dh_params == "rfc2409-1024"


# -- OpenJDK JSSE: 3DES, RC4, DHE-1024, TLS 1.0 -------------------------------------------------------


@pytest.fixture(scope="module", name="java_result")
def fixture_java_result(java_legacy_tls: JavaServer) -> ScanResult:
    return scan(java_legacy_tls.port, JVM)


def test_jsse_server_accepted_suites_and_order_match_its_configuration(java_result: ScanResult) -> None:
    tls12 = suites_attr(java_result)["TLS1.2"]
    assert tls12["accepted"] == JAVA_ORDER and tls12["server_order"] is True


def test_3des_behind_a_preferred_ecdhe_suite_is_a_finding(java_result: ScanResult) -> None:
    des = found(java_result, "3DES", Usage.SYMMETRIC)
    assert des.parameters["cipher_suites"] == ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"]
    assert des.parameters["protocols"] == ["TLS1.2", "TLS1.0"]


def test_rc4_is_a_stream_cipher_finding(java_result: ScanResult) -> None:
    assert found(java_result, "RC4", Usage.SYMMETRIC).parameters["mode"] == "stream"


def test_jsse_dhe_suite_records_1024_bit_parameters(java_result: ScanResult) -> None:
    assert found(java_result, "DH", Usage.KEY_EXCHANGE).parameters["key_bits"] == 1024


def test_tls10_enumeration_sees_the_same_weak_suites(java_result: ScanResult) -> None:
    tls10 = suites_attr(java_result)["TLS1.0"]
    assert tls10["accepted"] == [s for s in JAVA_ORDER if "GCM" not in s]
    assert "TLS1.1" not in suites_attr(java_result)


def test_assess_judges_3des_dh1024_and_tls10_on_the_endpoint_critical(java_legacy_tls: JavaServer,
                                                                       tmp_path: Path) -> None:
    verdicts = _assess(f"127.0.0.1:{java_legacy_tls.port}", tmp_path)
    assert verdicts[("3DES", "symmetric")] == "critical"
    assert verdicts[("RC4", "symmetric")] == "critical"
    assert verdicts[("DH", "key-exchange")] == "critical"
    assert verdicts[("TLS1.0", "protocol")] == "critical"


# -- Debian nginx (OpenSSL 3.0) --------------------------------------------------------------------


def test_nginx_legacy_block_accepted_suites_in_its_order(nginx: Nginx) -> None:
    result = scan(nginx.legacy_port)
    tls12 = suites_attr(result)["TLS1.2"]
    assert tls12["accepted"] == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
                                 "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"]
    assert tls12["server_order"] is True
    dh = found(result, "DH", Usage.KEY_EXCHANGE)
    assert dh.parameters["key_bits"] == 1024 and len(dh.parameters["cipher_suites"]) == 2


def test_nginx_default_block_enumerates_completely_without_errors(nginx: Nginx) -> None:
    result = scan(nginx.port)
    tls12 = suites_attr(result)["TLS1.2"]
    assert tls12["complete"] is True and len(tls12["accepted"]) >= 4 and result.errors == []
    assert not [f for f in result.findings if f.algorithm in ("3DES", "RC4", "NULL", "DH")]


def test_assess_judges_dh1024_on_nginx_critical(nginx: Nginx, tmp_path: Path) -> None:
    verdicts = _assess(f"127.0.0.1:{nginx.legacy_port}", tmp_path)
    assert verdicts[("DH", "key-exchange")] == "critical"
    assert verdicts[("RSAES-PKCS1", "encryption")] in ("high", "critical")


def _assess(target: str, tmp_path: Path) -> dict[tuple[str, str], str]:
    """pqscan tls -> inventory -> pqscan assess (JSON): worst severity per (algorithm, usage)."""
    inventory = tmp_path / "inv.json"
    env = {**os.environ, "PQSCAN_TEST_LOOPBACK_ONLY": "1"}
    cli = [sys.executable, "-m", "pqscan"]
    subprocess.run([*cli, "tls", target, "--timeout", "1", "-o", str(inventory)], env=env, check=True,
                   capture_output=True, timeout=60)
    out = subprocess.run([*cli, "assess", str(inventory), "--format", "json"], env=env, capture_output=True,
                         text=True, timeout=60)
    rank = ["info", "low", "medium", "high", "critical"]
    worst: dict[tuple[str, str], str] = {}
    for f in json.loads(out.stdout)["findings"]:
        key = (f["algorithm"], f["usage"])
        if key not in worst or rank.index(f["severity"]) > rank.index(worst[key]):
            worst[key] = f["severity"]
    return worst
