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
  computer exists, so such a finding is at least **high**.
* **classically broken** (MD5, SHA-1 signatures, RC4, DES/3DES, RSA/DH < 2048, DSA, TLS < 1.2, a
  signature over MD5/SHA-1): broken today, quantum computer or not: **critical**.

An algorithm the catalogue does not know gets status *unknown*, severity low, and its raw
identifier in the reason: it is never dropped. Protocol versions (``TLS1.0``, ``SSLv3``) are not
catalogue algorithms; :data:`PROTOCOL_VERSIONS` judges them (below TLS 1.2: disallowed, critical).

A certificate's signature is as strong as its *issuer's* key: when the collector could not record
``key_bits`` for it, the issuer certificate's ``key_bits`` (via its ``issued-by`` relation) is used.
Result types (:class:`Verdict`, :class:`Assessment`, :class:`MatrixRow`) live in :mod:`pqscan.verdicts`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from pqscan import algorithms
from pqscan.algorithms import Algorithm
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Finding, Primitive, QuantumStatus, RelationKind, Severity, Usage
from pqscan.profiles import Category, CategoryPolicy, ComplianceStatus, Profile, Rule, date_text
from pqscan.verdicts import Assessment, MatrixRow, Verdict

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
_HNDL_USAGES = {Usage.KEY_EXCHANGE, Usage.ENCRYPTION}
# Broken today whatever the catalogue entry says about the key size (FIPS 186-5: DSA retired).
_BROKEN_FAMILIES = {"DSA"}
# Parameter names collectors use for the digest inside a signature ("sha1WithRSAEncryption").
_HASH_PARAMETERS = ("hash", "signature_hash", "digest")
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
    AssetKind.PUBLIC_KEY: "of a public key",
    AssetKind.PRIVATE_KEY: "of a private key",
    AssetKind.HOST_KEY: "of an SSH host key",
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
    ComplianceStatus.UNKNOWN: "not covered",
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


def _protocol_key(text: str) -> str:
    key = text.strip().lower().replace(" ", "").replace("_", "").replace("-", "")
    for prefix in ("dtls", "tls", "ssl", "ssh"):
        if key.startswith(prefix + "v"):
            key = prefix + key[len(prefix) + 1:]
    return key


# Protocol versions, as collectors name them ("TLS1.0", "TLSv1.1", "SSLv3", "SSH-1"); not algorithms,
# so they are judged here. True = prohibited or deprecated: SSL 2.0 (RFC 6176), SSL 3.0 (RFC 7568),
# TLS 1.0/1.1 and DTLS 1.0 (RFC 8996); SSH protocol 1 (obsolete; RFC 4251 defines version 2).
PROTOCOL_VERSIONS: Mapping[str, bool] = {
    **dict.fromkeys(["ssl2", "ssl2.0", "ssl3", "ssl3.0", "tls1", "tls1.0", "tls1.1", "dtls1", "dtls1.0",
                     "ssh1", "ssh1.0", "ssh1.5", "ssh1.99"], True),
    **dict.fromkeys(["tls1.2", "tls1.3", "dtls1.2", "dtls1.3", "ssh2", "ssh2.0"], False),
}


def _protocol_verdict(finding: Finding, profile: Profile, rest: str) -> Verdict | None:
    params = finding.parameters or {}
    names = [finding.algorithm, str(params.get("protocol") or ""), str(params.get("raw_identifier") or "")]
    for name in names:
        broken = PROTOCOL_VERSIONS.get(_protocol_key(name)) if name else None
        if broken is None:
            continue
        head = f"{name} {rest}"
        if broken:
            reason = (f"{head}: not acceptable ({profile.name}) - prohibited or deprecated protocol version "
                      "(RFC 6176, RFC 7568, RFC 8996); classically broken today, whatever the quantum timeline")
            return Verdict(finding.id, profile.id, ComplianceStatus.DISALLOWED, Severity.CRITICAL, reason, None,
                           False, True)
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
        digests = [str(params[k]) for k in _HASH_PARAMETERS if params.get(k)]
        if alg.hash:
            digests.append(alg.hash)
        return any(algorithms.get(d).classically_broken for d in digests)
    return False


