"""Public keys as inventory assets: algorithm, size and curve from a DER SubjectPublicKeyInfo.

Shared by the X.509, files, TLS and code collectors (re-exported by :mod:`pqscan.collect.x509`).
A key ``cryptography`` cannot load is still described by the algorithm OID in its SPKI
(:mod:`pqscan.collect.der`); an OID the catalogue does not know is an explicit unknown carrying it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from pqscan.algorithms import Algorithm, IdKind, all_algorithms, lookup, unknown
from pqscan.collect import der
from pqscan.model import Asset, AssetKind, Evidence, Finding, Primitive, Usage

# RFC 5480 §2.1.1: id-ecPublicKey; the curve, not this OID, names the algorithm.
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"

# cryptography names the NIST curves as SEC 2 does, the catalogue as FIPS 186 does; other curves
# (secp256k1, brainpool) have one name in both.
_NIST_CURVE_NAMES: Mapping[str, str] = {"secp192r1": "P-192", "secp224r1": "P-224", "secp256r1": "P-256",
                                        "secp384r1": "P-384", "secp521r1": "P-521"}


@cache
def _ecdsa_by_curve() -> dict[str, Algorithm]:
    """The catalogue's ECDSA algorithm of each curve (ECDSA-P256, ECDSA-brainpoolP256r1 ...)."""
    return {alg.curve: alg for alg in all_algorithms() if alg.family == "ECDSA" and alg.curve}


# -- public keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKeyInfo:
    """What can be known about one public key, from its SPKI DER."""

    algorithm: Algorithm
    oid: str  # SPKI algorithm OID; "" when even that could not be read
    spki_sha256: str
    key_bits: int | None = None
    curve: str | None = None
    public_key_bytes: int | None = None
    note: str = ""  # why part of the key could not be read

    def _size(self) -> dict[str, Any]:
        """key_bits and curve where known: a finding's parameters and the key's attributes alike."""
        size: dict[str, Any] = {} if self.key_bits is None else {"key_bits": self.key_bits}
        return {**size, "curve": self.curve} if self.curve else size

    def parameters(self) -> dict[str, Any]:
        params = self._size()
        if self.oid:
            params["oid"] = self.oid
        if self.algorithm.is_unknown:
            params["raw_identifier"] = self.algorithm.raw_identifier or self.oid
            params["unknown_reason"] = self.note or "public key algorithm not in the catalogue"
        return params

    def attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {"public_key_algorithm": self.algorithm.id, "public_key_oid": self.oid,
                                 "spki_sha256": self.spki_sha256, **self._size()}
        if self.public_key_bytes is not None:
            attrs["public_key_bytes"] = self.public_key_bytes
        if self.algorithm.is_unknown:
            attrs["public_key_raw_identifier"] = self.algorithm.raw_identifier or self.oid
        return attrs


def _ec_algorithm(curve_name: str) -> tuple[Algorithm, str]:
    curve = _NIST_CURVE_NAMES.get(curve_name, curve_name)
    if (alg := _ecdsa_by_curve().get(curve)) is not None:
        return alg, curve
    generic = lookup(IdKind.OID, EC_PUBLIC_KEY_OID)
    if not generic.is_unknown:
        return generic, curve
    return unknown(IdKind.OID, f"{EC_PUBLIC_KEY_OID}:{curve_name}"), curve


def describe_spki(spki_der: bytes) -> PublicKeyInfo:
    """Algorithm, size and curve of a DER SubjectPublicKeyInfo, whether or not cryptography supports it."""
    digest = hashlib.sha256(spki_der).hexdigest()
    try:
        oid = der.spki_algorithm_oid(spki_der)
    except der.DerError as exc:
        return PublicKeyInfo(unknown(IdKind.OID, "unreadable-spki"), "", digest, note=f"malformed SPKI: {exc}")
    try:
        raw_len: int | None = len(der.spki_public_key_bytes(spki_der))
    except der.DerError:
        raw_len = None
    try:
        key = serialization.load_der_public_key(spki_der)
    except UnsupportedAlgorithm:
        return PublicKeyInfo(lookup(IdKind.OID, oid), oid, digest, public_key_bytes=raw_len,
                             note="public key type not implemented by cryptography; algorithm from its OID")
    except ValueError as exc:
        return PublicKeyInfo(lookup(IdKind.OID, oid), oid, digest, public_key_bytes=raw_len,
                             note=f"public key could not be decoded: {exc}")
    if isinstance(key, ec.EllipticCurvePublicKey):
        alg, curve = _ec_algorithm(key.curve.name)
        return PublicKeyInfo(alg, oid, digest, key_bits=key.curve.key_size, curve=curve, public_key_bytes=raw_len)
    if isinstance(key, (rsa.RSAPublicKey, dsa.DSAPublicKey)):
        return PublicKeyInfo(lookup(IdKind.OID, oid), oid, digest, key_bits=key.key_size, public_key_bytes=raw_len)
    alg = lookup(IdKind.OID, oid)
    return PublicKeyInfo(alg, oid, digest, curve=alg.curve, public_key_bytes=raw_len)


def spki_of(key: Any) -> bytes:
    """SPKI DER of a cryptography public or private key."""
    public = key.public_key() if hasattr(key, "private_bytes") else key
    data: bytes = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return data


def key_usage_for(alg: Algorithm, default: Usage) -> Usage:
    """A KEM or key-agreement key is used for key exchange whatever its container says."""
    if alg.primitive in (Primitive.KEM, Primitive.KEY_AGREE):
        return Usage.KEY_EXCHANGE
    return default


def key_asset(
    key_or_spki: Any,
    location: str,
    collector: str,
    *,
    kind: AssetKind = AssetKind.PUBLIC_KEY,
    usage: Usage = Usage.SIGNATURE,
    name: str = "",
    attributes: Mapping[str, Any] | None = None,
    evidence: Evidence | None = None,
) -> tuple[Asset, list[Finding]]:
    """A key (cryptography key object, or SPKI DER bytes) as an asset ``key:sha256:<SPKI sha256>``."""
    spki = key_or_spki if isinstance(key_or_spki, (bytes, bytearray)) else spki_of(key_or_spki)
    info = describe_spki(bytes(spki))
    asset_id = f"key:sha256:{info.spki_sha256}"
    attrs = {**info.attributes(), **(attributes or {})}
    if kind is AssetKind.PRIVATE_KEY:
        attrs.setdefault("has_private_key", True)
    asset = Asset(asset_id, kind, location, name or info.algorithm.id, attrs)
    ev = evidence or Evidence(location=location, symbol=kind.value)
    finding = Finding(asset_id, info.algorithm.id, key_usage_for(info.algorithm, usage), collector,
                      info.parameters(), ev)
    return asset, [finding]


