"""Benchmark backends behind one small interface.

A :class:`Backend` says whether it is available (and why not) and lists :class:`BenchCase` s. A case
names one algorithm as the backend spells it, maps it to the catalogue, and builds a *scheme*: a
:class:`KemScheme` (key encapsulation, and the KEM-shaped views of key agreement and RSA-OAEP key
transport) or a :class:`SigScheme`. The runner times the scheme's operations and checks them; a
backend only wraps a library.

Key agreement is benchmarked in the DHKEM shape (RFC 9180 §4.1): ``encaps`` = ephemeral key
generation + DH with the peer's public key, ``decaps`` = DH with the received ephemeral public key.
So one TLS 1.3 key exchange costs keygen + encaps + decaps for a KEM and for (EC)DH alike.

Backends: ``openssl`` (ML-KEM / ML-DSA in the OpenSSL bundled with ``cryptography``) here;
``classical`` (RSA, ECDSA, Ed25519, X25519, ECDH via ``cryptography``) in
:mod:`pqscan.bench.classical`; ``liboqs`` in :mod:`pqscan.bench.oqs_backend`, because it needs the
side-effect-free detection first. :func:`make_backend` is the one registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any, Protocol, runtime_checkable

from pqscan.algorithms import IdKind, get, lookup


class Family(StrEnum):
    KEM = "kem"  # key encapsulation, key agreement, key transport
    SIG = "sig"


class Kind(StrEnum):
    """What a KEM-shaped scheme really is; says how its encaps/decaps are to be read."""

    KEM = "kem"
    KEY_AGREEMENT = "key-agreement"  # DHKEM shape, see the module docstring
    KEY_TRANSPORT = "key-transport"  # RSA-OAEP: encaps = encrypt a fresh 32-byte secret
    SIGNATURE = "signature"


class Operation(StrEnum):
    KEYGEN = "keygen"
    ENCAPS = "encaps"
    DECAPS = "decaps"
    SIGN = "sign"
    VERIFY = "verify"


KEM_OPERATIONS = (Operation.KEYGEN, Operation.ENCAPS, Operation.DECAPS)
SIG_OPERATIONS = (Operation.KEYGEN, Operation.SIGN, Operation.VERIFY)

# How each kind names the three KEM operations in tables.
OPERATION_LABELS: dict[Kind, dict[Operation, str]] = {
    Kind.KEM: {Operation.KEYGEN: "keygen", Operation.ENCAPS: "encaps", Operation.DECAPS: "decaps"},
    Kind.KEY_AGREEMENT: {
        Operation.KEYGEN: "keygen",
        Operation.ENCAPS: "keygen+derive",
        Operation.DECAPS: "derive",
    },
    Kind.KEY_TRANSPORT: {Operation.KEYGEN: "keygen", Operation.ENCAPS: "encrypt", Operation.DECAPS: "decrypt"},
    Kind.SIGNATURE: {Operation.KEYGEN: "keygen", Operation.SIGN: "sign", Operation.VERIFY: "verify"},
}


@runtime_checkable
class KemScheme(Protocol):
    """Key encapsulation. Keys are opaque library objects; sizes come from the ``*_bytes`` methods."""

    def keypair(self) -> tuple[Any, Any]: ...  # (public, secret)
    def encaps(self, public: Any) -> tuple[bytes, bytes]: ...  # (ciphertext, shared secret)
    def decaps(self, secret: Any, ciphertext: bytes) -> bytes: ...  # shared secret
    def public_bytes(self, public: Any) -> bytes: ...
    def secret_bytes(self, secret: Any) -> bytes: ...


@runtime_checkable
class SigScheme(Protocol):
    def keypair(self) -> tuple[Any, Any]: ...
    def sign(self, secret: Any, message: bytes) -> bytes: ...
    def verify(self, public: Any, message: bytes, signature: bytes) -> bool: ...
    def public_bytes(self, public: Any) -> bytes: ...
    def secret_bytes(self, secret: Any) -> bytes: ...


@dataclass(frozen=True)
class DeclaredSizes:
    """Sizes the library itself declares (liboqs) or that follow from the parameters (classical)."""

    public_key_bytes: int | None = None
    secret_key_bytes: int | None = None
    ciphertext_bytes: int | None = None
    signature_bytes_max: int | None = None
    shared_secret_bytes: int | None = None


@dataclass(frozen=True)
class BenchCase:
    backend: str
    name: str  # as the backend spells it: "ML-KEM-768", "SLH_DSA_PURE_SHA2_128S", "RSA-2048"
    algorithm_id: str | None  # catalogue id ("RSA", "ML-KEM-768"); None when not in the catalogue
    family: Family
    kind: Kind
    factory: Callable[[], KemScheme | SigScheme] = field(repr=False, compare=False)
    parameters: dict[str, Any] = field(default_factory=dict, compare=False)
    declared: DeclaredSizes = field(default_factory=DeclaredSizes, compare=False)
    secret_key_form: str = "expanded"  # "expanded" | "seed" (FIPS 203/204 seed) | "DER"
    notes: str = ""
    untimed: tuple[Operation, ...] = ()  # operations measured by another case (RSA-OAEP keygen)

    @property
    def operations(self) -> tuple[Operation, ...]:
        ops = KEM_OPERATIONS if self.family is Family.KEM else SIG_OPERATIONS
        return tuple(op for op in ops if op not in self.untimed)

    def label(self, op: Operation) -> str:
        return OPERATION_LABELS[self.kind][op]


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str = ""  # why not, or a short note when available
    version: str | None = None
    details: dict[str, str] = field(default_factory=dict)


class Backend(Protocol):
    name: str

    def availability(self) -> Availability: ...
    def cases(self) -> Sequence[BenchCase]: ...


def catalogue_id(*names: str, kind: IdKind = IdKind.NAME) -> str | None:
    """The catalogue id for the first name the catalogue knows, else None."""
    for name in names:
        alg = lookup(kind, name) if kind is not IdKind.NAME else get(name)
        if not alg.is_unknown:
            return alg.id
    return None


# -- OpenSSL (bundled with cryptography) -----------------------------------------------------

# Seed-form private keys, the only private encoding cryptography exposes for ML-KEM / ML-DSA:
# FIPS 203 d||z = 64 bytes, FIPS 204 xi = 32 bytes (shared/reference/standards.md §2A, §2B).
_MLKEM_SEED_BYTES = 64
_MLDSA_SEED_BYTES = 32


def verified(verify: Callable[..., object], *args: Any) -> bool:
    """``verify(*args)`` of a ``cryptography`` public key as a bool: False when it raises InvalidSignature."""
    from cryptography.exceptions import InvalidSignature

    try:
        verify(*args)
    except InvalidSignature:
        return False
    return True


class _CryptographyKeys:
    """A ``cryptography`` private key class with raw encodings (ML-KEM, ML-DSA, Ed25519, X25519)."""

    def __init__(self, private_cls: Any) -> None:
        self._cls = private_cls

    def keypair(self) -> tuple[Any, Any]:
        sk = self._cls.generate()
        return sk.public_key(), sk

    def public_bytes(self, public: Any) -> bytes:
        return bytes(public.public_bytes_raw())

    def secret_bytes(self, secret: Any) -> bytes:
        return bytes(secret.private_bytes_raw())


class _CryptographyKem(_CryptographyKeys):
    def encaps(self, public: Any) -> tuple[bytes, bytes]:
        shared, ciphertext = public.encapsulate()
        return ciphertext, shared

    def decaps(self, secret: Any, ciphertext: bytes) -> bytes:
        return bytes(secret.decapsulate(ciphertext))


class _CryptographySig(_CryptographyKeys):
    def sign(self, secret: Any, message: bytes) -> bytes:
        return bytes(secret.sign(message))

    def verify(self, public: Any, message: bytes, signature: bytes) -> bool:
        return verified(public.verify, signature, message)


# (name, module, private key class, family, seed bytes)
_OPENSSL_PQC = (
    ("ML-KEM-768", "mlkem", "MLKEM768PrivateKey", Family.KEM, _MLKEM_SEED_BYTES),
    ("ML-KEM-1024", "mlkem", "MLKEM1024PrivateKey", Family.KEM, _MLKEM_SEED_BYTES),
    ("ML-DSA-44", "mldsa", "MLDSA44PrivateKey", Family.SIG, _MLDSA_SEED_BYTES),
    ("ML-DSA-65", "mldsa", "MLDSA65PrivateKey", Family.SIG, _MLDSA_SEED_BYTES),
    ("ML-DSA-87", "mldsa", "MLDSA87PrivateKey", Family.SIG, _MLDSA_SEED_BYTES),
)


def cryptography_versions() -> dict[str, str]:
    try:
        import cryptography
        from cryptography.hazmat.backends.openssl import backend as ossl
    except ImportError:  # pragma: no cover - cryptography is a hard dependency
        return {}
    return {"cryptography": cryptography.__version__, "openssl": ossl.openssl_version_text()}


class OpenSSLBackend:
    """ML-KEM and ML-DSA through the OpenSSL that ``cryptography`` bundles (always present)."""

    name = "openssl"

    def _classes(self) -> dict[str, Any]:
        import importlib

        found: dict[str, Any] = {}
        for name, module, cls, _family, _seed in _OPENSSL_PQC:
            try:
                mod = importlib.import_module(f"cryptography.hazmat.primitives.asymmetric.{module}")
                found[name] = getattr(mod, cls)
            except (ImportError, AttributeError):
                continue
        return found

    def availability(self) -> Availability:
        versions = cryptography_versions()
        classes = self._classes()
        if not classes:
            return Availability(
                False,
                "this cryptography build has no ML-KEM / ML-DSA (needs cryptography >= 48 with OpenSSL >= 3.5)",
                versions.get("openssl"),
                versions,
            )
        return Availability(True, f"{len(classes)} algorithms", versions.get("openssl"), versions)

    def cases(self) -> list[BenchCase]:
        classes = self._classes()
        out: list[BenchCase] = []
        for name, _module, _cls, family, seed in _OPENSSL_PQC:
            cls = classes.get(name)
            if cls is None:
                continue
            factory: Callable[[], KemScheme | SigScheme] = partial(
                _CryptographyKem if family is Family.KEM else _CryptographySig, cls)
            out.append(
                BenchCase(
                    backend=self.name,
                    name=name,
                    algorithm_id=catalogue_id(name),
                    family=family,
                    kind=Kind.KEM if family is Family.KEM else Kind.SIGNATURE,
                    factory=factory,
                    declared=DeclaredSizes(secret_key_bytes=seed),
                    secret_key_form="seed",
                )
            )
        return out


BACKEND_NAMES = ("liboqs", "openssl", "classical")

