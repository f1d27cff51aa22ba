"""Verdicts corrected after a line-by-line review of a real inventory (demo lab, /etc/ssl/certs,
/etc/ssh, paramiko and the Python stdlib) under six profiles: each test is one behaviour a reader
of the report relies on."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from pqscan.assess.engine import ComplianceStatus, Verdict, assess
from pqscan.assess.profiles import load_profile
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Evidence, Finding, Relation, RelationKind, Severity, Usage

TODAY = datetime.date(2026, 11, 25)
ENDPOINT = "tls://svc.example.test:443"


def _inventory(findings: Sequence[tuple[str, Usage, Mapping[str, Any]]], *, asset: Asset | None = None,
               extra: Sequence[Asset] = ()) -> Inventory:
    inv = Inventory()
    asset = asset or Asset(ENDPOINT, AssetKind.TLS_ENDPOINT, "svc.example.test:443", "svc")
    inv.add_asset(asset)
    for a in extra:
        inv.add_asset(a)
    for algorithm, usage, params in findings:
        inv.add_finding(Finding(asset.id, algorithm, usage, "test", dict(params), Evidence(asset.location)))
    return inv


def _verdict_for(inv: Inventory, algorithm: str, profile: str, today: datetime.date = TODAY) -> Verdict:
    result = assess(inv, [load_profile(profile)], today=today)
    (finding,) = [f for f in inv.findings if f.algorithm == algorithm]
    (v,) = result.verdicts[finding.id]
    return v


def _one(algorithm: str, usage: Usage, profile: str, params: Mapping[str, Any] | None = None, *,
         asset: Asset | None = None, extra: Sequence[Asset] = (), today: datetime.date = TODAY) -> Verdict:
    return _verdict_for(_inventory([(algorithm, usage, params or {})], asset=asset, extra=extra),
                        algorithm, profile, today)


def _certificate(attributes: Mapping[str, Any], relations: Sequence[Relation] = (),
                 cid: str = "cert:sha256:root") -> Asset:
    return Asset(cid, AssetKind.CERTIFICATE, "/srv/pki/root.pem", "root", dict(attributes), tuple(relations))


# -- harvest-now-decrypt-later when the endpoint also offers PQ ----------------------------------


def test_classical_group_on_an_endpoint_that_also_offers_a_hybrid_reads_as_a_fallback() -> None:
    inv = _inventory([("X25519MLKEM768", Usage.KEY_EXCHANGE, {}), ("X25519", Usage.KEY_EXCHANGE, {})])
    v = _verdict_for(inv, "X25519", "nist-ir-8547")
    assert v.hndl  # peers without PQ support still use X25519: their traffic can be recorded
    assert "also offers X25519MLKEM768" in v.reason
    assert "no PQ or hybrid key exchange" not in v.reason


def test_classical_fallback_next_to_a_hybrid_is_medium_not_high() -> None:
    inv = _inventory([("X25519MLKEM768", Usage.KEY_EXCHANGE, {}), ("X25519", Usage.KEY_EXCHANGE, {})])
    assert _verdict_for(inv, "X25519", "nist-ir-8547").severity is Severity.MEDIUM


def test_classical_group_on_an_endpoint_without_pq_says_there_is_no_pq() -> None:
    v = _one("X25519", Usage.KEY_EXCHANGE, "nist-ir-8547")
    assert v.severity is Severity.HIGH
    assert "no PQ or hybrid key exchange" in v.reason


def test_ssh_classical_kex_next_to_sntrup761_hybrid_is_a_fallback() -> None:
    sshd = Asset("ssh://127.0.0.1:22", AssetKind.SSH_ENDPOINT, "127.0.0.1:22", "sshd")
    inv = _inventory([("sntrup761x25519-sha512", Usage.KEY_EXCHANGE, {}), ("X25519", Usage.KEY_EXCHANGE, {})],
                     asset=sshd)
    assert "also offers sntrup761x25519-sha512" in _verdict_for(inv, "X25519", "nist-ir-8547").reason


def test_config_group_list_with_a_pq_hybrid_makes_the_classical_group_a_fallback() -> None:
    conf = Asset("file:nginx.conf", AssetKind.CONFIG, "nginx.conf", "nginx.conf")
    v = _one("X25519", Usage.KEY_EXCHANGE, "nist-ir-8547", {"list_has_pq_hybrid": True}, asset=conf)
    assert v.hndl and v.severity is Severity.MEDIUM
    assert "the same list also offers a PQ hybrid" in v.reason


# -- key sizes the reason must not call unknown ----------------------------------------------------


def test_ecdsa_signature_with_a_256_bit_key_is_judged_as_128_bit_strength() -> None:
    v = _one("ECDSA-SHA256", Usage.SIGNATURE, "nist-ir-8547", {"hash": "SHA-256", "key_bits": 256})
    assert "128-bit strength or more" in v.reason
    assert "unknown key size" not in v.reason


def test_ecdsa_p384_signature_takes_the_issuer_curve_and_is_a_cnsa_1_transition_algorithm() -> None:
    issuer = _certificate({"key_bits": 384, "curve": "P-384", "self_signed": True}, cid="cert:sha256:ca")
    leaf = _certificate({"key_bits": 256, "curve": "P-256"}, (Relation(RelationKind.ISSUED_BY, issuer.id),),
                        cid="cert:sha256:leaf")
    v = _one("ECDSA-SHA384", Usage.SIGNATURE, "cnsa-2.0", {"hash": "SHA-384"}, asset=leaf, extra=[issuer])
    assert v.status is ComplianceStatus.DEPRECATED
    assert "ECDSA P-384" in v.reason


def test_rsa_key_transport_takes_its_key_size_from_the_presented_certificate() -> None:
    cert = _certificate({"public_key_algorithm": "RSA", "key_bits": 2048}, cid="cert:sha256:leaf")
    endpoint = Asset(ENDPOINT, AssetKind.TLS_ENDPOINT, "svc.example.test:443", "svc", {},
                     (Relation(RelationKind.PRESENTS, cert.id),))
    v = _one("RSA", Usage.ENCRYPTION, "nist-ir-8547", {"key_transport": True, "forward_secret": False},
             asset=endpoint, extra=[cert])
    assert v.reason.startswith("RSA-2048 key transport (no forward secrecy) on a TLS endpoint")
    assert v.deadline == datetime.date(2030, 12, 31)  # 112-bit: deprecated after 2030


# -- self-signed certificates ----------------------------------------------------------------------


def test_sha1_self_signature_of_a_root_is_judged_by_its_key_not_as_a_broken_signature() -> None:
    root = _certificate({"key_bits": 2048, "self_signed": True, "is_ca": True})
    v = _one("RSASSA-PKCS1-SHA1", Usage.SIGNATURE, "nist-ir-8547", {"hash": "SHA-1"}, asset=root)
    assert not v.classically_broken
    assert v.severity is not Severity.CRITICAL
    assert v.reason.startswith("RSA-2048 (RSASSA-PKCS1-SHA1) signature on a certificate: deprecated after 2030")
    assert "RFC 5280" in v.reason


def test_root_the_collector_could_not_verify_is_recognised_by_subject_equal_to_issuer() -> None:
    # cryptography refuses to verify SHA-1 self-signatures, so the certs collector records self_signed=False.
    root = _certificate({"key_bits": 4096, "self_signed": False, "subject": "CN=Old Root", "issuer": "CN=Old Root"})
    v = _one("RSASSA-PKCS1-SHA1", Usage.SIGNATURE, "nist-ir-8547", {"hash": "SHA-1"}, asset=root)
    assert not v.classically_broken
    assert "RSA-4096" in v.reason


def test_sha1_signature_on_a_certificate_issued_by_another_stays_critical() -> None:
    issuer = _certificate({"key_bits": 2048, "self_signed": True}, cid="cert:sha256:ca")
    leaf = _certificate({"key_bits": 2048, "subject": "CN=a", "issuer": "CN=ca"},
                        (Relation(RelationKind.ISSUED_BY, issuer.id),), cid="cert:sha256:leaf")
    v = _one("RSASSA-PKCS1-SHA1", Usage.SIGNATURE, "nist-ir-8547", {"hash": "SHA-1"}, asset=leaf, extra=[issuer])
    assert v.classically_broken and v.severity is Severity.CRITICAL


# -- MACs and symmetric reasons ----------------------------------------------------------------------


def test_hash_reported_as_a_mac_is_judged_as_hmac_over_it() -> None:
    v = _one("SHA-1", Usage.MAC, "nist-ir-8547")
    assert v.reason.startswith("HMAC-SHA1 MAC")
    assert v.status is ComplianceStatus.COMPLIANT and not v.classically_broken


def test_hmac_sha1_is_disallowed_after_2030_under_nist() -> None:
    assert _one("HMAC-SHA1", Usage.MAC, "nist-ir-8547").deadline == datetime.date(2030, 12, 31)
    later = _one("HMAC-SHA1", Usage.MAC, "nist-ir-8547", today=datetime.date(2031, 1, 2))
    assert later.status is ComplianceStatus.DISALLOWED


def test_hmac_md5_is_disallowed_under_nist_but_not_classically_broken() -> None:
    v = _one("HMAC-MD5", Usage.MAC, "nist-ir-8547")
    assert v.status is ComplianceStatus.DISALLOWED and not v.classically_broken


def test_hmac_reason_under_nist_does_not_talk_about_aes() -> None:
    v = _one("HMAC-SHA256", Usage.MAC, "nist-ir-8547")
    assert v.status is ComplianceStatus.COMPLIANT
    assert "AES" not in v.reason and "FIPS 198-1" in v.reason


def test_hmac_sha256_under_cnsa_names_the_hmac_rule() -> None:
    v = _one("HMAC-SHA256", Usage.MAC, "cnsa-2.0")
    assert v.status is ComplianceStatus.DISALLOWED
    assert "HMAC must use SHA-384 or SHA-512" in v.reason


def test_hmac_sha256_under_australia_ism_is_interim_with_a_hash_reason() -> None:
    v = _one("HMAC-SHA256", Usage.MAC, "australia-ism")
    assert v.deadline == datetime.date(2030, 12, 31)
    assert "only SHA-384 / SHA-512" in v.reason


def test_chacha20_poly1305_is_acceptable_under_nist_with_a_fips_caveat() -> None:
    v = _one("ChaCha20-Poly1305", Usage.SYMMETRIC, "nist-ir-8547")
    assert v.status is ComplianceStatus.COMPLIANT
    assert "not a FIPS-approved algorithm" in v.reason


def test_aes_of_unknown_key_size_is_acceptable_under_nist() -> None:
    v = _one("AES", Usage.SYMMETRIC, "nist-ir-8547")
    assert v.status is ComplianceStatus.COMPLIANT
    assert "unstated key size" in v.reason


def test_aes_of_unknown_key_size_is_not_judged_under_cnsa_and_says_what_to_check() -> None:
    v = _one("AES-GCM", Usage.SYMMETRIC, "cnsa-2.0")
    assert v.status is ComplianceStatus.UNKNOWN and v.severity is Severity.LOW
    assert "check the key size" in v.reason


def test_aes_128_under_cnsa_has_an_aes_256_reason() -> None:
    v = _one("AES-128-GCM", Usage.SYMMETRIC, "cnsa-2.0")
    assert v.status is ComplianceStatus.DISALLOWED
    assert "requires AES-256" in v.reason


def test_status_word_and_note_of_an_uncovered_primitive_do_not_repeat_each_other() -> None:
    v = _one("UMAC-64", Usage.MAC, "nist-ir-8547")
    assert v.status is ComplianceStatus.UNKNOWN
    assert v.reason.startswith("UMAC-64 MAC on a TLS endpoint: not judged (NIST IR 8547) - no NIST rule")


# -- dependencies ------------------------------------------------------------------------------------


def test_crypto_library_record_is_not_called_an_unknown_algorithm() -> None:
    dep = Asset("dep:pypi/cryptography@41.0.7", AssetKind.DEPENDENCY, "requirements.txt", "cryptography")
    params = {"library": "pyca/cryptography", "raw_identifier": "library:pypi/cryptography",
              "ml_kem": False, "ml_dsa": False, "unknown_reason": "chosen by the calling code"}
    v = _one("unknown", Usage.UNKNOWN, "nist-ir-8547", params, asset=dep)
    assert v.status is ComplianceStatus.UNKNOWN
    assert v.reason.startswith("crypto library 'pyca/cryptography' in a dependency: not judged (NIST IR 8547)")
    assert "no ML-KEM, no ML-DSA" in v.reason
    assert "unknown algorithm" not in v.reason


def test_library_default_key_exchange_names_the_library() -> None:
    dep = Asset("dep:golang/go@1.22", AssetKind.DEPENDENCY, "go.mod", "go")
    v = _one("X25519", Usage.KEY_EXCHANGE, "nist-ir-8547", {"basis": "library-default", "library": "Go toolchain"},
             asset=dep)
    assert v.hndl
    assert "this is the default of Go toolchain" in v.reason


# -- words: a key is not a signature ------------------------------------------------------------------


def test_ca_public_key_is_called_a_signing_key_not_a_signature() -> None:
    ca = _certificate({"key_bits": 4096, "self_signed": True, "is_ca": True})
    inv = Inventory()
    inv.add_asset(ca)
    inv.add_finding(Finding(ca.id, "RSA", Usage.SIGNATURE, "test", {"key_bits": 4096},
                            Evidence(ca.location, symbol="subjectPublicKeyInfo")))
    (vs,) = assess(inv, [load_profile("nist-ir-8547")], today=TODAY).verdicts.values()
    assert vs[0].reason.startswith("RSA-4096 signing key on a certificate:")


def test_ssh_host_key_reason_names_it_as_a_host_key() -> None:
    key = Asset("key:sha256:abc", AssetKind.HOST_KEY, "ssh://127.0.0.1:22", "host key")
    v = _one("RSA", Usage.AUTHENTICATION, "nist-ir-8547", {"key_bits": 3072}, asset=key)
    assert v.reason.startswith("RSA-3072 authentication key as an SSH host key:")


def test_x25519_next_to_ml_kem_in_one_source_file_is_not_called_a_fallback() -> None:
    # Code using both may be building one hybrid; only endpoints and configs *offer* alternatives.
    src = Asset("file:kex.py", AssetKind.SOURCE_FILE, "kex.py", "kex.py")
    inv = _inventory([("ML-KEM-768", Usage.KEY_EXCHANGE, {}), ("X25519", Usage.KEY_EXCHANGE, {})], asset=src)
    assert "also offers" not in _verdict_for(inv, "X25519", "nist-ir-8547").reason


def test_md5_marked_usedforsecurity_false_is_not_counted_as_classically_broken() -> None:
    src = Asset("file:app.py", AssetKind.SOURCE_FILE, "app.py", "app.py")
    v = _one("MD5", Usage.HASHING, "nist-ir-8547", {"usedforsecurity": False}, asset=src)
    assert not v.classically_broken and v.severity is Severity.LOW
    assert "classically broken today" not in v.reason


def test_pre_standard_kyber_hybrid_is_not_approved_under_australia_ism() -> None:
    v = _one("X25519Kyber768Draft00", Usage.KEY_EXCHANGE, "australia-ism")
    assert v.status is ComplianceStatus.DISALLOWED  # ISM: ASD-approved algorithms only (ML-KEM, not Kyber drafts)
    assert "pre-standard" in v.reason


# -- "pre-standard" means a PQ draft, not any deprecated entry --------------------------------------


def test_ssh_group14_sha1_is_judged_as_112_bit_dh_not_as_a_pre_standard_pq_draft() -> None:
    sshd = Asset("ssh://127.0.0.1:22", AssetKind.SSH_ENDPOINT, "127.0.0.1:22", "sshd")
    v = _one("diffie-hellman-group14-sha1", Usage.KEY_EXCHANGE, "nist-ir-8547", asset=sshd)
    assert "pre-standard" not in v.reason
    assert "112-bit quantum-vulnerable key establishment" in v.reason
    assert v.hndl and v.severity is Severity.HIGH


@pytest.mark.parametrize(("profile", "status"), [
    ("nist-ir-8547", ComplianceStatus.DEPRECATED), ("uk-ncsc", ComplianceStatus.DEPRECATED),
    ("canada", ComplianceStatus.DEPRECATED), ("japan", ComplianceStatus.DEPRECATED),
    ("us-federal-eo-2026", ComplianceStatus.DEPRECATED),
    # Lists of approved mechanisms: a draft that is not on them is refused (ISM; EU agreed mechanisms).
    ("eu-pqc-roadmap", ComplianceStatus.DISALLOWED), ("australia-ism", ComplianceStatus.DISALLOWED)])
def test_pre_standard_dilithium_signature_is_not_accepted_as_ml_dsa(profile: str, status: ComplianceStatus) -> None:
    v = _one("Dilithium3", Usage.SIGNATURE, profile)
    assert v.status is status
    assert "not interoperable with FIPS 204 ML-DSA" in v.reason


# -- hashes and legacy ciphers name their own weakness -------------------------------------------------


def test_ripemd160_is_below_112_bit_collision_resistance_not_practically_collided() -> None:
    v = _one("RIPEMD-160", Usage.HASHING, "nist-ir-8547")
    assert v.status is ComplianceStatus.DISALLOWED
    assert "below 112-bit collision resistance" in v.reason and "practical" not in v.reason


def test_blake2_is_not_called_a_nist_approved_hash() -> None:
    v = _one("BLAKE2b-512", Usage.HASHING, "nist-ir-8547")
    assert v.status is ComplianceStatus.COMPLIANT
    assert "not a NIST-approved hash" in v.reason


def test_aes_ecb_reason_names_ecb() -> None:
    v = _one("AES-ECB", Usage.SYMMETRIC, "nist-ir-8547")
    assert v.status is ComplianceStatus.DISALLOWED and "ECB mode" in v.reason


def test_blowfish_reason_names_the_64_bit_block() -> None:
    assert "64-bit-block" in _one("Blowfish", Usage.SYMMETRIC, "nist-ir-8547").reason


def test_dsa_signature_reason_names_fips_186_5() -> None:
    assert "FIPS 186-5" in _one("DSA", Usage.SIGNATURE, "nist-ir-8547", {"key_bits": 2048}).reason


def test_salsa20_is_a_catalogue_stream_cipher_not_an_unknown_algorithm() -> None:
    v = _one("Salsa20", Usage.SYMMETRIC, "nist-ir-8547")
    assert "unknown algorithm" not in v.reason and v.reason.startswith("Salsa20 cipher")


def test_acceptable_hash_marked_usedforsecurity_false_gets_no_weakness_note() -> None:
    v = _one("SHA-256", Usage.HASHING, "nist-ir-8547", {"usedforsecurity": False})
    assert "usedforsecurity" not in v.reason


def test_finding_with_no_algorithm_name_at_all_says_it_could_not_be_identified() -> None:
    src = Asset("file:t.py", AssetKind.SOURCE_FILE, "t.py", "t.py")
    v = _one("unknown", Usage.UNKNOWN, "nist-ir-8547", {"object": "encrypted private key"}, asset=src)
    assert v.reason.startswith("unidentified algorithm (encrypted private key) use in source code: could not be "
                               "identified")


def test_ecdsa_sha256_signature_by_a_p384_issuer_is_not_a_cnsa_1_transition_signature() -> None:
    issuer = _certificate({"key_bits": 384, "curve": "P-384", "self_signed": True}, cid="cert:sha256:ca")
    leaf = _certificate({"key_bits": 256}, (Relation(RelationKind.ISSUED_BY, issuer.id),), cid="cert:sha256:leaf")
    v = _one("ECDSA-SHA256", Usage.SIGNATURE, "cnsa-2.0", {"hash": "SHA-256"}, asset=leaf, extra=[issuer])
    assert v.status is ComplianceStatus.DISALLOWED
    assert "require SHA-384 or SHA-512" in v.reason


def test_rsa_4096_key_on_a_certificate_is_still_a_cnsa_1_transition_key() -> None:
    v = _one("RSA", Usage.SIGNATURE, "cnsa-2.0", {"key_bits": 4096})
    assert v.status is ComplianceStatus.DEPRECATED


def test_ssh_rsa_host_key_algorithm_takes_its_key_size_from_the_endpoint_host_key() -> None:
    key = Asset("key:sha256:rsa", AssetKind.HOST_KEY, "ssh://127.0.0.1:22", "host key",
                {"algorithm": "RSA", "key_bits": 3072})
    sshd = Asset("ssh://127.0.0.1:22", AssetKind.SSH_ENDPOINT, "127.0.0.1:22", "sshd", {},
                 (Relation(RelationKind.HAS_HOST_KEY, key.id),))
    v = _one("RSASSA-PKCS1-SHA512", Usage.AUTHENTICATION, "nist-ir-8547", asset=sshd, extra=[key])
    assert v.reason.startswith("RSA-3072 (RSASSA-PKCS1-SHA512) authentication key on an SSH endpoint")
    assert "unknown key size" not in v.reason


def test_pbkdf2_is_a_nist_approved_kdf() -> None:
    v = _one("PBKDF2-HMAC-SHA256", Usage.KDF, "nist-ir-8547")
    assert v.status is ComplianceStatus.COMPLIANT and "SP 800-132" in v.reason


def test_pbkdf2_of_unrecorded_hash_is_not_judged_under_cnsa() -> None:
    v = _one("PBKDF2", Usage.KDF, "cnsa-2.0")
    assert v.status is ComplianceStatus.UNKNOWN and "check the hash" in v.reason


@pytest.mark.parametrize("algorithm", ["ML-KEM-512", "x25519_mlkem512"])
def test_ml_kem_512_is_not_an_interim_algorithm_under_australia_ism(algorithm: str) -> None:
    v = _one(algorithm, Usage.KEY_EXCHANGE, "australia-ism")
    assert v.status is ComplianceStatus.DISALLOWED
    assert "ISM-1995 allows ML-KEM-768 or ML-KEM-1024 only" in v.reason
