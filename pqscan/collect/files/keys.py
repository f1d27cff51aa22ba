"""Loading keys, certificates and PKCS#7 bundles from DER, with passwords and fallbacks.

Shared by the PEM, DER and keystore readers. A key ``cryptography`` does not implement is still
recorded by the algorithm OID of its PKCS#8 structure; an encrypted key that no given password
opens is recorded as encrypted, with the algorithm when its container shows it.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from pqscan.collect import der
from pqscan.collect.files.context import FileContext
from pqscan.collect.x509 import EC_PUBLIC_KEY_OID
from pqscan.model import ErrorKind

# RFC 8018 / RFC 7292 encryption scheme OIDs seen in EncryptedPrivateKeyInfo, for the record.
PBE_SCHEMES = {
    "1.2.840.113549.1.5.13": "PBES2",
    "1.2.840.113549.1.12.1.3": "pbeWithSHAAnd3-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.6": "pbeWithSHAAnd40BitRC2-CBC",
    "1.2.840.113549.1.5.3": "pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.10": "pbeWithSHA1AndDES-CBC",
}

# Legacy PEM private key types name their algorithm (RFC 7468 §2; OpenSSL traditional format).
PEM_KEY_HINTS = {"RSA PRIVATE KEY": "RSA", "DSA PRIVATE KEY": "1.2.840.10040.4.1", "EC PRIVATE KEY": EC_PUBLIC_KEY_OID}


def _is_password_problem(exc: Exception) -> bool:
    text = str(exc).lower()
    return isinstance(exc, TypeError) or "password" in text or "decrypt" in text or "bad decrypt" in text


# The file picks the password-hashing iteration count and OpenSSL runs all of it before it can
# tell a wrong password: a hostile store with 2^31 rounds costs minutes per attempt. OpenSSL
# writes 2048, keytool 10000, OWASP's PBKDF2-SHA256 advice is 600000.
MAX_KDF_ITERATIONS = 2_000_000


def kdf_too_costly(der_data: bytes) -> str:
    """Why a password must not be tried on ``der_data`` (iteration count over the limit), else ""."""
    count = der.max_iteration_count(der_data)
    if count > MAX_KDF_ITERATIONS:
        return (f"password hashing asks for {count} iterations, over pqscan's limit of {MAX_KDF_ITERATIONS}; "
                "not opened")
    return ""


def load_private_key(ctx: FileContext, loader: Any, data: bytes, der_data: bytes | None = None,
                     ) -> tuple[Any | None, str]:
    """Try no password, then each given password. Returns (key, status): status "ok", "encrypted",
    "unsupported", "costly: ..." or an error message. ``der_data``: the DER of a PEM ``data``."""
    last = ""
    for password in (None, *ctx.passwords):
        if password is not None and last == "encrypted":
            reason = kdf_too_costly(data if der_data is None else der_data)
            if reason:
                return None, f"costly: {reason}"
        try:
            # We never sign or decrypt with the key, only read its public half: skip the costly RSA
            # consistency check (about 20 ms per 2048-bit key).
            return loader(data, password, unsafe_skip_rsa_key_validation=True), "ok"
        except UnsupportedAlgorithm as exc:
            return None, f"unsupported: {exc}"
        except (TypeError, ValueError) as exc:
            if _is_password_problem(exc):
                last = "encrypted"
                continue
            return None, f"malformed: {exc}"
    return None, last or "encrypted"


def record_private_key_der(ctx: FileContext, data: bytes, *, source: str, line: int | None = None,
                           index: int = 0, hint: str = "", encrypted_info: bool = False) -> bool:
    """A DER private key (PKCS#8, PKCS#1, SEC1, or PKCS#8 EncryptedPrivateKeyInfo). False if not a key."""
    key, status = load_private_key(ctx, serialization.load_der_private_key, data)
    if key is not None:
        ctx.add_key(key, private=True, source=source, line=line,
                    extra={"encrypted": True} if encrypted_info or hint == "encrypted" else None)
        return True
    if status == "encrypted" or status.startswith("costly"):
        scheme = ""
        try:
            oid = der.encrypted_private_key_info_oid(data)
            scheme = PBE_SCHEMES.get(oid, oid)
        except der.DerError:
            pass
        ctx.add_opaque_key(index, algorithm_hint=hint if hint != "encrypted" else "", source=source, line=line,
                           extra={"encryption_scheme": scheme} if scheme else None)
        ctx.error(f"parse-key:{source}", ErrorKind.ENCRYPTED,
                  status.removeprefix("costly: ") if status.startswith("costly")
                  else "private key is encrypted and no given password opened it (use --password)")
        return True
    if status.startswith("unsupported"):
        try:
            oid = der.private_key_info_oid(data)
        except der.DerError:
            return False
        ctx.add_opaque_key(index, algorithm_hint=oid, source=source, line=line, encrypted=False,
                           extra={"key_oid": oid, "parse_notes": ["key type not implemented by cryptography"]})
        return True
    return False


def load_pkcs7_der(data: bytes) -> list[x509.Certificate]:
    return list(pkcs7.load_der_pkcs7_certificates(data))


def first_tlv(data: bytes) -> bytes:
    """The first DER element (OpenSSL's TRUSTED CERTIFICATE appends auxiliary trust data)."""
    return der.read_tlv(data).raw(data)
