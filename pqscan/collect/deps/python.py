"""PyPI manifests and locks: requirements*.txt, pyproject.toml (PEP 621, PEP 735, Poetry), Pipfile.lock,
poetry.lock, uv.lock. Files are read as text and parsed as data; nothing is built or executed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from pqscan.collect.deps.manifest import Dependency, LineIndex, load_json, load_toml
from pqscan.collect.deps.versions import exact_version
from pqscan.collect.lines import continued_lines

ECO = "pypi"


def _from_requirement(text: str, path: str, line: int | None, dev: bool, idx: LineIndex | None = None) -> Dependency | None:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    spec = str(req.specifier)
    version = None
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        version = specs[0].version
    if line is None and idx is not None:
        line = idx.find(req.name)
    return Dependency(ECO, req.name, version, spec, path, line, True, dev)


def parse_requirements(text: str, path: str) -> list[Dependency]:
    """pip requirements format: one requirement per line, '#' comments, '\\' continuations, options skipped."""
    out: list[Dependency] = []
    dev = bool(re.search(r"(dev|test|lint|doc)", path.rsplit("/", 1)[-1], re.I))
    for start_line, line in continued_lines(text):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line or line.startswith("-") or "://" in line.split(";")[0] and "@" not in line:
            continue  # -r, -c, -e, --hash-only options and bare URLs name no package we can read
        line = re.sub(r"\s--hash[= ]\S+", "", line)
        dep = _from_requirement(line, path, start_line, dev)
        if dep is not None:
            out.append(dep)
    return out


def parse_constraints(text: str, path: str) -> list[Dependency]:
    """pip constraints file (``-c constraints.txt``): same syntax as requirements, but an entry pins a
    version without asking for the package. Its entries are pins (like a lock file's): they give the
    version to a requirement of the same directory, and otherwise stand as transitive packages."""
    return [Dependency(d.ecosystem, d.name, d.version, d.spec, d.manifest, d.line, False, d.dev, True)
            for d in parse_requirements(text, path)]


def _poetry_spec(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return str(value.get("version", ""))
    if isinstance(value, list) and value:  # multiple-constraint dependency
        return _poetry_spec(value[0])
    return ""


def _poetry_exact(spec: str) -> str | None:
    # Poetry: a bare "1.2.3" or "==1.2.3" is exact; "^", "~", ">=" are ranges.
    return exact_version(spec) if not spec.startswith(("^", "~", ">", "<", "!")) else None


def parse_pyproject(text: str, path: str) -> list[Dependency]:
    data = load_toml(text, path)
    idx = LineIndex(text)
    out: list[Dependency] = []
    project = data.get("project") or {}
    for req in project.get("dependencies") or []:
        if isinstance(req, str) and (d := _from_requirement(req, path, None, False, idx)):
            out.append(d)
    for group, reqs in (project.get("optional-dependencies") or {}).items():
        dev = bool(re.search(r"(dev|test|lint|doc)", str(group), re.I))
        for req in reqs or []:
            if isinstance(req, str) and (d := _from_requirement(req, path, None, dev, idx)):
                out.append(d)
    for reqs in (data.get("dependency-groups") or {}).values():  # PEP 735
        for req in reqs or []:
            if isinstance(req, str) and (d := _from_requirement(req, path, None, True, idx)):
                out.append(d)
    poetry = (data.get("tool") or {}).get("poetry") or {}
    sections: list[tuple[Mapping[str, Any], bool]] = [(poetry.get("dependencies") or {}, False),
                                                      (poetry.get("dev-dependencies") or {}, True)]
    for group in (poetry.get("group") or {}).values():
        sections.append(((group or {}).get("dependencies") or {}, True))
    for deps, dev in sections:
        for name, value in deps.items():
            if name.lower() == "python":
                continue
            spec = _poetry_spec(value)
            out.append(Dependency(ECO, name, _poetry_exact(spec), spec, path, idx.find(name), True, dev))
    return out


def _lock_packages(packages: Iterable[Any], path: str, idx: LineIndex) -> list[Dependency]:
    out = []
    for pkg in packages:
        if not isinstance(pkg, Mapping) or "name" not in pkg:
            continue
        source = pkg.get("source") or {}
        if isinstance(source, Mapping) and (source.get("editable") or source.get("virtual")):
            continue  # the project itself in uv.lock
        name, version = str(pkg["name"]), pkg.get("version")
        line = idx.find_next(f'name = "{name}"')
        dev = pkg.get("category") == "dev"
        out.append(Dependency(ECO, name, str(version) if version else None, f"=={version}" if version else "",
                              path, line, False, dev, True))
    return out


def parse_poetry_lock(text: str, path: str) -> list[Dependency]:
    return _lock_packages(load_toml(text, path).get("package") or [], path, LineIndex(text))


def parse_uv_lock(text: str, path: str) -> list[Dependency]:
    return _lock_packages(load_toml(text, path).get("package") or [], path, LineIndex(text))


def parse_pipfile(text: str, path: str) -> list[Dependency]:
    """Pipfile (TOML): [packages] and [dev-packages], values "*", "==1.2" or {version = "..."}."""
    data = load_toml(text, path)
    idx = LineIndex(text)
    out = []
    for section, dev in (("packages", False), ("dev-packages", True)):
        for name, value in (data.get(section) or {}).items():
            spec = _poetry_spec(value)
            version = exact_version(spec) if spec.startswith("==") else None
            out.append(Dependency(ECO, name, version, "" if spec == "*" else spec, path, idx.find(name), True, dev))
    return out


def parse_pipfile_lock(text: str, path: str) -> list[Dependency]:
    data = load_json(text, path, "Pipfile.lock")
    idx = LineIndex(text)
    out = []
    for section, dev in (("default", False), ("develop", True)):
        for name, info in (data.get(section) or {}).items():
            spec = str((info or {}).get("version", "")) if isinstance(info, dict) else ""
            version = exact_version(spec) if spec else None
            out.append(Dependency(ECO, name, version, spec, path, idx.find_next(f'"{name}"'), False, dev, True))
    return out
