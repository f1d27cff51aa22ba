"""Catalogue-wide properties: one algorithm per identifier, explicit unknowns, valid entries, strengths."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from pqscan import algorithms
from pqscan.algorithms import (
    SSH_PSEUDO_ALGORITHMS,
    CatalogueError,
    IdKind,
    all_algorithms,
    classical_bits,
    for_curve,
    get,
    is_classically_broken,
    is_ssh_pseudo_algorithm,
    lookup,
    strength_for_key_bits,
)
from pqscan.model import Primitive, QuantumStatus

# Ids other pqscan modules already code against: they must stay.
STABLE_IDS = ["RSA", "X25519", "ECDH-P256", "ECDSA-P256", "Ed25519", "X25519MLKEM768", "ML-KEM-768",
              "ML-DSA-65", "AES-128-GCM", "SHA-256", "SHA-1", "ECDSA-P384", "ECDH-P384", "ECDH-P521", "X448",
              "Ed448", "DSA", "DH", "FFDHE2048", "FFDHE8192", "SecP256r1MLKEM768", "SecP384r1MLKEM1024",
              "X25519Kyber768Draft00", "ML-DSA-44", "ML-DSA-87", "SLH-DSA-SHA2-128s", "HashML-DSA-44", "LMS",
              "XMSS", "XMSSMT", "FN-DSA-512", "HQC-128", "sntrup761x25519-sha512", "mlkem768x25519-sha256",
              "3DES", "DES", "RC4", "ChaCha20-Poly1305", "MD5", "SHA-224", "SHA-384", "SHA-512", "SHA3-256",
              "HMAC-SHA256", "AES-256-GCM"]

SHOR_FAMILIES = {"RSA", "DH", "DSA", "ECDSA", "ECDH", "EdDSA"}
PQ_FAMILIES = {"ML-KEM", "ML-DSA", "SLH-DSA", "LMS", "XMSS", "FN-DSA", "HQC", "FrodoKEM", "Classic-McEliece",
               "BIKE", "NTRU-Prime", "MAYO"}

ALL = sorted(all_algorithms(), key=lambda a: a.id)


@pytest.mark.parametrize("alg_id", STABLE_IDS)
def test_ids_other_modules_rely_on_exist(alg_id: str) -> None:
    assert get(alg_id).id == alg_id


@pytest.mark.parametrize(
    ("kind", "raw", "shown"),
    [
        (IdKind.NAME, "NotACipher-9000", "NotACipher-9000"),
        (IdKind.OID, "1.2.3.4.5.6.7", "1.2.3.4.5.6.7"),
        (IdKind.TLS_GROUP, 0x7777, "0x7777"),
        (IdKind.TLS_SIGNATURE_SCHEME, 0x0A0A, "0x0A0A"),
        (IdKind.TLS_CIPHER_SUITE, 0x1301, "0x1301"),  # suites are looked up with cipher_suite()
        (IdKind.SSH_KEX, "made-up-kex@example.org", "made-up-kex@example.org"),
        (IdKind.SSH_HOST_KEY, "ssh-unknown", "ssh-unknown"),
        (IdKind.SSH_CIPHER, "twofish-cbc", "twofish-cbc"),
        (IdKind.SSH_MAC, "hmac-foo", "hmac-foo"),
        (IdKind.JOSE, "XS256", "XS256"),
        (IdKind.COSE, -99999, "-99999"),
        (IdKind.LIBOQS, "NotAKEM-1", "NotAKEM-1"),
    ],
)
def test_unknown_identifier_of_each_kind_comes_back_unknown_with_the_raw_identifier(
    kind: IdKind, raw: str | int, shown: str
) -> None:
    alg = lookup(kind, raw)
    assert alg.is_unknown
    assert alg.raw_kind is kind
    assert alg.raw_identifier == shown


def test_jose_names_are_case_sensitive_as_rfc_7515_says() -> None:
    assert lookup(IdKind.JOSE, "rs256").is_unknown


@pytest.mark.parametrize("raw", ["0x11ec", "0x11EC", "4588", " 4588 ", 4588])
def test_tls_group_codepoint_may_be_int_or_text(raw: str | int) -> None:
    assert lookup(IdKind.TLS_GROUP, raw).id == "X25519MLKEM768"


@pytest.mark.parametrize("raw", ["x25519mlkem768", "X25519MLKEM768", " ml-kem-768 "])
def test_names_are_case_and_whitespace_insensitive(raw: str) -> None:
    assert not lookup(IdKind.NAME, raw).is_unknown


def _raw_identifier_index() -> dict[tuple[IdKind, Any], set[str]]:
    index: dict[tuple[IdKind, Any], set[str]] = defaultdict(set)
    for entry in algorithms._read_data()["algorithm"]:
        index[(IdKind.NAME, algorithms._norm(IdKind.NAME, entry["id"]))].add(entry["id"])
        for key, kind in algorithms._ID_FIELDS.items():
            for value in entry.get(key, []):
                index[(kind, algorithms._norm(kind, value))].add(entry["id"])
    return index


def test_no_identifier_in_the_data_maps_to_two_algorithms() -> None:
    clashes = {key: ids for key, ids in _raw_identifier_index().items() if len(ids) > 1}
    assert clashes == {}


def test_catalogue_indexes_hundreds_of_identifiers() -> None:
    assert len(_raw_identifier_index()) > 1000


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"id": "A", "family": "X", "primitive": "hash", "quantum_status": "weakened", "aliases": ["same"]},
          {"id": "B", "family": "X", "primitive": "hash", "quantum_status": "weakened", "aliases": ["SAME"]}],
         "maps to both A and B"),
        ([{"id": "A", "family": "X", "primitive": "hash", "quantum_status": "weakened"},
          {"id": "A", "family": "X", "primitive": "hash", "quantum_status": "weakened"}], "duplicate algorithm id"),
        ([{"id": "H", "family": "X", "primitive": "kem", "quantum_status": "hybrid", "components": ["Nope"]}],
         "component 'Nope'"),
        ([{"id": "A", "family": "X", "primitive": "not-a-primitive", "quantum_status": "weakened"}],
         "bad catalogue entry"),
        ([{"id": "A", "family": "X", "primitive": "hash", "quantum_status": "weakened", "olds": ["1.2.3"]}],
         "unknown keys"),
    ],
)
def test_inconsistent_catalogue_data_is_rejected_at_load(entries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        algorithms._build_catalogue({"algorithm": entries})


def test_cipher_suite_pointing_at_a_missing_algorithm_is_rejected() -> None:
    data = {"algorithm": [], "cipher_suite": [{"code": 1, "name": "TLS_X", "cipher": "Nope"}]}
    with pytest.raises(CatalogueError, match="'Nope' is not a catalogue id"):
        algorithms._build_catalogue(data)


@pytest.mark.parametrize("alg", ALL, ids=lambda a: a.id)
def test_every_entry_has_a_known_primitive_status_and_family(alg: algorithms.Algorithm) -> None:
    assert alg.primitive in set(Primitive) - {Primitive.UNKNOWN}
    assert alg.quantum_status in set(QuantumStatus) - {QuantumStatus.UNKNOWN}
    assert alg.family
    assert alg.nist_category in (None, 0, 1, 2, 3, 4, 5)
    json.dumps(alg.to_dict())


@pytest.mark.parametrize("alg", ALL, ids=lambda a: a.id)
def test_every_identifier_of_an_entry_resolves_back_to_it(alg: algorithms.Algorithm) -> None:
    for kind, value in alg.identifiers:
        assert lookup(kind, value).id == alg.id, (kind, value)


@pytest.mark.parametrize("alg", [a for a in ALL if a.family in SHOR_FAMILIES], ids=lambda a: a.id)
def test_rsa_dh_dsa_and_elliptic_curve_entries_are_broken_by_shor(alg: algorithms.Algorithm) -> None:
    assert alg.quantum_status == QuantumStatus.BROKEN
    assert alg.nist_category == 0


@pytest.mark.parametrize("alg", [a for a in ALL if a.family in PQ_FAMILIES], ids=lambda a: a.id)
def test_post_quantum_entries_are_resistant_or_hybrid(alg: algorithms.Algorithm) -> None:
    expected = QuantumStatus.HYBRID if len(alg.components) > 1 else QuantumStatus.RESISTANT
    assert alg.quantum_status == expected


@pytest.mark.parametrize("alg", [a for a in ALL if a.quantum_status == "hybrid" and a.components],
                         ids=lambda a: a.id)
def test_hybrids_combine_a_quantum_resistant_and_a_classical_component(alg: algorithms.Algorithm) -> None:
    statuses = {get(c).quantum_status for c in alg.components}
    assert statuses == {QuantumStatus.RESISTANT, QuantumStatus.BROKEN}


@pytest.mark.parametrize(
    ("family", "key_bits", "bits", "broken"),
    [
        ("RSA", 1024, 80, True),
        ("RSA", 2048, 112, False),
        ("RSA", 3072, 128, False),
        ("RSA", 4096, 128, False),
        ("RSA", 7680, 192, False),
        ("RSA", 15360, 256, False),
        ("DH", 1024, 80, True),
        ("DH", 2048, 112, False),
    ],
)
def test_key_size_strength_follows_sp_800_57(family: str, key_bits: int, bits: int, broken: bool) -> None:
    assert strength_for_key_bits(family, key_bits) == bits
    alg = get(family)
    assert classical_bits(alg, {"key_bits": key_bits}) == bits
    assert is_classically_broken(alg, {"key_bits": key_bits}) is broken


def test_rsa_signature_entry_takes_its_strength_from_the_key_size() -> None:
    sig = get("RSASSA-PKCS1-SHA256")
    assert classical_bits(sig, {"key_bits": 2048}) == 112
    assert is_classically_broken(sig, {"key_bits": 1024})


def test_rsa_without_a_key_size_has_no_strength_and_is_not_called_broken() -> None:
    assert classical_bits(get("RSA")) is None
    assert not is_classically_broken(get("RSA"))


def test_dsa_is_broken_whatever_its_size() -> None:
    assert is_classically_broken(get("DSA"), {"key_bits": 3072})


@pytest.mark.parametrize(
    ("curve", "family", "expected"),
    [
        ("secp256r1", "ECDSA", "ECDSA-P256"),
        ("prime256v1", "ECDH", "ECDH-P256"),
        ("P-384", "ECDSA", "ECDSA-P384"),
        ("1.3.132.0.35", "ECDH", "ECDH-P521"),
        ("brainpoolP256r1", "ECDSA", "ECDSA-brainpoolP256r1"),
        ("secp256k1", "ECDSA", "ECDSA-secp256k1"),
    ],
)
def test_for_curve_picks_the_entry_of_the_family_on_that_curve(curve: str, family: str, expected: str) -> None:
    assert for_curve(curve, family).id == expected


def test_for_curve_with_an_unknown_curve_is_unknown_with_the_raw_name() -> None:
    alg = for_curve("sect571k1", "ECDSA")
    assert alg.is_unknown and alg.raw_identifier == "sect571k1"


@pytest.mark.parametrize(("curve", "bits"), [("secp384r1", 192), ("1.2.840.10045.3.1.7", 128), ("secp224r1", 112)])
def test_generic_ecdsa_takes_its_strength_from_the_curve(curve: str, bits: int) -> None:
    assert classical_bits(get("ECDSA-SHA256"), {"curve": curve}) == bits


def test_ecdsa_on_p192_is_classically_broken() -> None:
    assert is_classically_broken(get("ECDSA"), {"curve": "secp192r1"})


@pytest.mark.parametrize(("key_bits", "bits"), [(128, 128), (256, 256)])
def test_aes_with_mode_only_takes_its_strength_from_the_key(key_bits: int, bits: int) -> None:
    assert classical_bits(get("AES-GCM"), {"key_bits": key_bits}) == bits


@pytest.mark.parametrize("name", sorted(SSH_PSEUDO_ALGORITHMS))
def test_ssh_pseudo_algorithms_are_recognised_and_are_not_kex(name: str) -> None:
    assert is_ssh_pseudo_algorithm(name)
    assert lookup(IdKind.SSH_KEX, name).is_unknown


def test_real_kex_is_not_a_pseudo_algorithm() -> None:
    assert not is_ssh_pseudo_algorithm("mlkem768x25519-sha256")


@pytest.mark.parametrize(
    ("alg_id", "status"),
    [("AES-128-GCM", "weakened"), ("AES-256-GCM", "resistant"), ("SHA-256", "weakened"), ("SHA-384", "resistant"),
     ("ChaCha20-Poly1305", "resistant"), ("RSA", "broken"), ("ML-KEM-1024", "resistant"), ("X25519MLKEM768", "hybrid")],
)
def test_quantum_status_of_representative_algorithms(alg_id: str, status: str) -> None:
    assert get(alg_id).quantum_status == status


def test_generic_family_entries_leave_the_category_unset() -> None:
    for alg_id in ("ML-KEM", "ML-DSA", "SLH-DSA"):
        assert get(alg_id).nist_category is None
