"""Every identifier in shared/reference maps to the right canonical algorithm.

The expected tables are transcribed by hand from ``standards.md`` (section named per table) and
``network-probing.md`` §4, not generated from the catalogue data, so a typo in either side fails.
"""

from __future__ import annotations

import pytest

from pqscan.algorithms import IdKind, is_ssh_pseudo_algorithm, lookup

# standards.md §3A: X.509 / PKIX / CMS OIDs (final).
PKIX_PQ_OIDS = [
    ("2.16.840.1.101.3.4.3.17", "ML-DSA-44"),
    ("2.16.840.1.101.3.4.3.18", "ML-DSA-65"),
    ("2.16.840.1.101.3.4.3.19", "ML-DSA-87"),
    ("2.16.840.1.101.3.4.3.32", "HashML-DSA-44"),
    ("2.16.840.1.101.3.4.3.33", "HashML-DSA-65"),
    ("2.16.840.1.101.3.4.3.34", "HashML-DSA-87"),
    ("2.16.840.1.101.3.4.3.20", "SLH-DSA-SHA2-128s"),
    ("2.16.840.1.101.3.4.3.21", "SLH-DSA-SHA2-128f"),
    ("2.16.840.1.101.3.4.3.22", "SLH-DSA-SHA2-192s"),
    ("2.16.840.1.101.3.4.3.23", "SLH-DSA-SHA2-192f"),
    ("2.16.840.1.101.3.4.3.24", "SLH-DSA-SHA2-256s"),
    ("2.16.840.1.101.3.4.3.25", "SLH-DSA-SHA2-256f"),
    ("2.16.840.1.101.3.4.3.26", "SLH-DSA-SHAKE-128s"),
    ("2.16.840.1.101.3.4.3.27", "SLH-DSA-SHAKE-128f"),
    ("2.16.840.1.101.3.4.3.28", "SLH-DSA-SHAKE-192s"),
    ("2.16.840.1.101.3.4.3.29", "SLH-DSA-SHAKE-192f"),
    ("2.16.840.1.101.3.4.3.30", "SLH-DSA-SHAKE-256s"),
    ("2.16.840.1.101.3.4.3.31", "SLH-DSA-SHAKE-256f"),
    # pre-hash SLH-DSA: 35..46 "same ordering as the pure sets"
    ("2.16.840.1.101.3.4.3.35", "HashSLH-DSA-SHA2-128s"),
    ("2.16.840.1.101.3.4.3.36", "HashSLH-DSA-SHA2-128f"),
    ("2.16.840.1.101.3.4.3.37", "HashSLH-DSA-SHA2-192s"),
    ("2.16.840.1.101.3.4.3.38", "HashSLH-DSA-SHA2-192f"),
    ("2.16.840.1.101.3.4.3.39", "HashSLH-DSA-SHA2-256s"),
    ("2.16.840.1.101.3.4.3.40", "HashSLH-DSA-SHA2-256f"),
    ("2.16.840.1.101.3.4.3.41", "HashSLH-DSA-SHAKE-128s"),
    ("2.16.840.1.101.3.4.3.42", "HashSLH-DSA-SHAKE-128f"),
    ("2.16.840.1.101.3.4.3.43", "HashSLH-DSA-SHAKE-192s"),
    ("2.16.840.1.101.3.4.3.44", "HashSLH-DSA-SHAKE-192f"),
    ("2.16.840.1.101.3.4.3.45", "HashSLH-DSA-SHAKE-256s"),
    ("2.16.840.1.101.3.4.3.46", "HashSLH-DSA-SHAKE-256f"),
    ("2.16.840.1.101.3.4.4.1", "ML-KEM-512"),
    ("2.16.840.1.101.3.4.4.2", "ML-KEM-768"),
    ("2.16.840.1.101.3.4.4.3", "ML-KEM-1024"),
    ("1.2.840.113549.1.9.16.3.17", "LMS"),
    ("1.3.6.1.5.5.7.6.34", "XMSS"),
    ("1.3.6.1.5.5.7.6.35", "XMSSMT"),
]

