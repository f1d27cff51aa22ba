"""Names that code passes to crypto APIs, mapped to algorithm ids through ``data/code_rules/names.toml``.

A name means something only in the API that receives it, so every lookup names its namespace
("EC" to a key-pair generator is a key type, "ECDH" to a key agreement is key agreement).
Results go through :func:`canonical` so a catalogue alias becomes the catalogue's own id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pqscan.algorithms import IdKind, known
from pqscan.datafiles import shipped_toml
from pqscan.model import Usage

_STRIP = re.compile(r"[-_ /.:()]")


def norm(text: str) -> str:
    """Normalised key: lower case without separators ("SHA-256" == "sha_256" == "SHA256")."""
    return _STRIP.sub("", text.strip().lower())


@dataclass(frozen=True)
class NameHit:
    """What a name resolved to: an algorithm id (or a family still waiting for its curve)."""

    algorithm: str | None = None
    family: str | None = None  # "ECDSA" / "ECDH" / "EC": needs a curve to become an id
    usage: Usage | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Tables:
    plain: Mapping[str, Mapping[str, str]]  # namespace -> normalised name -> algorithm id / curve
    rich: Mapping[str, Mapping[str, Mapping[str, Any]]]  # namespace -> name -> {algorithm|family, usage, ...}
    curve_algorithm: Mapping[str, Mapping[str, str]]
    algorithm_usage: Mapping[str, str]
    cipher_patterns: tuple[tuple[re.Pattern[str], str], ...]
    signature_patterns: tuple[re.Pattern[str], ...]


_RICH = ("keytype", "keyagreement", "signature_alg")


@cache
def tables() -> _Tables:
    data = shipped_toml("data/code_rules/names.toml")
    plain = {ns: {norm(k): v for k, v in data[ns].items()}
             for ns in ("hash", "cipher", "curve", "kem", "tls_group", "protocol", "mode")}
    rich = {ns: {norm(k): v for k, v in data[ns].items()} for ns in _RICH}
    return _Tables(
        plain=plain,
        rich=rich,
        curve_algorithm=data["curve_algorithm"],
        algorithm_usage=data["algorithm_usage"],
        cipher_patterns=tuple((re.compile(p["regex"]), p["algorithm"]) for p in data["cipher_pattern"]),
        signature_patterns=tuple(re.compile(p["regex"]) for p in data["signature_pattern"]),
    )


def canonical(algorithm_id: str) -> str:
    """The catalogue's id for ``algorithm_id`` when the catalogue knows it (by id or alias), else itself."""
    alg = known(IdKind.NAME, algorithm_id)
    return algorithm_id if alg is None else alg.id


def _known(algorithm_id: str) -> bool:
    return known(IdKind.NAME, algorithm_id) is not None


def refine(algorithm_id: str, usage: Usage, params: Mapping[str, Any]) -> str:
    """The most specific catalogue entry the parameters allow: an HMAC of SHA-1 is ``HMAC-SHA1``
    (not the SHA-1 hash), AES with a known size and mode is ``AES-128-GCM``; otherwise unchanged."""
    if algorithm_id == "HMAC" and params.get("hash"):
        algorithm_id = str(params["hash"])  # WebCrypto {name: "HMAC", hash: "SHA-256"}
    if usage is Usage.MAC and algorithm_id.startswith(("SHA", "MD5", "RIPEMD")):
        hmac_id = "HMAC-" + algorithm_id.replace("SHA-", "SHA").replace("RIPEMD-", "RIPEMD")
        return canonical(hmac_id) if _known(hmac_id) else algorithm_id
    if algorithm_id in ("AES", "Camellia"):
        bits, mode = params.get("key_bits"), params.get("mode")
        for candidate in (f"{algorithm_id}-{bits}-{mode}", f"{algorithm_id}-{bits}", f"{algorithm_id}-{mode}"):
            if "None" not in candidate and _known(candidate):
                return canonical(candidate)
    return algorithm_id


