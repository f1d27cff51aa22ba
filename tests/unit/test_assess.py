"""Assessment: findings joined with policy profiles, written as specifications of pqscan's verdicts."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import pytest

from pqscan.assess.engine import (
    ASSET_PLACE,
    PRIMITIVE_CATEGORY,
    USAGE_CATEGORY,
    USAGE_NOUN,
    Assessment,
    ComplianceStatus,
    Verdict,
    assess,
    severity_for,
)
from pqscan.assess.profiles import load_profile, load_profiles
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Evidence, Finding, Primitive, Relation, RelationKind, Severity, Usage

TODAY = datetime.date(2026, 11, 25)


def one(algorithm: str, usage: Usage, *, kind: AssetKind = AssetKind.TLS_ENDPOINT,
        params: Mapping[str, Any] | None = None, asset_id: str = "tls://svc.example.test:443") -> Inventory:
    inv = Inventory()
    inv.add_asset(Asset(asset_id, kind, "svc.example.test:443", "svc"))
    inv.add_finding(Finding(asset_id, algorithm, usage, "test", dict(params or {}), Evidence("svc.example.test:443")))
    return inv


def verdict(inv: Inventory, profile: str, today: datetime.date = TODAY) -> Verdict:
    result = assess(inv, [load_profile(profile)], today=today)
    (vs,) = result.verdicts.values()
    (v,) = vs
    return v


def certificate_chain(leaf_bits: int = 2048, issuer_bits: int = 2048) -> Inventory:
    """A TLS endpoint presenting a leaf whose signature was made by an RSA issuer of issuer_bits."""
    inv = Inventory()
    inv.add_asset(Asset("cert:sha256:ca", AssetKind.CERTIFICATE, "x", "CA", {"key_bits": issuer_bits,
                                                                           "self_signed": True}))
    inv.add_asset(Asset("cert:sha256:leaf", AssetKind.CERTIFICATE, "x", "leaf", {"key_bits": leaf_bits},
                        (Relation(RelationKind.ISSUED_BY, "cert:sha256:ca"),)))
    inv.add_asset(Asset("tls://svc.example.test:443", AssetKind.TLS_ENDPOINT, "svc.example.test:443", "svc", {},
                        (Relation(RelationKind.PRESENTS, "cert:sha256:leaf"),)))
    inv.add_finding(Finding("cert:sha256:leaf", "RSA", Usage.SIGNATURE, "test", {"hash": "SHA-256"},
                            Evidence("svc.example.test:443", symbol="signatureAlgorithm")))
    return inv


# -- harvest-now-decrypt-later ---------------------------------------------------------------


def test_x25519_only_key_exchange_is_flagged_harvest_now_decrypt_later() -> None:
    v = verdict(one("X25519", Usage.KEY_EXCHANGE), "nist-ir-8547")
    assert v.hndl
    assert v.severity is Severity.HIGH
    assert "harvest-now-decrypt-later" in v.reason


def test_x25519mlkem768_key_exchange_is_not_harvest_now_decrypt_later() -> None:
    v = verdict(one("X25519MLKEM768", Usage.KEY_EXCHANGE), "nist-ir-8547")
    assert not v.hndl
    assert v.severity is Severity.INFO


def test_rsa_key_transport_is_flagged_harvest_now_decrypt_later() -> None:
    v = verdict(one("RSA", Usage.ENCRYPTION, params={"key_bits": 3072}), "nist-ir-8547")
    assert v.hndl and v.severity is Severity.HIGH


def test_classical_signature_is_not_harvest_now_decrypt_later() -> None:
    assert not verdict(one("ECDSA-P256", Usage.AUTHENTICATION), "nist-ir-8547").hndl


# -- NIST IR 8547 and CNSA 2.0 ------------------------------------------------------------------


def test_x25519mlkem768_is_compliant_under_nist_but_not_cnsa() -> None:
    inv = one("X25519MLKEM768", Usage.KEY_EXCHANGE)
    assert verdict(inv, "nist-ir-8547").status is ComplianceStatus.COMPLIANT
    cnsa = verdict(inv, "cnsa-2.0")
    assert cnsa.status is ComplianceStatus.DISALLOWED
    assert "ML-KEM-1024" in cnsa.reason


def test_ml_kem_1024_is_compliant_under_cnsa() -> None:
    assert verdict(one("ML-KEM-1024", Usage.KEY_EXCHANGE), "cnsa-2.0").status is ComplianceStatus.COMPLIANT


def test_ml_dsa_65_is_compliant_under_nist_but_not_cnsa() -> None:
    inv = one("ML-DSA-65", Usage.SIGNATURE, kind=AssetKind.CERTIFICATE, asset_id="cert:sha256:aa")
    assert verdict(inv, "nist-ir-8547").status is ComplianceStatus.COMPLIANT
    assert verdict(inv, "cnsa-2.0").status is ComplianceStatus.DISALLOWED


def test_slh_dsa_is_not_cnsa_2_0() -> None:
    inv = one("SLH-DSA-SHA2-128s", Usage.SIGNATURE, kind=AssetKind.CERTIFICATE, asset_id="cert:sha256:aa")
    assert verdict(inv, "cnsa-2.0").status is ComplianceStatus.DISALLOWED


def test_lms_is_accepted_for_code_signing_under_cnsa() -> None:
    inv = one("LMS", Usage.CODE_SIGNING, kind=AssetKind.SOURCE_FILE, asset_id="file:fw/sign.c")
    assert verdict(inv, "cnsa-2.0").status is ComplianceStatus.COMPLIANT


def test_rsa_3072_code_signing_is_disallowed_after_2030_under_cnsa() -> None:
    inv = one("RSA", Usage.CODE_SIGNING, kind=AssetKind.SOURCE_FILE, asset_id="file:fw/sign.c",
              params={"key_bits": 3072})
    v = verdict(inv, "cnsa-2.0")
    assert (v.status, v.deadline) == (ComplianceStatus.DEPRECATED, datetime.date(2030, 12, 31))
    assert verdict(inv, "cnsa-2.0", datetime.date(2031, 1, 1)).status is ComplianceStatus.DISALLOWED


def test_aes_128_is_compliant_under_nist_but_not_cnsa() -> None:
    inv = one("AES-128-GCM", Usage.SYMMETRIC)
    assert verdict(inv, "nist-ir-8547").status is ComplianceStatus.COMPLIANT
    assert verdict(inv, "cnsa-2.0").status is ComplianceStatus.DISALLOWED


def test_sha_256_is_compliant_under_nist_but_not_cnsa() -> None:
    inv = one("SHA-256", Usage.HASHING, kind=AssetKind.SOURCE_FILE, asset_id="file:a.py")
    assert verdict(inv, "nist-ir-8547").status is ComplianceStatus.COMPLIANT
    assert verdict(inv, "cnsa-2.0").status is ComplianceStatus.DISALLOWED


def test_rsa_2048_certificate_signature_is_deprecated_after_2030_under_nist() -> None:
    inv = certificate_chain(issuer_bits=2048)
    v = verdict(inv, "nist-ir-8547")
    assert v.reason.startswith(
        "RSA-2048 signature on a TLS certificate: deprecated after 2030, disallowed after 2035 (NIST IR 8547)"
    )
    assert (v.status, v.deadline) == (ComplianceStatus.COMPLIANT, datetime.date(2030, 12, 31))
    later = verdict(inv, "nist-ir-8547", datetime.date(2031, 1, 1))
    assert (later.status, later.deadline) == (ComplianceStatus.DEPRECATED, datetime.date(2035, 12, 31))


def test_rsa_2048_signature_is_disallowed_after_2035_under_nist() -> None:
    v = verdict(certificate_chain(issuer_bits=2048), "nist-ir-8547", datetime.date(2036, 1, 1))
    assert v.status is ComplianceStatus.DISALLOWED
    assert v.severity is Severity.HIGH


def test_certificate_signature_strength_comes_from_the_issuer_key() -> None:
    v = verdict(certificate_chain(leaf_bits=2048, issuer_bits=4096), "nist-ir-8547")
    assert v.reason.startswith("RSA-4096 signature")
    assert v.deadline == datetime.date(2035, 12, 31)  # no 2030 deprecation for >= 128-bit


def test_deprecated_status_near_its_disallow_date_is_high() -> None:
    v = verdict(certificate_chain(issuer_bits=2048), "nist-ir-8547", datetime.date(2034, 6, 1))
    assert (v.status, v.severity) == (ComplianceStatus.DEPRECATED, Severity.HIGH)


# -- BSI / ANSSI: lattice PQC only in hybrid ----------------------------------------------------


def test_pure_ml_kem_is_flagged_under_bsi() -> None:
    v = verdict(one("ML-KEM-768", Usage.KEY_EXCHANGE), "bsi")
    assert v.status is ComplianceStatus.DISALLOWED
    assert "hybrid" in v.reason


def test_hybrid_ml_kem_is_compliant_under_bsi() -> None:
    assert verdict(one("X25519MLKEM768", Usage.KEY_EXCHANGE), "bsi").status is ComplianceStatus.COMPLIANT


def test_pure_ml_dsa_is_flagged_under_anssi_as_a_recommendation_not_a_ban() -> None:
    inv = one("ML-DSA-65", Usage.SIGNATURE, kind=AssetKind.CERTIFICATE, asset_id="cert:sha256:aa")
    assert verdict(inv, "anssi").status is ComplianceStatus.DEPRECATED  # ANSSI 2023 follow-up: "strongly recommends" hybrids


def test_slh_dsa_may_stand_alone_under_bsi() -> None:
    inv = one("SLH-DSA-SHA2-128s", Usage.SIGNATURE, kind=AssetKind.CERTIFICATE, asset_id="cert:sha256:aa")
    assert verdict(inv, "bsi").status is ComplianceStatus.COMPLIANT


def test_classical_key_agreement_is_disallowed_after_2031_under_bsi() -> None:
    assert verdict(one("X25519", Usage.KEY_EXCHANGE), "bsi").deadline == datetime.date(2031, 12, 31)


# -- Australia: ML-KEM-768 only until 2030 -----------------------------------------------------


def test_ml_kem_768_is_interim_only_under_australia_ism() -> None:
    inv = one("ML-KEM-768", Usage.KEY_EXCHANGE)
    assert verdict(inv, "australia-ism").status is ComplianceStatus.COMPLIANT
    assert verdict(inv, "australia-ism", datetime.date(2031, 1, 1)).status is ComplianceStatus.DISALLOWED
    assert verdict(one("ML-KEM-1024", Usage.KEY_EXCHANGE), "australia-ism",
                   datetime.date(2031, 1, 1)).status is ComplianceStatus.COMPLIANT


# -- classically broken: critical whatever the profile ----------------------------------------------

ALL_PROFILES = ["nist-ir-8547", "cnsa-2.0", "eu-pqc-roadmap", "uk-ncsc", "japan", "australia-ism", "canada", "bsi",
                "anssi", "us-federal-eo-2026"]


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_md5_is_critical_under_every_profile(profile: str) -> None:
    v = verdict(one("MD5", Usage.HASHING, kind=AssetKind.SOURCE_FILE, asset_id="file:a.py"), profile)
    assert v.classically_broken and v.severity is Severity.CRITICAL


def test_rsa_1024_is_critical() -> None:
    v = verdict(one("RSA", Usage.AUTHENTICATION, params={"key_bits": 1024}), "nist-ir-8547")
    assert v.classically_broken and v.severity is Severity.CRITICAL


def test_signature_over_sha1_is_critical() -> None:
    inv = one("RSA", Usage.SIGNATURE, kind=AssetKind.CERTIFICATE, asset_id="cert:sha256:aa",
              params={"hash": "SHA-1", "key_bits": 2048})
    v = verdict(inv, "nist-ir-8547")
    assert v.classically_broken and v.severity is Severity.CRITICAL


def test_3des_is_critical() -> None:
    assert verdict(one("3DES", Usage.SYMMETRIC), "nist-ir-8547").severity is Severity.CRITICAL


def test_dsa_signature_is_critical() -> None:
    v = verdict(one("DSA", Usage.SIGNATURE, params={"key_bits": 2048}), "nist-ir-8547")
    assert v.severity is Severity.CRITICAL


# -- unknown algorithms are kept, with their raw identifier ---------------------------------------


def test_unknown_algorithm_keeps_raw_identifier() -> None:
    inv = one("unknown", Usage.KEY_EXCHANGE, params={"raw_identifier": "0xFE30"})
    v = verdict(inv, "nist-ir-8547")
    assert v.status is ComplianceStatus.UNKNOWN
    assert v.severity is Severity.LOW
    assert "0xFE30" in v.reason


def test_algorithm_id_missing_from_the_catalogue_is_kept_in_the_reason() -> None:
    v = verdict(one("FancyKEM-9000", Usage.KEY_EXCHANGE), "cnsa-2.0")
    assert v.status is ComplianceStatus.UNKNOWN
    assert "FancyKEM-9000" in v.reason


def test_category_a_profile_does_not_cover_is_unknown(tmp_path: Any) -> None:
    path = tmp_path / "sig-only.toml"
    path.write_text('[profile]\nid = "s"\nname = "S"\nsources = ["t"]\n[signature]\ndefault = "compliant"\n')
    v = verdict(one("X25519", Usage.KEY_EXCHANGE), str(path))
    assert v.status is ComplianceStatus.UNKNOWN
    assert "not covered" in v.reason


# -- several profiles: worst verdict and the compliance matrix ----------------------------------------


def sample_estate() -> Inventory:
    inv = one("X25519MLKEM768", Usage.KEY_EXCHANGE)
    inv.merge(one("ECDH-P256", Usage.KEY_EXCHANGE, asset_id="tls://old.example.test:443"))
    inv.merge(one("MD5", Usage.HASHING, kind=AssetKind.SOURCE_FILE, asset_id="file:a.py"))
    return inv


def test_several_profiles_give_a_matrix() -> None:
    result = assess(sample_estate(), load_profiles(["nist-ir-8547", "cnsa-2.0"]), today=TODAY)
    rows = {r.profile: r for r in result.matrix()}
    assert list(rows) == ["nist-ir-8547", "cnsa-2.0", "all"]
    nist, cnsa = rows["nist-ir-8547"], rows["cnsa-2.0"]
    assert (nist.compliant, nist.deprecated, nist.disallowed, nist.unknown) == (2, 0, 1, 0)
    assert (cnsa.compliant, cnsa.deprecated, cnsa.disallowed, cnsa.unknown) == (0, 0, 3, 0)
    assert nist.next_deadline == datetime.date(2035, 12, 31)
    assert cnsa.worst_severity is Severity.CRITICAL


def test_each_finding_gets_one_verdict_per_profile_in_order() -> None:
    result = assess(sample_estate(), load_profiles(["bsi", "nist-ir-8547"]), today=TODAY)
    for vs in result.verdicts.values():
        assert [v.profile for v in vs] == ["bsi", "nist-ir-8547"]


def test_worst_verdict_is_the_strictest_profile() -> None:
    inv = one("X25519MLKEM768", Usage.KEY_EXCHANGE)
    result = assess(inv, load_profiles(["nist-ir-8547", "cnsa-2.0"]), today=TODAY)
    (fid,) = result.verdicts
    assert result.worst(fid).profile == "cnsa-2.0"
    assert result.severity(fid) is Severity.HIGH


def test_counts_by_severity_count_each_finding_once() -> None:
    result = assess(sample_estate(), load_profiles(["nist-ir-8547", "cnsa-2.0"]), today=TODAY)
    counts = result.counts_by_severity()
    assert set(counts) == set(Severity)
    assert sum(counts.values()) == 3
    assert counts[Severity.CRITICAL] == 1
    assert result.worst_severity() is Severity.CRITICAL


def test_empty_assessment_has_no_worst_severity_and_info_for_unknown_ids() -> None:
    result = Assessment(profiles=load_profiles([]), verdicts={}, today=TODAY)
    assert result.worst_severity() is None
    assert result.severity("nope") is Severity.INFO
    assert result.worst("nope") is None


def test_assessment_to_dict_is_plain_json() -> None:
    import json

    d = assess(sample_estate(), load_profiles(["nist-ir-8547", "cnsa-2.0"]), today=TODAY).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["today"] == "2026-11-25" and d["summary"]["hndl"] == 1


def test_assess_uses_today_when_no_date_is_given() -> None:
    assert assess(Inventory(), load_profiles([])).today == datetime.date.today()


# -- the tables are exhaustive and the severity mapping is as documented ---------------------------


def test_every_usage_has_a_row_in_the_category_table() -> None:
    assert set(USAGE_CATEGORY) == set(Usage)


def test_every_primitive_has_a_row_in_the_primitive_table() -> None:
    assert set(PRIMITIVE_CATEGORY) == set(Primitive)


def test_every_usage_and_asset_kind_has_words_for_the_reason() -> None:
    assert set(USAGE_NOUN) == set(Usage)
    assert set(ASSET_PLACE) == set(AssetKind)


FAR = datetime.date(2035, 12, 31)
NEAR = datetime.date(2027, 6, 30)


@pytest.mark.parametrize(
    ("status", "deadline", "expected"),
    [
        (ComplianceStatus.COMPLIANT, None, Severity.INFO),
        (ComplianceStatus.COMPLIANT, FAR, Severity.LOW),
        (ComplianceStatus.COMPLIANT, NEAR, Severity.MEDIUM),
        (ComplianceStatus.DEPRECATED, None, Severity.MEDIUM),
        (ComplianceStatus.DEPRECATED, FAR, Severity.MEDIUM),
        (ComplianceStatus.DEPRECATED, NEAR, Severity.HIGH),
        (ComplianceStatus.DISALLOWED, None, Severity.HIGH),
        (ComplianceStatus.DISALLOWED, NEAR, Severity.HIGH),
        (ComplianceStatus.UNKNOWN, None, Severity.LOW),
    ],
)
def test_severity_mapping_by_status_and_deadline(status: ComplianceStatus, deadline: datetime.date | None,
                                                 expected: Severity) -> None:
    assert severity_for(status, deadline, TODAY) is expected


def test_harvest_now_decrypt_later_raises_severity_to_high() -> None:
    assert severity_for(ComplianceStatus.COMPLIANT, FAR, TODAY, hndl=True) is Severity.HIGH


def test_classically_broken_is_critical_even_when_a_profile_says_compliant() -> None:
    assert severity_for(ComplianceStatus.COMPLIANT, None, TODAY, classically_broken=True) is Severity.CRITICAL


# -- protocol versions, composites, drafts ------------------------------------------------------------


@pytest.mark.parametrize("name", ["TLS1.0", "TLSv1.1", "SSLv3", "SSLv2", "TLSv1_1", "tls1_0"])
def test_tls_below_1_2_is_critical(name: str) -> None:
    v = verdict(one(name, Usage.PROTOCOL, params={"protocol": name}), "nist-ir-8547")
    assert (v.status, v.severity, v.classically_broken) == (ComplianceStatus.DISALLOWED, Severity.CRITICAL, True)
    assert v.reason.startswith(f"{name} protocol version")


def test_tls_1_3_protocol_is_compliant() -> None:
    v = verdict(one("TLS1.3", Usage.PROTOCOL), "cnsa-2.0")
    assert (v.status, v.severity) == (ComplianceStatus.COMPLIANT, Severity.INFO)


def test_null_cipher_is_critical() -> None:
    assert verdict(one("NULL", Usage.SYMMETRIC), "nist-ir-8547").severity is Severity.CRITICAL


def test_pre_standard_kyber_hybrid_is_deprecated_under_nist() -> None:
    v = verdict(one("X25519Kyber768Draft00", Usage.KEY_EXCHANGE), "nist-ir-8547")
    assert v.status is ComplianceStatus.DEPRECATED and not v.hndl
    assert "X25519MLKEM768" in v.reason


def test_composite_ml_dsa_certificate_is_compliant_under_nist() -> None:
    inv = one("MLDSA65-ECDSA-P256-SHA512", Usage.SIGNATURE, kind=AssetKind.CERTIFICATE, asset_id="cert:sha256:aa")
    assert verdict(inv, "nist-ir-8547").status is ComplianceStatus.COMPLIANT


def test_composite_with_ml_dsa_87_is_accepted_under_cnsa() -> None:
    inv = one("MLDSA87-ECDSA-P384-SHA512", Usage.SIGNATURE, kind=AssetKind.CERTIFICATE, asset_id="cert:sha256:aa")
    assert verdict(inv, "cnsa-2.0").status is ComplianceStatus.COMPLIANT


def test_composite_ml_kem_is_compliant_under_nist() -> None:
    v = verdict(one("MLKEM768-X25519-SHA3-256", Usage.KEY_EXCHANGE), "nist-ir-8547")
    assert v.status is ComplianceStatus.COMPLIANT and v.deadline is None


def test_secp384r1mlkem1024_is_accepted_under_cnsa() -> None:
    assert verdict(one("SecP384r1MLKEM1024", Usage.KEY_EXCHANGE), "cnsa-2.0").status is ComplianceStatus.COMPLIANT


def test_hmac_sha256_is_not_cnsa_but_hmac_sha384_is() -> None:
    assert verdict(one("HMAC-SHA256", Usage.MAC), "cnsa-2.0").status is ComplianceStatus.DISALLOWED
    assert verdict(one("HMAC-SHA384", Usage.MAC), "cnsa-2.0").status is ComplianceStatus.COMPLIANT


def test_ffdhe2048_key_exchange_is_deprecated_after_2030_under_nist() -> None:
    v = verdict(one("FFDHE2048", Usage.KEY_EXCHANGE), "nist-ir-8547")
    assert v.deadline == datetime.date(2030, 12, 31) and v.hndl


def test_rsa_key_size_unknown_falls_back_to_the_2035_rule_and_says_so() -> None:
    v = verdict(one("RSA", Usage.AUTHENTICATION), "nist-ir-8547")
    assert v.deadline == datetime.date(2035, 12, 31)
    assert "unknown key size" in v.reason


def test_md5_marked_usedforsecurity_false_is_low_priority_not_critical() -> None:
    inv = one("MD5", Usage.HASHING, kind=AssetKind.SOURCE_FILE, params={"usedforsecurity": False},
              asset_id="file:app.py")
    v = verdict(inv, "nist-ir-8547")
    assert v.severity is Severity.LOW
    assert "usedforsecurity=False" in v.reason


def test_md5_used_for_security_stays_critical() -> None:
    v = verdict(one("MD5", Usage.HASHING, kind=AssetKind.SOURCE_FILE, asset_id="file:app.py"), "nist-ir-8547")
    assert v.severity is Severity.CRITICAL


def test_sha1_as_an_hmac_is_not_classically_broken_by_collisions() -> None:
    v = verdict(one("SHA-1", Usage.MAC, kind=AssetKind.CONFIG, asset_id="file:nginx.conf"), "nist-ir-8547")
    assert not v.classically_broken
    assert v.severity is not Severity.CRITICAL
