"""Go (go.mod, go.sum) and Rust (Cargo.toml, Cargo.lock) manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqscan.collect.deps import go_rust
from pqscan.collect.deps.manifest import ManifestError

DATA = Path(__file__).parent.parent / "data" / "deps"


def _by_name(deps):
    return {d.name: d for d in deps}


def test_go_mod_go_line_is_the_stdlib_version_and_toolchain_is_a_fact():
    deps, facts = go_rust.parse_go_mod((DATA / "go/go.mod").read_text(), "go.mod")
    assert _by_name(deps)["stdlib"].version == "1.22"
    assert facts["toolchain"] == "1.24.1"


def test_go_mod_require_block_and_single_line_require_with_indirect_marker():
    deps, _ = go_rust.parse_go_mod((DATA / "go/go.mod").read_text(), "go.mod")
    by = _by_name(deps)
    assert by["golang.org/x/crypto"].version == "v0.31.0" and by["golang.org/x/crypto"].direct
    assert not by["golang.org/x/net"].direct
    assert by["github.com/stretchr/testify"].version == "v1.9.0"


def test_go_mod_godebug_block_is_read():
    _, facts = go_rust.parse_go_mod((DATA / "go124/go.mod").read_text(), "go.mod")
    assert facts["godebug"] == {"tlsmlkem": "0"}


def test_go_mod_without_module_line_raises():
    with pytest.raises(ManifestError):
        go_rust.parse_go_mod("go 1.22\n", "go.mod")


def test_go_sum_keeps_highest_version_per_module():
    text = "golang.org/x/crypto v0.9.0 h1:a=\ngolang.org/x/crypto v0.31.0/go.mod h1:b=\ngolang.org/x/crypto v0.10.0 h1:c=\n"
    assert [(d.name, d.version) for d in go_rust.parse_go_sum(text, "go.sum")] == [("golang.org/x/crypto", "v0.31.0")]


def test_cargo_toml_table_and_renamed_dependencies():
    deps = go_rust.parse_cargo_toml((DATA / "rust/Cargo.toml").read_text(), "Cargo.toml")
    names = [d.name for d in deps]
    assert names.count("rustls") == 2  # "tls = { package = "rustls" }" is rustls too


def test_cargo_toml_caret_default_is_a_range_and_equals_is_exact():
    deps = _by_name(go_rust.parse_cargo_toml((DATA / "rust/Cargo.toml").read_text(), "Cargo.toml"))
    assert deps["ring"].version is None
    assert deps["rsa"].version == "0.9.6" and deps["rsa"].dev


def test_cargo_lock_skips_workspace_members():
    deps = _by_name(go_rust.parse_cargo_lock((DATA / "rust/Cargo.lock").read_text(), "Cargo.lock"))
    assert "pq-client" not in deps
    assert deps["rustls"].version == "0.23.27"