def plain(namespace: str, text: str) -> str | None:
    return tables().plain[namespace].get(norm(text))


def curve(text: str) -> str | None:
    return plain("curve", text)


def with_curve(family: str, curve_name: str | None) -> str:
    """ECDSA + P-256 -> ECDSA-P256; an EC key of unknown use is labelled like an X.509 EC key (ECDSA)."""
    table = tables().curve_algorithm.get("ECDSA" if family == "EC" else family, {})
    if curve_name and curve_name in table:
        return table[curve_name]
    return "ECDSA" if family == "EC" else family


def usage_of(algorithm_id: str, default: Usage) -> Usage:
    """Refine key-generation into the one use an algorithm allows (X25519 -> key exchange)."""
    if default is not Usage.KEY_GENERATION:
        return default
    fixed = tables().algorithm_usage.get(algorithm_id)
    return Usage(fixed) if fixed else default


def rich(namespace: str, text: str) -> NameHit | None:
    entry = tables().rich[namespace].get(norm(text))
    if entry is None:
        return None
    params = {k: v for k, v in entry.items() if k not in ("algorithm", "family", "usage")}
    usage = Usage(entry["usage"]) if "usage" in entry else None
    return NameHit(entry.get("algorithm"), entry.get("family"), usage, params)


def cipher(text: str) -> NameHit | None:
    """A symmetric cipher string: "aes-256-gcm", "des-ede3-cbc", "AES", "DESede", "RC4"."""
    low = text.strip().lower().replace("_", "-")
    if low.startswith("evp-"):
        low = low[4:]  # OpenSSL EVP_des_ede3_cbc() -> des-ede3-cbc
    for pattern, algorithm in tables().cipher_patterns:
        m = pattern.match(low)
        if m:
            params: dict[str, Any] = {}
            groups = m.groupdict()
            if groups.get("key_bits"):
                params["key_bits"] = int(groups["key_bits"])
            if groups.get("mode"):
                params["mode"] = plain("mode", groups["mode"]) or groups["mode"].upper()
            return NameHit(algorithm, usage=Usage.SYMMETRIC, params=params)
    base = plain("cipher", low)
    if base is None:
        return None
    usage = Usage.ENCRYPTION if base in ("RSA", "ECIES") else Usage.SYMMETRIC
    return NameHit(base, usage=usage)


def jca_transformation(text: str) -> NameHit | None:
    """JCA ``Cipher.getInstance`` transformation: "AES/GCM/NoPadding", "RSA/ECB/OAEPWithSHA-256AndMGF1Padding"."""
    parts = text.strip().split("/")
    hit = cipher(parts[0])
    if hit is None:
        return None
    params = dict(hit.params)
    if len(parts) >= 2 and parts[1]:
        mode = plain("mode", parts[1])
        if mode and hit.algorithm != "RSA":
            params["mode"] = mode
    if len(parts) >= 3 and parts[2]:
        params["padding"] = parts[2]
    elif len(parts) == 1 and hit.algorithm in ("AES", "DES", "3DES", "Blowfish", "RC2"):
        params["mode"] = "ECB"  # the JCA default transformation for a bare block cipher name
        params["library_default"] = "mode ECB (JCA default for a bare cipher name)"
    return NameHit(hit.algorithm, usage=hit.usage, params=params)


def signature(text: str) -> NameHit | None:
    """JCA signature names: "SHA256withECDSA", "SHA1withRSA", "RSASSA-PSS", "Ed25519", "ML-DSA-65"."""
    direct = rich("signature_alg", text)
    if direct is not None:
        return NameHit(direct.algorithm, direct.family, Usage.SIGNATURE, direct.params)
    low = text.strip().lower()
    for pattern in tables().signature_patterns:
        m = pattern.match(low)
        if not m:
            continue
        alg = rich("signature_alg", m.group("alg"))
        if alg is None:
            return None
        params = dict(alg.params)
        digest = plain("hash", m.group("hash"))
        if digest:
            params["hash"] = digest
        if m.group("padding"):
            params["padding"] = "PSS" if m.group("padding") == "pss" else m.group("padding").upper()
        return NameHit(alg.algorithm, alg.family, Usage.SIGNATURE, params)
    return None


