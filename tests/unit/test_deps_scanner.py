"""The dependency scanner end to end over real manifest trees (copied to tmp so each test owns its tree)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pqscan.collect.deps import scan_paths
from pqscan.model import ErrorKind, Usage

DATA = Path(__file__).parent.parent / "data" / "deps"


def _scan(root):
    results = list(scan_paths([root]))
    findings = [f for r in results for f in r.findings]
    assets = {a.id: a for r in results for a in r.assets}
    errors = [e for r in results for e in r.errors]
    return findings, assets, errors


def _copy(tmp_path, *names):
    for n in names:
        shutil.copytree(DATA / n, tmp_path / n)
    return tmp_path


def test_lock_version_replaces_manifest_range_in_the_same_directory(tmp_path):
    _, assets, _ = _scan(_copy(tmp_path, "poetry"))
    crypto = [a for a in assets.values() if a.name == "cryptography"]
    assert [a.id for a in crypto] == ["dep:pypi/cryptography@41.0.7#poetry/poetry.lock"]
    assert crypto[0].attributes["direct"] is True


def test_asset_carries_purl(tmp_path):
    _, assets, _ = _scan(_copy(tmp_path, "node"))
    (pq,) = [a for a in assets.values() if a.id.startswith("dep:npm/@noble/post-quantum@0.2.1#")]
    assert pq.attributes["purl"] == "pkg:npm/%40noble/post-quantum@0.2.1"


def test_only_crypto_libraries_get_findings(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "node"))
    assert {f.evidence.symbol for f in findings} == {"jsonwebtoken", "node-forge", "@noble/post-quantum", "node"}


def test_first_party_import_is_noted_with_its_location(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "python"))
    jwt = next(f for f in findings if f.evidence.symbol == "PyJWT")
    assert jwt.parameters["imported_by_first_party"] is True
    assert "src/payments/tokens.py:2" in jwt.evidence.detail


def test_import_only_in_a_vendored_tree_does_not_count(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "python"))
    paramiko = next(f for f in findings if f.evidence.symbol == "paramiko")
    assert paramiko.parameters["imported_by_first_party"] is False


def test_go_toolchain_default_group_is_a_key_exchange_finding(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "go"))
    go = next(f for f in findings if f.evidence.symbol == "stdlib")
    assert (go.algorithm, go.usage, go.evidence.line) == ("X25519", Usage.KEY_EXCHANGE, 3)


def test_go_godebug_tlsmlkem_0_turns_the_hybrid_default_off(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "go124"))
    assert [f.algorithm for f in findings] == ["X25519"]


def test_rustls_0_23_27_defaults_to_x25519mlkem768(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "rust"))
    assert next(f for f in findings if f.evidence.symbol == "rustls").algorithm == "X25519MLKEM768"


def test_library_without_a_protocol_default_is_unknown_with_reason(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "pipenv"))
    (f,) = findings
    assert f.algorithm == "unknown" and f.parameters["unknown_reason"]
    assert f.parameters["raw_identifier"] == "library:pypi/pycryptodome"


def test_capabilities_are_parameters_never_severity(tmp_path):
    findings, _, _ = _scan(_copy(tmp_path, "uv"))
    (f,) = findings
    assert f.parameters["ml_kem"] is True and "severity" not in f.parameters


def test_malformed_manifest_is_recorded_and_other_manifests_still_scanned(tmp_path):
    _copy(tmp_path, "uv")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "Cargo.lock").write_text("[[package]\nname=")
    findings, _, errors = _scan(tmp_path)
    assert [e.kind for e in errors] == [ErrorKind.PARSE_ERROR]
    assert len(findings) == 1


def test_non_utf8_manifest_is_recorded_as_malformed(tmp_path):
    (tmp_path / "requirements.txt").write_bytes(b"cryptography==\xff\xfe\n")
    _, _, errors = _scan(tmp_path)
    assert [e.kind for e in errors] == [ErrorKind.MALFORMED]


def test_finding_ids_are_stable_across_rescans(tmp_path):
    root = _copy(tmp_path, "maven")
    first = sorted(f.id for f in _scan(root)[0])
    assert first == sorted(f.id for f in _scan(root)[0])


def test_importing_file_gets_a_uses_edge_to_the_library(tmp_path):
    results = list(scan_paths([_copy(tmp_path, "python")]))
    files = {a.id: a for r in results for a in r.assets if a.id.startswith("file:")}
    rels = {(rel.kind.value, rel.target) for rel in files["file:python/src/payments/tokens.py"].relations}
    assert ("uses", "dep:pypi/PyJWT@2.8.0#python/requirements.txt") in rels
