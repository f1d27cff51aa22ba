"""npm manifests and locks: package.json, package-lock.json, yarn.lock, pnpm-lock.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqscan.collect.deps import javascript
from pqscan.collect.deps.manifest import ManifestError

DATA = Path(__file__).parent.parent / "data" / "deps"


def _by_name(deps):
    return {d.name: d for d in deps}


def test_package_json_exact_and_caret_versions():
    deps = _by_name(javascript.parse_package_json((DATA / "node/package.json").read_text(), "package.json"))
    assert deps["jsonwebtoken"].version == "9.0.2"
    assert deps["node-forge"].version is None and deps["node-forge"].spec == "^1.3.1"
    assert deps["@noble/post-quantum"].dev


def test_package_json_engines_node_becomes_the_node_runtime_dependency():
    deps = _by_name(javascript.parse_package_json((DATA / "node/package.json").read_text(), "package.json"))
    assert deps["node"].spec == ">=20.11"


def test_package_lock_v3_reads_packages_and_skips_the_root():
    deps = _by_name(javascript.parse_package_lock((DATA / "node/package-lock.json").read_text(), "package-lock.json"))
    assert deps["@noble/post-quantum"].version == "0.2.1" and deps["@noble/post-quantum"].dev
    assert "auth-gateway" not in deps


def test_package_lock_v1_nested_dependencies():
    text = '{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0", "dependencies": {"node-forge": {"version": "0.10.0"}}}}}'
    deps = _by_name(javascript.parse_package_lock(text, "package-lock.json"))
    assert deps["node-forge"].version == "0.10.0"


def test_yarn_v1_lock_with_scoped_multi_spec_header():
    deps = _by_name(javascript.parse_yarn_lock((DATA / "yarn/yarn.lock").read_text(), "yarn.lock"))
    assert deps["@noble/curves"].version == "1.4.2"
    assert deps["@noble/curves"].line == 5


def test_yarn_berry_lock_version_without_quotes():
    text = '__metadata:\n  version: 8\n\n"node-forge@npm:^1.3.1":\n  version: 1.3.1\n  resolution: "node-forge@npm:1.3.1"\n'
    deps = _by_name(javascript.parse_yarn_lock(text, "yarn.lock"))
    assert deps["node-forge"].version == "1.3.1"


def test_pnpm_v9_lock_packages_are_listed_once():
    deps = javascript.parse_pnpm_lock((DATA / "pnpm/pnpm-lock.yaml").read_text(), "pnpm-lock.yaml")
    assert sorted((d.name, d.version) for d in deps) == [("@noble/post-quantum", "0.2.1"), ("node-forge", "1.3.1")]


def test_pnpm_v5_slash_separated_keys():
    text = "lockfileVersion: 5.4\n\npackages:\n\n  /node-forge/1.3.1:\n    resolution: {integrity: x}\n"
    assert [(d.name, d.version) for d in javascript.parse_pnpm_lock(text, "pnpm-lock.yaml")] == [("node-forge", "1.3.1")]


def test_package_json_that_is_not_json_raises_manifest_error():
    with pytest.raises(ManifestError):
        javascript.parse_package_json("{not json", "package.json")
