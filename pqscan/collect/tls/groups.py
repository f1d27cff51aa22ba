"""The TLS NamedGroups pqscan probes, with share sizes and real key-share generation.

Codepoints and sizes: shared/reference/network-probing.md §2.1 and §4.1 (RFC 8446 §4.2.7,
RFC 7919 for ffdhe, RFC 10024 / draft-ietf-tls-ecdhe-mlkem for the hybrids, draft-ietf-tls-mlkem
for pure ML-KEM, draft-tls-westerbaan-xyber768d00 for the obsolete Kyber drafts). Hybrid shares
put ML-KEM first for X25519MLKEM768, the ECDH point first for the NIST-curve and SM2 hybrids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pqscan.algorithms import Algorithm, IdKind, lookup
from pqscan.model import QuantumStatus


class GroupKind(StrEnum):
    """How a group is shown; derived from the catalogue's quantum status (never kept here)."""

    HYBRID = "hybrid"  # classical + ML-KEM
    PQ = "pq"  # pure ML-KEM
    CLASSICAL = "classical"  # ECDHE / FFDHE: broken by Shor
    PRESTANDARD = "pre-standard"  # Kyber drafts, IANA "obsolete"


def kind_of(alg: Algorithm) -> GroupKind:
    """The catalogue entry's quantum status (and pre-standard flag) as a group kind."""
    if not alg.is_quantum_safe:
        return GroupKind.CLASSICAL
    if alg.deprecated:
        return GroupKind.PRESTANDARD
    return GroupKind.HYBRID if alg.quantum_status is QuantumStatus.HYBRID else GroupKind.PQ


@dataclass(frozen=True)
class TlsGroup:
    code: int
    name: str  # IANA name
    client_share_len: int
    server_share_len: int
    make_share: Callable[[], bytes] | None = None  # a real client key share, when cryptography can build one
    openssl_name: str | None = None  # the name OpenSSL's group list takes, when the bundled OpenSSL has it

    @property
    def hex(self) -> str:
        return f"0x{self.code:04X}"

    @property
    def algorithm(self) -> Algorithm:
        return lookup(IdKind.TLS_GROUP, self.code)

    @property
    def kind(self) -> GroupKind:
        return kind_of(self.algorithm)

    @property
    def quantum_safe(self) -> bool:
        return self.algorithm.is_quantum_safe


# Key shares are made by cryptography, imported when the first share is made (pqscan tls starts its first
# connections without waiting for it).
def _x25519() -> bytes:
    from cryptography.hazmat.primitives.asymmetric import x25519

    return x25519.X25519PrivateKey.generate().public_key().public_bytes_raw()


def _x448() -> bytes:
    from cryptography.hazmat.primitives.asymmetric import x448

    return x448.X448PrivateKey.generate().public_key().public_bytes_raw()


def _ec(curve: str) -> Callable[[], bytes]:
    """An uncompressed point on the named curve (``ec.SECP256R1`` ...)."""

    def make() -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        key = ec.generate_private_key(getattr(ec, curve)())
        return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    return make


def _mlkem(size: int) -> bytes:
    # A real encapsulation key: FIPS 203 servers run a modulus check and reject random bytes.
    from cryptography.hazmat.primitives.asymmetric import mlkem

    key = mlkem.MLKEM768PrivateKey.generate() if size == 768 else mlkem.MLKEM1024PrivateKey.generate()
    return key.public_key().public_bytes_raw()


def _mlkem768() -> bytes:
    return _mlkem(768)


def _mlkem1024() -> bytes:
    return _mlkem(1024)


def _x25519mlkem768() -> bytes:
    return _mlkem768() + _x25519()


def _p256mlkem768() -> bytes:
    return _ec("SECP256R1")() + _mlkem768()


def _p384mlkem1024() -> bytes:
    return _ec("SECP384R1")() + _mlkem1024()


