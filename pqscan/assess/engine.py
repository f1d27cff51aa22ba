"""Assessment: join an inventory's findings with policy profiles into verdicts and severities.

Collectors only observe; this module judges. For every finding and every profile it produces one
:class:`Verdict`: a compliance status (compliant / deprecated / disallowed / unknown), a severity,
the applicable deadline and a reason a person can read, e.g. ``RSA-2048 signature on a TLS
certificate: deprecated after 2030, disallowed after 2035 (NIST IR 8547)``.

Which profile category judges a finding (one table, :data:`USAGE_CATEGORY`)::

    key-exchange, encryption        -> key-establishment
    authentication, signature       -> signature
    code-signing                    -> code-signing
    symmetric, mac                  -> symmetric
    hashing, kdf                    -> hash
    protocol                        -> protocol
    key-generation, unknown         -> by the algorithm's primitive (kem/key-agree/pke -> key-establishment,
                                       signature -> signature ...)

A symmetric or hash primitive is always judged as symmetric / hash, whatever the usage says.

Severity mapping (the same for every profile)::

    status \\ next deadline   none     > 2 years   <= 2 years
    compliant                info     low         medium
    deprecated               medium   medium      high
    disallowed               high     high        high
    unknown                  low      low         low

then two overrides, whatever the profile says:

* **harvest-now-decrypt-later** (``hndl``): key exchange or asymmetric encryption with an algorithm
  Shor breaks and no PQ or hybrid component. Traffic recorded today is decrypted once a quantum
  computer exists, so such a finding is at least **high**. When the same asset also offers a PQ or
  hybrid key exchange (an endpoint offering X25519MLKEM768 *and* X25519, an sshd offering
  sntrup761x25519 *and* curve25519, a config list with a hybrid in it), the classical one is a
  *fallback*: still ``hndl`` (peers without PQ support use it and their traffic can be recorded),
  but at least **medium** rather than high, and the reason names what the asset also offers.
* **classically broken** (MD5, SHA-1 signatures, RC4, DES/3DES, RSA/DH < 2048, DSA, TLS < 1.2, a
  signature over MD5/SHA-1): broken today, quantum computer or not: **critical**.

An algorithm the catalogue does not know gets status *unknown*, severity low, and its raw
identifier in the reason: it is never dropped. Protocol versions (``TLS1.0``, ``SSLv3``) are not
catalogue algorithms; :data:`PROTOCOL_VERSIONS` judges them (below TLS 1.2: disallowed, critical).

A certificate's signature is as strong as its *issuer's* key: when the collector could not record
``key_bits`` (or ``curve``) for it, the issuer certificate's (via its ``issued-by`` relation) is used.
A self-signed certificate's own signature over SHA-1 or MD5 is judged as its key (RFC 5280 §6.1: path
validation does not check a trust anchor's self-signature), not as a critical broken signature.
RSA key transport on a TLS endpoint takes its key size from the certificate the endpoint presents, an
SSH endpoint's RSA host-key algorithm (``rsa-sha2-512``) from the RSA host key it has.
A hash reported as a MAC (``SHA1`` in a cipher string) is judged as HMAC over it. A crypto library
found among the dependencies (``raw_identifier`` ``library:...``) is an inventory entry: *unknown*,
low, with its PQ capabilities in the reason.
Result types (:class:`Verdict`, :class:`Assessment`, :class:`MatrixRow`) live in :mod:`pqscan.assess.verdicts`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from pqscan import algorithms
from pqscan.algorithms import Algorithm
from pqscan.assess.combined import acceptable_everywhere
from pqscan.assess.exposure import Harvest, harvest
from pqscan.assess.ownership import Override, Ownership, Role, classify, role_of
from pqscan.assess.profile_model import protocol_key
from pqscan.assess.profiles import Category, CategoryPolicy, ComplianceStatus, Profile, Rule, date_text
from pqscan.assess.verdicts import Assessment, MatrixRow, Verdict
from pqscan.inventory import Inventory
from pqscan.model import (
    ATTR_SELF_SIGNED,
    PARAM_BASIS,
    PARAM_CURVE,
    PARAM_HASH,
    PARAM_KEY_BITS,
    PARAM_KEY_TRANSPORT,
    PARAM_LIBRARY,
    PARAM_LIST_HAS_PQ_HYBRID,
    PARAM_RAW_IDENTIFIER,
    PARAM_USED_FOR_SECURITY,
    SYMBOL_PUBLIC_KEY_INFO,
    Asset,
    AssetKind,
    Finding,
    Primitive,
    RelationKind,
    Severity,
    Usage,
)

__all__ = [
    "Assessment",
    "ComplianceStatus",
    "MatrixRow",
    "Verdict",
    "assess",
    "category_for",
    "severity_for",
]

# How close a deadline must be to raise the severity.
NEAR_DEADLINE = datetime.timedelta(days=2 * 365)

USAGE_CATEGORY: Mapping[Usage, Category | None] = {
    Usage.KEY_EXCHANGE: Category.KEY_ESTABLISHMENT,
    Usage.ENCRYPTION: Category.KEY_ESTABLISHMENT,
    Usage.AUTHENTICATION: Category.SIGNATURE,
    Usage.SIGNATURE: Category.SIGNATURE,
    Usage.CODE_SIGNING: Category.CODE_SIGNING,
    Usage.SYMMETRIC: Category.SYMMETRIC,
    Usage.MAC: Category.SYMMETRIC,
    Usage.HASHING: Category.HASH,
    Usage.KDF: Category.HASH,
    Usage.PROTOCOL: Category.PROTOCOL,
    Usage.KEY_GENERATION: None,  # decided by the primitive
    Usage.UNKNOWN: None,
}

PRIMITIVE_CATEGORY: Mapping[Primitive, Category | None] = {
    Primitive.KEM: Category.KEY_ESTABLISHMENT,
    Primitive.KEY_AGREE: Category.KEY_ESTABLISHMENT,
    Primitive.PKE: Category.KEY_ESTABLISHMENT,
    Primitive.COMBINER: Category.KEY_ESTABLISHMENT,
    Primitive.SIGNATURE: Category.SIGNATURE,
    Primitive.BLOCK_CIPHER: Category.SYMMETRIC,
    Primitive.STREAM_CIPHER: Category.SYMMETRIC,
    Primitive.AE: Category.SYMMETRIC,
    Primitive.MAC: Category.SYMMETRIC,
    Primitive.DRBG: Category.SYMMETRIC,
    Primitive.HASH: Category.HASH,
    Primitive.XOF: Category.HASH,
    Primitive.KDF: Category.HASH,
    Primitive.OTHER: None,
    Primitive.UNKNOWN: None,
}

_SYMMETRIC_CATEGORIES = {Category.SYMMETRIC, Category.HASH}
# Broken today whatever the catalogue entry says about the key size (FIPS 186-5: DSA retired).
_BROKEN_FAMILIES = {"DSA"}
_KEY_SIZE_FAMILIES = {"RSA", "DH", "DSA", "ElGamal"}

USAGE_NOUN: Mapping[Usage, str] = {
    Usage.KEY_EXCHANGE: "key exchange",
    Usage.ENCRYPTION: "asymmetric encryption",
    Usage.AUTHENTICATION: "authentication key",
    Usage.SIGNATURE: "signature",
    Usage.CODE_SIGNING: "code signature",
    Usage.KEY_GENERATION: "key generation",
    Usage.SYMMETRIC: "cipher",
    Usage.HASHING: "hash",
    Usage.MAC: "MAC",
    Usage.KDF: "key derivation",
    Usage.PROTOCOL: "protocol version",
    Usage.UNKNOWN: "use",
}

ASSET_PLACE: Mapping[AssetKind, str] = {
    AssetKind.TLS_ENDPOINT: "on a TLS endpoint",
    AssetKind.SSH_ENDPOINT: "on an SSH endpoint",
    AssetKind.CERTIFICATE: "on a certificate",
    AssetKind.CSR: "on a certificate request",
    AssetKind.CRL: "on a CRL",
    AssetKind.PUBLIC_KEY: "in a public key file",
    AssetKind.PRIVATE_KEY: "in a private key file",
    AssetKind.HOST_KEY: "as an SSH host key",
    AssetKind.KEYSTORE: "in a keystore",
    AssetKind.KEY_FILE: "in a key file",
    AssetKind.SOURCE_FILE: "in source code",
    AssetKind.DEPENDENCY: "in a dependency",
    AssetKind.CONFIG: "in a configuration file",
    AssetKind.SERVICE: "in a service",
    AssetKind.SOFTWARE: "in server software",
    AssetKind.OTHER: "",
}

_STATUS_WORD = {
    ComplianceStatus.COMPLIANT: "acceptable",
    ComplianceStatus.DEPRECATED: "deprecated",
    ComplianceStatus.DISALLOWED: "not acceptable",
    ComplianceStatus.UNKNOWN: "not judged",
}


# -- judging one finding ----------------------------------------------------------------------


def category_for(usage: Usage, alg: Algorithm) -> Category | None:
    """The profile category that judges this use of this algorithm (see the module docstring)."""
    by_primitive = PRIMITIVE_CATEGORY.get(alg.primitive)
    if by_primitive in _SYMMETRIC_CATEGORIES:
        return by_primitive
    by_usage = USAGE_CATEGORY.get(usage)
    if by_usage is not None and (by_usage not in _SYMMETRIC_CATEGORIES or by_primitive is None):
        return by_usage
    return by_primitive


# Protocol versions, as collectors name them ("TLS1.0", "TLSv1.1", "SSLv3", "SSH-1"); not algorithms,
# so they are judged here. True = prohibited or deprecated: SSL 2.0 (RFC 6176), SSL 3.0 (RFC 7568),
# TLS 1.0/1.1 and DTLS 1.0 (RFC 8996); SSH protocol 1 (obsolete; RFC 4251 defines version 2).
PROTOCOL_VERSIONS: Mapping[str, bool] = {
    **dict.fromkeys(["ssl2", "ssl2.0", "ssl3", "ssl3.0", "tls1", "tls1.0", "tls1.1", "dtls1", "dtls1.0",
                     "ssh1", "ssh1.0", "ssh1.5", "ssh1.99"], True),
    **dict.fromkeys(["tls1.2", "tls1.3", "dtls1.2", "dtls1.3", "ssh2", "ssh2.0"], False),
}


def _protocol_verdict(finding: Finding, profile: Profile, rest: str, today: datetime.date) -> Verdict | None:
    params = finding.parameters or {}
    names = [finding.algorithm, str(params.get("protocol") or ""), str(params.get(PARAM_RAW_IDENTIFIER) or "")]
    for name in names:
        broken = PROTOCOL_VERSIONS.get(protocol_key(name)) if name else None
        if broken is None:
            continue
        head = f"{name} {rest}"
        if broken:
            reason = (f"{head}: not acceptable ({profile.name}) - prohibited or deprecated protocol version "
                      "(RFC 6176, RFC 7568, RFC 8996); classically broken today, whatever the quantum timeline")
            return Verdict(finding.id, profile.id, ComplianceStatus.DISALLOWED, Severity.CRITICAL, reason, None,
                           False, True)
        rule = profile.protocol_rule(name)
        if rule is not None:  # the profile says something about this version (TLS 1.3 required by a date ...)
            status, deadline = rule.status_on(today), _deadline(rule, today)
            reason = f"{head}: {_rule_text(rule, status)} ({profile.name})" + (f" - {rule.note}" if rule.note else "")
            return Verdict(finding.id, profile.id, status, severity_for(status, deadline, today), reason, deadline,
                           False, False)
        return Verdict(finding.id, profile.id, ComplianceStatus.COMPLIANT, Severity.INFO,
                       f"{head}: acceptable ({profile.name})", None, False, False)
    return None


def severity_for(status: ComplianceStatus, deadline: datetime.date | None, today: datetime.date, *,
                 hndl: bool = False, classically_broken: bool = False) -> Severity:
    """The documented mapping: status x deadline proximity, then the HNDL and broken overrides."""
    if classically_broken:
        return Severity.CRITICAL
    upcoming = deadline is not None and deadline >= today
    near = upcoming and deadline is not None and deadline - today <= NEAR_DEADLINE
    if status is ComplianceStatus.DISALLOWED:
        sev = Severity.HIGH
    elif status is ComplianceStatus.DEPRECATED:
        sev = Severity.HIGH if near else Severity.MEDIUM
    elif status is ComplianceStatus.UNKNOWN:
        sev = Severity.LOW
    else:
        sev = Severity.MEDIUM if near else Severity.LOW if upcoming else Severity.INFO
    if hndl and sev.rank < Severity.HIGH.rank:
        sev = Severity.HIGH
    return sev


def _broken_today(alg: Algorithm, category: Category | None, params: Mapping[str, Any]) -> bool:
    if algorithms.is_classically_broken(alg, params) or alg.family in _BROKEN_FAMILIES:
        return True
    if category in (Category.SIGNATURE, Category.CODE_SIGNING):
        digests = [str(params[PARAM_HASH])] if params.get(PARAM_HASH) else []
        if alg.hash:
            digests.append(alg.hash)
        return any(algorithms.get(d).classically_broken for d in digests)
    return False


def _subject(finding: Finding, alg: Algorithm) -> str:
    params = finding.parameters
    if alg.is_unknown:
        raw = params.get(PARAM_RAW_IDENTIFIER) or alg.raw_identifier or finding.algorithm
        if str(raw) in ("", algorithms.UNKNOWN_ID):  # nothing named it (an encrypted key, say)
            what = params.get("object")
            return f"unidentified algorithm ({what})" if what else "unidentified algorithm"
        return f"unknown algorithm {str(raw)!r}"
    bits = params.get(PARAM_KEY_BITS)
    if alg.family in _KEY_SIZE_FAMILIES and isinstance(bits, int) and not isinstance(bits, bool):
        sized = f"{alg.family}-{bits}"
        return sized if alg.id == alg.family else f"{sized} ({alg.id})"
    return alg.id


def _place(asset: Asset | None, tls_presented: set[str]) -> str:
    if asset is None:
        return ""
    if asset.kind is AssetKind.CERTIFICATE and asset.id in tls_presented:
        return "on a TLS certificate"
    return ASSET_PLACE.get(asset.kind, "")


def _rule_text(rule: Rule, status: ComplianceStatus) -> str:
    parts = [] if rule.status is ComplianceStatus.COMPLIANT else [_STATUS_WORD[rule.status]]
    parts += [f"{label} after {date_text(d)}" for label, d in rule.dates()]
    text = ", ".join(parts) or _STATUS_WORD[ComplianceStatus.COMPLIANT]
    if status is not rule.status:
        text = f"now {status.value}: {text}"
    return text


def _deadline(rule: Rule, today: datetime.date) -> datetime.date | None:
    dates = sorted(d for _, d in rule.dates())
    upcoming = [d for d in dates if d >= today]
    if upcoming:
        return upcoming[0]
    return dates[-1] if dates else None


_KEY_ASSETS = {AssetKind.PUBLIC_KEY, AssetKind.PRIVATE_KEY, AssetKind.HOST_KEY, AssetKind.KEY_FILE,
               AssetKind.KEYSTORE}


def _noun(finding: Finding, asset: Asset | None) -> str:
    if finding.usage is Usage.ENCRYPTION and finding.parameters.get(PARAM_KEY_TRANSPORT) is True:
        return "key transport (no forward secrecy)"
    if finding.usage is Usage.SIGNATURE and (
            (asset is not None and asset.kind in _KEY_ASSETS)
            or finding.evidence.symbol == SYMBOL_PUBLIC_KEY_INFO):
        return "signing key"  # a key that signs (a CA's key, a key file), not a signature already made
    return USAGE_NOUN[finding.usage]


def _as_hmac(alg: Algorithm) -> Algorithm:
    """A hash named as a MAC ("SHA1" in a TLS cipher string, a MAC list) is HMAC over that hash."""
    hmac = algorithms.get("HMAC-" + alg.id.replace("SHA-", "SHA"))
    return alg if hmac.is_unknown else hmac


def _library_record(finding: Finding, profile: Profile, place: str) -> Verdict:
    """A crypto library found among the dependencies: an inventory entry, not an algorithm use."""
    params = finding.parameters
    caps = []
    for key, label in (("ml_kem", "ML-KEM"), ("ml_dsa", "ML-DSA"), ("slh_dsa", "SLH-DSA")):
        value = params.get(key)
        if value is True:
            caps.append(f"has {label}")
        elif value is False:
            caps.append(f"no {label}")
        elif value is not None:
            caps.append(f"{label} support not verified")
    name = params.get(PARAM_LIBRARY) or str(params.get(PARAM_RAW_IDENTIFIER, ""))[len("library:"):]
    reason = (f"crypto library {str(name)!r}{' ' + place if place else ''}: not judged ({profile.name}) - the calling code chooses "
              "its algorithms, judged on the code findings")
    if caps:
        reason += f"; this version: {', '.join(caps)}"
    return Verdict(finding.id, profile.id, ComplianceStatus.UNKNOWN, Severity.LOW, reason, None, False, False)


def _self_signed(asset: Asset) -> bool:
    """The collector's ``self_signed``, or subject == issuer with no issuer in the inventory: the collector
    cannot verify a SHA-1/MD5 self-signature with a library that refuses those hashes, and says False."""
    attrs = asset.attributes
    if attrs.get(ATTR_SELF_SIGNED) is True:
        return True
    subject, issuer = attrs.get("subject"), attrs.get("issuer")
    return (isinstance(subject, str) and bool(subject) and subject == issuer
            and not any(r.kind is RelationKind.ISSUED_BY for r in asset.relations))


def _trust_anchor_self_signature(alg: Algorithm, finding: Finding, asset: Asset | None) -> Algorithm | None:
    """The key algorithm to judge instead, when a self-signed certificate's own signature is weak only
    through its hash (SHA-1, MD5): path validation does not check a trust anchor's self-signature
    (RFC 5280 §6.1), so the weak hash is not exploitable there; the key itself still is judged."""
    if (asset is None or asset.kind is not AssetKind.CERTIFICATE or finding.usage is not Usage.SIGNATURE
            or not _self_signed(asset) or alg.family in _BROKEN_FAMILIES):
        return None
    digests = [str(finding.parameters[PARAM_HASH])] if finding.parameters.get(PARAM_HASH) else []
    digests += [alg.hash] if alg.hash else []
    if not any(algorithms.get(d).classically_broken for d in digests):
        return None
    key = algorithms.get(alg.family)
    if key.is_unknown or key.primitive is not Primitive.SIGNATURE:
        return None
    return key


def _fallback_text(pq_alternatives: Sequence[str], params: Mapping[str, Any]) -> str:
    if pq_alternatives:
        offered = ", ".join(pq_alternatives)
        return (f"harvest-now-decrypt-later for peers without PQ support only: this asset also offers {offered}, "
                "which PQ-capable peers use; the classical fallback is still recorded-traffic exposure")
    if params.get(PARAM_LIST_HAS_PQ_HYBRID) is True:
        return ("harvest-now-decrypt-later for peers without PQ support only: the same list also offers a PQ "
                "hybrid; the classical fallback is still recorded-traffic exposure")
    return "harvest-now-decrypt-later: no PQ or hybrid key exchange, recorded traffic can be decrypted later"


def judge(finding: Finding, profile: Profile, today: datetime.date, *, asset: Asset | None = None,
          tls_presented: set[str] | None = None, pq_alternatives: Sequence[str] = ()) -> Verdict:
    """One finding under one profile.

    ``pq_alternatives``: PQ or hybrid key exchanges the same asset also offers (then a classical key
    exchange there is a fallback: still harvest-now-decrypt-later for peers without PQ, severity at
    least medium instead of high, and the reason says what the asset offers).
    """
    params = finding.parameters or {}
    alg = algorithms.get(finding.algorithm)
    if finding.usage is Usage.MAC and alg.primitive is Primitive.HASH:
        alg = _as_hmac(alg)
    rest = " ".join(x for x in (_noun(finding, asset), _place(asset, tls_presented or set())) if x)
    head = f"{_subject(finding, alg)} {rest}"
    if finding.usage is Usage.PROTOCOL:
        judged = _protocol_verdict(finding, profile, rest, today)
        if judged is not None:
            return judged
    if alg.is_unknown:
        if str(params.get(PARAM_RAW_IDENTIFIER, "")).startswith("library:"):
            return _library_record(finding, profile, _place(asset, tls_presented or set()))
        named = str(params.get(PARAM_RAW_IDENTIFIER) or alg.raw_identifier or finding.algorithm)
        missing = ("could not be identified" if named in ("", algorithms.UNKNOWN_ID)
                   else "not in the pqscan catalogue")
        reason = f"{head}: {missing}, review it by hand ({profile.name})"
        if params.get("unknown_reason"):
            reason += f"; {params['unknown_reason']}"
        return Verdict(finding.id, profile.id, ComplianceStatus.UNKNOWN, Severity.LOW, reason, None, False, False)

    anchor_key = _trust_anchor_self_signature(alg, finding, asset)
    if anchor_key is not None:
        alg = anchor_key
        params = {k: v for k, v in params.items() if k != PARAM_HASH}
    category = category_for(finding.usage, alg)
    broken = _broken_today(alg, category, params)
    if broken and finding.usage is Usage.MAC and alg.primitive is Primitive.HASH:
        # HMAC does not rely on collision resistance: HMAC-MD5/HMAC-SHA1 are not broken by the
        # collision attacks that break MD5/SHA-1 signatures (RFC 6151 §2.3, RFC 2104).
        broken = False
    exposure = harvest(alg, finding.usage,
                       pq_offered=bool(pq_alternatives) or params.get(PARAM_LIST_HAS_PQ_HYBRID) is True)
    hndl = exposure.exposed and category is Category.KEY_ESTABLISHMENT
    fallback = hndl and exposure is Harvest.FALLBACK
    policy: CategoryPolicy | None = None
    rule: Rule | None = None
    if category is not None:
        policy, rule = profile.evaluate(category, alg, params)
    deadline: datetime.date | None = None
    if policy is None:
        status = ComplianceStatus.UNKNOWN
        what = category.value if category else f"{finding.usage.value} of a {alg.primitive.value}"
        text = f"{what} is not covered by this profile"
        note = ""
    elif rule is None:
        status = policy.default
        text, note = _STATUS_WORD[status], policy.default_note
    else:
        status = rule.status_on(today)
        text, note, deadline = _rule_text(rule, status), rule.note, _deadline(rule, today)
    reason = f"{head}: {text} ({profile.name})"
    if note:
        reason += f" - {note}"
    if anchor_key is not None:
        reason += ("; its self-signature uses a broken hash, but path validation does not check a trust "
                   "anchor's self-signature (RFC 5280 §6.1): not exploitable here, the key is what is judged")
    not_for_security = params.get(PARAM_USED_FOR_SECURITY) is False
    if not_for_security:
        # Python's hashlib flag: the code says this digest protects nothing (a cache key, a checksum), so
        # the collision attacks that break it for security uses do not apply: not counted as broken.
        broken = False
    if broken:
        reason += "; classically broken today, whatever the quantum timeline"
    if hndl:
        reason += "; " + _fallback_text(pq_alternatives, params)
    if params.get(PARAM_BASIS) == "library-default" and params.get(PARAM_LIBRARY):
        reason += (f"; this is the default of {params[PARAM_LIBRARY]} in the version used: upgrading it (or "
                   "configuring a PQ hybrid) changes it")
    severity = severity_for(status, deadline, today, hndl=hndl and not fallback, classically_broken=broken)
    if fallback and severity.rank < Severity.MEDIUM.rank:
        severity = Severity.MEDIUM
    if not_for_security and (status is not ComplianceStatus.COMPLIANT or deadline is not None):
        reason += ("; but marked usedforsecurity=False (a checksum or cache key, not a security use), so its "
                   "weakness does not apply here: low priority")
        if severity.rank > Severity.LOW.rank:
            severity = Severity.LOW
    return Verdict(finding.id, profile.id, status, severity, reason, deadline, hndl, broken, policy is not None)


def _tls_presented(assets: Mapping[str, Asset]) -> set[str]:
    """Certificates served over TLS: presented by an endpoint, and their issuers up the chain."""
    todo = [r.target for a in assets.values() if a.kind is AssetKind.TLS_ENDPOINT
            for r in a.relations if r.kind is RelationKind.PRESENTS]
    out: set[str] = set()
    while todo:
        cid = todo.pop()
        if cid in out:
            continue
        out.add(cid)
        cert = assets.get(cid)
        if cert is not None:
            todo.extend(r.target for r in cert.relations if r.kind is RelationKind.ISSUED_BY)
    return out


def _with_signer_key(finding: Finding, asset: Asset | None, assets: Mapping[str, Asset]) -> Finding:
    """A certificate's signature strength is the issuer's key size: take it from the issuer asset
    when the collector could not put it in the finding (it only knows it for self-signed ones)."""
    if (asset is None or asset.kind is not AssetKind.CERTIFICATE or finding.usage is not Usage.SIGNATURE
            or (PARAM_KEY_BITS in finding.parameters and PARAM_CURVE in finding.parameters)):
        return finding
    issuers = [r.target for r in asset.relations if r.kind is RelationKind.ISSUED_BY]
    issuer = assets.get(issuers[0]) if issuers else (asset if _self_signed(asset) else None)
    if issuer is None:
        return finding
    added: dict[str, Any] = {}
    bits = issuer.attributes.get(PARAM_KEY_BITS)
    if PARAM_KEY_BITS not in finding.parameters and isinstance(bits, int) and not isinstance(bits, bool):
        added[PARAM_KEY_BITS] = bits
    curve = issuer.attributes.get(PARAM_CURVE)
    if (PARAM_CURVE not in finding.parameters and isinstance(curve, str)
            and algorithms.get(finding.algorithm).family in ("ECDSA", "ECDH")):
        added[PARAM_CURVE] = curve  # the issuer's curve: CNSA 1.0 accepted ECDSA on P-384 only
    return replace(finding, parameters={**finding.parameters, **added}) if added else finding


# Where an endpoint's RSA use takes its key: (endpoint kind, usage) -> (relation, attribute naming the key).
_ENDPOINT_KEYS = {
    (AssetKind.TLS_ENDPOINT, Usage.ENCRYPTION): (RelationKind.PRESENTS, "public_key_algorithm"),  # key transport
    (AssetKind.SSH_ENDPOINT, Usage.AUTHENTICATION): (RelationKind.HAS_HOST_KEY, "algorithm"),  # rsa-sha2-512
}


def _with_endpoint_key(finding: Finding, asset: Asset | None, assets: Mapping[str, Asset]) -> Finding:
    """An endpoint's RSA key transport (TLS) or RSA host-key algorithm (SSH) uses the RSA key of the
    certificate it presents / the host key it has: take that key's size when the collector did not
    record it, so the reason says RSA-2048 (deprecated after 2030 under NIST), not "unknown size"."""
    where = _ENDPOINT_KEYS.get((asset.kind, finding.usage)) if asset is not None else None
    if (asset is None or where is None or PARAM_KEY_BITS in finding.parameters
            or algorithms.get(finding.algorithm).family != "RSA"):
        return finding
    relation, attribute = where
    for rel in asset.relations:
        key = assets.get(rel.target) if rel.kind is relation else None
        if key is None or algorithms.get(str(key.attributes.get(attribute, ""))).family != "RSA":
            continue
        bits = key.attributes.get(PARAM_KEY_BITS)
        if isinstance(bits, int) and not isinstance(bits, bool):
            return replace(finding, parameters={**finding.parameters, PARAM_KEY_BITS: bits})
    return finding


# Assets where several key exchanges are *offered* side by side, so a classical one next to a PQ one is a
# fallback. Not source files: code that uses X25519 and ML-KEM-768 may be building one hybrid.
_OFFERING_ASSETS = {AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT, AssetKind.CONFIG, AssetKind.SERVICE}


def _pq_key_exchanges(findings: Sequence[Finding], assets: Mapping[str, Asset]) -> dict[str, tuple[str, ...]]:
    """Asset id -> the PQ or hybrid key exchanges it offers (TLS groups, SSH KEX, config lists)."""
    out: dict[str, dict[str, None]] = {}
    for f in findings:
        asset = assets.get(f.asset_id)
        if asset is None or asset.kind not in _OFFERING_ASSETS:
            continue
        alg = algorithms.get(f.algorithm)
        if harvest(alg, f.usage) is Harvest.PROTECTED:
            out.setdefault(f.asset_id, {})[alg.id] = None
    return {k: tuple(v) for k, v in out.items()}


# What a finding on an asset you do not operate becomes: at most this severity, and why.
_NOT_OPERATED: Mapping[Ownership, tuple[Severity, str]] = {
    Ownership.VENDOR: (Severity.LOW, "track your vendor's migration, nothing to change here"),
    Ownership.THIRD_PARTY: (Severity.LOW, "its maintainers' to fix: upgrade the dependency when they do"),
    Ownership.EXPIRED: (Severity.LOW, "remove it, or renew it with a post-quantum algorithm"),
    Ownership.TEST: (Severity.INFO, "reported for information only"),
}


def _as_owned(v: Verdict, role: Role) -> Verdict:
    """A verdict on an asset you do not operate: severity capped, the reason says whose it is."""
    cap = _NOT_OPERATED.get(role.ownership)
    if cap is None:
        return v
    limit, todo = cap
    severity = limit if v.severity.rank > limit.rank else v.severity
    return replace(v, severity=severity, reason=f"{v.reason}; {role.ownership.label} ({role.reason}): {todo}")


def assess(inventory: Inventory, profiles: Sequence[Profile], today: datetime.date | None = None, *,
           overrides: Sequence[Override] = ()) -> Assessment:
    """Judge every finding of the inventory under every profile (in the order given), with the
    ownership of every asset (:mod:`pqscan.assess.ownership`; ``overrides`` from a flag or services file)."""
    today = today or datetime.date.today()
    roles = classify(inventory.assets, today, overrides, inventory.attachments.get("roots"))
    finding_assets: dict[str, str] = {}
    acceptable: dict[str, tuple[str, ...]] = {}
    memo: dict[Category, tuple[str, ...]] = {}
    presented = _tls_presented(inventory.assets)
    pq_offered = _pq_key_exchanges(inventory.findings, inventory.assets)
    verdicts: dict[str, list[Verdict]] = {}
    # Estates repeat themselves (thousands of endpoints with the same group): a verdict depends only
    # on what this key holds, so each distinct use is judged once per profile.
    cache: dict[tuple[Any, ...], list[Verdict]] = {}
    for finding in inventory.findings:
        fid = finding.id  # a digest: computed once
        asset = inventory.assets.get(finding.asset_id)
        judged = _with_endpoint_key(_with_signer_key(finding, asset, inventory.assets), asset, inventory.assets)
        pq_alternatives = pq_offered.get(finding.asset_id, ())
        key = (judged.algorithm, judged.usage, _params_key(judged.parameters),
               asset.kind if asset is not None else None, finding.asset_id in presented, pq_alternatives,
               bool(asset is not None and asset.kind is AssetKind.CERTIFICATE and _self_signed(asset)),
               finding.evidence.symbol == SYMBOL_PUBLIC_KEY_INFO)
        same = cache.get(key)
        if same is None:
            same = cache[key] = [judge(judged, p, today, asset=asset, tls_presented=presented,
                                       pq_alternatives=pq_alternatives) for p in profiles]
        role = role_of(roles, finding.asset_id)
        verdicts[fid] = [_as_owned(replace(v, finding_id=fid), role) for v in same]
        finding_assets[fid] = finding.asset_id
        acceptable[fid] = acceptable_everywhere(
            profiles, category_for(judged.usage, algorithms.get(judged.algorithm)), today, memo)
    return Assessment(profiles=list(profiles), verdicts=verdicts, today=today, roles=roles,
                      finding_assets=finding_assets, acceptable=acceptable, overrides=tuple(overrides))


def _params_key(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), repr(v)) for k, v in params.items()))