# standards.md §3B: composite signatures 1.3.6.1.5.5.7.6.N and composite KEMs 55..66.
COMPOSITE_OIDS = [
    (37, "MLDSA44-RSA2048-PSS-SHA256"),
    (38, "MLDSA44-RSA2048-PKCS15-SHA256"),
    (39, "MLDSA44-Ed25519-SHA512"),
    (40, "MLDSA44-ECDSA-P256-SHA256"),
    (41, "MLDSA65-RSA3072-PSS-SHA512"),
    (42, "MLDSA65-RSA3072-PKCS15-SHA512"),
    (43, "MLDSA65-RSA4096-PSS-SHA512"),
    (44, "MLDSA65-RSA4096-PKCS15-SHA512"),
    (45, "MLDSA65-ECDSA-P256-SHA512"),
    (46, "MLDSA65-ECDSA-P384-SHA512"),
    (47, "MLDSA65-ECDSA-brainpoolP256r1-SHA512"),
    (48, "MLDSA65-Ed25519-SHA512"),
    (49, "MLDSA87-ECDSA-P384-SHA512"),
    (50, "MLDSA87-ECDSA-brainpoolP384r1-SHA512"),
    (51, "MLDSA87-Ed448-SHAKE256"),
    (52, "MLDSA87-RSA3072-PSS-SHA512"),
    (53, "MLDSA87-RSA4096-PSS-SHA512"),
    (54, "MLDSA87-ECDSA-P521-SHA512"),
    # KEMs: §3B gives 58, 59, 63, 65; the rest from lamps-wg/draft-composite-kem src/algParams.md.
    (55, "MLKEM768-RSA2048-SHA3-256"),
    (56, "MLKEM768-RSA3072-SHA3-256"),
    (57, "MLKEM768-RSA4096-SHA3-256"),
    (58, "MLKEM768-X25519-SHA3-256"),
    (59, "MLKEM768-ECDH-P256-SHA3-256"),
    (60, "MLKEM768-ECDH-P384-SHA3-256"),
    (61, "MLKEM768-ECDH-brainpoolP256r1-SHA3-256"),
    (62, "MLKEM1024-RSA3072-SHA3-256"),
    (63, "MLKEM1024-ECDH-P384-SHA3-256"),
    (64, "MLKEM1024-ECDH-brainpoolP384r1-SHA3-256"),
    (65, "MLKEM1024-X448-SHA3-256"),
    (66, "MLKEM1024-ECDH-P521-SHA3-256"),
]

