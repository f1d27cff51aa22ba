"""The inventory model: the one set of types every collector writes and every report reads.

Collectors *observe*: they turn targets into :class:`Asset` s, :class:`Finding` s and
:class:`ScanError` s. They never decide severity; that is :mod:`pqscan.assess.engine`'s job,
which joins findings with policy profiles.

All values are immutable (frozen dataclasses) and serialise to plain JSON through
``to_dict`` / ``from_dict``. The JSON shape is documented in ``pqscan/schemas/inventory.schema.json``.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from typing import Any

# Bump when the JSON shape changes incompatibly; readers refuse a newer major version.
SCHEMA_VERSION = "1.0"


class QuantumStatus(StrEnum):
    """What a cryptographically relevant quantum computer does to an algorithm."""

    BROKEN = "broken"  # Shor: RSA, DH, DSA, ECDH, ECDSA, EdDSA, X25519 ...
    WEAKENED = "weakened"  # Grover: symmetric ciphers, hashes, MACs (quadratic speed-up)
    RESISTANT = "resistant"  # ML-KEM, ML-DSA, SLH-DSA, LMS, XMSS, AES-256, SHA-384 ...
    HYBRID = "hybrid"  # classical + PQ combined: safe while either half holds
    UNKNOWN = "unknown"  # identifier not in the catalogue


class Primitive(StrEnum):
    """Cryptographic primitive, aligned with CycloneDX 1.6 ``algorithmProperties.primitive``."""

    KEM = "kem"
    KEY_AGREE = "key-agree"
    SIGNATURE = "signature"
    PKE = "pke"  # public-key encryption / key transport (RSA-OAEP, RSA PKCS#1 v1.5)
    BLOCK_CIPHER = "block-cipher"
    STREAM_CIPHER = "stream-cipher"
    AE = "ae"  # authenticated encryption (AES-GCM, ChaCha20-Poly1305)
    HASH = "hash"
    MAC = "mac"
    KDF = "kdf"
    XOF = "xof"
    DRBG = "drbg"
    COMBINER = "combiner"
    OTHER = "other"
    UNKNOWN = "unknown"


class Usage(StrEnum):
    """What an algorithm is used *for* at a given place. Profiles judge per use."""

    KEY_EXCHANGE = "key-exchange"  # TLS groups, SSH KEX, ECDH/X25519 in code
    ENCRYPTION = "encryption"  # asymmetric encryption / key transport (RSA-OAEP, TLS_RSA_*)
    AUTHENTICATION = "authentication"  # a key that proves identity online: TLS leaf key, SSH host key
    SIGNATURE = "signature"  # signatures in general: certificate signatures, sign() calls, JWT
    CODE_SIGNING = "code-signing"  # software / firmware signing; long-lived
    KEY_GENERATION = "key-generation"  # a key is generated, its later use not visible here
    SYMMETRIC = "symmetric"  # bulk encryption with a symmetric cipher
    HASHING = "hashing"
    MAC = "mac"
    KDF = "kdf"
    PROTOCOL = "protocol"  # protocol version itself (TLS 1.0, SSHv1)
    UNKNOWN = "unknown"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; INFO is 0."""
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Confidence(StrEnum):
    HIGH = "high"  # observed on the wire / parsed from the key itself
    MEDIUM = "medium"  # resolved API call with the algorithm named in code
    LOW = "low"  # heuristic: string in a table, default of a library


class AssetKind(StrEnum):
    TLS_ENDPOINT = "tls-endpoint"
    SSH_ENDPOINT = "ssh-endpoint"
    CERTIFICATE = "certificate"
    CSR = "csr"
    CRL = "crl"
    PUBLIC_KEY = "public-key"
    PRIVATE_KEY = "private-key"
    HOST_KEY = "host-key"
    KEYSTORE = "keystore"
    KEY_FILE = "key-file"  # a file holding key material (PEM bundle, known_hosts, JWKS ...)
    SOURCE_FILE = "source-file"
    DEPENDENCY = "dependency"
    CONFIG = "config"
    SERVICE = "service"
    SOFTWARE = "software"  # server software seen in a banner (OpenSSH_9.2p1, nginx/1.22)
    OTHER = "other"


class RelationKind(StrEnum):
    """Typed edges: ``asset --kind--> target`` means *asset depends on target*."""

    PRESENTS = "presents"  # endpoint -> leaf certificate it serves
    ISSUED_BY = "issued-by"  # certificate -> issuer certificate
    HAS_HOST_KEY = "has-host-key"  # ssh endpoint -> host key
    RUNS = "runs"  # endpoint -> server software
    CONFIGURED_BY = "configured-by"  # endpoint/service -> config file
    USES = "uses"  # code / service -> library (dependency)
    CONTAINS = "contains"  # file / keystore -> certificate / key inside it
    MATCHES_KEY = "matches-key"  # private key -> certificate with the same public key
    PART_OF = "part-of"  # asset -> service (user grouping)
    DEPENDS_ON = "depends-on"  # anything else


