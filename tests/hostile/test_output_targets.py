"""``-o`` never replaces a symlink, a named pipe, a directory or a device node, and never writes into a
missing folder: one line, exit 2, the thing at the path left as it was (issue #17 causes 2 and 4).

c15dbd4 renamed a temporary file over whatever was there: ``-o fifo`` and ``-o link`` became regular
files and the command said it wrote the report; ``tls -o no/such/dir/x.jsonl`` exited 3.
Device nodes are only made inside a private mount namespace (``unshare -m`` with a tmpfs on /dev).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.helpers import SAMPLE, pqscan, refused

pytestmark = pytest.mark.integration

# Every command that writes a file the user names, with {out} for the path.
WRITERS = {
    "report": ["report", str(SAMPLE), "-o", "{out}"],
    "report-html": ["report", str(SAMPLE), "-f", "html", "-o", "{out}"],
    "assess": ["assess", str(SAMPLE), "-o", "{out}"],
    "graph": ["graph", str(SAMPLE), "-f", "dot", "-o", "{out}"],
    "merge": ["merge", str(SAMPLE), "-o", "{out}"],
    "certs": ["certs", "{tree}", "-o", "{out}"],
    "code": ["code", "{tree}", "-o", "{out}"],
    "tls-jsonl": ["tls", "127.0.0.1:9", "--timeout", "0.5", "-o", "{out}.jsonl"],
    "tls-json": ["tls", "127.0.0.1:9", "--timeout", "0.5", "-o", "{out}.json"],
    "scan": ["scan", "{tree}", "-o", "{out}.jsonl"],
    "scan-report": ["scan", "{tree}", "-o", "{tmp}/inv.jsonl", "--report", "{out}.html"],
    "ci-sarif": ["ci", "{tree}", "--sarif", "{out}"],
}


def _argv(name: str, tmp: Path, out: Path) -> list[str]:
    tree = tmp / "tree"
    tree.mkdir(exist_ok=True)
    (tree / "a.py").write_text("import hashlib\nhashlib.md5(b'x')\n")
    return [a.replace("{out}", str(out)).replace("{tree}", str(tree)).replace("{tmp}", str(tmp))
            for a in WRITERS[name]]


def _final(out: Path, argv: list[str]) -> Path:
    """The path the command writes (argv may add .json/.jsonl/.html to {out})."""
    return Path(next(a for a in argv if a.startswith(str(out))))


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_output_into_a_missing_folder_is_no_such_directory(tmp_path: Path, name: str) -> None:
    out = tmp_path / "no" / "such" / "dir" / "x"
    refused(pqscan(*_argv(name, tmp_path, out)), "no such directory")
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_symlink_at_the_output_path_is_refused_and_left_alone(tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    argv = _argv(name, tmp_path, tmp_path / "link")
    final = _final(tmp_path / "link", argv)
    final.symlink_to(victim)
    refused(pqscan(*argv), "symbolic link")
    assert final.is_symlink() and victim.read_text() == "keep me\n"


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_named_pipe_at_the_output_path_is_refused_and_left_alone(tmp_path: Path, name: str) -> None:
    argv = _argv(name, tmp_path, tmp_path / "pipe")
    final = _final(tmp_path / "pipe", argv)
    os.mkfifo(final)
    refused(pqscan(*argv), "named pipe")  # and no hang: nothing opened the pipe for writing
    assert stat.S_ISFIFO(os.lstat(final).st_mode)


def test_a_directory_at_the_output_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.json").mkdir()
    refused(pqscan("report", SAMPLE, "-o", tmp_path / "d.json"), "directory")
    refused(pqscan("tls", "127.0.0.1:9", "-o", tmp_path / "d.json"), "directory")


def test_a_regular_file_is_replaced_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    out = tmp_path / "r.txt"
    out.write_text("old\n")
    assert pqscan("report", SAMPLE, "-o", out).returncode == 0
    assert "Findings" in out.read_text() and sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]


def test_a_device_node_is_never_replaced_in_a_private_mount_namespace(tmp_path: Path) -> None:
    """As root, c15dbd4 turned ``-o /dev/null`` into a regular file. Here /dev is a private tmpfs with
    its own null node, so the machine's /dev is never touched."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to make a private /dev")
    script = (
        "set -e; mount -t tmpfs tmpfs /dev; mknod -m 666 /dev/null c 1 3; "
        f"for argv in 'report {SAMPLE} -o /dev/null' 'tls 127.0.0.1:9 --timeout 0.5 -o /dev/null' "
        f"'merge {SAMPLE} -o /dev/null'; do "
        f"  set +e; {sys.executable} -m pqscan $argv 2>>{tmp_path}/stderr; echo $? >>{tmp_path}/codes; set -e; "
        "done; stat -c %F /dev/null"
    )
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120,
                          check=False)
    if proc.returncode != 0 and "mount" in proc.stderr:
        pytest.skip(f"cannot mount a tmpfs in a new namespace here: {proc.stderr.strip()}")
    assert proc.stdout.strip() == "character special file", proc.stdout + proc.stderr
    assert (tmp_path / "codes").read_text().split() == ["2", "2", "2"]
    lines = (tmp_path / "stderr").read_text().splitlines()
    assert len(lines) == 3 and all("character device, not a regular file" in line for line in lines), lines
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # the real one, untouched (it never was in reach)
