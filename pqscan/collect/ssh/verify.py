"""Check the server's signature over the exchange hash with the host key it sent.

Signature formats: RFC 8709 §6 (ssh-ed25519), RFC 5656 §3.1.2 (ecdsa-sha2-*: mpint r, mpint s;
hash by curve size), RFC 8332 §3 (rsa-sha2-256/512), RFC 4253 §6.6 (ssh-rsa with SHA-1).
Returns None when the key or signature type is one pqscan cannot check (e.g. ML-DSA, sk-*).
"""

from __future__ import annotations

import base64

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from pqscan.collect.ssh.keys import CERT_SUFFIX
from pqscan.collect.ssh.wire import Reader, SshProtocolError

_RSA_HASHES: dict[str, hashes.HashAlgorithm] = {"rsa-sha2-256": hashes.SHA256(), "rsa-sha2-512": hashes.SHA512(),
                                                 "ssh-rsa": hashes.SHA1()}
_EC_HASHES: dict[int, hashes.HashAlgorithm] = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}


def _load(blob: bytes) -> object | None:
    r = Reader(blob)
    key_type = r.string(256).decode("ascii", "replace")
    line = key_type.encode() + b" " + base64.b64encode(blob)
    try:
        if key_type.endswith(CERT_SUFFIX):
            return serialization.load_ssh_public_identity(line).public_key()  # type: ignore[union-attr]
        return serialization.load_ssh_public_key(line)
    except (ValueError, UnsupportedAlgorithm, NotImplementedError):  # e.g. a compressed ECDSA point
        return None


def verify_signature(host_key_blob: bytes, signature_blob: bytes, exchange_hash: bytes) -> bool | None:
    """True: valid; False: does not verify; None: a type pqscan cannot check."""
    try:
        key = _load(host_key_blob)
        r = Reader(signature_blob)
        sig_type = r.string(256).decode("ascii", "replace")
        sig = r.string()
    except SshProtocolError:
        return False
    if key is None:
        return None
    try:
        if isinstance(key, ed25519.Ed25519PublicKey) and sig_type == "ssh-ed25519":
            key.verify(sig, exchange_hash)
        elif isinstance(key, ec.EllipticCurvePublicKey) and sig_type.startswith("ecdsa-sha2-"):
            rs = Reader(sig)
            der = encode_dss_signature(rs.mpint(), rs.mpint())
            key.verify(der, exchange_hash, ec.ECDSA(_EC_HASHES[key.curve.key_size]))
        elif isinstance(key, rsa.RSAPublicKey) and sig_type in _RSA_HASHES:
            key.verify(sig, exchange_hash, padding.PKCS1v15(), _RSA_HASHES[sig_type])
        else:
            return None
    except (InvalidSignature, SshProtocolError, KeyError, ValueError):
        return False
    return True
