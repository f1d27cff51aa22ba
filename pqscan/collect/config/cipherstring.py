"""OpenSSL cipher strings (ssl_ciphers, SSLCipherSuite, CipherString, tls_high_cipherlist, ...).

What can be known from the text alone is expanded: a cipher-suite name (OpenSSL or IANA spelling)
becomes its key exchange, authentication and bulk cipher through ``pqscan.algorithms.cipher_suite``;
a keyword naming one algorithm (``kRSA``, ``ECDHE``, ``aECDSA``, ``3DES``, ``AESGCM`` ...; OpenSSL
ciphers(1) "CIPHER LIST FORMAT") becomes that algorithm. Keywords whose meaning depends on the
OpenSSL build (``HIGH``, ``DEFAULT``, ``ALL``, ``@SECLEVEL=2``) are recorded as unknown with the raw
text. Excluded items (``!x``, ``-x``) are listed on the config asset, never reported as used.
"""

from __future__ import annotations

from typing import Any

from pqscan.algorithms import CipherSuite, cipher_suite
from pqscan.collect.config.common import Emitter, split_list
from pqscan.collect.suite_parts import suite_parts
from pqscan.model import Confidence, Usage

# keyword -> [(names to try in the catalogue, usage)]; first known name wins.
_KEYWORDS: dict[str, list[tuple[tuple[str, ...], Usage]]] = {
    "krsa": [(("RSAES-PKCS1", "RSA"), Usage.ENCRYPTION)],
    "arsa": [(("RSA",), Usage.AUTHENTICATION)],
    "rsa": [(("RSAES-PKCS1", "RSA"), Usage.ENCRYPTION), (("RSA",), Usage.AUTHENTICATION)],
    "kecdhe": [(("ECDH", "ECDHE"), Usage.KEY_EXCHANGE)],
    "keecdh": [(("ECDH", "ECDHE"), Usage.KEY_EXCHANGE)],
    "ecdhe": [(("ECDH", "ECDHE"), Usage.KEY_EXCHANGE)],
    "eecdh": [(("ECDH", "ECDHE"), Usage.KEY_EXCHANGE)],
    "ecdh": [(("ECDH",), Usage.KEY_EXCHANGE)],
    "kdhe": [(("DH", "FFDH", "DHE"), Usage.KEY_EXCHANGE)],
    "kedh": [(("DH", "FFDH", "DHE"), Usage.KEY_EXCHANGE)],
    "dhe": [(("DH", "FFDH", "DHE"), Usage.KEY_EXCHANGE)],
    "edh": [(("DH", "FFDH", "DHE"), Usage.KEY_EXCHANGE)],
    "aecdsa": [(("ECDSA",), Usage.AUTHENTICATION)],
    "ecdsa": [(("ECDSA",), Usage.AUTHENTICATION)],
    "adss": [(("DSA",), Usage.AUTHENTICATION)],
    "dss": [(("DSA",), Usage.AUTHENTICATION)],
    "3des": [(("3DES", "TDEA", "DES-EDE3-CBC"), Usage.SYMMETRIC)],
    "des": [(("DES",), Usage.SYMMETRIC)],
    "rc4": [(("RC4",), Usage.SYMMETRIC)],
    "rc2": [(("RC2",), Usage.SYMMETRIC)],
    "idea": [(("IDEA",), Usage.SYMMETRIC)],
    "seed": [(("SEED",), Usage.SYMMETRIC)],
    "camellia": [(("Camellia", "CAMELLIA"), Usage.SYMMETRIC)],
    "aesgcm": [(("AES-GCM", "AES-128-GCM"), Usage.SYMMETRIC)],
    "aes128": [(("AES-128", "AES-128-GCM"), Usage.SYMMETRIC)],
    "aes256": [(("AES-256", "AES-256-GCM"), Usage.SYMMETRIC)],
    "aes": [(("AES",), Usage.SYMMETRIC)],
    "chacha20": [(("ChaCha20-Poly1305", "CHACHA20-POLY1305"), Usage.SYMMETRIC)],
    "md5": [(("HMAC-MD5", "MD5"), Usage.MAC)],
    "sha1": [(("HMAC-SHA1", "SHA-1"), Usage.MAC)],
    "sha": [(("HMAC-SHA1", "SHA-1"), Usage.MAC)],
    "sha256": [(("HMAC-SHA256", "SHA-256"), Usage.MAC)],
    "sha384": [(("HMAC-SHA384", "SHA-384"), Usage.MAC)],
    "psk": [(("PSK",), Usage.KEY_EXCHANGE)],
}
# Keyword uses named by the catalogue id of the use (first name), as the TLS collector records them.
_AS_USED: dict[Usage, dict[str, Any]] = {Usage.MAC: {}, Usage.ENCRYPTION: {"key_transport": True, "forward_secret": False}}
_BUILD_DEPENDENT = "keyword whose suites depend on the OpenSSL build and version"


def add_cipher_string(em: Emitter, value: str, line: int | None, symbol: str, **params: Any) -> None:
    excluded: list[str] = em.attributes.setdefault("excluded_ciphers", [])
    for token in split_list(value, ":, \t"):
        if token[0] in "!-":
            excluded.append(token[1:])
            continue
        if token.startswith("+"):
            continue  # "+X" only moves suites already in the list
        if token.startswith("@") or token.upper() in ("HIGH", "MEDIUM", "LOW", "DEFAULT", "ALL", "COMPLEMENTOFALL",
                                                       "COMPLEMENTOFDEFAULT", "EXPORT", "EXP", "ANULL", "ENULL",
                                                       "NULL", "SUITEB128", "SUITEB192", "SUITEB128ONLY"):
            em.add(token, Usage.UNKNOWN, line, symbol, confidence=Confidence.LOW,
                   unknown_reason=_BUILD_DEPENDENT, **params)
            continue
        suite = cipher_suite(token)
        if suite is not None:
            _add_suite(em, suite, token, line, symbol, **params)
            continue
        parts = token.split("+")
        mapped = [_KEYWORDS.get(p.lower()) for p in parts]
        if all(mapped):
            for p, entries in zip(parts, mapped, strict=True):
                for names, usage in entries or ():
                    if usage in _AS_USED:  # "SHA256" is the record MAC (HMAC-SHA256), "kRSA" RSA key transport
                        em.add(names[0], usage, line, symbol, fallbacks=names[1:], confidence=Confidence.MEDIUM,
                               cipher_keyword=token, **{"raw_identifier": p, **_AS_USED[usage], **params})
                        continue
                    em.add(p, usage, line, symbol, fallbacks=names, confidence=Confidence.MEDIUM,
                           cipher_keyword=token, **params)
            continue
        em.add(token, Usage.UNKNOWN, line, symbol, confidence=Confidence.LOW,
               unknown_reason="cipher suite or keyword not in the pqscan catalogue", **params)


def _add_suite(em: Emitter, suite: CipherSuite, token: str, line: int | None, symbol: str, **params: Any) -> None:
    """Every use the suite implies (key exchange, authentication, cipher, record MAC or PRF), as the TLS
    collector records an accepted suite: MACs as HMAC ids (HMAC-SHA1), RSA key transport as RSAES-PKCS1."""
    common: dict[str, Any] = {"cipher_suite": suite.name, **params}
    for part in suite_parts(suite):
        em.add(part.algorithm, part.usage, line, symbol, **part.parameters, **common)
