"""X.509 certificates and public keys as inventory assets: shared by the TLS and the files collectors.

* :func:`certificate_to_asset` turns one ``cryptography`` certificate into a ``certificate`` asset
  (id ``cert:sha256:<hex of DER>``) and its findings: the subject public key and the signature.
* :func:`key_asset` does the same for a public or private key (id ``key:sha256:<hex of SPKI DER>``).
* :func:`link_chain` adds ``issued-by`` relations between certificates of one set, and
  :func:`link_keys` adds ``matches-key`` from private keys to certificates with the same SPKI.

Every algorithm goes through the catalogue (:func:`pqscan.algorithms.lookup` by OID). Keys that
``cryptography`` does not implement (SLH-DSA, composite and draft OIDs) are still described: their
algorithm OID is read from the DER SubjectPublicKeyInfo (:mod:`pqscan.collect.der`). An OID the
catalogue does not know becomes an *unknown* finding carrying the raw OID. Nothing here raises on
odd input: a field that cannot be read is left out and, where useful, noted in ``parse_notes``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pqscan.algorithms import Algorithm, IdKind, get, lookup, unknown
from pqscan.collect import der
from pqscan.model import Asset, AssetKind, Evidence, Finding, Primitive, Relation, RelationKind, Usage

# RFC 5480 §2.1.1: id-ecPublicKey; the curve, not this OID, names the algorithm.
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"

# cryptography's curve name -> (catalogue id of the ECDSA algorithm, curve as the catalogue spells it).
_EC_CURVES: Mapping[str, tuple[str, str]] = {
    "secp256r1": ("ECDSA-P256", "P-256"),
    "secp384r1": ("ECDSA-P384", "P-384"),
    "secp521r1": ("ECDSA-P521", "P-521"),
    "secp224r1": ("ECDSA-P224", "P-224"),
    "secp192r1": ("ECDSA-P192", "P-192"),
    "secp256k1": ("ECDSA-secp256k1", "secp256k1"),
    "brainpoolP256r1": ("ECDSA-brainpoolP256r1", "brainpoolP256r1"),
    "brainpoolP384r1": ("ECDSA-brainpoolP384r1", "brainpoolP384r1"),
    "brainpoolP512r1": ("ECDSA-brainpoolP512r1", "brainpoolP512r1"),
}

_KEY_USAGE_FLAGS = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                    "key_agreement", "key_cert_sign", "crl_sign")


def iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat().replace("+00:00", "Z")


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

    def parameters(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.key_bits is not None:
            params["key_bits"] = self.key_bits
        if self.curve:
            params["curve"] = self.curve
        if self.oid:
            params["oid"] = self.oid
        if self.algorithm.is_unknown:
            params["raw_identifier"] = self.algorithm.raw_identifier or self.oid
            params["unknown_reason"] = self.note or "public key algorithm not in the catalogue"
        return params

    def attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {"public_key_algorithm": self.algorithm.id, "public_key_oid": self.oid,
                                 "spki_sha256": self.spki_sha256}
        if self.key_bits is not None:
            attrs["key_bits"] = self.key_bits
        if self.curve:
            attrs["curve"] = self.curve
        if self.public_key_bytes is not None:
            attrs["public_key_bytes"] = self.public_key_bytes
        if self.algorithm.is_unknown:
            attrs["public_key_raw_identifier"] = self.algorithm.raw_identifier or self.oid
        return attrs


def _ec_algorithm(curve_name: str) -> tuple[Algorithm, str]:
    alg_id, curve = _EC_CURVES.get(curve_name, ("", curve_name))
    if alg_id:
        alg = get(alg_id)
        if not alg.is_unknown:
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


# -- certificates ---------------------------------------------------------------------------


def _ext(cert: x509.Certificate | x509.CertificateSigningRequest, cls: type) -> Any:
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None
    except (ValueError, UnsupportedAlgorithm):  # a malformed extension elsewhere in the list
        return None


def _name_label(name: x509.Name) -> str:
    try:
        cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        if cns:
            return str(cns[0].value)
        return name.rfc4514_string()
    except ValueError:
        return ""


def _sans(cert: x509.Certificate) -> list[str]:
    san = _ext(cert, x509.SubjectAlternativeName)
    if san is None:
        return []
    out: list[str] = []
    for gn in san:
        if isinstance(gn, (x509.DNSName, x509.RFC822Name, x509.UniformResourceIdentifier)):
            out.append(f"{type(gn).__name__.replace('Name', '').replace('UniformResourceIdentifier', 'URI')}:{gn.value}")
        elif isinstance(gn, x509.IPAddress):
            out.append(f"IP:{gn.value}")
        else:
            out.append(f"{type(gn).__name__}")
    return out


def _key_usage(cert: x509.Certificate) -> list[str]:
    ku = _ext(cert, x509.KeyUsage)
    if ku is None:
        return []
    return [flag for flag in _KEY_USAGE_FLAGS if getattr(ku, flag)]


def _eku(cert: x509.Certificate) -> list[str]:
    eku = _ext(cert, x509.ExtendedKeyUsage)
    return [oid.dotted_string for oid in eku] if eku is not None else []


def cert_spki(cert: x509.Certificate) -> bytes:
    """SPKI DER of a certificate, also for key types cryptography cannot load."""
    try:
        return spki_of(cert.public_key())
    except (UnsupportedAlgorithm, ValueError):
        return der.spki_from_tbs_certificate(cert.tbs_certificate_bytes)


def _signature_hash(cert: x509.Certificate) -> str | None:
    try:
        h = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return None
    if h is None:
        return None
    name = h.name.lower()
    if name.startswith("sha3-"):
        return name.upper()
    if name.startswith("sha"):
        return "SHA-" + name[3:].lstrip("-")  # "sha256" -> "SHA-256", "sha512-224" -> "SHA-512-224"
    return name.upper()


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False
    except UnsupportedAlgorithm:
        ski, aki = _key_ids(cert)
        return aki is None or aki == ski


def _key_ids(cert: x509.Certificate) -> tuple[str | None, str | None]:
    ski = _ext(cert, x509.SubjectKeyIdentifier)
    aki = _ext(cert, x509.AuthorityKeyIdentifier)
    return (ski.digest.hex() if ski is not None else None,
            aki.key_identifier.hex() if aki is not None and aki.key_identifier is not None else None)


def cert_id(cert: x509.Certificate) -> str:
    return f"cert:sha256:{hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()}"


def certificate_to_asset(
    cert: x509.Certificate, location: str, collector: str, *, source: str = ""
) -> tuple[Asset, list[Finding]]:
    """One certificate as an asset plus two findings (its public key and its signature)."""
    der_bytes = cert.public_bytes(serialization.Encoding.DER)
    fingerprint = hashlib.sha256(der_bytes).hexdigest()
    asset_id = f"cert:sha256:{fingerprint}"
    notes: list[str] = []
    try:
        spki = cert_spki(cert)
        key = describe_spki(spki)
    except der.DerError as exc:
        key = PublicKeyInfo(unknown(IdKind.OID, cert.public_key_algorithm_oid.dotted_string),
                            cert.public_key_algorithm_oid.dotted_string, "", note=f"malformed SPKI: {exc}")
    if key.note:
        notes.append(key.note)
    if cert.serial_number <= 0:
        notes.append("serial number is not positive (RFC 5280 §4.1.2.2 requires a positive integer)")
    bc = _ext(cert, x509.BasicConstraints)
    is_ca = bool(bc is not None and bc.ca)
    ski, aki = _key_ids(cert)
    eku = _eku(cert)
    key_usage = _key_usage(cert)
    self_signed = _self_signed(cert)
    sig_oid = cert.signature_algorithm_oid.dotted_string
    sig_alg = lookup(IdKind.OID, sig_oid)
    sig_hash = _signature_hash(cert)
    attrs: dict[str, Any] = {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": iso(cert.not_valid_before_utc),
        "not_after": iso(cert.not_valid_after_utc),
        "is_ca": is_ca,
        "self_signed": self_signed,
        **key.attributes(),
        "signature_algorithm": sig_alg.id,
        "signature_algorithm_oid": sig_oid,
        "sha256_fingerprint": fingerprint,
    }
    if sig_hash:
        attrs["signature_hash"] = sig_hash
    if sig_alg.is_unknown:
        attrs["signature_raw_identifier"] = sig_oid
    for name, value in (("sans", _sans(cert)), ("key_usage", key_usage), ("extended_key_usage", eku),
                        ("subject_key_id", ski), ("authority_key_id", aki)):
        if value:
            attrs[name] = value
    if bc is not None and bc.path_length is not None:
        attrs["path_length"] = bc.path_length
    if source:
        attrs["source"] = source
    if notes:
        attrs["parse_notes"] = notes
    asset = Asset(asset_id, AssetKind.CERTIFICATE, location, _name_label(cert.subject) or fingerprint[:16], attrs)

    if ExtendedKeyUsageOID.CODE_SIGNING.dotted_string in eku:
        key_use = Usage.CODE_SIGNING
    elif is_ca or "key_cert_sign" in key_usage:
        key_use = Usage.SIGNATURE
    else:
        key_use = Usage.AUTHENTICATION
    detail = attrs["subject"]
    findings = [
        Finding(asset_id, key.algorithm.id, key_usage_for(key.algorithm, key_use), collector, key.parameters(),
                Evidence(location=location, symbol="subjectPublicKeyInfo", detail=detail)),
    ]
    sig_params: dict[str, Any] = {"oid": sig_oid}
    if sig_hash:
        sig_params["hash"] = sig_hash
    if self_signed and key.key_bits is not None:
        sig_params["key_bits"] = key.key_bits
    if sig_alg.is_unknown:
        sig_params["raw_identifier"] = sig_oid
        sig_params["unknown_reason"] = "signature algorithm not in the catalogue"
    findings.append(Finding(asset_id, sig_alg.id, Usage.SIGNATURE, collector, sig_params,
                            Evidence(location=location, symbol="signatureAlgorithm", detail=detail)))
    return asset, findings


@dataclass
class CertificateSet:
    """Certificates met together (one file, one handshake): assets, findings and the parsed objects."""

    assets: list[Asset] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    certificates: dict[str, x509.Certificate] = field(default_factory=dict)

    def add(self, cert: x509.Certificate, location: str, collector: str, *, source: str = "") -> Asset:
        asset, findings = certificate_to_asset(cert, location, collector, source=source)
        if asset.id not in self.certificates:
            self.certificates[asset.id] = cert
            self.assets.append(asset)
            self.findings.extend(findings)
        return asset

    def linked(self) -> list[Asset]:
        return link_chain(self.assets, self.certificates)


def _issued(child: x509.Certificate | None, parent: x509.Certificate | None) -> bool | None:
    """True/False when the signature could be checked; None when it could not."""
    if child is None or parent is None:
        return None
    try:
        child.verify_directly_issued_by(parent)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False
    except UnsupportedAlgorithm:
        return None


def link_chain(assets: Sequence[Asset], certificates: Mapping[str, x509.Certificate] | None = None) -> list[Asset]:
    """Add ``issued-by`` from each certificate to its issuer when the issuer is in the same set.

    A candidate issuer must have the child's issuer name as its subject, and then either verify the
    child's signature (when the parsed certificates are given) or, where that cannot be checked, carry
    the subject key identifier named by the child's authority key identifier. Self-signed
    certificates get no edge.
    """
    certs = certificates or {}
    by_subject: dict[str, list[Asset]] = {}
    for a in assets:
        if a.kind is AssetKind.CERTIFICATE and "subject" in a.attributes:
            by_subject.setdefault(str(a.attributes["subject"]), []).append(a)
    out: list[Asset] = []
    for a in assets:
        if a.kind is not AssetKind.CERTIFICATE or a.attributes.get("self_signed"):
            out.append(a)
            continue
        issuer_id = _find_issuer(a, by_subject.get(str(a.attributes.get("issuer")), []), certs)
        if issuer_id and issuer_id != a.id:
            rel = Relation(RelationKind.ISSUED_BY, issuer_id)
            if rel not in a.relations:
                a = replace(a, relations=(*a.relations, rel))
        out.append(a)
    return out


def _find_issuer(child: Asset, candidates: Iterable[Asset], certs: Mapping[str, x509.Certificate]) -> str | None:
    aki = child.attributes.get("authority_key_id")
    for cand in candidates:
        if cand.id == child.id:
            continue
        verified = _issued(certs.get(child.id), certs.get(cand.id))
        if verified is True:
            return cand.id
        if verified is False:
            continue
        if aki and cand.attributes.get("subject_key_id") == aki:
            return cand.id
    return None


def link_keys(assets: Sequence[Asset]) -> list[Asset]:
    """Add ``matches-key`` from each private key to every certificate carrying the same public key."""
    certs_by_spki: dict[str, list[str]] = {}
    for a in assets:
        spki = a.attributes.get("spki_sha256")
        if a.kind is AssetKind.CERTIFICATE and spki:
            certs_by_spki.setdefault(str(spki), []).append(a.id)
    out: list[Asset] = []
    for a in assets:
        if a.kind is AssetKind.PRIVATE_KEY:
            rels = [Relation(RelationKind.MATCHES_KEY, cid)
                    for cid in certs_by_spki.get(str(a.attributes.get("spki_sha256")), [])]
            new = tuple(r for r in rels if r not in a.relations)
            if new:
                a = replace(a, relations=(*a.relations, *new))
        out.append(a)
    return out