GROUPS: tuple[TlsGroup, ...] = (
    TlsGroup(0x11EC, "X25519MLKEM768", 1216, 1120, _x25519mlkem768, "X25519MLKEM768"),
    TlsGroup(0x11EB, "SecP256r1MLKEM768", 1249, 1153, _p256mlkem768, "SecP256r1MLKEM768"),
    TlsGroup(0x11ED, "SecP384r1MLKEM1024", 1665, 1665, _p384mlkem1024, "SecP384r1MLKEM1024"),
    TlsGroup(0x11EE, "curveSM2MLKEM768", 1249, 1153, None, "curveSM2MLKEM768"),
    TlsGroup(0x0200, "MLKEM512", 800, 768, None, "MLKEM512"),  # cryptography has no ML-KEM-512; OpenSSL has
    TlsGroup(0x0201, "MLKEM768", 1184, 1088, _mlkem768, "MLKEM768"),
    TlsGroup(0x0202, "MLKEM1024", 1568, 1568, _mlkem1024, "MLKEM1024"),
    TlsGroup(0x6399, "X25519Kyber768Draft00", 1216, 1120),
    TlsGroup(0x639A, "SecP256r1Kyber768Draft00", 1249, 1153),
    TlsGroup(0x001D, "x25519", 32, 32, _x25519, "X25519"),
    TlsGroup(0x001E, "x448", 56, 56, _x448, "X448"),
    TlsGroup(0x0017, "secp256r1", 65, 65, _ec("SECP256R1"), "secp256r1"),
    TlsGroup(0x0018, "secp384r1", 97, 97, _ec("SECP384R1"), "secp384r1"),
    TlsGroup(0x0019, "secp521r1", 133, 133, _ec("SECP521R1"), "secp521r1"),
    TlsGroup(0x0100, "ffdhe2048", 256, 256, None, "ffdhe2048"),
    TlsGroup(0x0101, "ffdhe3072", 384, 384, None, "ffdhe3072"),
    TlsGroup(0x0102, "ffdhe4096", 512, 512, None, "ffdhe4096"),
    TlsGroup(0x0103, "ffdhe6144", 768, 768, None, "ffdhe6144"),
    TlsGroup(0x0104, "ffdhe8192", 1024, 1024, None, "ffdhe8192"),
)
BY_CODE: dict[int, TlsGroup] = {g.code: g for g in GROUPS}
X25519 = BY_CODE[0x001D]
X25519MLKEM768 = BY_CODE[0x11EC]
QUANTUM_SAFE_KINDS = frozenset({GroupKind.HYBRID, GroupKind.PQ, GroupKind.PRESTANDARD})

# OpenSSL group names (as Connection.get_group_name() reports them) -> codepoint.
OPENSSL_NAMES: dict[str, int] = {
    "X25519": 0x001D, "X448": 0x001E, "secp256r1": 0x0017, "prime256v1": 0x0017, "P-256": 0x0017,
    "secp384r1": 0x0018, "P-384": 0x0018, "secp521r1": 0x0019, "P-521": 0x0019,
    **{g.name: g.code for g in GROUPS},
}


def group_name(code: int) -> str:
    group = BY_CODE.get(code)
    return group.name if group else f"0x{code:04X}"


def openssl_group_code(name: str | None) -> int | None:
    if not name:
        return None
    return OPENSSL_NAMES.get(name) or next((c for n, c in OPENSSL_NAMES.items() if n.lower() == name.lower()), None)


def group_algorithm(group: TlsGroup) -> tuple[str, dict[str, Any]]:
    """Catalogue id for a group (by codepoint), falling back to the IANA name with the raw codepoint kept."""
    alg = lookup(IdKind.TLS_GROUP, group.code)
    params: dict[str, Any] = {"tls_group": group.hex, "group_name": group.name}
    if alg.is_unknown:
        params["raw_identifier"] = group.hex
        return group.name, params
    return alg.id, params
