"""Java (pom.xml, build.gradle, build.gradle.kts) and .NET (*.csproj, packages.lock.json) manifests.

XML goes through defusedxml (no entity expansion, no external fetches). Gradle build scripts are
programs: they are *read* with patterns for the common dependency notations, never evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from pqscan.collect.deps.manifest import Dependency, LineIndex, ManifestError, load_json, load_toml


def _xml(text: str, path: str) -> Element:
    try:
        return SafeET.fromstring(text.encode("utf-8"))
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise ManifestError(f"{path}: not valid XML: {exc}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(el: Element, name: str) -> str:
    for c in el:
        if _local(c.tag) == name:
            return (c.text or "").strip()
    return ""


_PROP_RE = re.compile(r"\$\{([^}]+)\}")
_JAVA_PROPS = ("maven.compiler.release", "maven.compiler.target", "maven.compiler.source", "java.version")
MAX_PARENT_DEPTH = 10


@dataclass(frozen=True)
class PomDependency:
    group: str
    artifact: str
    raw_version: str
    scope: str
    line: int | None
    build_only: bool  # a plugin's dependency


@dataclass
class PomModel:
    """What one pom.xml says before inheritance: coordinates, parent, properties, managed versions."""

    path: str
    text: str
    group: str
    artifact: str
    version: str
    parent: tuple[str, str, str] | None
    parent_relative_path: str
    properties: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # name -> (value, line)
    managed: dict[tuple[str, str], str] = field(default_factory=dict)  # (group, artifact) -> raw version
    imports: list[tuple[str, str, str]] = field(default_factory=list)  # BOMs imported into dependencyManagement
    dependencies: list[PomDependency] = field(default_factory=list)
    release_line: int | None = None
    release: str | None = None  # maven-compiler-plugin <release>


def pom_model(text: str, path: str) -> PomModel:
    root = _xml(text, path)
    if _local(root.tag) != "project":
        raise ManifestError(f"{path}: not a Maven POM (root element is {_local(root.tag)!r})")
    parents = {child: parent for parent in root.iter() for child in parent}
    parent_el = next((c for c in root if _local(c.tag) == "parent"), None)
    parent = None
    rel = "../pom.xml"
    if parent_el is not None:
        parent = (_child_text(parent_el, "groupId"), _child_text(parent_el, "artifactId"), _child_text(parent_el, "version"))
        rel_el = next((c for c in parent_el if _local(c.tag) == "relativePath"), None)
        if rel_el is not None:
            rel = (rel_el.text or "").strip()
    model = PomModel(path, text, _child_text(root, "groupId") or (parent[0] if parent else ""),
                     _child_text(root, "artifactId"), _child_text(root, "version") or (parent[2] if parent else ""),
                     parent, rel)
    cursor = 0
    idx = LineIndex(text)
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "properties" and parents.get(el) is root:
            for prop in el:
                name = _local(prop.tag)
                pos = text.find(f"<{name}>", cursor)
                model.properties[name] = ((prop.text or "").strip(), idx.line_at(pos) if pos >= 0 else None)
            continue
        if tag == "release" and model.release is None:
            pos = text.find("<release>")
            model.release, model.release_line = (el.text or "").strip(), idx.line_at(pos) if pos >= 0 else None
            continue
        if tag != "dependency":
            continue
        group, artifact = _child_text(el, "groupId"), _child_text(el, "artifactId")
        pos = text.find(f"<artifactId>{artifact}</artifactId>", cursor)
        if pos >= 0:
            cursor = pos + 1
        line = idx.line_at(pos) if pos >= 0 else None
        ancestors = []
        node = parents.get(el)
        while node is not None:
            ancestors.append(_local(node.tag))
            node = parents.get(node)
        raw_version, scope = _child_text(el, "version"), _child_text(el, "scope")
        if "dependencyManagement" in ancestors and "plugin" not in ancestors:
            if scope == "import" and _child_text(el, "type") == "pom":
                model.imports.append((group, artifact, raw_version))
            else:
                model.managed.setdefault((group, artifact), raw_version)
            continue
        model.dependencies.append(PomDependency(group, artifact, raw_version, scope, line, "plugin" in ancestors))
    return model


def _find_parent(model: PomModel, models: Mapping[str, PomModel]) -> PomModel | None:
    if model.parent is None:
        return None
    base = model.path.rsplit("/", 1)[0] if "/" in model.path else ""
    if model.parent_relative_path:
        rel = model.parent_relative_path
        if not rel.endswith(".xml"):
            rel = rel.rstrip("/") + "/pom.xml"
        parts: list[str] = [p for p in base.split("/") if p]
        for piece in rel.split("/"):
            if piece == "..":
                if parts:
                    parts.pop()
            elif piece not in ("", "."):
                parts.append(piece)
        candidate = models.get("/".join(parts))
        if candidate is not None and (candidate.group, candidate.artifact) == model.parent[:2]:
            return candidate
    g, a, v = model.parent
    return next((m for m in models.values() if (m.group, m.artifact) == (g, a) and (not v or m.version == v)), None)


def _chain(model: PomModel, models: Mapping[str, PomModel]) -> list[PomModel]:
    """The POM and its ancestors found in the scanned tree, child first."""
    chain = [model]
    while len(chain) < MAX_PARENT_DEPTH and (parent := _find_parent(chain[-1], models)) is not None:
        if parent in chain:
            break
        chain.append(parent)
    return chain


def resolve_pom(model: PomModel, models: Mapping[str, PomModel] | None = None) -> list[Dependency]:
    """The POM's dependencies as Maven sees them: properties and dependencyManagement inherited from
    parents found among ``models`` (path -> model, the POMs of the scanned tree), child values winning;
    ``${...}`` interpolated after inheritance, as Maven does."""
    models = models or {}
    chain = _chain(model, models)
    props: dict[str, str] = {}
    managed: dict[tuple[str, str], str] = {}
    for m in reversed(chain):  # root ancestor first, so the child overrides
        props.update({k: v for k, (v, _line) in m.properties.items()})
        managed.update(m.managed)
        for g, a, v in m.imports:  # an imported BOM in the tree contributes its managed versions
            bom = next((b for b in models.values() if (b.group, b.artifact) == (g, a)), None)
            if bom is not None:
                for key, raw in bom.managed.items():
                    managed.setdefault(key, raw)
                props.update({k: v for k, (v, _l) in bom.properties.items() if k not in props})
    props.update({"project.version": model.version, "project.groupId": model.group,
                  "project.artifactId": model.artifact, "version": model.version, "pom.version": model.version})
    if model.parent:
        props.update({"project.parent.version": model.parent[2], "parent.version": model.parent[2],
                      "project.parent.groupId": model.parent[0]})

    def resolve(value: str) -> str:
        for _ in range(8):  # properties may refer to properties; bounded
            new = _PROP_RE.sub(lambda m: props.get(m.group(1), m.group(0)), value)
            if new == value:
                break
            value = new
        return value

    out: list[Dependency] = []
    for dep in model.dependencies:
        group, artifact = resolve(dep.group), resolve(dep.artifact)
        if not group or not artifact:
            continue
        raw = dep.raw_version or managed.get((dep.group, dep.artifact), "") or managed.get((group, artifact), "")
        version = resolve(raw) or None
        if version and ("${" in version or version.startswith(("[", "("))):
            version = None  # unresolved property or a version range
        dev = dep.scope in ("test", "provided") or dep.build_only
        out.append(Dependency("maven", f"{group}:{artifact}", version, dep.raw_version or raw, model.path, dep.line,
                              True, dev))
    java_def = next(((k, model.properties[k]) for k in _JAVA_PROPS if k in model.properties), None)
    java, line = None, None
    if java_def is not None:
        java, line = resolve(java_def[1][0]), java_def[1][1]
        raw = java_def[1][0]
        for _ in range(5):  # "${java.version}": point at the line where the number is written
            ref = re.fullmatch(r"\$\{([^}]+)\}", raw)
            if not ref or ref.group(1) not in model.properties:
                break
            raw, line = model.properties[ref.group(1)]
    elif model.release:
        java, line = resolve(model.release), model.release_line
    if java and re.fullmatch(r"[\d.]+", java):
        java = java.removeprefix("1.") if java.startswith("1.") and java != "1" else java
        out.append(Dependency("maven", "java", java, java, model.path, line, True))
    return out


def parse_pom(text: str, path: str) -> list[Dependency]:
    """One POM on its own (no parent in reach): its own properties and dependencyManagement."""
    return resolve_pom(pom_model(text, path))


def resolve_poms(texts: Mapping[str, str]) -> dict[str, list[Dependency]]:
    """Every POM of a scanned tree (path -> text), read with its parents in the tree; POMs that do not
    parse are left out (the caller has recorded their errors)."""
    models: dict[str, PomModel] = {}
    for path, text in texts.items():
        try:
            models[path] = pom_model(text, path)
        except ManifestError:
            continue
    return {path: resolve_pom(m, models) for path, m in models.items()}


_GRADLE_CONFS = r"(?:implementation|api|compileOnly|runtimeOnly|compile|runtime|testImplementation|testCompile|" \
                r"testRuntimeOnly|annotationProcessor|kapt|classpath)"
_GRADLE_STR_RE = re.compile(_GRADLE_CONFS + r"""\s*\(?\s*(?:platform\()?\s*["']([^"':\s]+):([^"':\s]+)(?::([^"'\s@]+))?["']""")
_GRADLE_MAP_RE = re.compile(_GRADLE_CONFS + r"""\s*\(?\s*group\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)["']"""
                            r"""(?:\s*,\s*version\s*[:=]\s*["']([^"']+)["'])?""")
_GRADLE_VAR_RE = re.compile(r"""(?:^|\s)(?:val|var|def|ext\.|set\(["'])?\s*(\w+)["']?\s*[=,]\s*["']([\w.\-]+)["']""", re.M)
_GRADLE_JAVA_RE = re.compile(r"(?:JavaLanguageVersion\.of\(\s*(\d+)\s*\)|JavaVersion\.VERSION_(?:1_)?(\d+)|"
                             r"""(?:source|target)Compatibility\s*=\s*['"]?(?:1\.)?(\d+))""")


def parse_gradle(text: str, path: str) -> list[Dependency]:
    idx = LineIndex(text)
    variables = {m.group(1): m.group(2) for m in _GRADLE_VAR_RE.finditer(text)}

    def resolve(v: str | None) -> str | None:
        if not v:
            return None
        m = re.fullmatch(r"\$\{?(?:project\.|rootProject\.ext\.|libs\.versions\.)?([\w.]+)\}?", v)
        if m:
            return variables.get(m.group(1))
        return None if "$" in v else v

    out = []
    for rx in (_GRADLE_STR_RE, _GRADLE_MAP_RE):
        for m in rx.finditer(text):
            group, artifact, raw = m.group(1), m.group(2), m.group(3)
            version = resolve(raw)
            if version and (version.endswith("+") or version.startswith(("[", "("))):
                version = None
            dev = m.group(0).startswith(("test", "annotationProcessor", "kapt"))
            out.append(Dependency("maven", f"{group}:{artifact}", version, raw or "", path, idx.line_at(m.start()), True, dev))
    if jm := _GRADLE_JAVA_RE.search(text):
        java = next(g for g in jm.groups() if g)
        out.append(Dependency("maven", "java", java, java, path, idx.line_at(jm.start()), True))
    return out


def parse_version_catalog(text: str, path: str) -> list[Dependency]:
    """Gradle version catalog (gradle/libs.versions.toml): [versions] and [libraries]."""
    data = load_toml(text, path)
    idx = LineIndex(text)
    versions = {k: v for k, v in (data.get("versions") or {}).items() if isinstance(v, str)}
    out = []
    for alias, lib in (data.get("libraries") or {}).items():
        version: Any = None
        if isinstance(lib, str):
            parts = lib.split(":")
            module, version = ":".join(parts[:2]), (parts[2] if len(parts) > 2 else None)
        elif isinstance(lib, Mapping):
            module = lib.get("module") or f"{lib.get('group', '')}:{lib.get('name', '')}"
            v = lib.get("version")
            version = versions.get(v["ref"]) if isinstance(v, Mapping) and "ref" in v else v
            if isinstance(version, Mapping):  # rich version {strictly = "1.2"} / {require = "1.2"}
                version = version.get("strictly") or version.get("require") or version.get("prefer")
        else:
            continue
        if not isinstance(module, str) or ":" not in module:
            continue
        version = str(version) if version and not str(version).startswith(("[", "(")) and "+" not in str(version) else None
        out.append(Dependency("maven", module, version, version or "", path, idx.find(alias), True))
    return out


_TFM_RE = re.compile(r"^net(?:coreapp)?(\d+)\.(\d+)", re.I)


def _dotnet_version(tfm: str) -> str | None:
    """'net8.0' -> '8.0', 'netcoreapp3.1' -> '3.1'; .NET Framework ('net48') and netstandard -> None."""
    m = _TFM_RE.match(tfm.strip())
    return f"{m.group(1)}.{m.group(2)}" if m else None


def parse_csproj(text: str, path: str) -> list[Dependency]:
    root = _xml(text, path)
    idx = LineIndex(text)
    out = []
    for el in root.iter():
        tag = _local(el.tag)
        if tag in ("PackageReference", "PackageVersion"):  # PackageVersion: Directory.Packages.props
            name = el.get("Include") or el.get("Update")
            if not name:
                continue
            spec = el.get("Version") or _child_text(el, "Version")
            version = spec if spec and re.fullmatch(r"[\d.]+(-[\w.]+)?", spec) else None
            out.append(Dependency("nuget", name, version, spec, path, idx.find(f'"{name}"'), True))
        elif tag in ("TargetFramework", "TargetFrameworks"):
            for tfm in (el.text or "").split(";"):
                if v := _dotnet_version(tfm):
                    out.append(Dependency("nuget", "dotnet", v, tfm.strip(), path, idx.find(tfm.strip()), True))
    return out


def parse_packages_lock(text: str, path: str) -> list[Dependency]:
    data = load_json(text, path)
    deps = data.get("dependencies") if isinstance(data, dict) else None
    if not isinstance(deps, Mapping):
        raise ManifestError(f"{path}: not a NuGet packages.lock.json (no dependencies object)")
    idx = LineIndex(text)
    out = []
    for tfm, packages in deps.items():
        if v := _dotnet_version(str(tfm)):
            out.append(Dependency("nuget", "dotnet", v, str(tfm), path, idx.find(f'"{tfm}"'), True, False, True))
        if not isinstance(packages, Mapping):
            continue
        for name, info in packages.items():
            info = info if isinstance(info, Mapping) else {}
            resolved: Any = info.get("resolved")
            out.append(Dependency("nuget", name, str(resolved) if resolved else None, str(info.get("requested", "")),
                                  path, idx.find_next(f'"{name}"'), info.get("type") == "Direct", False, True))
    return out
