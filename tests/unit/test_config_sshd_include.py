"""sshd_config read as sshd reads it, checked against the real ``sshd -T`` on this machine.

``Include`` is expanded in place (glob order), the first value of a keyword wins across files, and a
list naming an algorithm the reading OpenSSH does not know makes sshd refuse the whole file.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pqscan.collect.config import scan_text
from pqscan.collect.config.openssh_versions import OpenSSH, local_openssh, min_openssh

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
needs_sshd = pytest.mark.skipif(SSHD is None or local_openssh() is None, reason="openssh-server / ssh not installed")
KEYS = ("kexalgorithms", "ciphers", "macs", "hostkeyalgorithms")
SYMBOLS = {"KexAlgorithms": "kexalgorithms", "Ciphers": "ciphers", "MACs": "macs", "HostKeyAlgorithms": "hostkeyalgorithms"}


def _tree(tmp_path: Path, main: str, dropins: dict[str, str]) -> Path:
    key = tmp_path / "hk"
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=20)
    (tmp_path / "sshd_config.d").mkdir(exist_ok=True)
    for name, text in dropins.items():
        (tmp_path / "sshd_config.d" / name).write_text(text)
    (tmp_path / "sshd_config").write_text(f"HostKey {key}\n" + main.replace("@D@", str(tmp_path / "sshd_config.d")))
    return tmp_path


def _sshd_t(root: Path) -> dict[str, list[str]] | None:
    """sshd -T's effective lists, or None when sshd refuses the configuration."""
    out = subprocess.run([SSHD, "-T", "-f", str(root / "sshd_config")], capture_output=True, text=True, timeout=20)
    if out.returncode != 0:
        return None
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    return {k: lines[k].split(",") for k in KEYS}


def _pqscan(root: Path, openssh: OpenSSH | None) -> tuple[dict[str, list[str]], list[str]]:
    """Effective lists gathered over every file's result (each file reports the lines of it that win)."""
    files = [root / "sshd_config", *sorted((root / "sshd_config.d").glob("*"))]
    lists: dict[str, list[str]] = {}
    errors: list[str] = []
    for f in files:
        rel = f.relative_to(root).as_posix()
        res = scan_text(f.read_text(), rel, "sshd_config", root=root, openssh=openssh)
        errors += [e.message for e in res.errors]
        for finding in res.findings:
            key = SYMBOLS.get(finding.evidence.symbol or "")
            if key and finding.parameters.get("context") is None:
                lists.setdefault(f"{key}@{rel}", []).append(finding.parameters["raw_identifier"])
    merged: dict[str, list[str]] = {}
    for k, v in lists.items():
        key = k.split("@", 1)[0]
        assert key not in merged, f"{key} reported as in force by two files"
        merged[key] = v
    return merged, errors


SCENARIOS = {
    "drop-in included first wins over the main file": (
        "Include @D@/*.conf\nKexAlgorithms curve25519-sha256\nCiphers aes128-ctr\n",
        {"50-pq.conf": "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\n"}),
    "main file wins over a drop-in included after it": (
        "Ciphers aes256-gcm@openssh.com\nInclude @D@/*.conf\n", {"10-a.conf": "Ciphers aes128-ctr\n"}),
    "drop-ins are read in lexical order": (
        "Include @D@/*.conf\n", {"20-b.conf": "MACs hmac-sha2-512\n", "10-a.conf": "MACs hmac-sha2-256\n"}),
    "modifiers in a drop-in start from the defaults": (
        "Include @D@/*.conf\n", {"10-a.conf": "KexAlgorithms -diffie-hellman-*,ecdh-*\nCiphers ^aes256-ctr\n"}),
    "a minus list may name algorithms this OpenSSH does not know": (
        "KexAlgorithms -mlkem768x25519-sha256,nonexistent-kex\n", {}),
    "caret with an algorithm newer than this OpenSSH is refused": (
        "KexAlgorithms ^mlkem768x25519-sha256\n", {}),
    "a refused drop-in makes the whole configuration refused": (
        "Include @D@/*.conf\n", {"10-a.conf": "Ciphers aes128-ctr,bogus-cipher\n"}),
    "plus with an unknown name is refused": ("MACs +hmac-sha3-256\n", {}),
}


@needs_sshd
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_effective_lists_equal_sshd_t(tmp_path, name):
    main, dropins = SCENARIOS[name]
    root = _tree(tmp_path, main, dropins)
    expected = _sshd_t(root)
    lists, errors = _pqscan(root, local_openssh())
    if expected is None:
        assert errors, "sshd refuses this configuration; pqscan must report it as refused"
        assert lists == {}
        return
    assert errors == []
    for key, value in lists.items():
        assert value == expected[key], key


@needs_sshd
def test_the_main_file_records_which_of_its_lines_a_drop_in_overrides(tmp_path):
    main, dropins = SCENARIOS["drop-in included first wins over the main file"]
    root = _tree(tmp_path, main, dropins)
    res = scan_text((root / "sshd_config").read_text(), "sshd_config", "sshd_config", root=root)
    (over,) = res.assets[0].attributes["overridden"]
    assert over["keyword"] == "KexAlgorithms" and over["by"] == "sshd_config.d/50-pq.conf:1"


def test_without_a_known_openssh_each_algorithm_carries_the_release_that_introduced_it(tmp_path):
    (tmp_path / "sshd_config").write_text("KexAlgorithms ^mlkem768x25519-sha256\n")
    res = scan_text("KexAlgorithms ^mlkem768x25519-sha256\n", "sshd_config", "sshd_config", root=tmp_path)
    first = res.findings[0]
    assert first.parameters["raw_identifier"] == "mlkem768x25519-sha256" and first.parameters["min_openssh"] == "9.9"
    assert res.assets[0].attributes["min_openssh"] == "9.9" and res.errors == []


def test_a_user_given_openssh_version_refuses_names_it_does_not_know():
    text = "KexAlgorithms mlkem768x25519-sha256,curve25519-sha256\n"
    refused = scan_text(text, "sshd_config", "sshd_config", openssh=OpenSSH("9.2"))
    assert refused.findings == [] and "OpenSSH >= 9.9" in refused.errors[0].message
    accepted = scan_text(text, "sshd_config", "sshd_config", openssh=OpenSSH("10.0"))
    assert accepted.errors == [] and accepted.findings[0].parameters["raw_identifier"] == "mlkem768x25519-sha256"


def test_an_include_outside_the_scanned_tree_is_not_read(tmp_path):
    (tmp_path / "sshd_config").write_text("Include /etc/ssh/../../etc/passwd\nInclude ~/.ssh/x\n")
    res = scan_text((tmp_path / "sshd_config").read_text(), "sshd_config", "sshd_config", root=tmp_path)
    assert res.assets[0].attributes["includes_not_followed"] == ["/etc/ssh/../../etc/passwd", "~/.ssh/x"]


@needs_sshd
def test_local_openssh_knows_exactly_what_ssh_q_lists():
    local = local_openssh()
    kex = subprocess.run(["ssh", "-Q", "kex"], capture_output=True, text=True, timeout=10).stdout.split()
    assert all(local.knows("kexalgorithms", k) for k in kex)
    assert local.knows("kexalgorithms", "no-such-kex@example.com") is False


def test_min_openssh_comes_from_the_release_tags():
    assert min_openssh("mlkem768x25519-sha256") == "9.9"
    assert min_openssh("sntrup761x25519-sha512@openssh.com") == "8.5"
    assert min_openssh("curve25519-sha256") == "7.4"
