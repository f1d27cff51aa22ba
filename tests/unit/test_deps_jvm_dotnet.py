"""Maven, Gradle and .NET manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqscan.collect.deps import jvm_dotnet
from pqscan.collect.deps.manifest import ManifestError

DATA = Path(__file__).parent.parent / "data" / "deps"


def _by_name(deps):
    return {d.name: d for d in deps}


def test_pom_property_version_is_resolved():
    deps = _by_name(jvm_dotnet.parse_pom((DATA / "maven/pom.xml").read_text(), "pom.xml"))
    assert deps["org.bouncycastle:bcprov-jdk18on"].version == "1.78.1"


def test_pom_test_scope_is_dev_and_compiler_release_is_the_java_version():
    deps = _by_name(jvm_dotnet.parse_pom((DATA / "maven/pom.xml").read_text(), "pom.xml"))
    assert deps["junit:junit"].dev
    assert deps["java"].version == "17"


def test_pom_with_entity_expansion_is_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><project>&a;</project>'
    with pytest.raises(ManifestError):
        jvm_dotnet.parse_pom(bomb, "pom.xml")


def test_gradle_kotlin_string_notation_with_variable_and_map_notation():
    deps = _by_name(jvm_dotnet.parse_gradle((DATA / "gradle/build.gradle.kts").read_text(), "build.gradle.kts"))
    assert deps["org.bouncycastle:bcprov-jdk18on"].version == "1.80"
    assert deps["com.google.guava:guava"].version == "33.2.0-jre"
    assert deps["org.junit.jupiter:junit-jupiter"].dev


def test_gradle_toolchain_language_version_is_the_java_version():
    deps = _by_name(jvm_dotnet.parse_gradle((DATA / "gradle/build.gradle.kts").read_text(), "build.gradle.kts"))
    assert deps["java"].version == "21"


def test_gradle_groovy_single_quoted_notation():
    deps = jvm_dotnet.parse_gradle("dependencies {\n    compile 'org.bouncycastle:bcprov-jdk15on:1.70'\n}\n", "build.gradle")
    assert [(d.name, d.version, d.line) for d in deps] == [("org.bouncycastle:bcprov-jdk15on", "1.70", 2)]


def test_csproj_package_reference_attribute_and_child_version_and_target_framework():
    deps = _by_name(jvm_dotnet.parse_csproj((DATA / "dotnet/Api.csproj").read_text(), "Api.csproj"))
    assert deps["BouncyCastle.Cryptography"].version == "2.4.0"
    assert deps["Serilog"].version == "3.1.1"
    assert deps["dotnet"].version == "8.0"


def test_packages_lock_json_resolved_versions():
    deps = _by_name(jvm_dotnet.parse_packages_lock((DATA / "dotnet/packages.lock.json").read_text(), "packages.lock.json"))
    assert deps["BouncyCastle.Cryptography"].version == "2.4.0" and deps["BouncyCastle.Cryptography"].direct


def test_gradle_version_catalog_refs_strings_and_rich_versions():
    text = (DATA / "gradle/gradle/libs.versions.toml").read_text()
    deps = _by_name(jvm_dotnet.parse_version_catalog(text, "libs.versions.toml"))
    assert deps["org.bouncycastle:bcprov-jdk18on"].version == "1.83"
    assert deps["org.conscrypt:conscrypt-openjdk-uber"].version == "2.7.0"
    assert deps["com.google.guava:guava"].version == "33.2.0-jre"


def test_directory_packages_props_central_versions():
    text = '<Project><ItemGroup><PackageVersion Include="BouncyCastle.Cryptography" Version="2.5.1" /></ItemGroup></Project>'
    deps = _by_name(jvm_dotnet.parse_csproj(text, "Directory.Packages.props"))
    assert deps["BouncyCastle.Cryptography"].version == "2.5.1"
