"""File-based ids are relative to the scanned root however it was spelled; keys and certificates by fingerprint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pqscan.assess.profiles import load_profiles
from pqscan.collect.walk import root_labels
from pqscan.lab.demo import sample_repo_source, write_key_material
from pqscan.pipeline.diff import diff_inventories
from pqscan.pipeline.scan import ScanOptions, scan


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(sample_repo_source(), repo)
    write_key_material(repo)
    return repo


def _scan_as(spelling: str, cwd: Path):  # type: ignore[no-untyped-def]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return scan([spelling], ScanOptions())
    finally:
        os.chdir(old)


def test_the_same_tree_scanned_three_ways_diffs_to_nothing(repo: Path) -> None:
    relative = _scan_as("repo", repo.parent)
    absolute = _scan_as(str(repo.resolve()), Path("/"))
    dot = _scan_as(".", repo)
    assert relative.findings and sorted(relative.assets) == sorted(absolute.assets) == sorted(dot.assets)
    profiles = load_profiles(["nist-ir-8547"])
    for a, b in ((relative, absolute), (absolute, dot), (dot, relative)):
        d = diff_inventories(a, b, profiles)
        assert not d.new_findings and not d.resolved_findings, (d.new_findings[:1], d.resolved_findings[:1])
    assert {f.id for f in relative.findings} == {f.id for f in dot.findings}


def test_file_ids_name_the_file_inside_the_root_and_material_is_named_by_fingerprint(repo: Path) -> None:
    inv = _scan_as(str(repo), Path("/"))
    file_ids = [a for a in inv.assets if a.startswith("file:")]
    assert file_ids and not any(str(repo) in a or a.startswith("file:/") for a in file_ids)
    assert any(a.startswith("cert:sha256:") for a in inv.assets) and any(a.startswith("key:sha256:") for a in inv.assets)


def test_the_same_key_in_two_places_is_one_key_asset(tmp_path: Path) -> None:
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    for rel in ("a/server.key", "b/copy.key"):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_bytes(pem)
    inv = scan([str(tmp_path)], ScanOptions())
    keys = [a for a in inv.assets.values() if a.id.startswith("key:sha256:")]
    assert len(keys) == 1
    assert {"file:a/server.key", "file:b/copy.key"} <= set(inv.assets)


def test_several_roots_are_told_apart_by_their_folder_names(tmp_path: Path) -> None:
    for rel in ("one/app/x.py", "two/app/x.py", "three/app/x.py"):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text("import hashlib\nhashlib.md5(b'x')\n")
    (tmp_path / "three" / "app" / "one").mkdir()
    labels = root_labels([tmp_path / "one", tmp_path / "two", tmp_path / "three" / "app" / "one"])
    assert list(labels.values()) == ["one/", "two/", "one-2/"]
    inv = scan([str(tmp_path / "one"), str(tmp_path / "two")], ScanOptions())
    assert {"file:one/app/x.py", "file:two/app/x.py"} <= set(inv.assets)
    assert inv.attachments["roots"] == {"one": str(tmp_path / "one"), "two": str(tmp_path / "two")}
