"""CycloneDX CBOM (cryptography bill of materials) from an inventory.

Built with cyclonedx-python-lib for CycloneDX 1.6 (validated by its strict JSON validator in
the tests), then optionally post-patched to 1.7 with the fields the library does not model yet
(``algorithmFamily``, ``tlsGroups``) and validated against the bundled 1.7 schema
(shared/reference/cbom.md §2b documents both the library's gaps and this workaround).

Determinism: bom-refs are derived from stable ids (algorithm id + parameters, certificate
fingerprint, endpoint, purl), the serial number is a UUID5 of the asset ids, and the timestamp
is the inventory's, so two CBOMs of the same estate diff cleanly.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.bom_ref import BomRef
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.crypto import (
    AlgorithmProperties,
    CertificateProperties,
    CryptoAssetType,
    CryptoFunction,
    CryptoPrimitive,
    CryptoProperties,
    ProtocolProperties,
    ProtocolPropertiesCipherSuite,
    ProtocolPropertiesType,
    RelatedCryptoMaterialProperties,
    RelatedCryptoMaterialType,
)
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion

from pqscan import __version__
from pqscan import algorithms as catalogue
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Finding, Usage

# Occurrences listed per algorithm component; the rest are counted in a property.
MAX_OCCURRENCES = 200

# CycloneDX 1.7 algorithmFamily registry names for our catalogue families (cryptography-defs schema).
_FAMILY_17: Mapping[str, str] = {
    "RSA": "RSASSA-PKCS1", "ECDSA": "ECDSA", "ECDH": "ECDH", "EdDSA": "EdDSA", "DSA": "DSA", "DH": "FFDH",
    "FFDH": "FFDH", "ML-KEM": "ML-KEM", "ML-DSA": "ML-DSA", "SLH-DSA": "SLH-DSA", "LMS": "LMS", "XMSS": "XMSS",
    "AES": "AES", "3DES": "3DES", "DES": "DES", "RC4": "RC4", "ChaCha20": "ChaCha20", "SHA-1": "SHA-1",
    "SHA-2": "SHA-2", "SHA-3": "SHA-3", "MD5": "MD5", "HMAC": "HMAC", "PBKDF2": "PBKDF2", "HKDF": "HKDF",
    "Blowfish": "Blowfish", "CAST5": "CAST5", "ElGamal": "ElGamal",
}

_PRIMITIVE: Mapping[str, CryptoPrimitive] = {p.value: p for p in CryptoPrimitive}
_USAGE_FUNCTIONS: Mapping[Usage, CryptoFunction] = {
    Usage.KEY_EXCHANGE: CryptoFunction.KEYDERIVE,
    Usage.ENCRYPTION: CryptoFunction.ENCRYPT,
    Usage.SYMMETRIC: CryptoFunction.ENCRYPT,
    Usage.SIGNATURE: CryptoFunction.SIGN,
    Usage.CODE_SIGNING: CryptoFunction.SIGN,
    Usage.AUTHENTICATION: CryptoFunction.VERIFY,
    Usage.KEY_GENERATION: CryptoFunction.KEYGEN,
    Usage.HASHING: CryptoFunction.DIGEST,
    Usage.MAC: CryptoFunction.TAG,
    Usage.KDF: CryptoFunction.KEYDERIVE,
}
_KEY_KINDS = {AssetKind.PUBLIC_KEY: RelatedCryptoMaterialType.PUBLIC_KEY,
              AssetKind.PRIVATE_KEY: RelatedCryptoMaterialType.PRIVATE_KEY,
              AssetKind.HOST_KEY: RelatedCryptoMaterialType.PUBLIC_KEY}


def _ref_safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-._:/@=" else "_" for c in text)[:200]


# CycloneDX 1.6 and 1.7 JSON schemas: "version" (definitions/version) has maxLength 1024. A value from a
# hostile lock file or server can be longer; it is cut, and the component says so (the inventory keeps it whole).
MAX_VERSION_CHARS = 1024


def _version(value: Any) -> tuple[str | None, Property | None]:
    """(the value as a CycloneDX version, a ``pqscan:version-truncated`` note when it had to be cut)."""
    if value is None or value == "":
        return None, None
    text = str(value)
    if len(text) <= MAX_VERSION_CHARS:
        return text, None
    kept = MAX_VERSION_CHARS - 3
    return text[:kept] + "...", Property(name="pqscan:version-truncated",
                                         value=f"{len(text)} characters; the first {kept} kept (inventory has all)")


def _algorithm_key(f: Finding) -> tuple[str, str]:
    """(algorithm id, parameter-set) -- one CBOM algorithm component per pair."""
    params = f.parameters
    alg = catalogue.get(f.algorithm)
    if alg.is_unknown:
        return f.algorithm, str(params.get("raw_identifier") or "")
    if params.get("key_bits"):
        return alg.id, str(params["key_bits"])
    if params.get("curve") and not alg.curve:
        return alg.id, str(params["curve"])
    return alg.id, ""


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class _Builder:
    def __init__(self, inventory: Inventory) -> None:
        self.inv = inventory
        self.bom = Bom()
        self.algo_components: dict[tuple[str, str], Component] = {}
        self.algo_occurrences: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        self.asset_components: dict[str, Component] = {}

    # -- algorithms ----------------------------------------------------------------------------
    def algorithm_ref(self, f: Finding) -> BomRef:
        key = _algorithm_key(f)
        self.algo_occurrences[key].append(f)
        comp = self.algo_components.get(key)
        if comp is None:
            comp = self._algorithm_component(key, f)
            self.algo_components[key] = comp
        return comp.bom_ref

    def _algorithm_component(self, key: tuple[str, str], f: Finding) -> Component:
        alg_id, param = key
        alg = catalogue.get(alg_id)
        name = alg_id if not param else f"{alg_id}-{param}"
        props = AlgorithmProperties(
            primitive=_PRIMITIVE.get(alg.primitive.value, CryptoPrimitive.UNKNOWN),
            parameter_set_identifier=param or None,
            curve=alg.curve or (str(f.parameters["curve"]) if f.parameters.get("curve") else None),
            classical_security_level=catalogue.classical_bits(alg, f.parameters),
            nist_quantum_security_level=(alg.nist_category if alg.nist_category is not None
                                         else (0 if alg.quantum_status.value == "broken" else None)),
        )
        oid = next((str(v) for k, v in alg.identifiers if k is catalogue.IdKind.OID), None)
        properties = [Property(name="pqscan:algorithm-id", value=alg_id),
                      Property(name="pqscan:quantum-status", value=alg.quantum_status.value)]
        if alg.classically_broken or catalogue.is_classically_broken(alg, f.parameters):
            properties.append(Property(name="pqscan:classically-broken", value="true"))
        if alg.is_unknown:
            properties.append(Property(name="pqscan:raw-identifier", value=str(f.parameters.get("raw_identifier", ""))))
        return Component(
            type=ComponentType.CRYPTOGRAPHIC_ASSET,
            name=name,
            bom_ref=f"crypto/algorithm/{_ref_safe(name)}",
            crypto_properties=CryptoProperties(
                asset_type=CryptoAssetType.ALGORITHM, algorithm_properties=props, oid=oid
            ),
            properties=properties,
        )

    def finish_algorithms(self) -> None:
        for key, comp in self.algo_components.items():
            findings = self.algo_occurrences[key]
            functions = sorted({_USAGE_FUNCTIONS[f.usage] for f in findings if f.usage in _USAGE_FUNCTIONS},
                               key=lambda c: c.value)
            if functions and comp.crypto_properties and comp.crypto_properties.algorithm_properties:
                comp.crypto_properties.algorithm_properties.crypto_functions = functions
            occurrences: list[Occurrence] = []
            seen: set[tuple[str, int | None, str]] = set()
            for f in sorted(findings, key=lambda f: (f.evidence.location, f.evidence.line or 0, f.evidence.symbol)):
                ev = f.evidence
                loc = ev.location or f.asset_id
                k = (loc, ev.line, ev.symbol)
                if k in seen:
                    continue
                seen.add(k)
                if len(occurrences) < MAX_OCCURRENCES:
                    occurrences.append(Occurrence(
                        location=loc, line=ev.line, offset=ev.column, symbol=ev.symbol or None,
                        additional_context=(ev.snippet or ev.detail or f.usage.value)[:500] or None))
            if occurrences:
                comp.evidence = ComponentEvidence(occurrences=occurrences)
            if len(seen) > MAX_OCCURRENCES:
                comp.properties.add(Property(name="pqscan:occurrences-total", value=str(len(seen))))
            self.bom.components.add(comp)

    # -- assets ------------------------------------------------------------------------------
    def asset_component(self, asset: Asset, findings: list[Finding]) -> Component | None:
        refs = [self.algorithm_ref(f) for f in findings]
        a = asset.attributes
        if asset.kind is AssetKind.CERTIFICATE:
            sig = next((f for f in findings if f.usage is Usage.SIGNATURE), None)
            key = next((f for f in findings if f is not sig), None)
            props = CertificateProperties(
                subject_name=str(a.get("subject", asset.name))[:1000] or None,
                issuer_name=str(a.get("issuer", ""))[:1000] or None,
                not_valid_before=_parse_time(a.get("not_before")),
                not_valid_after=_parse_time(a.get("not_after")),
                signature_algorithm_ref=self.algo_components[_algorithm_key(sig)].bom_ref if sig else None,
                subject_public_key_ref=self.algo_components[_algorithm_key(key)].bom_ref if key else None,
                certificate_format="X.509",
            )
            return Component(type=ComponentType.CRYPTOGRAPHIC_ASSET, name=(asset.name or asset.id)[:200],
                             bom_ref=f"crypto/certificate/{_ref_safe(asset.id)}",
                             crypto_properties=CryptoProperties(asset_type=CryptoAssetType.CERTIFICATE,
                                                                certificate_properties=props))
        if asset.kind in _KEY_KINDS:
            bits = next((f.parameters.get("key_bits") for f in findings if f.parameters.get("key_bits")), None)
            props_k = RelatedCryptoMaterialProperties(
                type=_KEY_KINDS[asset.kind], id=asset.id,
                algorithm_ref=refs[0] if refs else None,
                size=bits if isinstance(bits, int) else None,
                format=str(a.get("format")) if a.get("format") else None,
                expiration_date=_parse_time(a.get("not_after")),
            )
            return Component(type=ComponentType.CRYPTOGRAPHIC_ASSET, name=(asset.name or asset.id)[:200],
                             bom_ref=f"crypto/key/{_ref_safe(asset.id)}",
                             crypto_properties=CryptoProperties(
                                 asset_type=CryptoAssetType.RELATED_CRYPTO_MATERIAL,
                                 related_crypto_material_properties=props_k))
        if asset.kind in (AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT):
            is_tls = asset.kind is AssetKind.TLS_ENDPOINT
            negotiated: Mapping[str, Any] = a["negotiated"] if isinstance(a.get("negotiated"), Mapping) else {}
            tls12: Mapping[str, Any] = a["tls12"] if isinstance(a.get("tls12"), Mapping) else {}
            names = [str(n) for n in (negotiated.get("cipher"), tls12.get("suite") if tls12.get("supported") else None)
                     if n]
            enumerated: Mapping[str, Any] = a["tls_suites"] if isinstance(a.get("tls_suites"), Mapping) else {}
            for per_version in enumerated.values():  # every suite accepted at TLS <= 1.2, server order
                if isinstance(per_version, Mapping):
                    names += [str(n) for n in per_version.get("accepted") or []]
            suites = []
            for cipher in dict.fromkeys(names):
                suite = catalogue.cipher_suite(cipher)
                suites.append(ProtocolPropertiesCipherSuite(
                    name=cipher, algorithms=refs, identifiers=[f"0x{suite.code:04X}"] if suite else []))
            version, cut = _version(negotiated.get("protocol") or a.get("protocol_version"))
            comp = Component(type=ComponentType.CRYPTOGRAPHIC_ASSET, name=asset.location or asset.id,
                             bom_ref=f"crypto/protocol/{_ref_safe(asset.id)}",
                             crypto_properties=CryptoProperties(asset_type=CryptoAssetType.PROTOCOL,
                                                                protocol_properties=ProtocolProperties(
                                type=ProtocolPropertiesType.TLS if is_tls else ProtocolPropertiesType.SSH,
                                version=version,
                                cipher_suites=suites, crypto_refs=refs)))
            if cut is not None:
                comp.properties.add(cut)
            groups = a.get("supported_groups")
            if is_tls and isinstance(groups, list) and groups:
                comp.properties.add(Property(name="pqscan:tls-groups", value=",".join(map(str, groups))))
            return comp
        if asset.kind is AssetKind.DEPENDENCY:
            purl = a.get("purl")
            version, cut = _version(a.get("version"))
            comp = Component(type=ComponentType.LIBRARY, name=str(a.get("name") or asset.name or asset.id)[:200],
                             version=version, bom_ref=f"pkg/{_ref_safe(asset.id)}")
            if cut is not None:
                comp.properties.add(cut)
            if purl:
                try:
                    from packageurl import PackageURL

                    comp.purl = PackageURL.from_string(str(purl))
                except ValueError:
                    pass
            return comp
        return None  # files, configs, software: their algorithms are listed with occurrences


def build_bom(inventory: Inventory, *, name: str = "estate") -> Bom:
    b = _Builder(inventory)
    bom = b.bom
    bom.serial_number = uuid.uuid5(uuid.NAMESPACE_URL, "pqscan:" + "\n".join(sorted(inventory.assets)))
    bom.metadata.timestamp = _parse_time(inventory.finished or inventory.started) or datetime.now(UTC)
    bom.metadata.component = Component(type=ComponentType.APPLICATION, name=name, bom_ref="estate",
                                       properties=[Property(name="pqscan:version", value=__version__)])
    by_asset: dict[str, list[Finding]] = defaultdict(list)
    for f in inventory.findings:
        by_asset[f.asset_id].append(f)
    for asset in sorted(inventory.assets.values(), key=lambda a: a.id):
        comp = b.asset_component(asset, by_asset.get(asset.id, []))
        if comp is not None:
            b.asset_components[asset.id] = comp
            bom.components.add(comp)
    # Findings whose asset we did not render (files, configs, or assets missing from the inventory).
    for asset_id, findings in by_asset.items():
        if asset_id not in b.asset_components:
            for f in findings:
                b.algorithm_ref(f)
    b.finish_algorithms()
    # Dependencies: rendered asset -> rendered assets it depends on + its algorithms.
    for asset_id, comp in sorted(b.asset_components.items()):
        asset = inventory.assets[asset_id]
        deps: dict[str, Component] = {}
        for rel in asset.relations:
            target = b.asset_components.get(rel.target)
            if target is not None:
                deps[str(target.bom_ref)] = target
        for f in by_asset.get(asset_id, []):
            algo = b.algo_components[_algorithm_key(f)]
            deps[str(algo.bom_ref)] = algo
        bom.register_dependency(comp, [deps[k] for k in sorted(deps)])
    bom.register_dependency(bom.metadata.component, [b.asset_components[k] for k in sorted(b.asset_components)])
    return bom


def render_cbom(inventory: Inventory, *, spec: str = "1.6", name: str = "estate") -> str:
    """CBOM JSON text; ``spec`` is "1.6" (library model) or "1.7" (post-patched)."""
    bom = build_bom(inventory, name=name)
    version = SchemaVersion.V1_6 if spec == "1.6" else SchemaVersion.V1_7
    text = make_outputter(bom, OutputFormat.JSON, version).output_as_string(indent=2)
    if spec == "1.6":
        return text
    doc = json.loads(text)
    _enrich_17(doc)
    return json.dumps(doc, indent=2)


def _enrich_17(doc: dict[str, Any]) -> None:
    """Add the CycloneDX 1.7 fields cyclonedx-python-lib does not model (algorithmFamily, tlsGroups)."""
    for comp in doc.get("components", []):
        cp = comp.get("cryptoProperties") or {}
        groups = next((p["value"] for p in comp.get("properties", []) if p.get("name") == "pqscan:tls-groups"), "")
        if cp.get("assetType") == "protocol" and groups:
            for suite in (cp.get("protocolProperties") or {}).get("cipherSuites", []):
                suite["tlsGroups"] = groups.split(",")
        if cp.get("assetType") != "algorithm":
            continue
        alg_id = next((p["value"] for p in comp.get("properties", []) if p.get("name") == "pqscan:algorithm-id"), "")
        alg = catalogue.get(alg_id)
        family = _FAMILY_17.get(alg.family)
        if family:
            cp.setdefault("algorithmProperties", {})["algorithmFamily"] = family


def validate(text: str, spec: str = "1.6") -> Iterable[str]:
    """Strict schema validation errors (empty when valid)."""
    from cyclonedx.validation.json import JsonStrictValidator

    version = SchemaVersion.V1_6 if spec == "1.6" else SchemaVersion.V1_7
    err = JsonStrictValidator(version).validate_str(text)
    return [] if err is None else [str(err)]
