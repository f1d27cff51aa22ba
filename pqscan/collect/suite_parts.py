"""A TLS cipher suite split into the findings it implies, shared by the TLS and config collectors.

The catalogue's :class:`~pqscan.algorithms.CipherSuite` names the key exchange, authentication,
bulk cipher and hash of a suite. As *uses* they read:

* key exchange ``RSAES-PKCS1`` (TLS_RSA_*): asymmetric encryption of the premaster secret, key
  transport without forward secrecy (RFC 5246 §7.4.7.1); ``DH`` / ``ECDH``: key agreement
  (ephemeral or static, ``forward_secret`` says which); ``PSK``, ``NULL`` as named;
* the bulk cipher, with its ``mode`` (AEAD, CBC, stream, none) and ``export`` grade;
* the hash: in a CBC / stream / NULL suite it is the record MAC, HMAC over that hash (RFC 5246
  §6.2.3.1, e.g. ``HMAC-SHA1``); in an AEAD suite there is no record MAC and the hash only drives
  the PRF (RFC 5246 §5, P_hash = HMAC), recorded as a KDF use with ``role: prf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pqscan.algorithms import CipherSuite, get
from pqscan.model import Usage

_AEAD_MARKERS = ("GCM", "CCM", "Poly1305")


@dataclass(frozen=True)
class SuitePart:
    algorithm: str  # catalogue id
    usage: Usage
    role: str  # "key-exchange" | "authentication" | "cipher" | "mac" | "prf"
    parameters: dict[str, Any] = field(default_factory=dict)


def cipher_mode(cipher: str) -> str:
    if cipher == "NULL":
        return "none"
    if any(m in cipher for m in _AEAD_MARKERS):
        return "AEAD"
    if cipher == "RC4":
        return "stream"
    return "CBC"


def hmac_id(hash_id: str) -> str:
    """'SHA-1' -> 'HMAC-SHA1', 'SHA-256' -> 'HMAC-SHA256', 'MD5' -> 'HMAC-MD5' (the catalogue's HMAC ids)."""
    candidate = "HMAC-" + hash_id.replace("SHA-", "SHA")
    return hash_id if get(candidate).is_unknown else candidate


def suite_parts(suite: CipherSuite, *, with_authentication: bool = True) -> list[SuitePart]:
    """The uses one suite implies, in the order key exchange, authentication, cipher, MAC/PRF."""
    parts: list[SuitePart] = []
    if suite.key_exchange:
        kx: dict[str, Any] = {"forward_secret": suite.forward_secret}
        if suite.key_exchange == "RSAES-PKCS1":
            parts.append(SuitePart(suite.key_exchange, Usage.ENCRYPTION, "key-exchange", {**kx, "key_transport": True}))
        else:
            parts.append(SuitePart(suite.key_exchange, Usage.KEY_EXCHANGE, "key-exchange", kx))
    if suite.anonymous:
        parts.append(SuitePart("NULL", Usage.AUTHENTICATION, "authentication", {"anonymous": True}))
    elif with_authentication and suite.authentication:
        parts.append(SuitePart(suite.authentication, Usage.AUTHENTICATION, "authentication"))
    mode = cipher_mode(suite.cipher)
    cipher: dict[str, Any] = {"mode": mode}
    if suite.export:
        cipher["export"] = True
    parts.append(SuitePart(suite.cipher, Usage.SYMMETRIC, "cipher", cipher))
    if suite.mac and suite.mac != "NULL":
        if mode == "AEAD":
            parts.append(SuitePart(hmac_id(suite.mac), Usage.KDF, "prf", {"role": "prf"}))
        else:
            parts.append(SuitePart(hmac_id(suite.mac), Usage.MAC, "mac"))
    return parts
