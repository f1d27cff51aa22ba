"""Manifests read as their tools read them: Maven parents and inherited properties inside the scanned
tree, pip constraints files, one record per (manifest, package), the Java line of a POM."""

from __future__ import annotations

from pqscan.collect.deps import jvm_dotnet, scan_paths

PARENT = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>org.example</groupId><artifactId>parent</artifactId><version>2.1.0</version>
  <packaging>pom</packaging>
  <properties>
    <bouncycastle.version>1.84</bouncycastle.version>
    <java.version>17</java.version>
    <maven.compiler.release>${java.version}</maven.compiler.release>
  </properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.bouncycastle</groupId><artifactId>bcpkix-jdk18on</artifactId>
      <version>${bouncycastle.version}</version></dependency>
    <dependency><groupId>org.example</groupId><artifactId>core</artifactId><version>${project.version}</version></dependency>
  </dependencies></dependencyManagement>
</project>
"""
MODULE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>2.1.0</version></parent>
  <artifactId>module-a</artifactId>
  <properties><bouncycastle.version>1.83</bouncycastle.version></properties>
  <dependencies>
    <dependency><groupId>org.bouncycastle</groupId><artifactId>bcpkix-jdk18on</artifactId></dependency>
    <dependency><groupId>org.example</groupId><artifactId>core</artifactId></dependency>
  </dependencies>
</project>
"""


def _deps(results):
    return [(a.attributes["manifest"], a.attributes["package"], a.attributes["version"], a.attributes["dev"],
             a.attributes["direct"]) for r in results for a in r.assets if a.id.startswith("dep:")]


def test_a_version_managed_in_the_parent_pom_is_resolved_with_the_childs_properties(tmp_path):
    (tmp_path / "pom.xml").write_text(PARENT)
    (tmp_path / "module-a").mkdir()
    (tmp_path / "module-a" / "pom.xml").write_text(MODULE)
    deps = {(m, p): v for m, p, v, _d, _x in _deps(scan_paths([tmp_path]))}
    # Maven interpolates after inheritance: the module's own bouncycastle.version (1.83) wins.
    assert deps[("module-a/pom.xml", "org.bouncycastle:bcpkix-jdk18on")] == "1.83"
    assert deps[("module-a/pom.xml", "org.example:core")] == "2.1.0"


def test_a_parent_outside_the_scanned_tree_leaves_the_version_unknown(tmp_path):
    (tmp_path / "pom.xml").write_text(MODULE)
    deps = {p: v for _m, p, v, _d, _x in _deps(scan_paths([tmp_path]))}
    assert deps["org.bouncycastle:bcpkix-jdk18on"] is None


def test_the_java_row_points_at_the_line_that_sets_it():
    deps = {d.name: d for d in jvm_dotnet.parse_pom(PARENT, "pom.xml")}
    assert deps["java"].version == "17"
    assert PARENT.splitlines()[deps["java"].line - 1].strip() == "<java.version>17</java.version>"


def test_dependency_management_entries_are_not_dependencies_of_the_parent():
    assert [d.name for d in jvm_dotnet.parse_pom(PARENT, "pom.xml")] == ["java"]


def test_pip_constraints_pin_the_requirement_of_the_same_directory(tmp_path):
    (tmp_path / "requirements.txt").write_text("cryptography>=41\nrequests\n")
    (tmp_path / "constraints.txt").write_text("cryptography==43.0.3\nidna==3.10\n")
    deps = {p: (v, x) for _m, p, v, _d, x in _deps(scan_paths([tmp_path]))}
    assert deps["cryptography"] == ("43.0.3", True)  # pinned by the constraint, asked for by requirements
    assert deps["idna"] == ("3.10", False)  # only constrained: not a direct dependency


def test_one_record_per_manifest_keeps_a_dev_only_use_apart_from_a_runtime_use(tmp_path):
    for name, section in (("api", "dependencies"), ("tools", "devDependencies")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "package.json").write_text(f'{{"name": "{name}", "{section}": {{"jsonwebtoken": "^9"}}}}')
    rows = sorted((m, d) for m, p, _v, d, _x in _deps(scan_paths([tmp_path])) if p == "jsonwebtoken")
    assert rows == [("api/package.json", False), ("tools/package.json", True)]
