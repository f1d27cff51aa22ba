"""JSON Web Keys (RFC 7517): a single JWK or a JWK Set ``{"keys": [...]}``.

RSA, EC and OKP keys are rebuilt with ``cryptography`` so they get the same SPKI-based id as the
same key in PEM or in a certificate; ``x5c`` chains are read as certificates. Other key types
(``oct``, ``AKP`` for ML-DSA per RFC 9964) are identified by their ``alg`` through the catalogue
and by their RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519

from pqscan.algorithms import IdKind, lookup
from pqscan.collect.files.context import COLLECTOR, FileContext
from pqscan.model import Asset, AssetKind, ErrorKind, Evidence, Finding, Usage
from pqscan.textsafe import clean

MAX_KEYS = 10000
_CURVES: dict[str, Any] = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1, "secp256k1": ec.SECP256K1}
_OKP: dict[str, Any] = {"Ed25519": ed25519.Ed25519PublicKey, "Ed448": ed448.Ed448PublicKey,
        "X25519": x25519.X25519PublicKey, "X448": x448.X448PublicKey}
# RFC 7638 §3.2: the required members per key type, for the thumbprint.
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"),
                       "oct": ("k", "kty"), "AKP": ("alg", "kty", "pub")}


def looks_like_jwk(head: bytes) -> bool:
    return b'"kty"' in head


def _b64url(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("JWK member is not a string")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _int(value: Any) -> int:
    return int.from_bytes(_b64url(value), "big")


def _public_key(jwk: dict[str, Any]) -> Any | None:
    kty = jwk.get("kty")
    if kty == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
    if kty == "EC" and jwk.get("crv") in _CURVES:
        return ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), _CURVES[jwk["crv"]]()).public_key()
    if kty == "OKP" and jwk.get("crv") in _OKP:
        return _OKP[jwk["crv"]].from_public_bytes(_b64url(jwk["x"]))
    return None


def thumbprint(jwk: dict[str, Any]) -> str:
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")), ("kty",))
    canon = json.dumps({m: jwk.get(m) for m in members}, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canon.encode()).hexdigest()


def read_jwk(ctx: FileContext, data: bytes) -> int:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        ctx.error("parse-jwk", ErrorKind.MALFORMED, f"not valid JSON: {exc}")
        return 0
    except (ValueError, RecursionError) as exc:  # a number over Python's 4300-digit limit; nesting too deep
        ctx.error("parse-jwk", ErrorKind.MALFORMED, f"JSON not read: {type(exc).__name__}: {str(exc)[:120]}")
        return 0
    if isinstance(doc, dict) and isinstance(doc.get("keys"), list):
        items = doc["keys"]
    elif isinstance(doc, dict) and "kty" in doc:
        items = [doc]
    else:
        return 0
    found = 0
    for i, jwk in enumerate(items[:MAX_KEYS]):
        if not isinstance(jwk, dict):
            ctx.error("parse-jwk", ErrorKind.MALFORMED, f"key {i}: not a JSON object")
            continue
        try:
            _one(ctx, jwk, i)
            found += 1
        except (KeyError, ValueError, TypeError, binascii.Error, x509.InvalidVersion, UnsupportedAlgorithm) as exc:
            ctx.error("parse-jwk", ErrorKind.MALFORMED, f"key {i} (kty {jwk.get('kty')!r}): {type(exc).__name__}: {exc}")
    if found:
        ctx.formats.append("jwks" if len(items) > 1 or "keys" in doc else "jwk")
    return found


def _one(ctx: FileContext, jwk: dict[str, Any], index: int) -> None:
    private = "d" in jwk or jwk.get("kty") == "oct" or "priv" in jwk
    alg_name = jwk.get("alg")
    use = {"sig": Usage.SIGNATURE, "enc": Usage.ENCRYPTION}.get(str(jwk.get("use")), Usage.SIGNATURE)
    extra: dict[str, Any] = {"jwk_index": index, "jwk_thumbprint_sha256": thumbprint(jwk)}
    for member in ("kid", "alg", "use"):
        if isinstance(jwk.get(member), str):
            extra[member] = clean(jwk[member][:200])
    for j, cert_b64 in enumerate(jwk.get("x5c") or []):
        cert = x509.load_der_x509_certificate(base64.b64decode(cert_b64))
        ctx.add_certificate(cert, f"jwk-x5c[{j}]")
    public = _public_key(jwk)
    if public is not None:
        ctx.add_key(public, private=private, source="jwk", usage=use, extra=extra)
        return
    alg = lookup(IdKind.JOSE, alg_name) if isinstance(alg_name, str) else lookup(IdKind.NAME, str(jwk.get("kty")))
    asset_id = f"key:jwk-thumbprint:{extra['jwk_thumbprint_sha256']}"
    kty = jwk.get("kty")
    params: dict[str, Any] = {"kty": clean(kty[:64]) if isinstance(kty, str) else kty}
    if jwk.get("kty") == "oct" and isinstance(jwk.get("k"), str):
        params["key_bits"] = len(_b64url(jwk["k"])) * 8
    if alg.is_unknown:
        params["raw_identifier"] = clean(str(alg_name or jwk.get("kty"))[:200])
    kind = AssetKind.PRIVATE_KEY if private else AssetKind.PUBLIC_KEY
    usage = Usage.MAC if jwk.get("kty") == "oct" and str(alg_name).startswith("HS") else use
    asset = Asset(asset_id, kind, ctx.location, clean(str(jwk.get("kid") or alg.id)[:200]),
                  {**extra, "algorithm": alg.id, "source": "jwk"})
    ctx.add_finding_only(asset, Finding(asset_id, alg.id, usage, COLLECTOR, params,
                                        Evidence(location=ctx.location, symbol="jwk", detail=clean(str(jwk.get("kid", ""))[:200]))))
