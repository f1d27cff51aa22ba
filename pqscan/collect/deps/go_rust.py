"""Go (go.mod, go.sum) and Rust (Cargo.toml, Cargo.lock) manifests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pqscan.collect.deps.manifest import Dependency, LineIndex, ManifestError, load_toml
from pqscan.collect.deps.versions import LooseVersion

_GO_REQ_RE = re.compile(r"^\s*(?:require\s+)?([^\s()]+)\s+(v[^\s]+)(\s*//\s*indirect)?")
_GO_LINE_RE = re.compile(r"^go\s+(\d+\.\d+(?:\.\d+)?)\s*$")
_GO_TOOLCHAIN_RE = re.compile(r"^toolchain\s+go(\S+)\s*$")
_GO_GODEBUG_RE = re.compile(r"^\s*(?:godebug\s+)?(tls\w+)\s*=\s*(\S+)")


def parse_go_mod(text: str, path: str) -> tuple[list[Dependency], dict[str, Any]]:
    """Dependencies plus facts about the build: the ``go`` line, ``toolchain`` and ``godebug`` TLS settings.

    The ``go`` line, not the toolchain, sets the default GODEBUG values (go.dev/doc/godebug), so a
    module declaring ``go 1.23`` built with Go 1.24 keeps 1.23's TLS defaults.
    """
    out: list[Dependency] = []
    facts: dict[str, Any] = {}
    block: str | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.endswith("(") and line.split()[0] in ("require", "replace", "exclude", "retract", "godebug"):
            block = line.split()[0]
            continue
        if line == ")":
            block = None
            continue
        if m := _GO_LINE_RE.match(line):
            facts["go"] = m.group(1)
            facts["go_line"] = lineno
            out.append(Dependency("golang", "stdlib", m.group(1), f"go {m.group(1)}", path, lineno, True))
            continue
        if m := _GO_TOOLCHAIN_RE.match(line):
            facts["toolchain"] = m.group(1)
            continue
        if block == "godebug" or line.startswith("godebug "):
            if m := _GO_GODEBUG_RE.match(line):
                facts.setdefault("godebug", {})[m.group(1)] = m.group(2)
            continue
        if (block == "require" or line.startswith("require ")) and (m := _GO_REQ_RE.match(line)):
            out.append(Dependency("golang", m.group(1), m.group(2), m.group(2), path, lineno, not m.group(3)))
    if "module" not in text:
        raise ManifestError(f"{path}: not a go.mod (no module line)")
    return out, facts


def parse_go_sum(text: str, path: str) -> list[Dependency]:
    """go.sum lists every module version in the build graph; keep the highest per module."""
    best: dict[str, tuple[str, int]] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if len(parts) != 3:
            continue
        module, version = parts[0], parts[1].removesuffix("/go.mod")
        try:
            if module not in best or LooseVersion(best[module][0]) < LooseVersion(version):
                best[module] = (version, lineno)
        except ValueError:
            continue
    return [Dependency("golang", m, v, v, path, ln, False, False, True) for m, (v, ln) in best.items()]


def parse_cargo_toml(text: str, path: str) -> list[Dependency]:
    data = load_toml(text, path)
    idx = LineIndex(text)
    tables: list[tuple[Mapping[str, Any], bool]] = []
    for key, dev in (("dependencies", False), ("dev-dependencies", True), ("build-dependencies", True)):
        tables.append((data.get(key) or {}, dev))
        for target in (data.get("target") or {}).values():
            tables.append(((target or {}).get(key) or {}, dev))
    tables.append((((data.get("workspace") or {}).get("dependencies") or {}), False))
    out = []
    for deps, dev in tables:
        for name, value in deps.items():
            spec = value if isinstance(value, str) else str((value or {}).get("version", "")) if isinstance(value, Mapping) else ""
            real = value.get("package", name) if isinstance(value, Mapping) else name
            # Cargo: "1.2.3" means ^1.2.3 and "=1.2.3" is exact.
            version = spec[1:].strip() if spec.startswith("=") and not spec.startswith("==") else None
            out.append(Dependency("cargo", str(real), version, spec, path, idx.find(name), True, dev))
    return out


def parse_cargo_lock(text: str, path: str) -> list[Dependency]:
    data = load_toml(text, path)
    idx = LineIndex(text)
    out = []
    for pkg in data.get("package") or []:
        if not isinstance(pkg, Mapping) or "name" not in pkg:
            continue
        if "source" not in pkg:
            continue  # a workspace member: the project itself
        name, version = str(pkg["name"]), str(pkg.get("version", "")) or None
        out.append(Dependency("cargo", name, version, version or "", path, idx.find_next(f'name = "{name}"'),
                              False, False, True))
    return out
