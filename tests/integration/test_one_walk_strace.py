"""`pqscan scan DIR` walks once: every folder listed once, every file opened at most once.

Checked from the outside with strace (openat, getdents64) on real trees: the standard library's
``email`` and ``json`` packages and the lab's sample repository (code, manifests, configs, keys).
"""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pqscan.lab.demo import sample_repo_source, write_key_material

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (apt-get install strace)")]

_OPENAT = re.compile(r'openat\(AT_FDCWD<[^>]*>, "(?P<path>[^"]+)", (?P<flags>[A-Z_|]+)[^)]*\) = (?P<rc>-?\d+)')


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "estate"
    shutil.copytree(Path(email.__file__).parent, root / "email", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(Path(json.__file__).parent, root / "json", ignore=shutil.ignore_patterns("__pycache__"))
    repo = root / "repo"
    shutil.copytree(sample_repo_source(), repo)
    write_key_material(repo)
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "debug.log").write_text("ignored\n")
    return root


def _strace(tmp_path: Path, *args: str) -> list[str]:
    trace = tmp_path / "trace"
    cmd = ["strace", "-f", "-qq", "-y", "-e", "trace=openat,getdents64", "-o", str(trace),
           sys.executable, "-m", "pqscan", "-q", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0 and "ptrace" in proc.stderr:
        pytest.skip(f"strace cannot trace here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    return trace.read_text().splitlines()


@pytest.mark.parametrize("command", [["scan"], ["ci", "--format", "json"]])
def test_each_folder_is_listed_once_and_each_file_opened_at_most_once(tmp_path: Path, command: list[str]) -> None:
    root = _tree(tmp_path)
    out = ["-o", str(tmp_path / "inv.json")] if command == ["scan"] else ["-o", str(tmp_path / "ci.json")]
    lines = _strace(tmp_path, *command, str(root), *out)
    prefix = str(root) + "/"
    opened: Counter[str] = Counter()
    listed: Counter[str] = Counter()
    for line in lines:
        m = _OPENAT.search(line)
        if not m or int(m.group("rc")) < 0:
            continue
        path = m.group("path")
        if not (path == str(root) or path.startswith(prefix)):
            continue
        (listed if "O_DIRECTORY" in m.group("flags") else opened)[path] += 1
    folders = {str(p) for p in [root, *root.rglob("*")] if p.is_dir()}
    files = {str(p) for p in root.rglob("*") if p.is_file() and not p.name.endswith(".log")}
    assert set(listed) == folders and max(listed.values()) == 1, [p for p, n in listed.items() if n > 1]
    assert max(opened.values()) == 1, [p for p, n in opened.items() if n > 1]
    # With the certificate collector on, every file is looked at (its first 8 KB), each exactly once;
    # the ignored file is never opened.
    assert set(opened) == files
    assert str(root / "repo" / "debug.log") not in opened