class ErrorKind(StrEnum):
    TIMEOUT = "timeout"
    REFUSED = "refused"
    RESET = "reset"
    UNREACHABLE = "unreachable"
    DNS = "dns"
    PROTOCOL_VIOLATION = "protocol-violation"
    MALFORMED = "malformed"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too-large"
    BINARY = "binary"
    ENCRYPTED = "encrypted"
    PERMISSION = "permission"
    NOT_FOUND = "not-found"
    PARSE_ERROR = "parse-error"
    SKIPPED = "skipped"
    INTERNAL = "internal"


def _freeze(value: Any) -> Any:
    """Recursively turn lists into tuples so frozen dataclasses stay hashable-ish and immutable."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def plain_fields(record: Any) -> dict[str, Any]:
    """A dataclass record as a JSON-ready dict, field by field in declaration order: enums as their
    values, dates in ISO 8601, tuples as lists."""
    return {f.name: _plain(v.isoformat() if isinstance(v := getattr(record, f.name), datetime.date) else v)
            for f in fields(record)}


def _plain(value: Any) -> Any:
    """Make a value JSON-ready: tuples -> lists, enums -> values, mappings -> dicts."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Relation:
    kind: RelationKind
    target: str  # asset id

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "target": self.target}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Relation:
        return cls(kind=RelationKind(d["kind"]), target=str(d["target"]))


@dataclass(frozen=True)
class Asset:
    """Something that holds or uses cryptography: an endpoint, a certificate, a file, a dependency.

    ``id`` is stable and URI-like so inventories merge and diff cleanly:
    ``tls://host:443``, ``ssh://host:22``, ``cert:sha256:<hex>``, ``key:sha256:<hex of SPKI>``,
    ``file:<path>``, ``dep:pypi/cryptography@41.0.7``, ``service:<name>``.
    """

    id: str
    kind: AssetKind
    location: str  # where it was found: "host:port", a path, a manifest path
    name: str = ""  # human label (certificate subject CN, package name ...)
    attributes: Mapping[str, Any] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "location": self.location,
            "name": self.name,
            "attributes": _plain(self.attributes),
            "relations": [r.to_dict() for r in self.relations],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Asset:
        return cls(
            id=str(d["id"]),
            kind=AssetKind(d["kind"]),
            location=str(d.get("location", "")),
            name=str(d.get("name", "")),
            attributes=dict(d.get("attributes") or {}),
            relations=tuple(Relation.from_dict(r) for r in d.get("relations") or ()),
        )

    def merged_with(self, other: Asset) -> Asset:
        """Same asset seen twice (e.g. one CA in two chains): union attributes and relations."""
        attrs = {**other.attributes, **self.attributes}
        rels = tuple(dict.fromkeys(self.relations + other.relations))
        return Asset(self.id, self.kind, self.location or other.location, self.name or other.name, attrs, rels)


@dataclass(frozen=True)
class Evidence:
    """Where and how a finding was observed. Everything here may come from a target: untrusted text."""

    location: str = ""  # path, host:port, URL
    line: int | None = None
    column: int | None = None
    symbol: str = ""  # API qualified name, config key, TLS extension ...
    snippet: str = ""  # the line of code / config, or the handshake detail
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"location": self.location}
        if self.line is not None:
            d["line"] = self.line
        if self.column is not None:
            d["column"] = self.column
        for key in ("symbol", "snippet", "detail"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        return cls(
            location=str(d.get("location", "")),
            line=d.get("line"),
            column=d.get("column"),
            symbol=str(d.get("symbol", "")),
            snippet=str(d.get("snippet", "")),
            detail=str(d.get("detail", "")),
        )


@dataclass(frozen=True)
class Finding:
    """One use of one algorithm at one place. ``algorithm`` is a catalogue id (see pqscan.algorithms).

    ``parameters`` carries what the collector could read: ``key_bits``, ``curve``, ``mode``,
    ``padding``, ``raw_identifier`` (always kept for unknown algorithms), ``unknown_reason``...
    """

    asset_id: str
    algorithm: str
    usage: Usage
    collector: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    evidence: Evidence = field(default_factory=Evidence)
    confidence: Confidence = Confidence.HIGH

    @cached_property
    def id(self) -> str:
        """Stable across rescans and line shifts: used for baselines, SARIF fingerprints and diffs."""
        key = "|".join(
            [
                self.asset_id,
                self.algorithm,
                self.usage.value,
                self.evidence.location,
                self.evidence.symbol,
                json.dumps(_plain(self.parameters), sort_keys=True, default=str),
            ]
        )
        return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:24]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "asset_id": self.asset_id,
            "algorithm": self.algorithm,
            "usage": self.usage.value,
            "collector": self.collector,
            "parameters": _plain(self.parameters),
            "evidence": self.evidence.to_dict(),
            "confidence": self.confidence.value,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Finding:
        return cls(
            asset_id=str(d["asset_id"]),
            algorithm=str(d["algorithm"]),
            usage=Usage(d["usage"]),
            collector=str(d.get("collector", "")),
            parameters=dict(d.get("parameters") or {}),
            evidence=Evidence.from_dict(d.get("evidence") or {}),
            confidence=Confidence(d.get("confidence", "high")),
        )


