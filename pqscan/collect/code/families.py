"""Reference families (shared/reference/code-findings.md) of pqscan algorithm ids: used to score and to de-duplicate.

The mapping goes through the catalogue (``pqscan.algorithms``), never through the spelling of an id:
an algorithm's ``family`` names the reference family, with these decisions:

* ``ECDH`` on Curve25519 / Curve448 is ``X25519`` / ``X448`` (the reference keeps them apart);
* hybrids and composites are their own family *and* each component's (``X25519MLKEM768`` -> ML-KEM,
  X25519), so a finding is compatible with a label of any part;
* a signature, MAC or key exchange that names its hash is also that hash's family
  (``HMAC-SHA1`` -> HMAC, SHA1; ``RSASSA-PKCS1-SHA256`` -> RSA, SHA2; ``diffie-hellman-group14-sha1`` -> DH, SHA1);
* catalogue families outside the reference's list: hashes by generation (``SHA-1`` -> SHA1, ``SHA-2`` -> SHA2,
  ``SHA-3`` -> SHA3), PQC families other than ML-KEM/ML-DSA/SLH-DSA -> OtherPQC, KDFs -> KDF, the rest
  -> Other. ``unknown`` -> Other.

Label compatibility: a finding matches a label when their family sets meet; ``EC`` (curve known,
purpose not) meets ECDSA and ECDH; a finding of algorithm ``unknown`` (the rule knows an operation
happens, not which family: ``Signature.getInstance(name)``) meets a label of any family on its lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from pqscan.algorithms import get

SCORED = frozenset({"RSA", "DH", "DSA", "ECDSA", "ECDH", "EC", "EdDSA", "X25519", "X448", "ML-KEM", "ML-DSA",
                    "SLH-DSA", "OtherPQC", "AES", "DES", "3DES", "RC4", "Blowfish", "MD5", "SHA1", "HMAC"})
_RENAMED = {"SHA-1": "SHA1", "SHA-2": "SHA2", "SHA-3": "SHA3", "Composite-ML-DSA": "ML-DSA",
            "Composite-ML-KEM": "ML-KEM"}
_OTHER_PQC = frozenset({"BIKE", "Classic-McEliece", "FrodoKEM", "HQC", "NTRU-Prime", "FN-DSA", "LMS", "XMSS",
                        "MAYO"})
_KDF = frozenset({"HKDF", "PBKDF2", "scrypt", "Argon2", "bcrypt"})
_DIRECT = SCORED | {"ChaCha20"}
UNKNOWN = "unknown"  # a finding of algorithm ``unknown`` claims no family: it meets a label of any
EC_FAMILIES = frozenset({"ECDSA", "ECDH", "EC"})


def _one(family: str, curve: str | None) -> str:
    if family == "ECDH" and curve in ("Curve25519", "X25519"):
        return "X25519"
    if family == "ECDH" and curve in ("Curve448", "X448"):
        return "X448"
    if family in _RENAMED:
        return _RENAMED[family]
    if family in _DIRECT:
        return family
    if family in _OTHER_PQC:
        return "OtherPQC"
    if family in _KDF:
        return "KDF"
    return "Other"


@cache
def families_of(algorithm_id: str, depth: int = 0) -> frozenset[str]:
    """The reference families a pqscan algorithm id stands for (``A|B`` ids: the union)."""
    if "|" in algorithm_id:
        return frozenset().union(*(families_of(part, depth) for part in algorithm_id.split("|")))
    alg = get(algorithm_id)
    if algorithm_id == "unknown":
        return frozenset({UNKNOWN})
    if alg.is_unknown:  # a bare family the catalogue has no entry for ("HMAC" with an unknown hash)
        bare = _RENAMED.get(algorithm_id, algorithm_id)
        return frozenset({bare if bare in _DIRECT else "Other"})
    out = {_one(alg.family, alg.curve)}
    if alg.hash:
        out |= families_of(alg.hash, depth + 1) if depth < 3 else set()
    if depth < 3:
        for component in alg.components:
            out |= families_of(component, depth + 1)
    return frozenset(out)


def compatible(finding: frozenset[str], label: frozenset[str], unknown_matches: bool = True) -> bool:
    if finding & label or (unknown_matches and UNKNOWN in finding):
        return True
    return bool(("EC" in label and finding & EC_FAMILIES) or ("EC" in finding and label & EC_FAMILIES))


def finding_families(algorithm_id: str, params: Mapping[str, Any]) -> frozenset[str]:
    """A finding's families; the scanner may state them when the id cannot (``family = "EC"``: an EC key whose
    purpose is not visible; ``"X25519|X448"``: JCA "XDH")."""
    stated = params.get("family")
    if isinstance(stated, str) and stated:
        return frozenset(stated.split("|"))
    return families_of(algorithm_id)