# standards.md §1A: classical identifiers named in the "broken by Shor" table.
SHOR_TABLE_OIDS = [
    ("1.2.840.113549.1.1.5", "RSASSA-PKCS1-SHA1"),
    ("1.2.840.113549.1.1.11", "RSASSA-PKCS1-SHA256"),
    ("1.2.840.113549.1.1.12", "RSASSA-PKCS1-SHA384"),
    ("1.2.840.113549.1.1.13", "RSASSA-PKCS1-SHA512"),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
    ("1.2.840.10045.4.3.2", "ECDSA-SHA256"),
    ("1.2.840.10045.4.3.3", "ECDSA-SHA384"),
    ("1.2.840.10045.4.3.4", "ECDSA-SHA512"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
]

# standards.md §3D and network-probing.md §4.1: NamedGroup codepoints.
TLS_GROUPS = [
    (0x11EC, "X25519MLKEM768"),
    (4588, "X25519MLKEM768"),
    (0x11EB, "SecP256r1MLKEM768"),
    (0x11ED, "SecP384r1MLKEM1024"),
    (0x11EE, "curveSM2MLKEM768"),
    (0x0200, "ML-KEM-512"),
    (0x0201, "ML-KEM-768"),
    (0x0202, "ML-KEM-1024"),
    (0x6399, "X25519Kyber768Draft00"),
    (25497, "X25519Kyber768Draft00"),
    (0x639A, "SecP256r1Kyber768Draft00"),
    (0xFE30, "X25519Kyber512Draft00"),
    (0xFE31, "X25519Kyber768Draft00"),
    (0x2F4B, "p256_mlkem512"),
    (0x2FB6, "x25519_mlkem512"),
    (0x2F4C, "p384_mlkem768"),
    (0x2FB7, "x448_mlkem768"),
    (0x2F4D, "p521_mlkem1024"),
    (65056, "bp256_mlkem512"),
    (65057, "bp384_mlkem768"),
    (65058, "bp512_mlkem1024"),
    # §1A: "TLS groups 0x0017-0x001D" (RFC 8422 §5.1.1 / RFC 8446 §4.2.7 names)
    (0x0017, "ECDH-P256"),
    (0x0018, "ECDH-P384"),
    (0x0019, "ECDH-P521"),
    (0x001A, "ECDH-brainpoolP256r1"),
    (0x001B, "ECDH-brainpoolP384r1"),
    (0x001C, "ECDH-brainpoolP512r1"),
    (0x001D, "X25519"),
]

# standards.md §3E / network-probing.md §4.1: PQ SignatureScheme codepoints.
TLS_PQ_SIGNATURE_SCHEMES = [(0x0904, "ML-DSA-44"), (0x0905, "ML-DSA-65"), (0x0906, "ML-DSA-87")]

# standards.md §3F and network-probing.md §4.2: SSH key exchange names.
SSH_KEX = [
    ("mlkem768x25519-sha256", "mlkem768x25519-sha256"),
    ("mlkem768nistp256-sha256", "mlkem768nistp256-sha256"),
    ("mlkem1024nistp384-sha384", "mlkem1024nistp384-sha384"),
    ("sntrup761x25519-sha512", "sntrup761x25519-sha512"),
    ("sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512"),
    ("sntrup4591761x25519-sha512@tinyssh.org", "sntrup4591761x25519-sha512@tinyssh.org"),
    ("x25519-kyber-512r3-sha256-d00@amazon.com", "x25519-kyber-512r3-sha256-d00@amazon.com"),
    ("x25519-kyber512-sha512@aws.amazon.com", "x25519-kyber-512r3-sha256-d00@amazon.com"),
    ("ecdh-nistp256-kyber-512r3-sha256-d00@openquantumsafe.org",
     "ecdh-nistp256-kyber-512r3-sha256-d00@openquantumsafe.org"),
    ("ecdh-nistp384-kyber-768r3-sha384-d00@openquantumsafe.org",
     "ecdh-nistp384-kyber-768r3-sha384-d00@openquantumsafe.org"),
    ("ecdh-nistp521-kyber-1024r3-sha512-d00@openquantumsafe.org",
     "ecdh-nistp521-kyber-1024r3-sha512-d00@openquantumsafe.org"),
    ("x25519-ml-kem-512-sha256@openquantumsafe.org", "x25519-ml-kem-512-sha256@openquantumsafe.org"),
    ("ecdh-nistp256-ml-kem-512-sha256@openquantumsafe.org", "ecdh-nistp256-ml-kem-512-sha256@openquantumsafe.org"),
    # §1A classical names
    ("ecdh-sha2-nistp256", "ECDH-P256"),
    ("ecdh-sha2-nistp384", "ECDH-P384"),
    ("ecdh-sha2-nistp521", "ECDH-P521"),
    ("curve25519-sha256", "X25519"),
    ("curve25519-sha256@libssh.org", "X25519"),
    ("diffie-hellman-group14-sha1", "diffie-hellman-group14-sha1"),
    ("diffie-hellman-group14-sha256", "diffie-hellman-group14-sha256"),
    ("diffie-hellman-group16-sha512", "diffie-hellman-group16-sha512"),
    ("diffie-hellman-group18-sha512", "diffie-hellman-group18-sha512"),
]

# network-probing.md §4.2 (PQ host keys) and standards.md §1A (classical host-key names).
SSH_HOST_KEYS = [
    ("mldsa-44", "ML-DSA-44"),
    ("mldsa-65", "ML-DSA-65"),
    ("mldsa-87", "ML-DSA-87"),
    ("ssh-mldsa-44", "ML-DSA-44"),
    ("ssh-mldsa-65", "ML-DSA-65"),
    ("ssh-mldsa-87", "ML-DSA-87"),
    ("ssh-mldsa44", "ML-DSA-44"),
    ("ssh-mldsa65", "ML-DSA-65"),
    ("ssh-mldsa87", "ML-DSA-87"),
    ("rsa-sha2-256", "RSASSA-PKCS1-SHA256"),
    ("rsa-sha2-512", "RSASSA-PKCS1-SHA512"),
    ("ssh-rsa", "RSASSA-PKCS1-SHA1"),
    ("ssh-dss", "DSA-SHA1"),
    ("ecdsa-sha2-nistp256", "ECDSA-P256"),
    ("ssh-ed25519", "Ed25519"),
]

# standards.md §3C: JOSE / COSE.
JOSE = [("ML-DSA-44", "ML-DSA-44"), ("ML-DSA-65", "ML-DSA-65"), ("ML-DSA-87", "ML-DSA-87")]
COSE = [(-48, "ML-DSA-44"), (-49, "ML-DSA-65"), (-50, "ML-DSA-87"), (-46, "LMS")]

# network-probing.md, "Facts verified": liboqs 0.16 names.
LIBOQS = [
    ("HQC-1", "HQC-128"),
    ("SLH_DSA_PURE_SHA2_128F", "SLH-DSA-SHA2-128f"),
    ("ML-KEM-768", "ML-KEM-768"),
    ("ML-DSA-65", "ML-DSA-65"),
]

# standards.md §1A / §3D names used in prose.
NAMES = [
    ("ffdhe2048", "FFDHE2048"),
    ("ffdhe3072", "FFDHE3072"),
    ("ffdhe4096", "FFDHE4096"),
    ("ffdhe6144", "FFDHE6144"),
    ("ffdhe8192", "FFDHE8192"),
    ("X25519MLKEM768", "X25519MLKEM768"),
    ("MLKEM1024", "ML-KEM-1024"),
    ("SecP384r1MLKEM1024", "SecP384r1MLKEM1024"),
    ("P256Kyber768Draft00", "SecP256r1Kyber768Draft00"),
    ("X448MLKEM1024", "X448MLKEM1024"),
]


@pytest.mark.parametrize(("oid", "expected"), PKIX_PQ_OIDS + SHOR_TABLE_OIDS)
def test_pkix_oid_maps_to_its_algorithm(oid: str, expected: str) -> None:
    assert lookup(IdKind.OID, oid).id == expected


@pytest.mark.parametrize(("arc", "expected"), COMPOSITE_OIDS)
def test_composite_oid_maps_to_its_draft_name_and_is_flagged_draft(arc: int, expected: str) -> None:
    alg = lookup(IdKind.OID, f"1.3.6.1.5.5.7.6.{arc}")
    assert alg.id == expected
    assert not alg.deprecated
    assert "draft" in alg.notes


@pytest.mark.parametrize(
    ("oid", "expected"),
    [("2.16.840.1.114027.80.9.1.4", "Composite-ML-DSA-prototype"),
     ("2.16.840.1.114027.80.5.2.62", "Composite-ML-KEM-prototype")],
)
def test_oid_under_an_entrust_prototype_arc_is_reported_as_experimental_composite(oid: str, expected: str) -> None:
    alg = lookup(IdKind.OID, oid)
    assert alg.id == expected
    assert "experimental" in alg.notes


@pytest.mark.parametrize(("code", "expected"), TLS_GROUPS)
def test_tls_named_group_maps_to_its_algorithm(code: int, expected: str) -> None:
    assert lookup(IdKind.TLS_GROUP, code).id == expected


@pytest.mark.parametrize(("code", "expected"), TLS_PQ_SIGNATURE_SCHEMES)
def test_tls_mldsa_signature_scheme_maps_to_mldsa(code: int, expected: str) -> None:
    assert lookup(IdKind.TLS_SIGNATURE_SCHEME, code).id == expected


@pytest.mark.parametrize(("name", "expected"), SSH_KEX)
def test_ssh_kex_name_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.SSH_KEX, name).id == expected