def _subject(finding: Finding, alg: Algorithm) -> str:
    params = finding.parameters
    if alg.is_unknown:
        raw = params.get("raw_identifier") or alg.raw_identifier or finding.algorithm
        return f"unknown algorithm {str(raw)!r}"
    bits = params.get("key_bits")
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


def judge(finding: Finding, profile: Profile, today: datetime.date, *, asset: Asset | None = None,
          tls_presented: set[str] | None = None) -> Verdict:
    """One finding under one profile."""
    params = finding.parameters or {}
    alg = algorithms.get(finding.algorithm)
    rest = " ".join(x for x in (USAGE_NOUN[finding.usage], _place(asset, tls_presented or set())) if x)
    head = f"{_subject(finding, alg)} {rest}"
    if finding.usage is Usage.PROTOCOL:
        judged = _protocol_verdict(finding, profile, rest)
        if judged is not None:
            return judged
    if alg.is_unknown:
        reason = f"{head}: not in the pqscan catalogue, review it by hand ({profile.name})"
        if params.get("unknown_reason"):
            reason += f"; {params['unknown_reason']}"
        return Verdict(finding.id, profile.id, ComplianceStatus.UNKNOWN, Severity.LOW, reason, None, False, False)

    category = category_for(finding.usage, alg)
    broken = _broken_today(alg, category, params)
    if broken and finding.usage is Usage.MAC and alg.primitive is Primitive.HASH:
        # HMAC does not rely on collision resistance: HMAC-MD5/HMAC-SHA1 are not broken by the
        # collision attacks that break MD5/SHA-1 signatures (RFC 6151 §2.3, RFC 2104).
        broken = False
    hndl = (finding.usage in _HNDL_USAGES and category is Category.KEY_ESTABLISHMENT
            and alg.quantum_status is QuantumStatus.BROKEN)
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
    if broken:
        reason += "; classically broken today, whatever the quantum timeline"
    if hndl:
        reason += "; harvest-now-decrypt-later: no PQ or hybrid key exchange, recorded traffic can be decrypted later"
    severity = severity_for(status, deadline, today, hndl=hndl, classically_broken=broken)
    if params.get("usedforsecurity") is False:
        # Python's hashlib flag: the code says this digest protects nothing (a cache key, a checksum).
        reason += "; marked usedforsecurity=False, so not a security use: low priority"
        if severity.rank > Severity.LOW.rank:
            severity = Severity.LOW
    return Verdict(finding.id, profile.id, status, severity, reason, deadline, hndl, broken)


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
            or "key_bits" in finding.parameters):
        return finding
    issuers = [r.target for r in asset.relations if r.kind is RelationKind.ISSUED_BY]
    issuer = assets.get(issuers[0]) if issuers else (asset if asset.attributes.get("self_signed") else None)
    bits = issuer.attributes.get("key_bits") if issuer is not None else None
    if not isinstance(bits, int) or isinstance(bits, bool):
        return finding
    return replace(finding, parameters={**finding.parameters, "key_bits": bits})


def assess(inventory: Inventory, profiles: Sequence[Profile], today: datetime.date | None = None) -> Assessment:
    """Judge every finding of the inventory under every profile (in the order given)."""
    today = today or datetime.date.today()
    presented = _tls_presented(inventory.assets)
    verdicts: dict[str, list[Verdict]] = {}
    # Estates repeat themselves (thousands of endpoints with the same group): a verdict depends only
    # on what this key holds, so each distinct use is judged once per profile.
    cache: dict[tuple[Any, ...], list[Verdict]] = {}
    for finding in inventory.findings:
        fid = finding.id  # a digest: computed once
        asset = inventory.assets.get(finding.asset_id)
        judged = _with_signer_key(finding, asset, inventory.assets)
        key = (judged.algorithm, judged.usage, _params_key(judged.parameters),
               asset.kind if asset is not None else None, finding.asset_id in presented)
        same = cache.get(key)
        if same is None:
            same = cache[key] = [judge(judged, p, today, asset=asset, tls_presented=presented) for p in profiles]
        verdicts[fid] = [Verdict(fid, v.profile, v.status, v.severity, v.reason, v.deadline, v.hndl,
                                 v.classically_broken) for v in same]
    return Assessment(profiles=list(profiles), verdicts=verdicts, today=today)


def _params_key(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), repr(v)) for k, v in params.items()))
