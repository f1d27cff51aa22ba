"""Java (pom.xml, build.gradle, build.gradle.kts) and .NET (*.csproj, packages.lock.json) manifests.

XML goes through defusedxml (no entity expansion, no external fetches). Gradle build scripts are
programs: they are *read* with patterns for the common dependency notations, never evaluated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from pqscan.collect.deps.manifest import Dependency, LineIndex, ManifestError


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


def parse_pom(text: str, path: str) -> list[Dependency]:
    root = _xml(text, path)
    if _local(root.tag) != "project":
        raise ManifestError(f"{path}: not a Maven POM (root element is {_local(root.tag)!r})")
    idx = LineIndex(text)
    props: dict[str, str] = {}
    for el in root:
        if _local(el.tag) == "properties":
            props.update({_local(p.tag): (p.text or "").strip() for p in el})
    props.setdefault("project.version", _child_text(root, "version"))

    def resolve(value: str) -> str:
        for _ in range(5):  # properties may refer to properties; bounded
            new = _PROP_RE.sub(lambda m: props.get(m.group(1), m.group(0)), value)
            if new == value:
                break
            value = new
        return value

    out: list[Dependency] = []
    for dep in root.iter():
        if _local(dep.tag) != "dependency":
            continue
        group, artifact = resolve(_child_text(dep, "groupId")), resolve(_child_text(dep, "artifactId"))
        if not group or not artifact:
            continue
        raw_version = _child_text(dep, "version")
        version = resolve(raw_version) or None
        if version and ("${" in version or version.startswith(("[", "("))):
            version = None  # unresolved property or a version range
        scope = _child_text(dep, "scope")
        out.append(Dependency("maven", f"{group}:{artifact}", version, raw_version, path,
                              idx.find(f"<artifactId>{artifact}</artifactId>"), True, scope in ("test", "provided")))
    java = next((resolve(props[k]) for k in ("maven.compiler.release", "maven.compiler.target", "maven.compiler.source",
                                             "java.version") if props.get(k)), None)
    if java is None:
        m = re.search(r"<release>\s*([\d.]+)\s*</release>", text)
        java = m.group(1) if m else None
    if java and re.fullmatch(r"[\d.]+", java):
        java = java.removeprefix("1.") if java.startswith("1.") and java != "1" else java
        out.append(Dependency("maven", "java", java, java, path, idx.find(java), True))
    return out


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
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}") from exc
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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}: not valid JSON: {exc}") from exc
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