@pytest.mark.parametrize(("name", "expected"), SSH_HOST_KEYS)
def test_ssh_host_key_name_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.SSH_HOST_KEY, name).id == expected


@pytest.mark.parametrize(("alg", "expected"), JOSE)
def test_jose_alg_maps_to_its_algorithm(alg: str, expected: str) -> None:
    assert lookup(IdKind.JOSE, alg).id == expected


@pytest.mark.parametrize(("value", "expected"), COSE)
def test_cose_alg_maps_to_its_algorithm(value: int, expected: str) -> None:
    assert lookup(IdKind.COSE, value).id == expected


@pytest.mark.parametrize(("name", "expected"), LIBOQS)
def test_liboqs_name_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.LIBOQS, name).id == expected


@pytest.mark.parametrize(("name", "expected"), NAMES)
def test_name_from_the_reference_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.NAME, name).id == expected


# standards.md §7 item 1: how the groups are classified.
@pytest.mark.parametrize("code", [0x11EC, 0x11EB, 0x11ED])
def test_standard_hybrid_groups_are_hybrid_and_current(code: int) -> None:
    alg = lookup(IdKind.TLS_GROUP, code)
    assert alg.quantum_status == "hybrid"
    assert not alg.deprecated


@pytest.mark.parametrize("code", [0x0200, 0x0201, 0x0202])
def test_pure_mlkem_groups_are_resistant(code: int) -> None:
    assert lookup(IdKind.TLS_GROUP, code).quantum_status == "resistant"


