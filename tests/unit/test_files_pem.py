"""PEM files: certificates, chains, CSRs, CRLs and keys in every common encoding (real material)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.lab import pki
from pqscan.model import AssetKind, ErrorKind, RelationKind

PEM = serialization.Encoding.PEM
NOENC = serialization.NoEncryption()


@pytest.fixture(scope="module")
def chain():
    return pki.rsa_chain()


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(65537, 2048)


def _scan(*paths: Path, passwords: tuple[bytes, ...] = ()):
    scan = scan_files(paths, FilesOptions(passwords=passwords))
    assets = {a.id: a for r in scan.results for a in r.assets}
    findings = [f for r in scan.results for f in r.findings]
    errors = [e for r in scan.results for e in r.errors]
    return assets, findings, errors


def _of(assets, kind):
    return [a for a in assets.values() if a.kind is kind]


def test_chain_file_yields_three_certificates_linked_leaf_to_root(tmp_path, chain):
    root, inter, leaf = chain
    path = tmp_path / "chain.pem"
    path.write_bytes(b"".join(i.cert.public_bytes(PEM) for i in (leaf, inter, root)))
    assets, _, errors = _scan(path)
    assert errors == []
    certs = {a.name: a for a in _of(assets, AssetKind.CERTIFICATE)}
    assert set(certs) == {"leaf.example", "Test Intermediate CA", "Test Root CA"}
    assert [r.target for r in certs["leaf.example"].relations if r.kind is RelationKind.ISSUED_BY] == \
        [certs["Test Intermediate CA"].id]
    file_asset = assets[f"file:{path.name}"]
    assert {r.target for r in file_asset.relations if r.kind is RelationKind.CONTAINS} == {a.id for a in certs.values()}


def test_issuer_in_another_file_is_linked_too(tmp_path, chain):
    root, inter, _ = chain
    (tmp_path / "root.crt").write_bytes(root.cert.public_bytes(PEM))
    (tmp_path / "inter.crt").write_bytes(inter.cert.public_bytes(PEM))
    assets, _, _ = _scan(tmp_path)
    certs = {a.name: a for a in _of(assets, AssetKind.CERTIFICATE)}
    assert certs["Test Intermediate CA"].relations[0].target == certs["Test Root CA"].id


def test_finding_evidence_carries_the_pem_block_line(tmp_path, chain):
    path = tmp_path / "two.pem"
    path.write_bytes(b"# comment\n" + chain[2].cert.public_bytes(PEM) + chain[1].cert.public_bytes(PEM))
    _, findings, _ = _scan(path)
    lines = sorted({f.evidence.line for f in findings})
    assert lines[0] == 2 and len(lines) == 2


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL])
def test_rsa_private_key_in_pkcs8_and_pkcs1_is_rsa_2048(tmp_path, rsa_key, fmt):
    path = tmp_path / "key.pem"
    path.write_bytes(rsa_key.private_bytes(PEM, fmt, NOENC))
    assets, findings, errors = _scan(path)
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert errors == []
    assert key.attributes["key_bits"] == 2048
    assert findings[0].algorithm == "RSA"


def test_sec1_ec_private_key_records_curve(tmp_path):
    path = tmp_path / "ec.key"
    key = ec.generate_private_key(ec.SECP384R1())
    path.write_bytes(key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL, NOENC))
    assets, _, _ = _scan(path)
    (asset,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert asset.attributes["curve"] == "P-384"


def test_public_key_pem_is_a_public_key_asset(tmp_path, rsa_key):
    path = tmp_path / "pub.pem"
    path.write_bytes(rsa_key.public_key().public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assets, _, _ = _scan(path)
    assert len(_of(assets, AssetKind.PUBLIC_KEY)) == 1


def test_private_key_and_its_certificate_are_linked_by_matches_key(tmp_path, chain):
    leaf = chain[2]
    (tmp_path / "leaf.crt").write_bytes(leaf.cert.public_bytes(PEM))
    (tmp_path / "leaf.key").write_bytes(leaf.key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, NOENC))
    assets, _, _ = _scan(tmp_path)
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    cert = next(a for a in _of(assets, AssetKind.CERTIFICATE) if a.name == "leaf.example")
    assert (RelationKind.MATCHES_KEY, cert.id) in [(r.kind, r.target) for r in key.relations]


def test_encrypted_pkcs8_without_password_is_recorded_as_encrypted(tmp_path, rsa_key):
    path = tmp_path / "enc.key"
    path.write_bytes(rsa_key.private_bytes(PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(b"s3cret")))
    assets, _, errors = _scan(path)
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["encrypted"] is True
    assert key.attributes["encryption_scheme"] == "PBES2"
    assert [e.kind for e in errors] == [ErrorKind.ENCRYPTED]


def test_encrypted_pkcs8_with_the_password_is_read(tmp_path, rsa_key):
    path = tmp_path / "enc.key"
    path.write_bytes(rsa_key.private_bytes(PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(b"s3cret")))
    assets, _, errors = _scan(path, passwords=(b"wrong", b"s3cret"))
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert errors == []
    assert key.attributes["key_bits"] == 2048 and key.attributes["encrypted"] is True


def test_legacy_encrypted_rsa_key_shows_rsa_from_its_header(tmp_path, rsa_key):
    path = tmp_path / "legacy.key"
    path.write_bytes(rsa_key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.BestAvailableEncryption(b"pw")))
    assert b"Proc-Type: 4,ENCRYPTED" in path.read_bytes()
    _, findings, errors = _scan(path)
    assert findings[0].algorithm == "RSA"
    assert findings[0].parameters["encrypted"] is True
    assert errors[0].kind is ErrorKind.ENCRYPTED


def test_openssh_private_key_shows_algorithm_even_when_encrypted(tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "id_ed25519"
    path.write_bytes(key.private_bytes(PEM, serialization.PrivateFormat.OpenSSH,
                                       serialization.BestAvailableEncryption(b"pw")))
    assets, findings, errors = _scan(path)
    (asset,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert errors == []
    assert findings[0].algorithm == "Ed25519"
    assert asset.attributes["encrypted"] is True


def test_csr_records_subject_and_key(tmp_path, rsa_key):
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csr.example")]))
           .sign(rsa_key, hashes.SHA256()))
    path = tmp_path / "req.csr"
    path.write_bytes(csr.public_bytes(PEM))
    assets, findings, _ = _scan(path)
    (asset,) = _of(assets, AssetKind.CSR)
    assert asset.attributes["subject"] == "CN=csr.example"
    assert {f.algorithm for f in findings} >= {"RSA"}


def test_crl_records_issuer_and_signature_algorithm(tmp_path, chain):
    root = chain[0]
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(root.cert.subject).last_update(now)
           .next_update(now + datetime.timedelta(days=7)).sign(root.key, hashes.SHA256()))
    path = tmp_path / "root.crl"
    path.write_bytes(crl.public_bytes(PEM))
    assets, _, _ = _scan(path)
    (asset,) = _of(assets, AssetKind.CRL)
    assert asset.attributes["signature_algorithm_oid"] == "1.2.840.113549.1.1.11"
    assert asset.attributes["next_update"] == "2026-01-08T00:00:00Z"


def test_mldsa65_certificate_and_key_files_are_recognised(tmp_path):
    issued = pki.mldsa65_cert()
    (tmp_path / "pq.crt").write_bytes(issued.cert.public_bytes(PEM))
    (tmp_path / "pq.key").write_bytes(issued.key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, NOENC))
    assets, findings, errors = _scan(tmp_path)
    assert errors == []
    assert {f.algorithm for f in findings} == {"ML-DSA-65"}
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert any(r.kind is RelationKind.MATCHES_KEY for r in key.relations)


def test_truncated_pem_is_a_recorded_error(tmp_path, chain):
    path = tmp_path / "cut.pem"
    path.write_bytes(chain[2].cert.public_bytes(PEM)[:300])
    assets, _, errors = _scan(path)
    assert assets == {}
    assert [e.kind for e in errors] == [ErrorKind.MALFORMED]


def test_bad_block_does_not_hide_the_good_block_after_it(tmp_path, chain):
    bad = b"-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n"
    path = tmp_path / "mixed.pem"
    path.write_bytes(bad + chain[2].cert.public_bytes(PEM))
    assets, _, errors = _scan(path)
    assert len(_of(assets, AssetKind.CERTIFICATE)) == 1
    assert [e.kind for e in errors] == [ErrorKind.MALFORMED]


def test_unknown_pem_label_is_recorded_as_unsupported(tmp_path):
    path = tmp_path / "pgp.pem"
    path.write_bytes(b"-----BEGIN PGP MESSAGE-----\nAAAA\n-----END PGP MESSAGE-----\n")
    _, _, errors = _scan(path)
    assert [e.kind for e in errors] == [ErrorKind.UNSUPPORTED]
