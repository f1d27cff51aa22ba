"""The classical backend: the algorithms PQC replaces, measured on the same machine.

RSA-2048/3072/4096 (RSASSA-PSS SHA-256 signatures, as TLS 1.3 CertificateVerify uses, and
RSA-OAEP SHA-256 key transport), ECDSA P-256/P-384, Ed25519, and X25519 / ECDH P-256 / P-384 key
agreement in the DHKEM shape (see :mod:`pqscan.bench.backends`), all via ``cryptography``.

Declared sizes follow from the parameters: RFC 7748 (X25519: 32-byte keys), RFC 8032 (Ed25519:
32-byte keys, 64-byte signatures), SEC 1 §2.3.3 (uncompressed points: 1 + 2 x field bytes, as TLS
key shares carry them), RSA signature / ciphertext = modulus bytes.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any

from pqscan.bench.backends import (
    Availability,
    BenchCase,
    DeclaredSizes,
    Family,
    Kind,
    Operation,
    SigScheme,
    _CryptographySig,
    catalogue_id,
    cryptography_versions,
    verified,
)


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
        pad, alg = self._pss()
        return verified(public.verify, signature, message, pad, alg)

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
        from cryptography.hazmat.primitives.asymmetric import ec

        return verified(public.verify, signature, message, ec.ECDSA(self.hash_cls()))

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


def _ed25519_sig() -> SigScheme:
    """Ed25519 has the same raw-key sign/verify shape as the OpenSSL PQ signatures: reuse that adapter."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return _CryptographySig(ed25519.Ed25519PrivateKey)


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
                factory=partial(_RsaSig, bits), parameters={"key_bits": bits},
                declared=DeclaredSizes(signature_bytes_max=n), secret_key_form="DER",
                notes="RSASSA-PSS SHA-256; public key as DER RSAPublicKey",
            ))
            out.append(BenchCase(
                self.name, f"RSA-{bits}-OAEP", rsa_id, Family.KEM, Kind.KEY_TRANSPORT,
                factory=partial(_RsaOaep, bits), parameters={"key_bits": bits, "padding": "OAEP-SHA256"},
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
                Kind.SIGNATURE, factory=partial(_EcdsaSig, curve, hash_cls),
                parameters={"curve": label},
                declared=DeclaredSizes(public_key_bytes=1 + 2 * fb, secret_key_bytes=fb,
                                       signature_bytes_max=_ecdsa_der_max(fb)),
                notes="DER signature (length varies); uncompressed public point",
            ))
            out.append(BenchCase(
                self.name, f"ECDH-{label}", catalogue_id(f"ECDH-{short}", f"ECDH-{label}"), Family.KEM,
                Kind.KEY_AGREEMENT, factory=partial(_EcdhKex, curve, hash_cls),
                parameters={"curve": label},
                declared=DeclaredSizes(public_key_bytes=1 + 2 * fb, secret_key_bytes=fb,
                                       ciphertext_bytes=1 + 2 * fb, shared_secret_bytes=fb),
                notes="uncompressed points, as TLS key shares carry them",
            ))
        out.append(BenchCase(
            self.name, "Ed25519", catalogue_id("Ed25519"), Family.SIG, Kind.SIGNATURE,
            factory=_ed25519_sig,
            declared=DeclaredSizes(public_key_bytes=32, secret_key_bytes=32, signature_bytes_max=64),
        ))
        out.append(BenchCase(
            self.name, "X25519", catalogue_id("X25519"), Family.KEM, Kind.KEY_AGREEMENT,
            factory=_X25519Kex,
            declared=DeclaredSizes(public_key_bytes=32, secret_key_bytes=32, ciphertext_bytes=32,
                                   shared_secret_bytes=32),
        ))
        return out
