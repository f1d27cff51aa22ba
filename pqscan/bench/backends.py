"""Benchmark backends behind one small interface.

A :class:`Backend` says whether it is available (and why not) and lists :class:`BenchCase` s. A case
names one algorithm as the backend spells it, maps it to the catalogue, and builds a *scheme*: a
:class:`KemScheme` (key encapsulation, and the KEM-shaped views of key agreement and RSA-OAEP key
transport) or a :class:`SigScheme`. The runner times the scheme's operations and checks them; a
backend only wraps a library.

Key agreement is benchmarked in the DHKEM shape (RFC 9180 §4.1): ``encaps`` = ephemeral key
generation + DH with the peer's public key, ``decaps`` = DH with the received ephemeral public key.
So one TLS 1.3 key exchange costs keygen + encaps + decaps for a KEM and for (EC)DH alike.

Backends here: ``openssl`` (ML-KEM / ML-DSA in the OpenSSL bundled with ``cryptography``) and
``classical`` (RSA, ECDSA, Ed25519, X25519, ECDH via ``cryptography``). ``liboqs`` lives in
:mod:`pqscan.bench.oqs_backend` because it needs the side-effect-free detection first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
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


class _CryptographyKem:
    def __init__(self, private_cls: Any) -> None:
        self._cls = private_cls

    def keypair(self) -> tuple[Any, Any]:
        sk = self._cls.generate()
        return sk.public_key(), sk

    def encaps(self, public: Any) -> tuple[bytes, bytes]:
        shared, ciphertext = public.encapsulate()
        return ciphertext, shared

    def decaps(self, secret: Any, ciphertext: bytes) -> bytes:
        return bytes(secret.decapsulate(ciphertext))

    def public_bytes(self, public: Any) -> bytes:
        return bytes(public.public_bytes_raw())

    def secret_bytes(self, secret: Any) -> bytes:
        return bytes(secret.private_bytes_raw())


class _CryptographySig:
    def __init__(self, private_cls: Any) -> None:
        self._cls = private_cls

    def keypair(self) -> tuple[Any, Any]:
        sk = self._cls.generate()
        return sk.public_key(), sk

    def sign(self, secret: Any, message: bytes) -> bytes:
        return bytes(secret.sign(message))

    def verify(self, public: Any, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            public.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def public_bytes(self, public: Any) -> bytes:
        return bytes(public.public_bytes_raw())

    def secret_bytes(self, secret: Any) -> bytes:
        return bytes(secret.private_bytes_raw())


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
            factory: Callable[[], KemScheme | SigScheme]
            if family is Family.KEM:
                factory = (lambda c=cls: _CryptographyKem(c))  # noqa: E731
            else:
                factory = (lambda c=cls: _CryptographySig(c))  # noqa: E731
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


# -- classical (cryptography) ----------------------------------------------------------------


class _RsaSig:
    def __init__(self, bits: int) -> None:
        self.bits = bits

    def keypair(self) -> tuple[Any, Any]:
        from cryptography.hazmat.primitives.asymmetric import rsa

        sk = rsa.generate_private_key(public_exponent=65537, key_size=self.bits)
        return sk.public_key(), sk

    @staticmethod
    def _pss() -> Any:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        # RSASSA-PSS with SHA-256: what TLS 1.3 CertificateVerify uses (rsa_pss_rsae_sha256).
        return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()

    def sign(self, secret: Any, message: bytes) -> bytes:
        pad, alg = self._pss()
        return bytes(secret.sign(message, pad, alg))

    def verify(self, public: Any, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        pad, alg = self._pss()
        try:
            public.verify(signature, message, pad, alg)
        except InvalidSignature:
            return False
        return True

    def public_bytes(self, public: Any) -> bytes:
        from cryptography.hazmat.primitives import serialization as s

        return bytes(public.public_bytes(s.Encoding.DER, s.PublicFormat.PKCS1))

    def secret_bytes(self, secret: Any) -> bytes:
        from cryptography.hazmat.primitives import serialization as s

        return bytes(secret.private_bytes(s.Encoding.DER, s.PrivateFormat.TraditionalOpenSSL, s.NoEncryption()))


class _RsaOaep(_RsaSig):
    """RSA-OAEP (SHA-256) key transport of a fresh 32-byte secret, in the KEM shape."""

    @staticmethod
    def _oaep() -> Any:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

    def encaps(self, public: Any) -> tuple[bytes, bytes]:
        secret = os.urandom(32)
        return bytes(public.encrypt(secret, self._oaep())), secret

    def decaps(self, secret: Any, ciphertext: bytes) -> bytes:
        return bytes(secret.decrypt(ciphertext, self._oaep()))


class _EcdsaSig:
    def __init__(self, curve: Any, hash_cls: Any) -> None:
        self.curve = curve
        self.hash_cls = hash_cls

    def keypair(self) -> tuple[Any, Any]:
        from cryptography.hazmat.primitives.asymmetric import ec

        sk = ec.generate_private_key(self.curve)
        return sk.public_key(), sk

    def sign(self, secret: Any, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec

        return bytes(secret.sign(message, ec.ECDSA(self.hash_cls())))

    def verify(self, public: Any, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            public.verify(signature, message, ec.ECDSA(self.hash_cls()))
        except InvalidSignature:
            return False
        return True

    def public_bytes(self, public: Any) -> bytes:
        from cryptography.hazmat.primitives import serialization as s

        return bytes(public.public_bytes(s.Encoding.X962, s.PublicFormat.UncompressedPoint))

    def secret_bytes(self, secret: Any) -> bytes:
        return secret.private_numbers().private_value.to_bytes((self.curve.key_size + 7) // 8, "big")


class _EcdhKex(_EcdsaSig):
    def encaps(self, public: Any) -> tuple[bytes, bytes]:
        from cryptography.hazmat.primitives.asymmetric import ec

        eph = ec.generate_private_key(self.curve)
        return self.public_bytes(eph.public_key()), bytes(eph.exchange(ec.ECDH(), public))

    def decaps(self, secret: Any, ciphertext: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec

        peer = ec.EllipticCurvePublicKey.from_encoded_point(self.curve, ciphertext)
        return bytes(secret.exchange(ec.ECDH(), peer))


class _RawKeyMixin:
    def public_bytes(self, public: Any) -> bytes:
        return bytes(public.public_bytes_raw())

    def secret_bytes(self, secret: Any) -> bytes:
        return bytes(secret.private_bytes_raw())


class _Ed25519Sig(_RawKeyMixin):
    def keypair(self) -> tuple[Any, Any]:
        from cryptography.hazmat.primitives.asymmetric import ed25519

        sk = ed25519.Ed25519PrivateKey.generate()
        return sk.public_key(), sk

    def sign(self, secret: Any, message: bytes) -> bytes:
        return bytes(secret.sign(message))

    def verify(self, public: Any, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            public.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class _X25519Kex(_RawKeyMixin):
    def keypair(self) -> tuple[Any, Any]:
        from cryptography.hazmat.primitives.asymmetric import x25519

        sk = x25519.X25519PrivateKey.generate()
        return sk.public_key(), sk

    def encaps(self, public: Any) -> tuple[bytes, bytes]:
        from cryptography.hazmat.primitives.asymmetric import x25519

        eph = x25519.X25519PrivateKey.generate()
        return bytes(eph.public_key().public_bytes_raw()), bytes(eph.exchange(public))

    def decaps(self, secret: Any, ciphertext: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import x25519

        return bytes(secret.exchange(x25519.X25519PublicKey.from_public_bytes(ciphertext)))


def _ecdsa_der_max(field_bytes: int) -> int:
    # DER SEQUENCE { INTEGER r, INTEGER s }: each INTEGER at most field_bytes + 1 (sign byte) + 2
    # header bytes; SEQUENCE header 2 bytes (short form suffices up to P-384).
    return 2 + 2 * (field_bytes + 3)


class ClassicalBackend:
    """The algorithms PQC replaces, measured on the same machine: RSA, ECDSA, Ed25519, X25519, ECDH."""

    name = "classical"

    def availability(self) -> Availability:
        versions = cryptography_versions()
        return Availability(True, "cryptography", versions.get("openssl"), versions)

    def cases(self) -> list[BenchCase]:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        out: list[BenchCase] = []
        rsa_id = catalogue_id("RSA")
        for bits in (2048, 3072, 4096):
            n = bits // 8
            out.append(BenchCase(
                self.name, f"RSA-{bits}", rsa_id, Family.SIG, Kind.SIGNATURE,
                factory=lambda b=bits: _RsaSig(b), parameters={"key_bits": bits},
                declared=DeclaredSizes(signature_bytes_max=n), secret_key_form="DER",
                notes="RSASSA-PSS SHA-256; public key as DER RSAPublicKey",
            ))
            out.append(BenchCase(
                self.name, f"RSA-{bits}-OAEP", rsa_id, Family.KEM, Kind.KEY_TRANSPORT,
                factory=lambda b=bits: _RsaOaep(b), parameters={"key_bits": bits, "padding": "OAEP-SHA256"},
                declared=DeclaredSizes(ciphertext_bytes=n, shared_secret_bytes=32), secret_key_form="DER",
                notes=f"encaps = OAEP-encrypt a fresh 32-byte secret; keygen timed under RSA-{bits}",
                untimed=(Operation.KEYGEN,),
            ))
        for label, curve, hash_cls, fb in (
            ("P-256", ec.SECP256R1(), hashes.SHA256, 32),
            ("P-384", ec.SECP384R1(), hashes.SHA384, 48),
        ):
            short = label.replace("-", "")
            out.append(BenchCase(
                self.name, f"ECDSA-{label}", catalogue_id(f"ECDSA-{short}", f"ECDSA-{label}"), Family.SIG,
                Kind.SIGNATURE, factory=lambda c=curve, h=hash_cls: _EcdsaSig(c, h),
                parameters={"curve": label},
                declared=DeclaredSizes(public_key_bytes=1 + 2 * fb, secret_key_bytes=fb,
                                       signature_bytes_max=_ecdsa_der_max(fb)),
                notes="DER signature (length varies); uncompressed public point",
            ))
            out.append(BenchCase(
                self.name, f"ECDH-{label}", catalogue_id(f"ECDH-{short}", f"ECDH-{label}"), Family.KEM,
                Kind.KEY_AGREEMENT, factory=lambda c=curve, h=hash_cls: _EcdhKex(c, h),
                parameters={"curve": label},
                declared=DeclaredSizes(public_key_bytes=1 + 2 * fb, secret_key_bytes=fb,
                                       ciphertext_bytes=1 + 2 * fb, shared_secret_bytes=fb),
                notes="uncompressed points, as TLS key shares carry them",
            ))
        out.append(BenchCase(
            self.name, "Ed25519", catalogue_id("Ed25519"), Family.SIG, Kind.SIGNATURE,
            factory=_Ed25519Sig,
            declared=DeclaredSizes(public_key_bytes=32, secret_key_bytes=32, signature_bytes_max=64),
        ))
        out.append(BenchCase(
            self.name, "X25519", catalogue_id("X25519"), Family.KEM, Kind.KEY_AGREEMENT,
            factory=_X25519Kex,
            declared=DeclaredSizes(public_key_bytes=32, secret_key_bytes=32, ciphertext_bytes=32,
                                   shared_secret_bytes=32),
        ))
        return out


BACKEND_NAMES = ("liboqs", "openssl", "classical")


def make_backend(name: str) -> Backend:
    """The backend of this name (liboqs imported lazily: its detection must run first)."""
    if name == "openssl":
        return OpenSSLBackend()
    if name == "classical":
        return ClassicalBackend()
    if name == "liboqs":
        from pqscan.bench.oqs_backend import LiboqsBackend

        return LiboqsBackend()
    raise ValueError(f"unknown backend {name!r}; choose from {', '.join(BACKEND_NAMES)}")