def jose(text: str) -> NameHit | None:
    """JWS "alg" names: RS256/PS256 (RSA), ES256 (ECDSA P-256), EdDSA, HS256 (HMAC)."""
    name = text.strip().removeprefix("SigningMethod")  # golang-jwt: jwt.SigningMethodRS256
    m = re.fullmatch(r"(RS|PS|ES|HS)(256|384|512)K?", name)
    if m:
        digest = f"SHA-{m.group(2)}"
        kind = m.group(1)
        if kind == "HS":
            return NameHit(digest, usage=Usage.MAC, params={"jose_alg": name, "construction": "HMAC"})
        if kind == "ES":
            curve_name = "secp256k1" if name.endswith("K") else {"256": "P-256", "384": "P-384", "512": "P-521"}[m.group(2)]
            return NameHit(with_curve("ECDSA", curve_name), usage=Usage.SIGNATURE,
                           params={"jose_alg": name, "hash": digest, "curve": curve_name})
        padding = "PSS" if kind == "PS" else "PKCS1v15"
        return NameHit("RSA", usage=Usage.SIGNATURE, params={"jose_alg": name, "hash": digest, "padding": padding})
    if name in ("EdDSA", "Ed25519"):
        return NameHit("Ed25519", usage=Usage.SIGNATURE, params={"jose_alg": name})
    if name == "Ed448":
        return NameHit("Ed448", usage=Usage.SIGNATURE, params={"jose_alg": name})
    if re.fullmatch(r"ML-DSA-(44|65|87)", name):
        return NameHit(name, usage=Usage.SIGNATURE, params={"jose_alg": name})
    return None


def hash_name(text: str) -> NameHit | None:
    digest = plain("hash", text)
    return NameHit(digest, usage=Usage.HASHING) if digest else None


def resolve(namespace: str, text: str) -> NameHit | None:
    """One entry point for rules: ``names = "<namespace>"`` in a rule file picks the reader."""
    reader = _READERS.get(namespace)
    if reader is None:
        raise KeyError(f"unknown name namespace {namespace!r}")
    return reader(text)


def _keytype(text: str) -> NameHit | None:
    hit = rich("keytype", text)
    if hit is None:
        kem = plain("kem", text)
        if kem:
            return NameHit(kem, usage=Usage.KEY_EXCHANGE)
    return hit


def _keyagreement(text: str) -> NameHit | None:
    return rich("keyagreement", text)


def _kem(text: str) -> NameHit | None:
    kem = plain("kem", text)
    return NameHit(kem, usage=Usage.KEY_EXCHANGE) if kem else _keytype(text)


def _tls_group(text: str) -> NameHit | None:
    group = plain("tls_group", text)
    return NameHit(group, usage=Usage.KEY_EXCHANGE) if group else None


def _protocol(text: str) -> NameHit | None:
    version = plain("protocol", text)
    return NameHit(version, usage=Usage.PROTOCOL) if version else None


def _curve_only(text: str) -> NameHit | None:
    c = curve(text)
    return NameHit(family="EC", params={"curve": c}) if c else None


_READERS = {
    "hash": hash_name,
    "cipher": cipher,
    "jca-cipher": jca_transformation,
    "signature": signature,
    "keytype": _keytype,
    "keyagreement": _keyagreement,
    "kem": _kem,
    "jose": jose,
    "tls-group": _tls_group,
    "protocol": _protocol,
    "curve": _curve_only,
}

NAMESPACES = frozenset(_READERS)
