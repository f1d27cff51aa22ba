"""The crypto-library table (``pqscan/data/crypto_libraries.toml``): name + version -> capabilities.

One lookup, :func:`capabilities`, shared by the dependency scanner and anything else that meets a
library version (a server banner naming OpenSSL, for example).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pqscan.collect.deps.versions import in_range, lower_bound, parse_version
from pqscan.datafiles import shipped_toml

CAPABILITY_KEYS = ("ml_kem", "ml_dsa", "slh_dsa", "hybrid_tls_default", "hybrid_ssh_default")
Capability = bool | str  # True, False or "unknown"


@dataclass(frozen=True)
class VersionRange:
    versions: str
    capabilities: Mapping[str, Capability]
    default_kex: str | None
    note: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Library:
    ecosystem: str
    name: str
    title: str
    aliases: tuple[str, ...]
    imports: Mapping[str, tuple[str, ...]]
    ranges: tuple[VersionRange, ...]


@dataclass(frozen=True)
class LibraryCapabilities:
    """What one library at one version can do. ``version_basis`` says how the version was known."""

    library: Library
    version: str | None
    version_basis: str  # "exact" | "lower-bound of <spec>" | "unknown"
    range: VersionRange | None
    capabilities: Mapping[str, Capability] = field(default_factory=dict)

    def to_attributes(self) -> dict[str, Any]:
        r = self.range
        return {
            "library": self.library.title,
            "capabilities": dict(self.capabilities),
            "default_kex": r.default_kex if r else None,
            "version_basis": self.version_basis,
            "version_range": r.versions if r else None,
            "note": r.note if r else "version unknown: capabilities cannot be decided",
            "source": r.source if r else "",
            "fact_confidence": r.confidence if r else "unverified",
        }


def normalise_name(ecosystem: str, name: str) -> str:
    """PyPI names per PEP 503; npm/NuGet case-insensitive; others as written."""
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem in ("npm", "nuget", "generic"):
        return name.lower()
    return name


@cache
def _table() -> dict[tuple[str, str], Library]:
    data = shipped_toml("data/crypto_libraries.toml")
    out: dict[tuple[str, str], Library] = {}
    for entry in data.get("library", []):
        eco = str(entry["ecosystem"])
        ranges = []
        for r in entry.get("range", []):
            caps = {k: r[k] for k in CAPABILITY_KEYS if k in r}
            ranges.append(VersionRange(str(r.get("versions", "")), caps, r.get("default_kex"), str(r.get("note", "")),
                                       str(r.get("source", "")), str(r.get("confidence", "unverified"))))
        lib = Library(eco, str(entry["name"]), str(entry.get("title", entry["name"])), tuple(entry.get("aliases", ())),
                      {k: tuple(v) for k, v in (entry.get("imports") or {}).items()}, tuple(ranges))
        for n in (lib.name, *lib.aliases):
            out[(eco, normalise_name(eco, n))] = lib
    return out


@cache
def import_prefixes() -> frozenset[str]:
    """Every module prefix a known crypto library is imported by (any language)."""
    return frozenset(p for lib in _table().values() for prefixes in lib.imports.values() for p in prefixes)


def find_library(ecosystem: str, name: str) -> Library | None:
    return _table().get((ecosystem, normalise_name(ecosystem, name)))


def capabilities(ecosystem: str, name: str, version: str | None, spec: str | None = None) -> LibraryCapabilities | None:
    """Capabilities of a known crypto library; None when the library is not in the table.

    With no exact ``version``, the lower bound of ``spec`` is used (the oldest version the
    project admits) and ``version_basis`` says so.
    """
    lib = find_library(ecosystem, name)
    if lib is None:
        return None
    basis = "exact"
    v = version if version and parse_version(ecosystem, version) is not None else None
    if v is None and spec:
        v = lower_bound(spec)
        basis = f"lower bound of {spec!r}" if v else "unknown"
    elif v is None:
        basis = "unknown"
    if v is None:
        unconditional = next((r for r in lib.ranges if not r.versions.strip()), None)
        caps = dict(unconditional.capabilities) if unconditional else {k: "unknown" for k in CAPABILITY_KEYS}
        return LibraryCapabilities(lib, None, basis, unconditional, caps)
    for r in lib.ranges:
        if not r.versions.strip() or in_range(ecosystem, v, r.versions):
            return LibraryCapabilities(lib, v, basis, r, dict(r.capabilities))
    return LibraryCapabilities(lib, v, basis, None, {})
