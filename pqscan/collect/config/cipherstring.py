"""OpenSSL cipher strings (ssl_ciphers, SSLCipherSuite, CipherString, tls_high_cipherlist, ...).

An OpenSSL-syntax string is expanded by OpenSSL itself: the string is set on an ``SSL_CTX`` of the
OpenSSL bundled with pyca/cryptography (pyOpenSSL ``Context.set_cipher_list``) and the suites it
enables for TLS <= 1.2 are read back (``Connection.get_cipher_list``), in OpenSSL's order. Each suite
becomes its key exchange, authentication, cipher and MAC/PRF through ``pqscan.algorithms.cipher_suite``;
the original string stays on every finding as ``cipher_string``. ``HIGH``, ``DEFAULT@SECLEVEL=2`` and
``ECDHE+AESGCM:!aNULL`` thus mean the suites OpenSSL gives them, never a hand-written table. A string
OpenSSL rejects (no suite matches) is an error: the server would refuse it too. Suites the string
names explicitly but this OpenSSL does not enable (3DES, RC4 in OpenSSL 3) are listed on the config
asset as ``named_not_enabled``. Lists of IANA suite names (Kubernetes, Go) are read name by name.
Excluded items (``!x``, ``-x``) are listed on the config asset, never reported as used.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from pqscan.algorithms import CipherSuite, cipher_suite
from pqscan.collect.config.common import Emitter, split_list
from pqscan.collect.suite_parts import suite_parts
from pqscan.model import Confidence, ErrorKind, Usage

MAX_CIPHER_STRING = 8192

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


@cache
def bundled_openssl_version() -> str:
    from cryptography.hazmat.backends.openssl.backend import backend

    return f"{backend.openssl_version_text()} (bundled with pyca/cryptography)"


@cache
def system_openssl() -> tuple[str, str] | None:
    """(path, version text) of the system ``openssl`` binary, the library Debian's nginx, Apache,
    Postfix and Dovecot link against; None when absent."""
    binary = shutil.which("openssl")
    if binary is None:
        return None
    try:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (binary, f"{out.stdout.strip()} (system openssl ciphers)") if out.returncode == 0 else None


@dataclass(frozen=True)
class Expansion:
    suites: tuple[str, ...]  # OpenSSL names, in OpenSSL's order, TLS <= 1.2 only
    iana: dict[str, str]  # OpenSSL name -> IANA name, when OpenSSL said
    description: dict[str, str]  # OpenSSL name -> "TLSv1.2 Kx=.. Au=.. Enc=.. Mac=.."
    expanded_by: str


@lru_cache(maxsize=512)
def expand_with_openssl(value: str) -> Expansion | None:
    """The TLS <= 1.2 suites an OpenSSL cipher string enables, as OpenSSL itself expands it, or None
    when OpenSSL rejects the string ("no cipher match"). The system ``openssl ciphers`` is asked
    first (the library the local servers use); without one, the OpenSSL bundled with
    pyca/cryptography (pyOpenSSL ``set_cipher_list`` / ``get_cipher_list``). TLS 1.3 suites are set
    separately (Ciphersuites / ssl_conf_command): a cipher string never touches them."""
    value = value[:MAX_CIPHER_STRING].replace("\x00", "")
    system = system_openssl()
    if system is not None and not value.startswith("-"):
        try:
            out = subprocess.run([system[0], "ciphers", "-v", "-stdname", "-ciphersuites", "", value],
                                 capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None:
            if out.returncode != 0:
                return None
            suites: list[str] = []
            iana: dict[str, str] = {}
            description: dict[str, str] = {}
            for row in out.stdout.splitlines():
                std, sep, rest = row.partition(" - ")
                parts = rest.split()
                if not sep or not parts or parts[0].startswith("TLS_"):
                    continue
                suites.append(parts[0])
                iana[parts[0]] = std.strip()
                description[parts[0]] = " ".join(parts[1:])
            return Expansion(tuple(suites), iana, description, system[1])
    from OpenSSL import SSL

    ctx = SSL.Context(SSL.TLS_METHOD)
    try:
        ctx.set_cipher_list(value.encode("ascii", "replace"))
    except SSL.Error:
        return None
    names = tuple(n for n in SSL.Connection(ctx).get_cipher_list() if not n.startswith("TLS_"))
    return Expansion(names, {}, {}, bundled_openssl_version())


def add_cipher_string(em: Emitter, value: str, line: int | None, symbol: str, *, openssl_syntax: bool = True,
                      **params: Any) -> None:
    """Record what a cipher string enables. ``openssl_syntax=False`` for lists of IANA names (Go, Kubernetes)."""
    value = value.strip()
    tokens = split_list(value, ":, \t")
    if openssl_syntax and tokens and not all(t.upper().startswith(("TLS_", "SSL_")) for t in tokens):
        _add_expanded(em, value, tokens, line, symbol, **params)
        return
    _add_by_token(em, value, line, symbol, **params)


def _add_expanded(em: Emitter, value: str, tokens: list[str], line: int | None, symbol: str, **params: Any) -> None:
    em.attributes.setdefault("excluded_ciphers", []).extend(t[1:] for t in tokens if t[0] in "!-")
    exp = expand_with_openssl(value)
    if exp is None:
        em.result.error("parse", ErrorKind.MALFORMED,
                        f"{em.relpath}:{line}: {symbol} {value!r}: OpenSSL accepts no cipher suite from this string "
                        "(no cipher match); the server refuses it")
        return
    enabled = set(exp.suites)
    named = [t for t in tokens if t[0] not in "!-+@" and cipher_suite(t) is not None and t not in enabled]
    if named:
        em.attributes.setdefault("named_not_enabled", []).extend(named)
    common = {"cipher_string": value, "expanded_by": exp.expanded_by, **params}
    for pos, name in enumerate(exp.suites):
        suite = cipher_suite(name) or (cipher_suite(exp.iana[name]) if name in exp.iana else None)
        if suite is None:
            em.add(name, Usage.UNKNOWN, line, symbol, confidence=Confidence.LOW,
                   unknown_reason="cipher suite not in the pqscan catalogue", preference=pos, openssl_name=name,
                   iana_name=exp.iana.get(name), openssl_description=exp.description.get(name), **common)
            continue
        _add_suite(em, suite, name, line, symbol, preference=pos, openssl_name=name, **common)


def _add_by_token(em: Emitter, value: str, line: int | None, symbol: str, **params: Any) -> None:
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
