"""Find manifests and lock files under the paths, parse them, and describe the crypto libraries found."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pqscan import model
from pqscan.algorithms import get as get_algorithm
from pqscan.collect.deps import go_rust, javascript, jvm_dotnet, python
from pqscan.collect.deps.imports import LANG_BY_SUFFIX, MAX_IMPORT_SCAN_BYTES, ImportIndex, index_source, is_vendored
from pqscan.collect.deps.libraries import LibraryCapabilities, capabilities, import_prefixes, normalise_name
from pqscan.collect.deps.manifest import Dependency, LineIndex, ManifestError
from pqscan.collect.dispatch import Source, dispatch, run, skip_result
from pqscan.collect.walk import FileEntry, Skipped, WalkOptions
from pqscan.model import Asset, AssetKind, Confidence, ErrorKind, Evidence, Finding, ScanResult, Usage

COLLECTOR = "deps"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # lock files of big monorepos reach tens of MB

Parser = Callable[[str, str], list[Dependency]]
_REQUIREMENTS_RE = re.compile(r"^(?:.*[-_.])?requirements(?:[-_.].*)?\.(?:txt|in)$", re.I)
_CONSTRAINTS_RE = re.compile(r"^(?:.*[-_.])?constraints?(?:[-_.].*)?\.txt$", re.I)
_EXACT: dict[str, Parser] = {
    "pyproject.toml": python.parse_pyproject,
    "Pipfile": python.parse_pipfile,
    "Pipfile.lock": python.parse_pipfile_lock,
    "poetry.lock": python.parse_poetry_lock,
    "uv.lock": python.parse_uv_lock,
    "package.json": javascript.parse_package_json,
    "package-lock.json": javascript.parse_package_lock,
    "npm-shrinkwrap.json": javascript.parse_package_lock,
    "yarn.lock": javascript.parse_yarn_lock,
    "pnpm-lock.yaml": javascript.parse_pnpm_lock,
    "go.sum": go_rust.parse_go_sum,
    "Cargo.toml": go_rust.parse_cargo_toml,
    "Cargo.lock": go_rust.parse_cargo_lock,
    "pom.xml": jvm_dotnet.parse_pom,
    "build.gradle": jvm_dotnet.parse_gradle,
    "build.gradle.kts": jvm_dotnet.parse_gradle,
    "packages.lock.json": jvm_dotnet.parse_packages_lock,
    "libs.versions.toml": jvm_dotnet.parse_version_catalog,
    "Directory.Packages.props": jvm_dotnet.parse_csproj,
}


@dataclass(frozen=True)
class DepsOptions:
    walk: WalkOptions = field(default_factory=lambda: WalkOptions(max_bytes=MAX_MANIFEST_BYTES))
    import_scan: bool = True
    include_dev: bool = True


def parser_for(name: str, parent: str = "") -> Parser | None:
    if name in _EXACT:
        return _EXACT[name]
    if name == "go.mod":
        return lambda text, path: go_rust.parse_go_mod(text, path)[0]
    if name.endswith(".csproj"):
        return jvm_dotnet.parse_csproj
    if _CONSTRAINTS_RE.match(name):
        return python.parse_constraints
    if _REQUIREMENTS_RE.match(name) or (parent == "requirements" and name.endswith(".txt")):
        return python.parse_requirements
    return None


@dataclass
class _Manifest:
    entry: FileEntry
    deps: list[Dependency]
    go_facts: dict[str, Any] = field(default_factory=dict)
    text: str = ""


class DepsCollector:
    """The walk's dependency collector: manifests and lock files, plus the import index of the
    first-party source files (their first MB), which the findings need at :meth:`finish`."""

    name = COLLECTOR
    prune_dirs: frozenset[str] = frozenset()

    def __init__(self, options: DepsOptions | None = None) -> None:
        self.options = options or DepsOptions()
        self.max_bytes = max(self.options.walk.max_bytes, MAX_MANIFEST_BYTES)
        self._manifests: list[_Manifest] = []
        self._index = ImportIndex()

    def _is_source(self, entry: FileEntry) -> bool:
        return (self.options.import_scan and entry.path.suffix.lower() in LANG_BY_SUFFIX
                and entry.size <= MAX_IMPORT_SCAN_BYTES and not is_vendored(entry.relpath))

    def wants(self, entry: FileEntry) -> bool:
        if parser_for(entry.path.name, entry.path.parent.name) is not None:
            return not is_vendored(entry.relpath)  # a vendored project's manifest is not this project's list
        return self._is_source(entry)

    def skipped(self, item: Skipped) -> ScanResult | None:
        return skip_result(item, COLLECTOR) if parser_for(item.path.name, item.path.parent.name) else None

    def take(self, entry: FileEntry, source: Source) -> Iterator[ScanResult]:
        parse = parser_for(entry.path.name, entry.path.parent.name)
        if parse is None:
            try:
                data = source.read(MAX_IMPORT_SCAN_BYTES)
            except (OSError, ValueError):
                return  # the code scanner records unreadable files; this is only a hint
            # Only imports of known crypto libraries are ever looked up, and such an import names the
            # library's module prefix: a file that holds none of them adds nothing to the index.
            if len(data) <= MAX_IMPORT_SCAN_BYTES and _names_a_crypto_library(data):
                index_source(self._index, entry.relpath, data)
            return
        m = _read_manifest(entry, source, parse)
        if isinstance(m, ScanResult):
            yield m
        else:
            self._manifests.append(m)

    def finish(self) -> Iterator[ScanResult]:
        manifests, self._manifests = self._manifests, []
        resolve_maven(manifests)  # parent POMs and inherited properties within the scanned tree
        _prefer_locks(manifests)
        index = self._index if self.options.import_scan else None
        for m in manifests:
            yield _result(m, index, self.options)


@cache
def _crypto_library_names() -> re.Pattern[bytes]:
    return re.compile(b"|".join(re.escape(p.encode()) for p in sorted(import_prefixes(), key=len, reverse=True)))


def _names_a_crypto_library(data: bytes) -> bool:
    return _crypto_library_names().search(data) is not None


def scan_paths(paths: Iterable[str | Path], options: DepsOptions | None = None) -> Iterator[ScanResult]:
    """One :class:`ScanResult` per manifest / lock file; parse failures are recorded, never raised."""
    collector = DepsCollector(options)
    return run(dispatch(paths, collector.options.walk, [collector]))


def _read_manifest(entry: FileEntry, source: Source, parse: Parser) -> _Manifest | ScanResult:
    rel = entry.relpath
    res = ScanResult(rel, COLLECTOR)
    try:
        raw = source.read(MAX_MANIFEST_BYTES)
    except (OSError, ValueError) as exc:
        res.error("read", ErrorKind.PERMISSION if isinstance(exc, OSError) else ErrorKind.TOO_LARGE, str(exc))
        return res
    if len(raw) > MAX_MANIFEST_BYTES:
        res.error("read", ErrorKind.TOO_LARGE, f"file grew past the {MAX_MANIFEST_BYTES}-byte limit")
        return res
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        res.error("decode", ErrorKind.MALFORMED, f"not UTF-8: {exc.reason} at byte {exc.start}")
        return res
    try:
        if entry.path.name == "go.mod":
            deps, facts = go_rust.parse_go_mod(text, rel)
            return _Manifest(entry, deps, facts, text)
        return _Manifest(entry, parse(text, rel), {}, text)
    except ManifestError as exc:
        res.error("parse", ErrorKind.PARSE_ERROR, str(exc))
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as exc:
        res.error("parse", ErrorKind.MALFORMED, f"{rel}: {type(exc).__name__}: {exc}")
    return res


def resolve_maven(manifests: Sequence[_Manifest]) -> None:
    """Each pom.xml re-read with the parent POMs found among ``manifests`` (inherited properties and
    dependencyManagement versions, as Maven assembles the model before interpolating it)."""
    poms = {m.entry.relpath: m for m in manifests if m.entry.path.name == "pom.xml"}
    if len(poms) < 2:
        return
    resolved = jvm_dotnet.resolve_poms({rel: m.text for rel, m in poms.items()})
    for rel, deps in resolved.items():
        poms[rel].deps = deps


def _key(d: Dependency) -> tuple[str, str]:
    return (d.ecosystem, normalise_name(d.ecosystem, d.name))


def _prefer_locks(manifests: Sequence[_Manifest]) -> None:
    """In one directory, a lock file's exact versions replace the manifest's ranges.

    The manifest entry is dropped when the lock has the same package; the lock entry becomes
    ``direct`` and keeps the manifest's spec. go.sum is ignored beside a go.mod.
    """
    by_dir: dict[Path, list[_Manifest]] = {}
    for m in manifests:
        by_dir.setdefault(m.entry.path.parent, []).append(m)
    for group in by_dir.values():
        names = {m.entry.path.name for m in group}
        if "go.mod" in names:
            for m in group:
                if m.entry.path.name == "go.sum":
                    m.deps = []
        locked: dict[tuple[str, str], tuple[_Manifest, int]] = {}
        for m in group:
            for i, d in enumerate(m.deps):
                if d.from_lock:
                    locked.setdefault(_key(d), (m, i))
        if not locked:
            continue
        for m in group:
            kept = []
            for d in m.deps:
                hit = locked.get(_key(d)) if not d.from_lock else None
                if hit is None:
                    kept.append(d)
                    continue
                lock_m, i = hit
                ld = lock_m.deps[i]
                lock_m.deps[i] = Dependency(ld.ecosystem, ld.name, ld.version, d.spec or ld.spec, ld.manifest, ld.line,
                                            True, d.dev, True)
            m.deps = kept


def _caps(d: Dependency) -> LibraryCapabilities | None:
    return capabilities(d.ecosystem, d.name, d.version, d.spec)


def _result(m: _Manifest, index: ImportIndex | None, opts: DepsOptions) -> ScanResult:
    rel = m.entry.relpath
    res = ScanResult(rel, COLLECTOR)
    idx = LineIndex(m.text)
    seen: set[str] = set()
    for d in m.deps:
        if d.dev and not opts.include_dev:
            continue
        caps = _caps(d)
        attrs: dict[str, Any] = {"ecosystem": d.ecosystem, "package": d.name, "version": d.version, "spec": d.spec,
                                 "purl": d.purl, "direct": d.direct, "dev": d.dev, "manifest": rel, "line": d.line}
        if caps is not None:
            attrs["crypto_library"] = caps.library.title
        if d.asset_id not in seen:
            seen.add(d.asset_id)
            res.assets.append(Asset(d.asset_id, AssetKind.DEPENDENCY, rel, d.name, attrs))
        if caps is not None:
            res.findings.append(_library_finding(d, caps, m, index, idx))
            if index is not None:
                res.assets.extend(_importers(d, caps, index))
    return res


def _importers(d: Dependency, caps: LibraryCapabilities, index: ImportIndex) -> list[Asset]:
    """First-party files that import the library, with a ``uses`` edge to it (code -> library in the
    migration graph). They merge with the code collector's asset for the same file."""
    files = sorted({place.rsplit(":", 1)[0] for place in index.where_imported(caps.library.imports)})
    return [Asset(f"file:{rel}", AssetKind.SOURCE_FILE, rel, rel.rsplit("/", 1)[-1], {},
                  (model.Relation(model.RelationKind.USES, d.asset_id),)) for rel in files]