@pytest.mark.parametrize("code", [0x6399, 0x639A, 0xFE30, 0xFE31])
def test_pre_standard_kyber_groups_are_hybrid_but_deprecated(code: int) -> None:
    alg = lookup(IdKind.TLS_GROUP, code)
    assert alg.quantum_status == "hybrid"
    assert alg.deprecated


@pytest.mark.parametrize("name", ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
                                  "mlkem768x25519-sha256"])
def test_pq_ssh_kex_counts_as_hybrid(name: str) -> None:
    assert lookup(IdKind.SSH_KEX, name).quantum_status == "hybrid"


def test_withdrawn_sntrup4591761_kex_is_deprecated() -> None:
    assert lookup(IdKind.SSH_KEX, "sntrup4591761x25519-sha512@tinyssh.org").deprecated


# network-probing.md §4.2 cites pqcscan support/kex_algos.json for the OQS-OpenSSH list; transcribed here.
_PQCSCAN_TEXT = """
bike-l1-sha512 bike-l3-sha512 bike-l5-sha512 classic-mceliece-348864-sha256 classic-mceliece-348864f-sha256
classic-mceliece-460896-sha512 classic-mceliece-460896f-sha512 classic-mceliece-6688128-sha512
classic-mceliece-6688128f-sha512 classic-mceliece-6960119-sha512 classic-mceliece-6960119f-sha512
classic-mceliece-8192128-sha512 classic-mceliece-8192128f-sha512 curve25519-sha256 curve25519-sha256@libssh.org
diffie-hellman-group-exchange-sha256 diffie-hellman-group14-sha256 diffie-hellman-group16-sha512
diffie-hellman-group18-sha512 ecdh-nistp256-bike-l1r4-sha512@openquantumsafe.org
ecdh-nistp256-classic-mceliece-348864fr4-sha256@openquantumsafe.org
ecdh-nistp256-classic-mceliece-348864r4-sha256@openquantumsafe.org
ecdh-nistp256-frodokem-640-aesr2-sha256@openquantumsafe.org ecdh-nistp256-frodokem-640-shaker2-sha256@openquantumsafe.org
ecdh-nistp256-hqc-128r3-sha256@openquantumsafe.org ecdh-nistp256-kyber-512r3-sha256-d00@openquantumsafe.org
ecdh-nistp256-ml-kem-512-sha256@openquantumsafe.org ecdh-nistp384-bike-l3r4-sha512@openquantumsafe.org
ecdh-nistp384-classic-mceliece-460896fr4-sha512@openquantumsafe.org
ecdh-nistp384-classic-mceliece-460896r4-sha512@openquantumsafe.org
ecdh-nistp384-frodokem-976-aesr2-sha384@openquantumsafe.org ecdh-nistp384-frodokem-976-shaker2-sha384@openquantumsafe.org
ecdh-nistp384-hqc-192r3-sha384@openquantumsafe.org ecdh-nistp384-kyber-768r3-sha384-d00@openquantumsafe.org
ecdh-nistp521-bike-l5r4-sha512@openquantumsafe.org ecdh-nistp521-classic-mceliece-6688128fr4-sha512@openquantumsafe.org
ecdh-nistp521-classic-mceliece-6688128r4-sha512@openquantumsafe.org
ecdh-nistp521-classic-mceliece-6960119fr4-sha512@openquantumsafe.org
ecdh-nistp521-classic-mceliece-6960119r4-sha512@openquantumsafe.org
ecdh-nistp521-classic-mceliece-8192128fr4-sha512@openquantumsafe.org
ecdh-nistp521-classic-mceliece-8192128r4-sha512@openquantumsafe.org
ecdh-nistp521-frodokem-1344-aesr2-sha512@openquantumsafe.org ecdh-nistp521-frodokem-1344-shaker2-sha512@openquantumsafe.org
ecdh-nistp521-hqc-256r3-sha512@openquantumsafe.org ecdh-nistp521-kyber-1024r3-sha512-d00@openquantumsafe.org
ecdh-sha2-nistp256 ecdh-sha2-nistp384 ecdh-sha2-nistp521 ext-info-s frodokem-1344-aes-sha512 frodokem-1344-shake-sha512
frodokem-640-aes-sha256 frodokem-640-shake-sha256 frodokem-976-aes-sha384 frodokem-976-shake-sha384 hqc-128-sha256
hqc-192-sha384 hqc-256-sha512 kex-strict-s-v00@openssh.com kyber-1024-sha512 kyber-512-sha256 kyber-768-sha384
ml-kem-1024-sha384 ml-kem-512-sha256 ml-kem-768-sha256 mlkem1024nistp384-sha384 mlkem768nistp256-sha256
mlkem768x25519-sha256 sntrup761-sha512 sntrup761x25519-sha512 sntrup761x25519-sha512@openssh.com
x25519-bike-l1r4-sha512@openquantumsafe.org x25519-classic-mceliece-348864fr4-sha256@openquantumsafe.org
x25519-classic-mceliece-348864r4-sha256@openquantumsafe.org x25519-frodokem-640-aesr2-sha256@openquantumsafe.org
x25519-frodokem-640-shaker2-sha256@openquantumsafe.org x25519-hqc-128r3-sha256@openquantumsafe.org
x25519-kyber-512r3-sha256-d00@amazon.com x25519-ml-kem-512-sha256@openquantumsafe.org
"""
PQCSCAN_KEX_NAMES = _PQCSCAN_TEXT.split()

