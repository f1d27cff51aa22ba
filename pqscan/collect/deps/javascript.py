"""npm manifests and locks: package.json, package-lock.json (v1-v3), yarn.lock (v1 and Berry),
pnpm-lock.yaml (v5-v9). Lock files are read line by line or as JSON: no YAML evaluation, no scripts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pqscan.collect.deps.manifest import Dependency, LineIndex, ManifestError, load_json
from pqscan.collect.deps.versions import exact_version

ECO = "npm"
_SECTIONS = (("dependencies", False), ("optionalDependencies", False), ("peerDependencies", False),
             ("devDependencies", True))


def parse_package_json(text: str, path: str) -> list[Dependency]:
    data = load_json(text, path, "package.json")
    idx = LineIndex(text)
    out = []
    for section, dev in _SECTIONS:
        deps = data.get(section) or {}
        if not isinstance(deps, Mapping):
            continue
        for name, spec in deps.items():
            spec = str(spec)
            version = exact_version(spec) if not spec.startswith(("^", "~", ">", "<", "*")) else None
            out.append(Dependency(ECO, name, version, spec, path, idx.find(f'"{name}"'), True, dev))
    engines = data.get("engines") or {}
    if isinstance(engines, Mapping) and isinstance(engines.get("node"), str):
        spec = engines["node"]
        out.append(Dependency(ECO, "node", exact_version(spec), spec, path, idx.find('"node"'), True, False))
    return out


def parse_package_lock(text: str, path: str) -> list[Dependency]:
    data = load_json(text, path)
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: not a package-lock.json")
    idx = LineIndex(text)
    out: list[Dependency] = []
    packages = data.get("packages")
    if isinstance(packages, Mapping):  # lockfileVersion 2 and 3
        for key, info in packages.items():
            if not key or not isinstance(info, Mapping) or info.get("link"):
                continue
            name = info.get("name") or key.rsplit("node_modules/", 1)[-1]
            version = info.get("version")
            out.append(Dependency(ECO, str(name), str(version) if version else None, str(version or ""), path,
                                  idx.find_next(f'"{key}"'), False, bool(info.get("dev")), True))
        return out

    def walk(deps: Mapping[str, Any], depth: int) -> None:  # lockfileVersion 1: nested "dependencies"
        if depth > 64:
            return
        for name, info in deps.items():
            if not isinstance(info, Mapping):
                continue
            version = info.get("version")
            out.append(Dependency(ECO, name, str(version) if version else None, str(version or ""), path,
                                  idx.find_next(f'"{name}"'), False, bool(info.get("dev")), True))
            if isinstance(info.get("dependencies"), Mapping):
                walk(info["dependencies"], depth + 1)

    walk(data.get("dependencies") or {}, 0)
    return out


def _name_of_spec(spec: str) -> str:
    """'@scope/pkg@^1.0' -> '@scope/pkg'; 'pkg@npm:^1' -> 'pkg'."""
    spec = spec.strip().strip('"')
    at = spec.find("@", 1)
    return spec[:at] if at > 0 else spec


_YARN_VERSION_RE = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')


def parse_yarn_lock(text: str, path: str) -> list[Dependency]:
    out = []
    current: tuple[str, int] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        if not line[0].isspace() and line.rstrip().endswith(":"):
            header = line.rstrip()[:-1]
            if header == "__metadata":
                current = None
                continue
            first = header.split(",")[0]
            current = (_name_of_spec(first), lineno)
            continue
        if current is not None:
            m = _YARN_VERSION_RE.match(line)
            if m:
                out.append(Dependency(ECO, current[0], m.group(1), m.group(1), path, current[1], False, False, True))
                current = None
    return out


# pnpm v9: "  /@scope/name@1.2.3(peer@1):" or "  name@1.2.3:"; v5: "  /name/1.2.3:"
_PNPM_KEY_RE = re.compile(r"""^  ['"]?/?((?:@[^/@\s'"]+/)?[^/@\s'"(]+)[@/](\d[^('":\s]*)""")


def parse_pnpm_lock(text: str, path: str) -> list[Dependency]:
    out = []
    seen: set[tuple[str, str]] = set()
    in_packages = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if line and not line[0].isspace():
            in_packages = line.rstrip() in ("packages:", "snapshots:")
            continue
        if not in_packages:
            continue
        m = _PNPM_KEY_RE.match(line)
        if m and (m.group(1), m.group(2)) not in seen:
            seen.add((m.group(1), m.group(2)))
            out.append(Dependency(ECO, m.group(1), m.group(2), m.group(2), path, lineno, False, False, True))
    if not out and "lockfileVersion" not in text:
        raise ManifestError(f"{path}: not a pnpm lock file (no lockfileVersion)")
    return out
