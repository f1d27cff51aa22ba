"""Every family liboqs 0.16.0 enables has catalogue entries, with liboqs' own sizes.

Names and sizes as liboqs 0.16.0 defines them (src/kem/kem.h, src/sig/sig.h, src/sig_stfl/sig_stfl.h and
each family's header, e.g. src/sig/cross/sig_cross.h); the entries were generated from those files by
scripts/liboqs_catalogue.py.
"""

from __future__ import annotations

import pytest

from pqscan.algorithms import IdKind, Primitive, QuantumStatus, lookup

# (liboqs name, family, primitive, public key bytes, signature or ciphertext bytes, NIST category)
CASES = [
    ("cross-rsdp-128-balanced", "CROSS", Primitive.SIGNATURE, 77, 13152, 1),
    ("NTRU-HPS-2048-509", "NTRU", Primitive.KEM, 699, 699, 1),
    ("NTRU-HRSS-701", "NTRU", Primitive.KEM, None, None, 3),
    ("SLH_DSA_SHA2_224_PREHASH_SHA2_128S", "SLH-DSA", Primitive.SIGNATURE, 32, 7856, 1),
    ("SLH_DSA_SHAKE_256_PREHASH_SHAKE_256F", "SLH-DSA", Primitive.SIGNATURE, None, None, 5),
    ("OV-Is", "UOV", Primitive.SIGNATURE, None, None, 1),
    ("SNOVA_24_5_4", "SNOVA", Primitive.SIGNATURE, None, None, 1),
    ("XMSS-SHAKE_10_256", "XMSS", Primitive.SIGNATURE, 64, 2500, None),
    ("LMS_SHA256_H5_W1", "LMS", Primitive.SIGNATURE, None, None, None),
]


@pytest.mark.parametrize(("name", "family", "primitive", "pk", "wire", "category"), CASES)
def test_liboqs_name_has_a_catalogue_entry(name: str, family: str, primitive: Primitive, pk: int | None,
                                            wire: int | None, category: int | None) -> None:
    alg = lookup(IdKind.LIBOQS, name)
    assert not alg.is_unknown, name
    assert (alg.family, alg.primitive, alg.quantum_status) == (family, primitive, QuantumStatus.RESISTANT)
    if pk is not None:
        assert alg.public_key_bytes == pk
    if wire is not None:
        assert wire in (alg.signature_bytes, alg.ciphertext_bytes)
    if category is not None:
        assert alg.nist_category == category


def test_mqom_entries_exist() -> None:
    from pqscan.algorithms import catalogue

    assert sum(1 for a in catalogue().by_id.values() if a.family == "MQOM") == 12
