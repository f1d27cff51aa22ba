"""Hostile files and trees: a lock file that would break the CBOM, a config line with 100,000 ciphers,
unreadable folders, /proc and symlinks out of the tree (issue #17 causes 1 and 6, and "also observed").
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pqscan.report.cbom import validate
from tests.hostile.helpers import pqscan, pqscan_process

pytestmark = pytest.mark.integration


def _poetry_project(root: Path, version: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[tool.poetry]\nname = "app"\nversion = "0.1.0"\n\n'
                                         '[tool.poetry.dependencies]\ncryptography = "*"\n')
    (root / "poetry.lock").write_text(f'[[package]]\nname = "cryptography"\nversion = "{version}"\n'
                                      'description = ""\noptional = false\npython-versions = ">=3.7"\n\n'
                                      '[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\n'
                                      'content-hash = "0"\n')
    return root


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_a_lock_file_version_longer_than_cyclonedx_allows_keeps_the_cbom_valid(tmp_path: Path, spec: str) -> None:
    """c15dbd4 copied a 3000-character version as-is: CycloneDX strict validation failed, exit 0."""
    long_version = "1." + "9" * 3000
    inv = tmp_path / "inv.json"
    assert pqscan("scan", _poetry_project(tmp_path / "app", long_version), "-o", inv, "-q",
                  "--collectors", "deps").returncode == 0
    inventory = json.loads(inv.read_text())
    dep = next(a for a in inventory["assets"] if a["kind"] == "dependency" and a["attributes"].get("package")
               == "cryptography")
    assert dep["attributes"]["version"] == long_version  # the inventory keeps the evidence whole
    cbom = tmp_path / "x.cdx.json"
    assert pqscan("report", inv, "-f", "cbom", "--cbom-spec", spec, "-o", cbom).returncode == 0
    assert list(validate(cbom.read_text(), spec)) == []  # cyclonedx-python-lib's JsonStrictValidator
    comp = next(c for c in json.loads(cbom.read_text())["components"] if c.get("name") == "cryptography")
    assert len(comp["version"]) == 1024 and comp["version"].endswith("...")
    note = {p["name"]: p["value"] for p in comp["properties"]}["pqscan:version-truncated"]
    assert note.startswith("3002 characters")


def test_an_ordinary_lock_file_version_is_not_touched(tmp_path: Path) -> None:
    inv = tmp_path / "inv.json"
    pqscan("scan", _poetry_project(tmp_path / "app", "41.0.7"), "-o", inv, "-q", "--collectors", "deps")
    cbom = json.loads(pqscan("report", inv, "-f", "cbom").stdout)
    comp = next(c for c in cbom["components"] if c.get("name") == "cryptography")
    assert comp["version"] == "41.0.7" and "properties" not in comp


def test_one_sshd_config_line_with_100000_ciphers_gives_one_finding_per_name(tmp_path: Path) -> None:
    """c15dbd4: 100,013 findings and a 66 MB inventory from one line."""
    (tmp_path / "etc").mkdir()
    names = ["aes128-ctr", "chacha20-poly1305@openssh.com", "3des-cbc", "made-up-cipher"]
    (tmp_path / "etc" / "sshd_config").write_text("Port 22\nCiphers " + ",".join(names * 25_000) + "\n")
    inv = tmp_path / "inv.json"
    assert pqscan("scan", tmp_path / "etc", "-o", inv, "-q", "--collectors", "config").returncode == 0
    assert inv.stat().st_size < 100_000
    findings = json.loads(inv.read_text())["findings"]
    by_name = {f["parameters"]["raw_identifier"]: f for f in findings if f["evidence"]["symbol"] == "Ciphers"}
    assert sorted(by_name) == sorted(names)
    assert all(f["parameters"]["repeated"] == 25_000 for f in by_name.values())
    assert [by_name[n]["parameters"]["preference"] for n in names] == [0, 1, 2, 3]  # first position kept


def test_one_line_of_100000_different_names_is_bounded_with_a_recorded_error(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "sshd_config").write_text("Ciphers " + ",".join(f"x{i}" for i in range(100_000)) + "\n")
    inv = tmp_path / "inv.json"
    assert pqscan("scan", tmp_path / "etc", "-o", inv, "-q", "--collectors", "config").returncode == 0
    doc = json.loads(inv.read_text())
    assert len(doc["findings"]) == 2048 and inv.stat().st_size < 3_000_000
    (err,) = doc["errors"]
    assert err["kind"] == "too-large" and "97952 more algorithm names not recorded" in err["message"]


# -- cause 1 and the symlink rule (fixed by the walk rewrite; kept here) -----------------------------

def _without_dac_override() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("root without setpriv: cannot make a folder unreadable")
    return ("setpriv", "--bounding-set", "-dac_override,-dac_read_search")


@pytest.mark.parametrize("command", ["certs", "code", "scan"])
def test_an_unreadable_folder_is_recorded_and_the_scan_goes_on(tmp_path: Path, command: str) -> None:
    tree = tmp_path / "tree"
    (tree / "ok").mkdir(parents=True)
    (tree / "ok" / "a.py").write_text("import hashlib\nhashlib.md5(b'x')\n")
    (tree / "locked").mkdir()
    (tree / "locked").chmod(0)
    out = tmp_path / "inv.json"
    try:
        proc = pqscan_process(command, tree, "-o", out, "-q", prefix=_without_dac_override())
    finally:
        (tree / "locked").chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert any(e["kind"] == "permission" and e["target"] == "locked" for e in doc["errors"])


def test_proc_never_aborts_a_scan(tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc here")
    out = tmp_path / "proc.json"
    proc = pqscan_process("certs", "/proc/self", "-o", out, "-q", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["completed_targets"] == ["/proc/self"]


def test_a_symlink_out_of_the_tree_is_not_followed_by_default(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.key").write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "innocent.key").symlink_to(outside / "secret.key")
    (tree / "shadow").symlink_to("/etc/shadow")
    out = tmp_path / "inv.json"
    assert pqscan("certs", tree, "-o", out, "-q").returncode == 0
    assert json.loads(out.read_text())["findings"] == []
    assert pqscan("certs", tree, "-o", out, "-q", "--follow-symlinks").returncode == 0
    assert any(f["algorithm"] == "ECDSA-P256" for f in json.loads(out.read_text())["findings"])
