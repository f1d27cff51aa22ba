"""Against every lab server (real pyOpenSSL on loopback), every group verdict matches its configuration."""

from __future__ import annotations

from typing import Any

import pytest

from pqscan.collect.tls.groups import GROUPS, TlsGroup, openssl_group_code
from pqscan.collect.tls.probes import Verdict
from pqscan.lab.pki import MARKUP_CN
from pqscan.lab.tls_servers import LAB_CONFIGS, ServerConfig
from pqscan.model import AssetKind, RelationKind, ScanResult, Usage
from tests.integration.tls_fixtures import fixture_lab_results, fixture_tls_lab, fixture_tls_lab_dir  # noqa: F401

pytestmark = pytest.mark.integration


def expected_verdict(config: ServerConfig, group: TlsGroup) -> Verdict:
    if not config.tls13:
        return Verdict.NO_TLS13
    offered = {openssl_group_code(name) for name in config.groups}
    return Verdict.SUPPORTED if group.code in offered else Verdict.REJECTED


def endpoint_attrs(result: ScanResult) -> dict[str, Any]:
    asset = result.assets[0]
    assert asset.kind is AssetKind.TLS_ENDPOINT
    return dict(asset.attributes)


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
@pytest.mark.parametrize("server", list(LAB_CONFIGS))
def test_every_group_verdict_matches_the_server_configuration(
    lab_results: dict[str, ScanResult], server: str, group: TlsGroup
) -> None:
    verdict = endpoint_attrs(lab_results[server])["groups"][group.name]
    assert verdict["verdict"] == expected_verdict(LAB_CONFIGS[server], group).value, verdict["evidence"]


@pytest.mark.parametrize("server", ["pq-only", "hybrid-and-classical", "mldsa-cert", "pq-forced"])
def test_x25519mlkem768_key_share_is_confirmed_with_a_1120_byte_server_share(
    lab_results: dict[str, ScanResult], server: str
) -> None:
    check = endpoint_attrs(lab_results[server])["key_share_checks"]["X25519MLKEM768"]
    assert check["confirmed"] is True and check["server_share_len"] == 1120


def test_every_supported_pq_group_is_confirmed_with_a_real_key_share(lab_results: dict[str, ScanResult]) -> None:
    checks = endpoint_attrs(lab_results["hybrid-and-classical"])["key_share_checks"]
    assert set(checks) == {"X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024", "MLKEM768", "MLKEM1024"}
    assert all(c["confirmed"] and c["server_share_len"] == c["expected_len"] for c in checks.values())


def test_server_offering_pq_and_classical_prefers_pq(lab_results: dict[str, ScanResult]) -> None:
    pref = endpoint_attrs(lab_results["hybrid-and-classical"])["preference"]
    assert pref["verdict"] == "pq" and pref["classical_first_pick"] == "X25519MLKEM768"


def test_plain_group_list_accepts_a_classical_share_without_hrr(lab_results: dict[str, ScanResult]) -> None:
    assert endpoint_attrs(lab_results["hybrid-and-classical"])["hrr_upgrade"]["forces_pq"] is False


def test_server_with_a_pq_first_tuple_forces_pq_via_hello_retry_request(lab_results: dict[str, ScanResult]) -> None:
    assert endpoint_attrs(lab_results["pq-forced"])["hrr_upgrade"]["forces_pq"] is True


def test_preference_is_not_measured_when_x25519_is_not_supported(lab_results: dict[str, ScanResult]) -> None:
    attrs = endpoint_attrs(lab_results["pq-only"])
    assert attrs["preference"] is None and attrs["hrr_upgrade"] is None


def test_full_handshake_negotiates_x25519mlkem768_with_a_pq_server(lab_results: dict[str, ScanResult]) -> None:
    neg = endpoint_attrs(lab_results["pq-only"])["negotiated"]
    assert (neg["protocol"], neg["group"]) == ("TLSv1.3", "X25519MLKEM768")


def test_classical_only_server_negotiates_a_classical_group(lab_results: dict[str, ScanResult]) -> None:
    assert endpoint_attrs(lab_results["classical-only"])["negotiated"]["group"].lower() == "x25519"


def test_tls12_only_server_reports_its_suite_and_ecdhe_group(lab_results: dict[str, ScanResult]) -> None:
    attrs = endpoint_attrs(lab_results["tls12-only"])
    assert attrs["protocols"]["TLS1.3"] is False and attrs["protocols"]["TLS1.2"] is True
    assert attrs["tls12"]["key_exchange"] == "ECDHE" and attrs["tls12"]["group"] == "x25519"