@dataclass(frozen=True)
class ScanError:
    """A failure recorded as a value: the scan goes on and keeps what it already has."""

    target: str
    stage: str  # "connect", "tls-group-probe:X25519MLKEM768", "parse-pem", "walk" ...
    kind: ErrorKind
    message: str
    collector: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "stage": self.stage,
            "kind": self.kind.value,
            "message": self.message,
            "collector": self.collector,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScanError:
        return cls(
            target=str(d["target"]),
            stage=str(d.get("stage", "")),
            kind=ErrorKind(d.get("kind", "internal")),
            message=str(d.get("message", "")),
            collector=str(d.get("collector", "")),
        )


@dataclass
class ScanResult:
    """What one collector produced for one target. Collectors return these; they never raise."""

    target: str
    collector: str
    assets: list[Asset] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)

    def error(self, stage: str, kind: ErrorKind, message: str) -> ScanError:
        err = ScanError(self.target, stage, kind, message, self.collector)
        self.errors.append(err)
        return err

    def extend(self, other: ScanResult) -> None:
        self.assets.extend(other.assets)
        self.findings.extend(other.findings)
        self.errors.extend(other.errors)


def findings_by_asset(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.asset_id, []).append(f)
    return out


# -- The contract's names: what collectors write and the assessment reads (declared once) ------------
# Finding.parameters keys.
PARAM_KEY_BITS = "key_bits"  # int: RSA/DH/DSA modulus size, or the key size a collector read
PARAM_CURVE = "curve"  # str: "P-256", "P-384" ...
PARAM_HASH = "hash"  # str: the digest inside a signature ("SHA-1" in sha1WithRSAEncryption)
PARAM_RAW_IDENTIFIER = "raw_identifier"  # str: the name as met, kept for unknown algorithms
PARAM_KEY_TRANSPORT = "key_transport"  # bool: RSA key transport (no forward secrecy)
PARAM_LIST_HAS_PQ_HYBRID = "list_has_pq_hybrid"  # bool: a configured list also offers a PQ/hybrid exchange
PARAM_USED_FOR_SECURITY = "usedforsecurity"  # bool: hashlib's flag; False = a checksum, not a security use
PARAM_BASIS = "basis"  # "library-default": the algorithm is a library's default, not named in code
PARAM_LIBRARY = "library"  # str: the library whose default or record this is
PARAM_REPEATED = "repeated"  # int >= 2: one config line named the same algorithm this many times (one finding)
# Evidence.symbol of a certificate's or key file's public key (the key itself, not a signature made).
SYMBOL_PUBLIC_KEY_INFO = "subjectPublicKeyInfo"
# Certificate asset attributes.
ATTR_NOT_AFTER = "not_after"  # ISO 8601 date-time
ATTR_SELF_SIGNED = "self_signed"  # bool
ATTR_IS_CA = "is_ca"  # bool


def attribute_date(value: object) -> datetime.date | None:
    """The date of an ISO 8601 date or date-time attribute (``ATTR_NOT_AFTER``); None when absent or not a date."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


# -- the contract between collectors and assessment: declared once, in the inventory schema ------------


@functools.cache
def _schema_defs() -> dict[str, Any]:
    from importlib import resources

    schema = json.loads(resources.files("pqscan").joinpath("schemas/inventory.schema.json").read_text("utf-8"))
    return dict(schema["$defs"])


def declared_attributes(kind: AssetKind) -> frozenset[str] | None:
    """The attribute names an asset of ``kind`` may carry (None: the schema leaves that kind open)."""
    spec = _schema_defs()["attributes"].get(kind.value)
    return frozenset(spec["properties"]) if spec is not None else None


def declared_parameters() -> frozenset[str]:
    """The finding parameter names collectors may write (``key_bits``, ``curve``, ``hash`` ...)."""
    return frozenset(_schema_defs()["finding"]["properties"]["parameters"]["properties"])
