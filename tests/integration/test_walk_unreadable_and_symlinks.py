"""One unreadable folder never aborts a scan; symlinks out of the scanned roots are not followed.

The unreadable folder is real: mode 000, scanned by a process without CAP_DAC_OVERRIDE (root keeps
reading through mode bits otherwise, so as root the scan runs under ``setpriv`` without it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

pytestmark = pytest.mark.integration

COMMANDS = {
    "certs": ["certs"],
    "code": ["code"],
    "scan": ["scan"],
    "ci": ["ci", "--format", "json"],
}


def _without_dac_override() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root and setpriv (util-linux) is absent: cannot make a folder unreadable")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def _pem() -> bytes:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_mode_000_folder_is_a_recorded_skip_and_the_inventory_is_written(tmp_path: Path, command: str) -> None:
    tree = tmp_path / "tree"
    (tree / "app").mkdir(parents=True)
    (tree / "app" / "main.py").write_text("import hashlib\nhashlib.md5(b'x')\n")
    (tree / "app" / "server.key").write_bytes(_pem())
    locked = tree / "locked"
    locked.mkdir()
    (locked / "x.py").write_text("x = 1\n")
    locked.chmod(0)
    out = tmp_path / "out.json"
    try:
        proc = subprocess.run([*_without_dac_override(), sys.executable, "-m", "pqscan", "-q", *COMMANDS[command],
                               str(tree), "-o", str(out)], capture_output=True, text=True, timeout=120, check=False)
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    inv = doc["inventory"] if command == "ci" else doc
    errors = [e for e in inv["errors"] if e["target"] == "locked"]
    assert errors and errors[0]["kind"] == "permission" and "cannot list directory" in errors[0]["message"]
    assert any(f["evidence"]["location"] in ("app/main.py", "app/server.key") for f in inv["findings"])


def test_proc_is_walked_without_aborting(tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc on this system")
    out = tmp_path / "proc.json"
    proc = subprocess.run([sys.executable, "-m", "pqscan", "-q", "certs", "/proc/self", "-o", str(out)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["completed_targets"] == ["/proc/self"]


def test_a_symlink_out_of_the_scanned_tree_is_not_followed_unless_asked(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.key").write_bytes(_pem())
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "inside.key").write_bytes(_pem())
    (tree / "leak.key").symlink_to(outside / "private.key")
    (tree / "same.key").symlink_to(tree / "inside.key")  # inside the root: the same file, scanned once

    def run(*extra: str) -> dict:
        out = tmp_path / "out.json"
        proc = subprocess.run([sys.executable, "-m", "pqscan", "-q", "certs", str(tree), "-o", str(out), *extra],
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        return json.loads(out.read_text())

    default = run()
    assert {f["evidence"]["location"] for f in default["findings"]} == {"inside.key"}
    (skip,) = [e for e in default["errors"] if e["target"] == "leak.key"]
    assert skip["kind"] == "skipped" and "outside the scanned roots" in skip["message"]
    followed = run("--follow-symlinks")
    assert {f["evidence"]["location"] for f in followed["findings"]} == {"inside.key", "leak.key"}