PURE_OQS_KEX = [
    ("ml-kem-512-sha256", "ML-KEM-512"),
    ("ml-kem-768-sha256", "ML-KEM-768"),
    ("ml-kem-1024-sha384", "ML-KEM-1024"),
    ("kyber-768-sha384", "Kyber768"),
    ("bike-l1-sha512", "BIKE-L1"),
    ("hqc-192-sha384", "HQC-192"),
    ("frodokem-976-shake-sha384", "FrodoKEM-976-SHAKE"),
    ("classic-mceliece-6688128f-sha512", "Classic-McEliece-6688128"),
    ("sntrup761-sha512", "sntrup761"),
]


def test_pqcscan_list_has_the_79_names_the_reference_mentions() -> None:
    assert len(set(PQCSCAN_KEX_NAMES)) == 79


@pytest.mark.parametrize("name", PQCSCAN_KEX_NAMES)
def test_every_kex_name_in_the_pqcscan_list_is_known_or_a_pseudo_algorithm(name: str) -> None:
    assert is_ssh_pseudo_algorithm(name) or not lookup(IdKind.SSH_KEX, name).is_unknown


@pytest.mark.parametrize(("name", "expected"), PURE_OQS_KEX)
def test_pure_oqs_kem_kex_maps_to_its_kem(name: str, expected: str) -> None:
    assert lookup(IdKind.SSH_KEX, name).id == expected


@pytest.mark.parametrize("name", [n for n in PQCSCAN_KEX_NAMES if n.endswith("@openquantumsafe.org")])
def test_oqs_hybrid_kex_is_hybrid(name: str) -> None:
    assert lookup(IdKind.SSH_KEX, name).quantum_status == "hybrid"