def test_tls12_rsa_key_transport_is_an_rsaes_pkcs1_finding_with_the_leaf_key_size(
    lab_results: dict[str, ScanResult],
) -> None:
    result = lab_results["tls12-only"]
    assert endpoint_attrs(result)["tls12_rsa_key_transport"] is True
    (rsa,) = [f for f in result.findings if f.usage is Usage.ENCRYPTION]
    assert (rsa.algorithm, rsa.parameters["key_bits"]) == ("RSAES-PKCS1", 2048)
    assert rsa.parameters["forward_secret"] is False and rsa.parameters["key_transport"] is True


def test_tls13_only_server_has_no_rsa_key_transport_finding(lab_results: dict[str, ScanResult]) -> None:
    result = lab_results["pq-only"]
    assert endpoint_attrs(result)["tls12_rsa_key_transport"] is False
    assert not [f for f in result.findings if f.usage is Usage.ENCRYPTION]


def test_old_protocol_versions_are_not_reported_when_refused(lab_results: dict[str, ScanResult]) -> None:
    for name, result in lab_results.items():
        if name != "legacy-tls10":
            assert not [f for f in result.findings if f.usage is Usage.PROTOCOL]
            assert endpoint_attrs(result)["protocols"]["TLS1.0"] is False


def test_tls10_and_tls11_are_protocol_findings_when_accepted(lab_results: dict[str, ScanResult]) -> None:
    result = lab_results["legacy-tls10"]
    assert sorted(f.algorithm for f in result.findings if f.usage is Usage.PROTOCOL) == ["TLS1.0", "TLS1.1"]
    assert endpoint_attrs(result)["protocols"] == {"TLS1.3": False, "TLS1.2": True, "TLS1.1": True, "TLS1.0": True}


def test_one_key_exchange_finding_per_supported_group(lab_results: dict[str, ScanResult]) -> None:
    result = lab_results["hybrid-and-classical"]
    tls13 = [f for f in result.findings if f.usage is Usage.KEY_EXCHANGE and f.parameters.get("protocol") == "TLS1.3"]
    assert sorted(f.parameters["group_name"] for f in tls13) == sorted(endpoint_attrs(result)["supported_groups"])


def test_negotiated_cipher_is_a_symmetric_finding(lab_results: dict[str, ScanResult]) -> None:
    (cipher,) = [f for f in lab_results["pq-only"].findings if f.usage is Usage.SYMMETRIC]
    assert cipher.parameters["cipher_suite"].startswith("TLS_") and cipher.algorithm.startswith(("AES", "ChaCha"))


def test_rsa_chain_is_linked_endpoint_presents_leaf_issued_by_intermediate_issued_by_root(
    lab_results: dict[str, ScanResult],
) -> None:
    result = lab_results["rsa-chain"]
    endpoint, *certs = result.assets
    by_id = {c.id: c for c in certs}
    (presents,) = [r for r in endpoint.relations if r.kind is RelationKind.PRESENTS]
    leaf = by_id[presents.target]
    inter = by_id[next(r.target for r in leaf.relations if r.kind is RelationKind.ISSUED_BY)]
    root = by_id[next(r.target for r in inter.relations if r.kind is RelationKind.ISSUED_BY)]
    assert (leaf.attributes["public_key_algorithm"], leaf.attributes["key_bits"]) == ("RSA", 2048)
    assert inter.attributes["is_ca"] and root.attributes["self_signed"]


def test_mldsa_certificate_is_seen_as_ml_dsa_65(lab_results: dict[str, ScanResult]) -> None:
    result = lab_results["mldsa-cert"]
    (cert,) = [a for a in result.assets if a.kind is AssetKind.CERTIFICATE]
    assert cert.attributes["public_key_algorithm"] == "ML-DSA-65"
    assert any(f.algorithm == "ML-DSA-65" and f.usage is Usage.AUTHENTICATION for f in result.findings)


def test_certificate_subject_with_markup_is_kept_verbatim_as_data(lab_results: dict[str, ScanResult]) -> None:
    (cert,) = [a for a in lab_results["markup-cert"].assets if a.kind is AssetKind.CERTIFICATE]
    assert cert.name == MARKUP_CN  # stored as data; escaping is the reports' job


def test_well_behaved_lab_servers_record_no_errors(lab_results: dict[str, ScanResult]) -> None:
    assert {name: r.errors for name, r in lab_results.items() if r.errors} == {}
