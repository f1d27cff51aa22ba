"""pqscan.collect.x509: certificates and keys from real material generated with cryptography."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pqscan.algorithms import IdKind, lookup
from pqscan.collect.x509 import CertificateSet, certificate_to_asset, describe_spki, key_asset, link_chain, link_keys
from pqscan.lab import pki
from pqscan.model import AssetKind, RelationKind, Usage

COLLECTOR = "test"


@pytest.fixture(scope="module")
def chain() -> tuple[pki.Issued, pki.Issued, pki.Issued]:
    return pki.rsa_chain()


@pytest.fixture(scope="module")
def mldsa() -> pki.Issued:
    return pki.mldsa65_cert()


def _finding(findings, symbol):
    (f,) = [f for f in findings if f.evidence.symbol == symbol]
    return f


def test_certificate_id_is_sha256_of_der(chain):
    leaf = chain[2].cert
    asset, _ = certificate_to_asset(leaf, "leaf.pem", COLLECTOR)
    der = leaf.public_bytes(serialization.Encoding.DER)
    assert asset.id == f"cert:sha256:{hashlib.sha256(der).hexdigest()}"
    assert asset.kind is AssetKind.CERTIFICATE
    assert asset.attributes["sha256_fingerprint"] == hashlib.sha256(der).hexdigest()


def test_rsa_leaf_records_subject_issuer_validity_and_sans(chain):
    asset, _ = certificate_to_asset(chain[2].cert, "leaf.pem", COLLECTOR)
    a = asset.attributes
    assert asset.name == "leaf.example"
    assert a["subject"] == "CN=leaf.example,O=pqscan test"
    assert a["issuer"] == "CN=Test Intermediate CA,O=pqscan test"
    assert a["not_before"] == "2026-01-01T00:00:00Z"
    assert a["not_after"] == "2027-01-01T00:00:00Z"
    assert a["serial"] == "3"
    assert a["sans"] == ["DNS:leaf.example"]
    assert a["is_ca"] is False and a["self_signed"] is False
    assert a["key_bits"] == 2048
    assert a["signature_hash"] == "SHA-256"


def test_rsa_leaf_public_key_is_an_authentication_finding_with_key_bits(chain):
    _, findings = certificate_to_asset(chain[2].cert, "leaf.pem", COLLECTOR)
    key = _finding(findings, "subjectPublicKeyInfo")
    assert key.algorithm == lookup(IdKind.OID, "1.2.840.113549.1.1.1").id == "RSA"
    assert key.usage is Usage.AUTHENTICATION
    assert key.parameters["key_bits"] == 2048


def test_ca_key_is_used_for_signature(chain):
    _, findings = certificate_to_asset(chain[0].cert, "root.pem", COLLECTOR)
    assert _finding(findings, "subjectPublicKeyInfo").usage is Usage.SIGNATURE


def test_signature_algorithm_finding_carries_oid_and_hash(chain):
    _, findings = certificate_to_asset(chain[2].cert, "leaf.pem", COLLECTOR)
    sig = _finding(findings, "signatureAlgorithm")
    assert sig.usage is Usage.SIGNATURE
    assert sig.parameters["oid"] == "1.2.840.113549.1.1.11"  # sha256WithRSAEncryption, RFC 8017
    assert sig.parameters["hash"] == "SHA-256"
    assert sig.algorithm == lookup(IdKind.OID, "1.2.840.113549.1.1.11").id


def test_self_signed_root_is_detected(chain):
    asset, _ = certificate_to_asset(chain[0].cert, "root.pem", COLLECTOR)
    assert asset.attributes["self_signed"] is True
    assert asset.attributes["is_ca"] is True
    assert "key_cert_sign" in asset.attributes["key_usage"]


def test_code_signing_eku_makes_the_key_a_code_signing_finding():
    cert = pki.issue("signer", ec.generate_private_key(ec.SECP256R1()), code_signing=True).cert
    _, findings = certificate_to_asset(cert, "signer.pem", COLLECTOR)
    assert _finding(findings, "subjectPublicKeyInfo").usage is Usage.CODE_SIGNING


def test_ecdsa_p256_certificate_records_curve():
    asset, findings = certificate_to_asset(pki.ecdsa_cert().cert, "ec.pem", COLLECTOR)
    key = _finding(findings, "subjectPublicKeyInfo")
    assert key.parameters["curve"] == "P-256"
    assert key.parameters["key_bits"] == 256
    assert asset.attributes["public_key_oid"] == "1.2.840.10045.2.1"
    assert key.algorithm == "ECDSA-P256"


def test_ed25519_certificate_maps_through_its_oid():
    asset, findings = certificate_to_asset(pki.ed25519_cert().cert, "ed.pem", COLLECTOR)
    assert _finding(findings, "subjectPublicKeyInfo").algorithm == "Ed25519"
    assert _finding(findings, "signatureAlgorithm").algorithm == lookup(IdKind.OID, "1.3.101.112").id
    assert "signature_hash" not in asset.attributes


def test_mldsa65_certificate_is_recognised_as_mldsa65(mldsa):
    asset, findings = certificate_to_asset(mldsa.cert, "pq.pem", COLLECTOR)
    assert _finding(findings, "subjectPublicKeyInfo").algorithm == "ML-DSA-65"
    assert _finding(findings, "signatureAlgorithm").algorithm == "ML-DSA-65"
    assert asset.attributes["public_key_bytes"] == 1952  # FIPS 204 Table 2
    assert asset.attributes["self_signed"] is True


def test_unsupported_public_key_type_falls_back_to_the_spki_oid(mldsa):
    cert = pki.with_spki_oid(mldsa.cert, pki.SLH_DSA_SHA2_128S_OID_DER)
    asset, findings = certificate_to_asset(cert, "slh.pem", COLLECTOR)
    key = _finding(findings, "subjectPublicKeyInfo")
    assert asset.attributes["public_key_oid"] == "2.16.840.1.101.3.4.3.20"
    assert key.algorithm == lookup(IdKind.OID, "2.16.840.1.101.3.4.3.20").id == "SLH-DSA-SHA2-128s"
    assert key.parameters["oid"] == "2.16.840.1.101.3.4.3.20"
    assert "not implemented by cryptography" in asset.attributes["parse_notes"][0]


def test_unknown_public_key_oid_becomes_unknown_finding_with_raw_oid(mldsa):
    cert = pki.with_spki_oid(mldsa.cert, pki.PRIVATE_ARC_OID_DER)
    asset, findings = certificate_to_asset(cert, "odd.pem", COLLECTOR)
    key = _finding(findings, "subjectPublicKeyInfo")
    assert key.algorithm == "unknown"
    assert key.parameters["raw_identifier"] == "1.3.6.1.4.1.50847.1"
    assert asset.attributes["public_key_raw_identifier"] == "1.3.6.1.4.1.50847.1"


def test_spki_sha256_matches_between_certificate_and_key(chain):
    leaf = chain[2]
    cert_asset, _ = certificate_to_asset(leaf.cert, "leaf.pem", COLLECTOR)
    key, _ = key_asset(leaf.key, "leaf.key", COLLECTOR, kind=AssetKind.PRIVATE_KEY)
    assert key.id == f"key:sha256:{cert_asset.attributes['spki_sha256']}"


def test_link_chain_adds_issued_by_edges_leaf_to_root(chain):
    certs = CertificateSet()
    for issued in chain:
        certs.add(issued.cert, "chain.pem", COLLECTOR)
    root, inter, leaf = certs.linked()
    assert [r.target for r in leaf.relations if r.kind is RelationKind.ISSUED_BY] == [inter.id]
    assert [r.target for r in inter.relations if r.kind is RelationKind.ISSUED_BY] == [root.id]
    assert root.relations == ()


def test_link_chain_without_parsed_certificates_uses_key_identifiers(chain):
    assets = [certificate_to_asset(i.cert, "chain.pem", COLLECTOR)[0] for i in chain]
    root, inter, leaf = link_chain(assets)
    assert leaf.relations[0].target == inter.id
    assert inter.relations[0].target == root.id


def test_link_chain_ignores_same_name_issuer_with_a_different_key(chain):
    root, inter, leaf = chain
    impostor = pki.issue("Test Intermediate CA", rsa.generate_private_key(65537, 2048), root, ca=True)
    certs = CertificateSet()
    certs.add(leaf.cert, "x.pem", COLLECTOR)
    certs.add(impostor.cert, "x.pem", COLLECTOR)
    linked_leaf = certs.linked()[0]
    assert linked_leaf.relations == ()


def test_link_keys_adds_matches_key_from_private_key_to_certificate(chain):
    leaf = chain[2]
    cert_asset, _ = certificate_to_asset(leaf.cert, "leaf.pem", COLLECTOR)
    key, _ = key_asset(leaf.key, "leaf.key", COLLECTOR, kind=AssetKind.PRIVATE_KEY)
    linked_key = [a for a in link_keys([cert_asset, key]) if a.kind is AssetKind.PRIVATE_KEY][0]
    assert [(r.kind, r.target) for r in linked_key.relations] == [(RelationKind.MATCHES_KEY, cert_asset.id)]


def test_key_asset_for_mldsa_public_key_is_mldsa65(mldsa):
    asset, (finding,) = key_asset(mldsa.key.public_key(), "pq.pub", COLLECTOR)
    assert finding.algorithm == "ML-DSA-65"
    assert asset.kind is AssetKind.PUBLIC_KEY


def test_key_asset_for_x25519_key_is_key_exchange():
    from cryptography.hazmat.primitives.asymmetric import x25519

    _, (finding,) = key_asset(x25519.X25519PrivateKey.generate(), "x.key", COLLECTOR, kind=AssetKind.PRIVATE_KEY)
    assert finding.algorithm == "X25519"
    assert finding.usage is Usage.KEY_EXCHANGE


def test_describe_spki_of_garbage_is_unknown_not_an_exception():
    info = describe_spki(b"\x30\x03\x02\x01")
    assert info.algorithm.is_unknown
    assert "malformed" in info.note
