"""One file being scanned: collects the assets, findings and errors of everything inside it.

Parsers call ``add_*`` for each item they find; :meth:`FileContext.result` then adds the file
asset (``file:<path>``, kind ``key-file`` or ``keystore``) with a ``contains`` edge to each item.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pqscan.algorithms import IdKind, get, lookup, unknown
from pqscan.collect.ssh.keys import SshPublicKey, host_key_asset
from pqscan.collect.x509 import certificate_to_asset, iso, key_asset, rfc4514
from pqscan.model import (
    Asset,
    AssetKind,
    ErrorKind,
    Evidence,
    Finding,
    Relation,
    RelationKind,
    ScanError,
    ScanResult,
    Usage,
)
from pqscan.textsafe import clean

COLLECTOR = "certs"


@dataclass
class FileContext:
    path: Path
    passwords: tuple[bytes, ...] = ()
    file_kind: AssetKind = AssetKind.KEY_FILE
    formats: list[str] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    certificates: dict[str, x509.Certificate] = field(default_factory=dict)
    file_attributes: dict[str, Any] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def file_id(self) -> str:
        return f"file:{self.path}"

    def where(self, line: int | None = None, symbol: str = "", detail: str = "") -> Evidence:
        return Evidence(location=self.location, line=line, symbol=symbol, detail=detail)

    # -- recording --------------------------------------------------------------------------
    def error(self, stage: str, kind: ErrorKind, message: str) -> None:
        self.errors.append(ScanError(self.location, stage, kind, clean(message[:500]), COLLECTOR))

    def _add(self, asset: Asset, findings: list[Finding]) -> Asset:
        i = self._index.get(asset.id)
        if i is None:
            self._index[asset.id] = len(self.assets)
            self.assets.append(asset)
        else:
            self.assets[i] = self.assets[i].merged_with(asset)
        self.findings.extend(findings)
        return asset

    def add_certificate(self, cert: x509.Certificate, source: str, line: int | None = None,
                        der_bytes: bytes | None = None) -> Asset:
        asset, findings = certificate_to_asset(cert, self.location, COLLECTOR, source=source, der_bytes=der_bytes)
        if line is not None:
            findings = [Finding(f.asset_id, f.algorithm, f.usage, f.collector, f.parameters,
                                Evidence(location=f.evidence.location, line=line, symbol=f.evidence.symbol,
                                         detail=f.evidence.detail))
                        for f in findings]
        self.certificates.setdefault(asset.id, cert)
        return self._add(asset, findings)

    def add_key(self, key: Any, *, private: bool, source: str, line: int | None = None,
                usage: Usage = Usage.SIGNATURE, extra: dict[str, Any] | None = None) -> Asset:
        kind = AssetKind.PRIVATE_KEY if private else AssetKind.PUBLIC_KEY
        attrs = {"source": source, **(extra or {})}
        asset, findings = key_asset(key, self.location, COLLECTOR, kind=kind, usage=usage, attributes=attrs,
                                    evidence=self.where(line, kind.value, source))
        return self._add(asset, findings)

    def add_spki(self, spki: bytes, *, private: bool, source: str, line: int | None = None,
                 extra: dict[str, Any] | None = None) -> Asset:
        return self.add_key(spki, private=private, source=source, line=line, extra=extra)

    def add_ssh_key(self, key: SshPublicKey, *, kind: AssetKind, usage: Usage, source: str,
                    line: int | None = None, extra: dict[str, Any] | None = None) -> Asset:
        attrs: dict[str, Any] = {"source": source, **(extra or {})}
        if kind is AssetKind.PRIVATE_KEY:
            attrs.setdefault("has_private_key", True)
        asset, finding = host_key_asset(key, self.location, COLLECTOR, kind=kind, usage=usage, attributes=attrs,
                                        evidence=self.where(line, key.key_type, source))
        return self._add(asset, [finding])

    def add_opaque_key(self, index: int, *, algorithm_hint: str, source: str, line: int | None = None,
                       encrypted: bool = True, extra: dict[str, Any] | None = None) -> Asset:
        """A key whose public part is unreadable (encrypted, or a type cryptography lacks): what is knowable."""
        if not algorithm_hint:
            alg = unknown(IdKind.NAME, "encrypted-key")
        else:
            alg = get(algorithm_hint)
            if alg.is_unknown:
                alg = lookup(IdKind.OID, algorithm_hint)
        asset_id = f"{self.file_id}#key{index}"
        attrs = {"source": source, "encrypted": encrypted, "algorithm": alg.id, "has_private_key": True,
                 **(extra or {})}
        params: dict[str, Any] = {"encrypted": encrypted}
        if alg.is_unknown:
            params["raw_identifier"] = algorithm_hint or "encrypted-key"
            params["unknown_reason"] = ("key is encrypted; its algorithm is not visible without the password"
                                        if encrypted else "key algorithm not in the catalogue")
        label = f"encrypted key {index}" if encrypted else f"{alg.id} key {index}"
        asset = Asset(asset_id, AssetKind.PRIVATE_KEY, self.location, label, attrs)
        finding = Finding(asset_id, alg.id, Usage.SIGNATURE, COLLECTOR, params, self.where(line, "private-key", source))
        return self._add(asset, [finding])

    def add_csr(self, csr: x509.CertificateSigningRequest, source: str, line: int | None = None) -> Asset:
        from pqscan.collect import der
        from pqscan.collect.x509 import describe_spki

        data = csr.public_bytes(serialization.Encoding.DER)
        asset_id = f"csr:sha256:{hashlib.sha256(data).hexdigest()}"
        try:
            spki = der.spki_from_csr_info(csr.tbs_certrequest_bytes)
            info = describe_spki(spki)
        except der.DerError as exc:
            self.error("parse-csr", ErrorKind.MALFORMED, f"CSR public key unreadable: {exc}")
            return self._add(Asset(asset_id, AssetKind.CSR, self.location), [])
        subject = rfc4514(csr.subject)
        sig_oid = csr.signature_algorithm_oid.dotted_string
        sig = lookup(IdKind.OID, sig_oid)
        attrs = {"subject": subject, **info.attributes(), "signature_algorithm": sig.id,
                 "signature_algorithm_oid": sig_oid, "source": source}
        findings = [
            Finding(asset_id, info.algorithm.id, Usage.AUTHENTICATION, COLLECTOR, info.parameters(),
                    self.where(line, "subjectPublicKeyInfo", subject)),
            Finding(asset_id, sig.id, Usage.SIGNATURE, COLLECTOR,
                    {"oid": sig_oid, **({"raw_identifier": sig_oid} if sig.is_unknown else {})},
                    self.where(line, "signatureAlgorithm", subject)),
        ]
        return self._add(Asset(asset_id, AssetKind.CSR, self.location, subject, attrs), findings)

    def add_crl(self, crl: x509.CertificateRevocationList, source: str, line: int | None = None) -> Asset:
        data = crl.public_bytes(serialization.Encoding.DER)
        asset_id = f"crl:sha256:{hashlib.sha256(data).hexdigest()}"
        sig_oid = crl.signature_algorithm_oid.dotted_string
        sig = lookup(IdKind.OID, sig_oid)
        issuer = rfc4514(crl.issuer)
        attrs: dict[str, Any] = {"issuer": issuer, "last_update": iso(crl.last_update_utc),
                                 "revoked_count": len(crl), "signature_algorithm": sig.id,
                                 "signature_algorithm_oid": sig_oid, "source": source}
        if crl.next_update_utc is not None:
            attrs["next_update"] = iso(crl.next_update_utc)
        finding = Finding(asset_id, sig.id, Usage.SIGNATURE, COLLECTOR,
                          {"oid": sig_oid, **({"raw_identifier": sig_oid} if sig.is_unknown else {})},
                          self.where(line, "signatureAlgorithm", issuer))
        return self._add(Asset(asset_id, AssetKind.CRL, self.location, issuer, attrs), [finding])

    def add_finding_only(self, asset: Asset, finding: Finding) -> Asset:
        return self._add(asset, [finding])

    # -- result ------------------------------------------------------------------------------
    def result(self) -> ScanResult:
        res = ScanResult(self.location, COLLECTOR, errors=list(self.errors))
        if self.assets or self.file_attributes.get("encrypted"):  # an unopened keystore is still inventory
            attrs = {"formats": sorted(set(self.formats)), **self.file_attributes}
            rels = tuple(Relation(RelationKind.CONTAINS, a.id) for a in self.assets)
            res.assets.append(Asset(self.file_id, self.file_kind, self.location, self.path.name, attrs, rels))
            res.assets.extend(self.assets)
            res.findings.extend(self.findings)
        return res
