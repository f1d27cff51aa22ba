"""X.509 certificates and public keys as inventory assets: shared by the TLS and the files collectors.

* :func:`certificate_to_asset` turns one ``cryptography`` certificate into a ``certificate`` asset
  (id ``cert:sha256:<hex of DER>``) and its findings: the subject public key and the signature.
* :func:`key_asset` (from :mod:`pqscan.collect.pubkey`) does the same for a public or private key
  (id ``key:sha256:<hex of SPKI DER>``).
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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pqscan.algorithms import Algorithm, IdKind, lookup, unknown
from pqscan.collect import der

# Public-key helpers live in pqscan.collect.pubkey; re-exported here for the other collectors.
from pqscan.collect.pubkey import EC_PUBLIC_KEY_OID, PublicKeyInfo, describe_spki, key_asset, key_usage_for, spki_of  # noqa: F401
from pqscan.model import Asset, AssetKind, Evidence, Finding, Relation, RelationKind, Usage
from pqscan.textsafe import clean, clean_rfc4514

_KEY_USAGE_FLAGS = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                    "key_agreement", "key_cert_sign", "crl_sign")


def rfc4514(name: x509.Name) -> str:
    """The RFC 4514 string of a name, control and bidi characters as ``\\XX`` hex pairs (safe to show)."""
    return clean_rfc4514(name.rfc4514_string())


def iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
            return clean(str(cns[0].value))
        return clean_rfc4514(name.rfc4514_string())
    except ValueError:
        return ""


def _sans(cert: x509.Certificate) -> list[str]:
    san = _ext(cert, x509.SubjectAlternativeName)
    if san is None:
        return []
    out: list[str] = []
    for gn in san:
        if isinstance(gn, (x509.DNSName, x509.RFC822Name, x509.UniformResourceIdentifier)):
            kind = type(gn).__name__.replace("Name", "").replace("UniformResourceIdentifier", "URI")
            out.append(f"{kind}:{clean(str(gn.value))}")
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


# cryptography parses names and extensions lazily: a certificate that loaded can still raise
# ValueError on ``subject``, ``issuer`` or a field read later. Such a field is recorded as unreadable.
_FIELD_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm)


def _field(read: Callable[[], Any], default: Any, what: str, notes: list[str]) -> Any:
    try:
        return read()
    except _FIELD_ERRORS as exc:
        notes.append(clean(f"{what} unreadable: {str(exc)[:160]}"))
        return default


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    signed_by_itself = _issued(cert, cert)
    if signed_by_itself is None:  # a signature algorithm cryptography cannot check: the key identifiers decide
        ski, aki = _key_ids(cert)
        return aki is None or aki == ski
    return signed_by_itself


def _key_ids(cert: x509.Certificate) -> tuple[str | None, str | None]:
    ski = _ext(cert, x509.SubjectKeyIdentifier)
    aki = _ext(cert, x509.AuthorityKeyIdentifier)
    return (ski.digest.hex() if ski is not None else None,
            aki.key_identifier.hex() if aki is not None and aki.key_identifier is not None else None)


@dataclass(frozen=True)
class _CertFacts:
    """Everything about a certificate that does not depend on where it was found."""

    name: str
    attributes: Mapping[str, Any]
    key: PublicKeyInfo
    key_use: Usage
    signature: Algorithm
    signature_parameters: Mapping[str, Any]


# The same certificate turns up many times (CA bundles copied into every venv and image layer):
# describe it once. Bounded so a huge scan cannot grow it without limit.
_FACTS_CACHE: dict[str, _CertFacts] = {}
_FACTS_CACHE_MAX = 8192


def clear_certificate_cache() -> None:
    """Forget described certificates (benchmarks measure cold runs with it)."""
    _FACTS_CACHE.clear()


def _describe(cert: x509.Certificate, fingerprint: str) -> _CertFacts:
    cached = _FACTS_CACHE.get(fingerprint)
    if cached is not None:
        return cached
    notes: list[str] = []
    try:
        key = describe_spki(cert_spki(cert))
    except der.DerError as exc:
        key_oid = _field(lambda: cert.public_key_algorithm_oid.dotted_string, "", "public key algorithm", notes)
        key = PublicKeyInfo(unknown(IdKind.OID, key_oid or "unreadable-spki"), key_oid, "",
                            note=f"malformed SPKI: {exc}")
    if key.note:
        notes.append(key.note)
    serial = _field(lambda: cert.serial_number, 0, "serial number", notes)
    if serial <= 0:
        notes.append("serial number is not positive (RFC 5280 §4.1.2.2 requires a positive integer)")
    bc = _field(lambda: _ext(cert, x509.BasicConstraints), None, "basic constraints", notes)
    is_ca = bool(bc is not None and bc.ca)
    ski, aki = _field(lambda: _key_ids(cert), (None, None), "key identifiers", notes)
    eku = _field(lambda: _eku(cert), [], "extended key usage", notes)
    key_usage = _field(lambda: _key_usage(cert), [], "key usage", notes)
    self_signed = _field(lambda: _self_signed(cert), False, "self-signed check", notes)
    sig_oid = cert.signature_algorithm_oid.dotted_string
    sig_alg = lookup(IdKind.OID, sig_oid)
    sig_hash = _field(lambda: _signature_hash(cert), None, "signature hash", notes)
    attrs: dict[str, Any] = {
        "subject": _field(lambda: rfc4514(cert.subject), "", "subject", notes),
        "issuer": _field(lambda: rfc4514(cert.issuer), "", "issuer", notes),
        "serial": format(serial, "x"),
        "not_before": _field(lambda: iso(cert.not_valid_before_utc), "", "notBefore", notes),
        "not_after": _field(lambda: iso(cert.not_valid_after_utc), "", "notAfter", notes),
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
    sans = _field(lambda: _sans(cert), [], "subject alternative names", notes)
    for name, value in (("sans", sans), ("key_usage", key_usage), ("extended_key_usage", eku),
                        ("subject_key_id", ski), ("authority_key_id", aki)):
        if value:
            attrs[name] = value
    if bc is not None and bc.path_length is not None:
        attrs["path_length"] = bc.path_length
    if notes:
        attrs["parse_notes"] = list(dict.fromkeys(notes))
    if ExtendedKeyUsageOID.CODE_SIGNING.dotted_string in eku:
        key_use = Usage.CODE_SIGNING
    elif is_ca or "key_cert_sign" in key_usage:
        key_use = Usage.SIGNATURE
    else:
        key_use = Usage.AUTHENTICATION
    sig_params: dict[str, Any] = {"oid": sig_oid}
    if sig_hash:
        sig_params["hash"] = sig_hash
    if self_signed and key.key_bits is not None:
        sig_params["key_bits"] = key.key_bits
    if sig_alg.is_unknown:
        sig_params["raw_identifier"] = sig_oid
        sig_params["unknown_reason"] = "signature algorithm not in the catalogue"
    facts = _CertFacts(_field(lambda: _name_label(cert.subject), "", "subject", []) or fingerprint[:16], attrs, key,
                       key_usage_for(key.algorithm, key_use), sig_alg, sig_params)
    if len(_FACTS_CACHE) >= _FACTS_CACHE_MAX:
        _FACTS_CACHE.clear()
    _FACTS_CACHE[fingerprint] = facts
    return facts


def certificate_to_asset(
    cert: x509.Certificate, location: str, collector: str, *, source: str = "", der_bytes: bytes | None = None
) -> tuple[Asset, list[Finding]]:
    """One certificate as an asset plus two findings (its public key and its signature).

    ``der_bytes``: the certificate's DER when the caller already has it (saves re-encoding).
    """
    fingerprint = hashlib.sha256(der_bytes or cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    asset_id = f"cert:sha256:{fingerprint}"
    facts = _describe(cert, fingerprint)
    attrs = dict(facts.attributes)
    if source:
        attrs["source"] = source
    asset = Asset(asset_id, AssetKind.CERTIFICATE, location, facts.name, attrs)
    detail = str(attrs["subject"])
    findings = [
        Finding(asset_id, facts.key.algorithm.id, facts.key_use, collector, facts.key.parameters(),
                Evidence(location=location, symbol="subjectPublicKeyInfo", detail=detail)),
        Finding(asset_id, facts.signature.id, Usage.SIGNATURE, collector, dict(facts.signature_parameters),
                Evidence(location=location, symbol="signatureAlgorithm", detail=detail)),
    ]
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
