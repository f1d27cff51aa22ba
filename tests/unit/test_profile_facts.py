"""Every profile fact the review of issue #14 checked against a primary source: one row per
(algorithm, usage, parameters, profile, date) -> status, each naming the source it encodes.

A row fails when a profile drifts from its source; the `source` column says where to look.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from pqscan.assess.engine import ComplianceStatus, assess
from pqscan.assess.profiles import list_profiles, load_profile
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Evidence, Finding, Usage

C, DEP, DIS, UNK = (ComplianceStatus.COMPLIANT, ComplianceStatus.DEPRECATED, ComplianceStatus.DISALLOWED,
                    ComplianceStatus.UNKNOWN)
NOW = datetime.date(2026, 12, 6)
D2030 = datetime.date(2030, 6, 1)  # after 2 Jan 2030, before the end of 2030
D2031 = datetime.date(2031, 6, 1)
D2032 = datetime.date(2032, 6, 1)


@dataclass(frozen=True)
class Fact:
    profile: str
    algorithm: str
    usage: Usage
    today: datetime.date
    status: ComplianceStatus
    source: str
    params: dict[str, Any] = field(default_factory=dict)

    def id(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.profile}:{self.algorithm}{'(' + extra + ')' if extra else ''}:{self.usage.value}@{self.today}"


KX, SIG, CODE, SYM, HASH, PROTO = (Usage.KEY_EXCHANGE, Usage.SIGNATURE, Usage.CODE_SIGNING, Usage.SYMMETRIC,
                                   Usage.HASHING, Usage.PROTOCOL)
FACTS = [
    # 1. CNSA 2.0 FAQ (April 2024): "NSA has only approved LMS and XMSS ... HSS and XMSSMT are not allowed".
    Fact("cnsa-2.0", "XMSSMT", SIG, NOW, DIS, "CNSA 2.0 FAQ, 'Can I use HSS or XMSSMT from NIST SP 800-208?'"),
    Fact("cnsa-2.0", "XMSSMT", CODE, NOW, DIS, "CNSA 2.0 FAQ, 'Can I use HSS or XMSSMT from NIST SP 800-208?'"),
    Fact("cnsa-2.0", "XMSS-SHA2_20_256", CODE, NOW, C, "CNSA 2.0 FAQ: LMS and XMSS approved"),
    Fact("cnsa-2.0", "LMS_SHA256_M32_H20", CODE, NOW, C, "CNSA 2.0 FAQ: LMS and XMSS approved"),
    Fact("cnsa-2.0", "ML-DSA-87", SIG, NOW, C, "CNSA 2.0 algorithms sheet: ML-DSA-87"),
    Fact("cnsa-2.0", "ML-DSA-65", SIG, NOW, DIS, "CNSA 2.0 algorithms sheet: ML-DSA-87 only"),
    Fact("cnsa-2.0", "ML-KEM-1024", KX, NOW, C, "CNSA 2.0 algorithms sheet: ML-KEM-1024"),
    Fact("cnsa-2.0", "X25519MLKEM768", KX, NOW, DIS, "CNSA 2.0 algorithms sheet: ML-KEM-1024 only"),
    # 2. ASD ISM: ISM-1991 (ML-DSA-65 or -87), ISM-1995 (ML-KEM-768 or -1024), approved list only.
    Fact("australia-ism", "ML-DSA-44", SIG, NOW, DIS, "ISM-1991: ML-DSA-65 or ML-DSA-87"),
    Fact("australia-ism", "ML-DSA-65", SIG, NOW, C, "ISM-1991: ML-DSA-65 or ML-DSA-87"),
    Fact("australia-ism", "ML-DSA-65", SIG, D2031, DIS, "ASD planning: ML-DSA-87 only after 2030"),
    Fact("australia-ism", "ML-DSA-87", SIG, D2031, C, "ISM-1991, preferably ML-DSA-87"),
    Fact("australia-ism", "ML-KEM-512", KX, NOW, DIS, "ISM-1995: ML-KEM-768 or ML-KEM-1024"),
    Fact("australia-ism", "ML-KEM-768", KX, NOW, C, "ISM-1995: ML-KEM-768 or ML-KEM-1024"),
    Fact("australia-ism", "SLH-DSA-SHA2-256s", SIG, NOW, DIS, "ISM: SLH-DSA is not an ASD-approved algorithm"),
    Fact("australia-ism", "LMS", CODE, NOW, DIS, "ISM: LMS is not an ASD-approved algorithm"),
    Fact("australia-ism", "XMSS", CODE, NOW, DIS, "ISM: XMSS is not an ASD-approved algorithm"),
    Fact("australia-ism", "Ed25519", SIG, NOW, DIS, "ISM: EdDSA is not an ASD-approved algorithm"),
    Fact("australia-ism", "X25519", KX, NOW, DIS, "ISM: X25519 is not an ASD-approved curve"),
    Fact("australia-ism", "ECDH-brainpoolP384r1", KX, NOW, DIS, "ISM: brainpool curves are not ASD-approved"),
    Fact("australia-ism", "ECDH-P384", KX, NOW, C, "ISM: ECDH on NIST P-384, until 2030"),
    Fact("australia-ism", "ECDH-P384", KX, D2031, DIS, "ASD: traditional asymmetric crypto not approved beyond 2030"),
    Fact("australia-ism", "ChaCha20-Poly1305", SYM, NOW, DIS, "ISM: ChaCha20 is not an ASD-approved algorithm"),
    Fact("australia-ism", "SHA3-384", HASH, NOW, DIS, "ISM: SHA-3 is not an ASD-approved algorithm"),
    Fact("australia-ism", "SHA-384", HASH, D2031, C, "ISM: SHA-384 approved beyond 2030"),
    # 3. BSI TR-02102-1: RSA >= 3000 bits since 2024; PQC KEMs and ML-DSA only in hybrid; named sets.
    Fact("bsi", "RSA", SIG, NOW, DIS, "TR-02102-1: RSA >= 2000 bits conformant only until end 2023", {"key_bits": 2048}),
    Fact("bsi", "RSA", SIG, NOW, C, "TR-02102-1: RSA of at least 3000 bits", {"key_bits": 3072}),
    Fact("bsi", "RSA", SIG, datetime.date(2036, 1, 1), DIS, "TR-02102-1 2026-01: classical signatures until end 2035",
         {"key_bits": 3072}),
    Fact("bsi", "RSAES-OAEP", Usage.ENCRYPTION, NOW, DIS, "TR-02102-1: RSA >= 3000 bits since 2024", {"key_bits": 2048}),
    Fact("bsi", "FrodoKEM-976-AES", KX, NOW, DIS, "TR-02102-1: FrodoKEM only together with a classical mechanism"),
    Fact("bsi", "Classic-McEliece-6688128", KX, NOW, DIS, "TR-02102-1: Classic McEliece only in hybrid"),
    Fact("bsi", "ML-KEM-768", KX, NOW, DIS, "TR-02102-1: ML-KEM only in hybrid"),
    Fact("bsi", "X25519MLKEM768", KX, NOW, C, "TR-02102-1: hybrid with ML-KEM-768"),
    Fact("bsi", "SecP384r1MLKEM1024", KX, NOW, C, "TR-02102-1: hybrid with ML-KEM-1024"),
    Fact("bsi", "x25519_mlkem512", KX, NOW, DIS, "TR-02102-1 names ML-KEM-768/1024, not ML-KEM-512"),
    Fact("bsi", "sntrup761x25519-sha512", KX, NOW, DIS, "TR-02102-1 does not name sntrup761"),
    Fact("bsi", "X25519", KX, NOW, C, "TR-02102-1 2026-01: classical key agreement alone until end 2031"),
    Fact("bsi", "X25519", KX, D2032, DIS, "TR-02102-1 2026-01: classical key agreement alone until end 2031"),
    Fact("bsi", "ML-DSA-65", SIG, NOW, DIS, "TR-02102-1: lattice signatures only in hybrid"),
    Fact("bsi", "MLDSA65-ECDSA-P384-SHA512", SIG, NOW, C, "TR-02102-1: composite with ML-DSA-65"),
    Fact("bsi", "SLH-DSA-SHA2-256s", SIG, NOW, C, "TR-02102-1: hash-based signatures standalone"),
    # 4. ANSSI: hybrids strongly recommended (not a ban); 2027/2030 are qualification/procurement dates.
    Fact("anssi", "ML-KEM-768", KX, NOW, DEP, "ANSSI 2023 follow-up: hybrid 'strongly recommended'"),
    Fact("anssi", "ML-DSA-65", SIG, NOW, DEP, "ANSSI 2023 follow-up: hybrid 'strongly recommended'"),
    Fact("anssi", "X25519MLKEM768", KX, NOW, C, "ANSSI: hybrid with ML-KEM"),
    Fact("anssi", "X25519", KX, D2031, C, "ANSSI sets no expiry for deployed classical key exchange"),
    Fact("anssi", "RSA", SIG, datetime.date(2036, 1, 1), C, "ANSSI does not disallow RSA after 2035",
         {"key_bits": 3072}),
    Fact("anssi", "SLH-DSA-SHA2-128s", SIG, NOW, C, "ANSSI: hash-based signatures without hybridation"),
    # 5. US EO 14412 (22 Jun 2026): KEX by 31 Dec 2030, signatures by 31 Dec 2031; TLS 1.3 by 2 Jan 2030.
    Fact("us-federal-eo-2026", "X25519", KX, datetime.date(2031, 1, 1), DIS, "EO 14412: PQ key establishment by 31 Dec 2030"),
    Fact("us-federal-eo-2026", "ECDSA-P256", SIG, datetime.date(2031, 6, 1), C, "EO 14412: PQ signatures by 31 Dec 2031"),
    Fact("us-federal-eo-2026", "ECDSA-P256", SIG, datetime.date(2032, 1, 1), DIS, "EO 14412: PQ signatures by 31 Dec 2031"),
    Fact("us-federal-eo-2026", "TLS1.2", PROTO, NOW, C, "EO 14144 sec. 4(f) as amended by EO 14306: TLS 1.3 by 2 Jan 2030"),
    Fact("us-federal-eo-2026", "TLS1.2", PROTO, D2030, DEP, "EO 14144 sec. 4(f) as amended by EO 14306: TLS 1.3 by 2 Jan 2030"),
    Fact("us-federal-eo-2026", "TLS1.3", PROTO, D2030, C, "EO 14144 sec. 4(f) as amended by EO 14306"),
    Fact("us-federal-eo-2026", "FN-DSA-512", SIG, NOW, DIS, "FIPS 206 is not final: not approved yet"),
    # 6. EU / UK / Japan / Canada: their actual lists instead of "any PQ".
    Fact("eu-pqc-roadmap", "ML-KEM-768", KX, NOW, DEP, "ECCG ACM: lattice PQC for hybrid use"),
    Fact("eu-pqc-roadmap", "X25519MLKEM768", KX, NOW, C, "ECCG ACM: hybrid with ML-KEM-768"),
    Fact("eu-pqc-roadmap", "HQC-256", KX, NOW, DIS, "not an EU agreed mechanism"),
    Fact("eu-pqc-roadmap", "FN-DSA-512", SIG, NOW, DIS, "not an EU agreed mechanism"),
    Fact("eu-pqc-roadmap", "sntrup761x25519-sha512", KX, NOW, DIS, "not an EU agreed mechanism"),
    Fact("eu-pqc-roadmap", "RSA", SIG, NOW, DIS, "SOG-IS ACM v1.3: RSA 1900-2999 bits unsuitable after 31 Dec 2025",
         {"key_bits": 2048}),
    Fact("eu-pqc-roadmap", "RSA", SIG, NOW, C, "SOG-IS ACM: RSA >= 3000 bits", {"key_bits": 3072}),
    Fact("eu-pqc-roadmap", "SLH-DSA-SHA2-192s", SIG, NOW, C, "ECCG ACM: hash-based signatures standalone"),
    Fact("uk-ncsc", "ML-KEM-768", KX, NOW, C, "NCSC next steps: ML-KEM-768 for general use"),
    Fact("uk-ncsc", "FrodoKEM-976-AES", KX, NOW, UNK, "NCSC recommends the NIST algorithms only"),
    Fact("uk-ncsc", "Classic-McEliece-6688128", KX, NOW, UNK, "NCSC recommends the NIST algorithms only"),
    Fact("uk-ncsc", "FN-DSA-512", SIG, NOW, UNK, "NCSC recommends the NIST algorithms only"),
    Fact("canada", "HQC-256", KX, NOW, DIS, "ITSP.40.111: ML-KEM is the approved KEM"),
    Fact("canada", "FN-DSA-512", SIG, NOW, DIS, "ITSP.40.111: ML-DSA, SLH-DSA, LMS/XMSS"),
    Fact("canada", "ML-DSA-65", SIG, NOW, C, "ITSP.40.111: ML-DSA"),
    Fact("canada", "X25519MLKEM768", KX, NOW, C, "ITSP.40.111: ML-KEM"),
    Fact("japan", "sntrup761x25519-sha512", KX, NOW, UNK, "no Japanese list names sntrup761"),
    Fact("japan", "ML-KEM-768", KX, NOW, C, "NIST standard assumed (no CRYPTREC PQC list)"),
    # 7. NIST IR 8547: FN-DSA not approved yet; SP 800-131A r3 (ipd) rules not applied before it is final.
    Fact("nist-ir-8547", "FN-DSA-512", SIG, NOW, DIS, "FIPS 206 is not final: not approved yet"),
    Fact("nist-ir-8547", "SHA-224", HASH, D2031, C, "SP 800-131A r3 is an ipd: its 224-bit rule is not applied"),
    Fact("nist-ir-8547", "RSA", SIG, D2031, DEP, "IR 8547 ipd Table 2: 112-bit deprecated after 2030",
         {"key_bits": 2048}),
    Fact("nist-ir-8547", "ECDSA-P256", SIG, datetime.date(2036, 1, 1), DIS, "IR 8547 ipd Table 2: disallowed after 2035"),
]


def _verdict(fact: Fact) -> Any:
    inv = Inventory()
    asset = Asset("tls://svc.example.test:443", AssetKind.TLS_ENDPOINT, "svc.example.test:443", "svc")
    inv.add_asset(asset)
    finding = Finding(asset.id, fact.algorithm, fact.usage, "test", dict(fact.params), Evidence(asset.location))
    inv.add_finding(finding)
    (v,) = assess(inv, [load_profile(fact.profile)], today=fact.today).verdicts[finding.id]
    return v


@pytest.mark.parametrize("fact", FACTS, ids=Fact.id)
def test_profile_fact(fact: Fact) -> None:
    v = _verdict(fact)
    assert v.status is fact.status, f"{fact.source}: {v.reason}"


def test_every_fact_names_its_source_and_every_profile_has_facts() -> None:
    assert all(f.source for f in FACTS)
    assert {p.id for p in list_profiles()} <= {f.profile for f in FACTS}


@pytest.mark.parametrize("profile", [p.id for p in list_profiles()])
def test_every_profile_says_whom_it_binds_and_when_it_was_checked(profile: str) -> None:
    prof = load_profile(profile)
    assert prof.binds.strip()
    assert prof.last_verified is not None and prof.last_verified <= datetime.date.today()
    assert prof.sources