def _library_finding(d: Dependency, caps: LibraryCapabilities, m: _Manifest, index: ImportIndex | None,
                     idx: LineIndex) -> Finding:
    info = caps.to_attributes()
    default_kex = info["default_kex"]
    detail = [info["note"]]
    if d.ecosystem == "golang" and d.name == "stdlib":
        godebug = m.go_facts.get("godebug", {})
        if default_kex == "X25519MLKEM768" and godebug.get("tlsmlkem") == "0":
            default_kex = "X25519"
            detail.append("go.mod sets godebug tlsmlkem=0: the hybrid default is switched off")
        if m.go_facts.get("toolchain"):
            detail.append(f"toolchain go{m.go_facts['toolchain']} builds it; the 'go' line sets the GODEBUG defaults")
    params: dict[str, Any] = {
        "library": caps.library.title, "ecosystem": d.ecosystem, "package": d.name, "version": caps.version,
        "version_basis": caps.version_basis, "direct": d.direct,
        **{k: v for k, v in caps.capabilities.items()},
    }
    if index is not None:
        places = index.where_imported(caps.library.imports)
        params["imported_by_first_party"] = bool(places)
        if places:
            detail.append("imported at " + ", ".join(places))
    else:
        params["imported_by_first_party"] = "not-scanned"
    if default_kex:
        algorithm, usage = get_algorithm(default_kex).id, Usage.KEY_EXCHANGE
        if algorithm == "unknown":
            params["raw_identifier"] = default_kex
        params["basis"] = "library-default"
    else:
        algorithm, usage = "unknown", Usage.UNKNOWN
        params["raw_identifier"] = f"library:{d.ecosystem}/{d.name}"
        params["unknown_reason"] = "a library's algorithms are chosen by the code calling it (see code findings)"
    detail.append(f"source: {info['source']} ({info['fact_confidence']})")
    exact_primary = caps.version_basis == "exact" and info["fact_confidence"] == "primary"
    return Finding(
        asset_id=d.asset_id, algorithm=algorithm, usage=usage, collector=COLLECTOR, parameters=params,
        evidence=Evidence(location=m.entry.relpath, line=d.line, symbol=d.name,
                          snippet=idx.line_text(d.line).strip()[:200] if d.line else "", detail="; ".join(detail)),
        confidence=Confidence.MEDIUM if exact_primary else Confidence.LOW,
    )
