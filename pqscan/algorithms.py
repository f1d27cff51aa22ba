"""The algorithm catalogue: the single source of truth for every name a collector can meet.

Every identifier kind (X.509 OID, TLS NamedGroup codepoint, TLS SignatureScheme, TLS cipher
suite, SSH KEX / host-key / cipher / MAC name, JOSE / COSE alg, library or API name, liboqs
name) has exactly one lookup, :func:`lookup`, which returns one canonical :class:`Algorithm`.
An identifier that is not in the catalogue comes back as an explicit *unknown* algorithm that
carries the raw identifier (``Algorithm.is_unknown``), never ``None`` and never dropped.

The entries themselves are data: ``pqscan/data/algorithms.toml``. Facts in it (codepoints,
OIDs, sizes, categories) come from ``shared/reference/standards.md`` and
``network-probing.md``, whose primary sources are named in the data file once per block.
Cipher suites live in ``pqscan/data/tls_cipher_suites.toml``.

Naming conventions (one rule each; the data file's header says the same):

* Canonical ids use the defining standard's spelling of the primitive and parameter set:
  ``ML-KEM-768``, ``ML-DSA-65``, ``SLH-DSA-SHA2-128s``, ``ECDSA-P384``, ``X25519MLKEM768``,
  ``FFDHE2048``. The id is also a case-insensitive ``IdKind.NAME``.
* A protocol method that adds nothing to a primitive maps to the primitive: SSH
  ``curve25519-sha256`` -> ``X25519``, ``ecdh-sha2-nistp384`` -> ``ECDH-P384``, JOSE ``ES384`` ->
  ``ECDSA-P384``, TLS ``ed25519`` -> ``Ed25519``.
* A method with no standard primitive name keeps its registry name verbatim as the id: SSH
  ``mlkem768x25519-sha256``, ``sntrup761x25519-sha512`` (the ``@openssh.com`` spelling is an alias),
  ``diffie-hellman-group14-sha256``; oqs-provider ``p256_mlkem512``; composite drafts
  ``MLDSA65-ECDSA-P256-SHA512``, ``MLKEM768-X25519-SHA3-256``.
* Signatures name the scheme and the hash: ``RSASSA-PKCS1-SHA256`` (sha256WithRSAEncryption,
  rsa_pkcs1_sha256, RS256, rsa-sha2-256), ``RSASSA-PSS-SHA384``, ``ECDSA-SHA256`` (curve from the key),
  ``DSA-SHA1``. Codepoints that fix the curve map to the curve entry (``ecdsa_secp256r1_sha256`` /
  ``ES256`` / ``ecdsa-sha2-nistp256`` -> ``ECDSA-P256``). Key OIDs map to key entries (``RSA``,
  ``ECDSA`` for id-ecPublicKey, ``DSA``, ``DH``). SSH ``ssh-rsa`` is a SHA-1 signature as an
  ``SSH_HOST_KEY`` (KEXINIT) name but just an RSA key as a ``NAME`` (key-blob format).
* Symmetric ciphers carry the mode in the id where protocols fix it (``AES-256-GCM``, ``AES-128-CBC``,
  ``AES-128-CTR``, ``AES-256-KW``); ``AES-128`` when only the key size is known, ``AES-GCM`` when only
  the mode is, ``AES`` when neither. Legacy ciphers (``3DES``, ``DES``, ``RC4``, ``RC2``, ``Blowfish``,
  ``CAST5``, ``IDEA``) have one entry each; a known mode goes in ``Finding.parameters["mode"]``.
* Curve *names* (``secp256r1``, ``prime256v1``, ``P-256``) map to the ECDH entry on the curve (TLS
  groups, library curve settings); named-curve *OIDs* map to the ECDSA entry (SubjectPublicKeyInfo).
  :func:`for_curve` picks the entry on a curve for a family.
* Generic entries exist for "parameter set not stated": ``ML-KEM``, ``ML-DSA``, ``SLH-DSA``, ``ECDSA``,
  ``ECDH``, ``EdDSA``, ``AES``, ``LMS``, ``XMSS`` (``nist_category`` / ``classical_bits`` unset).

Besides :func:`lookup`: :func:`cipher_suite` splits a TLS suite (code, IANA or OpenSSL name) into
catalogue ids (key exchange ``RSAES-PKCS1`` = RSA key transport, ``DH`` / ``ECDH`` = (EC)DHE or static
when ``forward_secret`` is false); :func:`classical_bits` / :func:`is_classically_broken` take the
key size or curve a collector read; :func:`for_curve`; :func:`is_ssh_pseudo_algorithm` (KEXINIT
signals to skip) and :func:`is_grease` (RFC 8701 values to skip).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from pqscan.datafiles import shipped_toml
from pqscan.model import Primitive, QuantumStatus


class IdKind(StrEnum):
    """Kinds of identifier. Each has one namespace: an identifier maps to at most one algorithm."""

    NAME = "name"  # canonical id or alias, case-insensitive ("RSA", "secp256r1", "AES-256-GCM")
    OID = "oid"  # dotted X.509 / PKIX / CMS OID
    TLS_GROUP = "tls-group"  # NamedGroup codepoint (int) -- RFC 8446 §4.2.7, IANA
    TLS_SIGNATURE_SCHEME = "tls-signature-scheme"  # SignatureScheme codepoint (int)
    TLS_CIPHER_SUITE = "tls-cipher-suite"  # code or name -> key-exchange part; cipher_suite() for all parts
    SSH_KEX = "ssh-kex"
    SSH_HOST_KEY = "ssh-host-key"
    SSH_CIPHER = "ssh-cipher"
    SSH_MAC = "ssh-mac"
    JOSE = "jose"  # JWS/JWE "alg"
    COSE = "cose"  # COSE alg integer
    LIBOQS = "liboqs"  # names as liboqs reports them (OQS_KEM_alg_* / OQS_SIG_alg_* strings)


# Identifier kinds whose values are integers (codepoints); stored and compared as int.
_INT_KINDS = {IdKind.TLS_GROUP, IdKind.TLS_SIGNATURE_SCHEME, IdKind.TLS_CIPHER_SUITE, IdKind.COSE}
# Identifier kinds compared case-insensitively.
_CASELESS_KINDS = {IdKind.NAME, IdKind.LIBOQS}

UNKNOWN_ID = "unknown"


@dataclass(frozen=True)
class Algorithm:
    id: str  # canonical name, standards' spelling: "X25519MLKEM768", "ML-DSA-65", "ECDSA-P256"
    family: str  # "RSA", "ECDSA", "ECDH", "EdDSA", "ML-KEM", "ML-DSA", "AES", "SHA-2" ...
    primitive: Primitive
    quantum_status: QuantumStatus
    classical_bits: int | None = None  # SP 800-57 Pt 1 Table 2 strength; None where key-size dependent
    nist_category: int | None = None  # NIST PQ security category 1..5; 0 = meets none (broken by Shor)
    classically_broken: bool = False  # MD5, SHA-1 signatures, RC4, DES, 3DES, export, NULL ...
    deprecated: bool = False  # pre-standard / withdrawn (Kyber drafts, sntrup4591761)
    components: tuple[str, ...] = ()  # for hybrids and composites: component algorithm ids
    curve: str | None = None
    hash: str | None = None  # digest used by a signature scheme / KEX ("SHA-256")
    public_key_bytes: int | None = None
    secret_key_bytes: int | None = None
    ciphertext_bytes: int | None = None  # KEM ciphertext / TLS server share
    signature_bytes: int | None = None
    shared_secret_bytes: int | None = None
    standard: str = ""  # "FIPS 203", "RFC 8446", "draft-ietf-tls-ecdhe-mlkem"
    notes: str = ""
    identifiers: tuple[tuple[IdKind, str | int], ...] = ()
    raw_identifier: str | None = None  # set only on unknown entries
    raw_kind: IdKind | None = None

    @property
    def is_unknown(self) -> bool:
        return self.id == UNKNOWN_ID

    @property
    def is_quantum_safe(self) -> bool:
        """Resistant or hybrid: protects against a CRQC (possibly only while a PQ half holds)."""
        return self.quantum_status in (QuantumStatus.RESISTANT, QuantumStatus.HYBRID)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "family": self.family,
            "primitive": self.primitive.value,
            "quantum_status": self.quantum_status.value,
            "classical_bits": self.classical_bits,
            "nist_category": self.nist_category,
            "classically_broken": self.classically_broken,
            "deprecated": self.deprecated,
        }
        for key in ("curve", "hash", "public_key_bytes", "secret_key_bytes", "ciphertext_bytes",
                    "signature_bytes", "shared_secret_bytes", "standard", "notes", "raw_identifier"):
            value = getattr(self, key)
            if value not in (None, ""):
                d[key] = value
        if self.components:
            d["components"] = list(self.components)
        return d


def unknown(kind: IdKind, raw: str | int) -> Algorithm:
    """The explicit entry for an identifier the catalogue does not know."""
    # TLS codepoints read best in hex (0x11EC); COSE values are signed decimals (-49).
    shown = f"0x{raw:04X}" if isinstance(raw, int) and raw >= 0 and kind is not IdKind.COSE else str(raw)
    return Algorithm(
        id=UNKNOWN_ID,
        family="unknown",
        primitive=Primitive.UNKNOWN,
        quantum_status=QuantumStatus.UNKNOWN,
        notes=f"{kind.value} identifier {shown} is not in the pqscan catalogue",
        raw_identifier=shown,
        raw_kind=kind,
    )


@dataclass(frozen=True)
class CipherSuite:
    """A TLS cipher suite split into the parts that matter for quantum risk."""

    code: int
    name: str
    protocol: str  # "TLS1.3" | "TLS1.2" (and older)
    key_exchange: str | None  # algorithm id; None for TLS 1.3 (negotiated separately by group)
    authentication: str | None  # algorithm id; None for TLS 1.3
    cipher: str  # algorithm id, e.g. "AES-128-GCM"
    mac: str | None = None  # algorithm id for the MAC / PRF hash
    forward_secret: bool = True  # False for RSA key transport (TLS_RSA_*), static DH/ECDH
    anonymous: bool = False  # DH_anon / ECDH_anon: no server authentication at all
    export: bool = False  # *_EXPORT_*: 40/56-bit export-grade
    openssl_names: tuple[str, ...] = ()

    @property
    def is_classically_broken(self) -> bool:
        """Broken today: anonymous, export, NULL key exchange, or a broken cipher (RC4, DES, 3DES, NULL)."""
        if self.anonymous or self.export or self.key_exchange == "NULL":
            return True
        return get(self.cipher).classically_broken


@dataclass
class _Catalogue:
    by_id: dict[str, Algorithm] = field(default_factory=dict)
    index: dict[tuple[IdKind, str | int], str] = field(default_factory=dict)
    suites: dict[int, CipherSuite] = field(default_factory=dict)
    suites_by_name: dict[str, int] = field(default_factory=dict)
    oid_prefixes: list[tuple[str, str]] = field(default_factory=list)  # (dotted prefix, algorithm id)
    by_curve: dict[tuple[str, str], str] = field(default_factory=dict)  # (family, curve) -> algorithm id


def _norm(kind: IdKind, raw: str | int) -> str | int:
    if kind in _INT_KINDS:
        if isinstance(raw, int):
            return raw
        text = str(raw).strip().lower()
        try:
            return int(text, 16) if text.startswith("0x") else int(text)
        except ValueError:
            return text  # not a number: cannot match any entry, comes back unknown
    text = str(raw).strip()
    if kind in _CASELESS_KINDS:
        return text.lower()
    return text


class CatalogueError(Exception):
    """The shipped catalogue data is inconsistent (a bug in pqscan, caught by the tests)."""


_DATA_FILES = ("data/algorithms.toml", "data/tls_cipher_suites.toml")
_CURVE_FAMILIES = ("ECDSA", "ECDH", "EdDSA")


def _read_data() -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for name in _DATA_FILES:
        for key, value in shipped_toml(name).items():
            merged.setdefault(key, []).extend(value)
    return merged


def _load_catalogue() -> _Catalogue:
    return _build_catalogue(_read_data())


def _build_catalogue(data: Mapping[str, list[Any]]) -> _Catalogue:
    """Index the entries; any inconsistency (duplicate id or identifier, dangling reference) raises."""
    cat = _Catalogue()
    for entry in data.get("algorithm", []):
        alg = _algorithm_from_entry(entry)
        if alg.id in cat.by_id:
            raise CatalogueError(f"duplicate algorithm id {alg.id!r}")
        cat.by_id[alg.id] = alg
        # alg.identifiers are normalised already (_algorithm_from_entry); the id is not
        for key in ((IdKind.NAME, _norm(IdKind.NAME, alg.id)), *alg.identifiers):
            kind, value = key
            other = cat.index.get(key)
            if other is not None and other != alg.id:
                raise CatalogueError(f"{kind.value} identifier {value!r} maps to both {other} and {alg.id}")
            cat.index[key] = alg.id
        for prefix in entry.get("oid_prefixes", ()):
            cat.oid_prefixes.append((str(prefix), alg.id))
        if alg.curve is not None and alg.family in _CURVE_FAMILIES:
            cat.by_curve.setdefault((alg.family, alg.curve), alg.id)
    for alg in cat.by_id.values():
        for component in alg.components:
            if component not in cat.by_id:
                raise CatalogueError(f"{alg.id}: component {component!r} is not a catalogue id")
    for entry in data.get("cipher_suite", []):
        suite = _suite_from_entry(entry)
        if suite.code in cat.suites:
            raise CatalogueError(f"duplicate cipher suite 0x{suite.code:04X}")
        for part in (suite.key_exchange, suite.authentication, suite.cipher, suite.mac):
            if part is not None and part not in cat.by_id:
                raise CatalogueError(f"cipher suite {suite.name}: {part!r} is not a catalogue id")
        cat.suites[suite.code] = suite
        for name in (suite.name, *suite.openssl_names):
            if cat.suites_by_name.get(name.upper(), suite.code) != suite.code:
                raise CatalogueError(f"cipher suite name {name!r} maps to two codepoints")
            cat.suites_by_name[name.upper()] = suite.code
    return cat


def _suite_from_entry(entry: Mapping[str, Any]) -> CipherSuite:
    stray = set(entry) - _SUITE_KEYS
    if stray:
        raise CatalogueError(f"bad cipher suite entry {entry.get('name', '?')!r}: unknown keys {sorted(stray)}")
    try:
        return CipherSuite(
            code=int(entry["code"]),
            name=str(entry["name"]),
            protocol=str(entry.get("protocol", "TLS1.2")),
            key_exchange=entry.get("kx"),
            authentication=entry.get("auth"),
            cipher=str(entry["cipher"]),
            mac=entry.get("mac"),
            forward_secret=bool(entry.get("forward_secret", True)),
            anonymous=bool(entry.get("anonymous", False)),
            export=bool(entry.get("export", False)),
            openssl_names=tuple(str(n) for n in entry.get("openssl", ())),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise CatalogueError(f"bad cipher suite entry {entry.get('name', '?')!r}: {exc}") from exc


_ID_FIELDS: Mapping[str, IdKind] = {
    "aliases": IdKind.NAME,
    "oids": IdKind.OID,
    "tls_groups": IdKind.TLS_GROUP,
    "tls_signature_schemes": IdKind.TLS_SIGNATURE_SCHEME,
    "ssh_kex": IdKind.SSH_KEX,
    "ssh_host_keys": IdKind.SSH_HOST_KEY,
    "ssh_ciphers": IdKind.SSH_CIPHER,
    "ssh_macs": IdKind.SSH_MAC,
    "jose": IdKind.JOSE,
    "cose": IdKind.COSE,
    "liboqs": IdKind.LIBOQS,
}

_SCALAR_FIELDS = (
    "classical_bits", "nist_category", "classically_broken", "deprecated", "curve", "hash",
    "public_key_bytes", "secret_key_bytes", "ciphertext_bytes", "signature_bytes",
    "shared_secret_bytes", "standard", "notes",
)


_ENTRY_KEYS = {"id", "family", "primitive", "quantum_status", "components", "oid_prefixes"}
_KNOWN_KEYS = frozenset(_ENTRY_KEYS | set(_ID_FIELDS) | set(_SCALAR_FIELDS))
_SUITE_KEYS = {"code", "name", "openssl", "protocol", "kx", "auth", "cipher", "mac", "forward_secret",
               "anonymous", "export"}


def _algorithm_from_entry(entry: Mapping[str, Any]) -> Algorithm:
    stray = entry.keys() - _KNOWN_KEYS
    if stray:  # a misspelt key would otherwise drop its facts silently
        raise CatalogueError(f"bad catalogue entry {entry.get('id', '?')!r}: unknown keys {sorted(stray)}")
    try:
        identifiers: list[tuple[IdKind, str | int]] = []
        for key, kind in _ID_FIELDS.items():
            values = entry.get(key)
            if values:
                identifiers.extend((kind, _norm(kind, value)) for value in values)
        kwargs = {k: entry[k] for k in _SCALAR_FIELDS if k in entry}
        return Algorithm(
            id=str(entry["id"]),
            family=str(entry["family"]),
            primitive=Primitive(entry["primitive"]),
            quantum_status=QuantumStatus(entry["quantum_status"]),
            components=tuple(entry.get("components", ())),
            identifiers=tuple(identifiers),
            **kwargs,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise CatalogueError(f"bad catalogue entry {entry.get('id', '?')!r}: {exc}") from exc


@cache
def catalogue() -> _Catalogue:
    return _load_catalogue()


def all_algorithms() -> Iterable[Algorithm]:
    return catalogue().by_id.values()


def get(algorithm_id: str) -> Algorithm:
    """The algorithm with this canonical id (or alias); an unknown entry if there is none."""
    return lookup(IdKind.NAME, algorithm_id)


def lookup(kind: IdKind, identifier: str | int) -> Algorithm:
    """The one lookup: identifier of a given kind -> canonical algorithm (or explicit unknown)."""
    found = known(kind, identifier)
    return unknown(kind, identifier) if found is None else found


def known(kind: IdKind, identifier: str | int) -> Algorithm | None:
    """:func:`lookup` without building the unknown entry: None when the catalogue does not know the identifier
    (a caller that tries several kinds for one name misses far more often than it hits)."""
    cat = catalogue()
    if kind is IdKind.TLS_CIPHER_SUITE:
        # A suite maps to its key-exchange part; TLS 1.3 suites fix none (the group does): unknown.
        suite = cipher_suite(identifier)
        return cat.by_id[suite.key_exchange] if suite is not None and suite.key_exchange is not None else None
    norm = _norm(kind, identifier)
    alg_id = cat.index.get((kind, norm))
    if alg_id is None and kind is IdKind.OID and isinstance(norm, str):
        # Prototype arcs whose numbering changed between drafts (composite signatures / KEMs).
        alg_id = next((a for prefix, a in cat.oid_prefixes if norm.startswith(prefix)), None)
    return None if alg_id is None else cat.by_id[alg_id]


def cipher_suite(code_or_name: int | str) -> CipherSuite | None:
    """A TLS cipher suite by codepoint (0x1301) or IANA / OpenSSL name; None when unknown."""
    cat = catalogue()
    code: int | None
    if isinstance(code_or_name, int):
        code = code_or_name
    else:
        norm = _norm(IdKind.TLS_CIPHER_SUITE, code_or_name)
        code = norm if isinstance(norm, int) else cat.suites_by_name.get(str(code_or_name).strip().upper())
    return cat.suites.get(code) if code is not None else None


# -- strength that depends on key size -----------------------------------------------------

# NIST SP 800-57 Pt 1 r5 Table 2: (minimum modulus bits, security bits) for RSA / FFDH / DSA.
_IFC_FFC_STRENGTH = ((15360, 256), (7680, 192), (3072, 128), (2048, 112), (1024, 80))
_KEY_SIZE_FAMILIES = {"RSA", "DH", "DSA", "ElGamal"}

def strength_for_key_bits(family: str, key_bits: int) -> int:
    """Classical security bits of an RSA / DH / DSA key of ``key_bits`` (SP 800-57 Table 2)."""
    for min_bits, strength in _IFC_FFC_STRENGTH:
        if key_bits >= min_bits:
            return strength
    return 0 if key_bits < 512 else 40  # below any table row: broken


# Symmetric families whose strength is the key size when the entry does not fix it ("AES-GCM").
_KEY_IS_STRENGTH_FAMILIES = {"AES", "Camellia", "ARIA"}

# NIST SP 800-57 Pt 1 r5 Table 2: (minimum field size f in bits, security bits) for elliptic curves.
_ECC_STRENGTH = ((512, 256), (384, 192), (256, 128), (224, 112), (160, 80))


def strength_for_curve_bits(key_bits: int) -> int:
    """Classical security bits of an elliptic-curve key of ``key_bits`` (SP 800-57 Table 2: P-256 -> 128)."""
    for min_bits, strength in _ECC_STRENGTH:
        if key_bits >= min_bits:
            return strength
    return 0


def classical_bits(alg: Algorithm, parameters: Mapping[str, Any] | None = None) -> int | None:
    """Security bits of this use: the catalogue value, else from the parameters.

    ``key_bits`` for RSA / DH / DSA (SP 800-57 Table 2) and for AES-family entries without a key size;
    ``curve`` (name or OID) for the generic ECDSA / ECDH / EdDSA entries, else their ``key_bits`` (field
    size: 256 -> 128 bits), so ``ECDSA-SHA256`` over a 256-bit key is 128-bit, not "unknown size".
    """
    if alg.classical_bits is not None:
        return alg.classical_bits
    params = parameters or {}
    key_bits = params.get("key_bits")
    curve = params.get("curve")
    if isinstance(curve, str) and alg.family in _CURVE_FAMILIES:
        by_curve = for_curve(curve, alg.family).classical_bits
        if by_curve is not None:
            return by_curve
    if isinstance(key_bits, int) and not isinstance(key_bits, bool) and key_bits > 0:
        if alg.family in _KEY_SIZE_FAMILIES:
            return strength_for_key_bits(alg.family, key_bits)
        if alg.family in _KEY_IS_STRENGTH_FAMILIES:
            return key_bits
        if alg.family in ("ECDSA", "ECDH"):
            return strength_for_curve_bits(key_bits)
    return None


def is_classically_broken(alg: Algorithm, parameters: Mapping[str, Any] | None = None) -> bool:
    """Broken today, quantum computer or not: the catalogue flag, or below 112 bits (RSA/DH/DSA < 2048)."""
    if alg.classically_broken:
        return True
    bits = classical_bits(alg, parameters)
    return bits is not None and bits < 112


# -- curves ----------------------------------------------------------------------------------

_OID_RE = re.compile(r"^\d+(\.\d+)+$")


def for_curve(curve: str, family: str) -> Algorithm:
    """The entry of ``family`` ("ECDSA", "ECDH", "EdDSA") on a named curve.

    ``curve`` is a curve name as libraries spell it (``secp384r1``, ``prime256v1``, ``P-521``,
    ``brainpoolP256r1``) or a named-curve OID: ``for_curve("secp256r1", "ECDSA")`` -> ECDSA-P256.
    Unknown curve or no such entry: an unknown entry carrying the raw curve.
    """
    text = curve.strip()
    base = lookup(IdKind.OID, text) if _OID_RE.match(text) else lookup(IdKind.NAME, text)
    alg_id = catalogue().by_curve.get((family, base.curve)) if base.curve else None
    return get(alg_id) if alg_id else unknown(IdKind.NAME, curve)


# -- protocol values that are not algorithms -------------------------------------------------

# network-probing.md §2.2 step 5 / §4.2: KEXINIT names that signal extensions, not key exchanges.
SSH_PSEUDO_ALGORITHMS = frozenset(
    {"ext-info-s", "ext-info-c", "kex-strict-s-v00@openssh.com", "kex-strict-c-v00@openssh.com"}
)


def is_ssh_pseudo_algorithm(name: str) -> bool:
    """True for KEXINIT entries that are signals (ext-info-*, kex-strict-*), to be skipped, not flagged."""
    return name.strip() in SSH_PSEUDO_ALGORITHMS


# Cipher-suite values that are signals, not suites: RFC 5746 §3.3 and RFC 7507 §2.
TLS_SIGNALLING_CIPHER_SUITES = {0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x5600: "TLS_FALLBACK_SCSV"}


def is_grease(value: int) -> bool:
    """RFC 8701 GREASE codepoint (0x0A0A, 0x1A1A, ... 0xFAFA) in suites, groups, signature schemes."""
    return 0 <= value <= 0xFFFF and (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)
