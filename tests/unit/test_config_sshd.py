"""sshd_config / ssh_config: explicit lists and the +, -, ^ modifiers over OpenSSH 9.2's defaults."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pqscan.collect.config import scan_paths, scan_text
from pqscan.collect.config.sshd import OPENSSH_9_2_DEFAULTS, apply_modifier
from pqscan.model import Usage

DATA = Path(__file__).parent.parent / "data" / "config"


def _raw(result, symbol, context=None):
    return [f.parameters["raw_identifier"] for f in result.findings
            if f.evidence.symbol == symbol and f.parameters.get("context") == context]


@pytest.fixture(scope="module")
def hardened():
    return scan_text((DATA / "sshd_hardened_config").read_text(), "sshd_config", "sshd_config")


def test_minus_modifier_removes_wildcard_matches_from_the_defaults(hardened):
    assert _raw(hardened, "KexAlgorithms") == ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
                                               "curve25519-sha256", "curve25519-sha256@libssh.org"]


def test_caret_modifier_moves_the_named_cipher_to_the_head(hardened):
    ciphers = _raw(hardened, "Ciphers")
    assert ciphers[0] == "aes256-gcm@openssh.com" and len(ciphers) == len(OPENSSH_9_2_DEFAULTS["ciphers"])


def test_plus_modifier_of_an_existing_default_keeps_the_default_order(hardened):
    assert _raw(hardened, "MACs") == OPENSSH_9_2_DEFAULTS["macs"]


def test_first_value_of_a_keyword_wins_like_sshd(hardened):
    assert "curve25519-sha256" in _raw(hardened, "KexAlgorithms")
    assert len([f for f in hardened.findings if f.evidence.line == 9]) == 0


def test_match_block_list_is_its_own_context_and_appends_to_defaults(hardened):
    kex = _raw(hardened, "KexAlgorithms", "Match Address 10.0.0.0/8")
    assert kex[-1] == "diffie-hellman-group14-sha1"
    assert kex[:-1] == OPENSSH_9_2_DEFAULTS["kexalgorithms"]


def test_modified_lists_say_which_defaults_were_assumed(hardened):
    f = next(f for f in hardened.findings if f.evidence.symbol == "KexAlgorithms")
    assert f.parameters["modifier"] == "-" and "9.2p1" in f.parameters["defaults"]


def test_explicit_list_has_no_modifier_and_keeps_preference_order(hardened):
    hk = [f for f in hardened.findings if f.evidence.symbol == "HostKeyAlgorithms"]
    assert [(f.parameters["raw_identifier"], f.parameters["preference"]) for f in hk] == [("ssh-ed25519", 0),
                                                                                           ("rsa-sha2-512", 1)]
    assert "modifier" not in hk[0].parameters


def test_host_key_type_is_read_from_the_conventional_file_name(hardened):
    keys = [f for f in hardened.findings if f.evidence.symbol == "HostKey"]
    assert [f.parameters["raw_identifier"] for f in keys] == ["ssh-ed25519", "RSA"]
    assert all(f.usage is Usage.AUTHENTICATION for f in keys)


def test_host_key_type_comes_from_the_pub_file_inside_the_tree(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "host.pub").write_text("ecdsa-sha2-nistp384 AAAAE2VjZHNh host\n")
    (tmp_path / "sshd_config").write_text("HostKey keys/host\n")
    (res,) = list(scan_paths([tmp_path]))
    f = res.findings[0]
    assert f.parameters["raw_identifier"] == "ecdsa-sha2-nistp384" and f.parameters["basis"] == "public key file"


def test_findings_carry_file_line_symbol_and_snippet(hardened):
    f = next(f for f in hardened.findings if f.evidence.symbol == "Ciphers")
    assert (f.evidence.location, f.evidence.line, f.evidence.snippet) == ("sshd_config", 6,
                                                                          "Ciphers ^aes256-gcm@openssh.com")


def test_include_is_recorded_not_followed(hardened):
    assert hardened.assets[0].attributes["includes_not_followed"] == ["/etc/ssh/sshd_config.d/*.conf"]


def test_apply_modifier_explicit_list_ignores_defaults():
    assert apply_modifier("a,b", ["x"]) == (["a", "b"], "")


@pytest.mark.skipif(not Path("/etc/ssh/sshd_config").is_file(), reason="Debian's /etc/ssh/sshd_config not installed")
def test_debian_default_sshd_config_parses_cleanly_and_names_no_explicit_algorithm(tmp_path):
    shutil.copy("/etc/ssh/sshd_config", tmp_path / "sshd_config")
    (res,) = list(scan_paths([tmp_path]))
    assert res.errors == [] and res.assets[0].attributes["format"] == "sshd_config"
    assert res.findings == []  # Debian's file comments out every HostKey and algorithm list


@pytest.mark.skipif(not Path("/etc/ssh/sshd_config").is_file(), reason="Debian's /etc/ssh/sshd_config not installed")
def test_debian_default_sshd_config_with_appended_kex_modifier(tmp_path):
    text = Path("/etc/ssh/sshd_config").read_text() + "KexAlgorithms +diffie-hellman-group1-sha1\n"
    (tmp_path / "sshd_config").write_text(text)
    (res,) = list(scan_paths([tmp_path]))
    assert _raw(res, "KexAlgorithms")[-1] == "diffie-hellman-group1-sha1"


@pytest.mark.skipif(shutil.which("sshd") is None and not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")
def test_builtin_defaults_match_sshd_t_on_this_machine(tmp_path):
    version = subprocess.run(["ssh", "-V"], capture_output=True, text=True, timeout=10).stderr
    if "OpenSSH_9.2" not in version:
        pytest.skip(f"the built-in defaults are OpenSSH 9.2's; this machine has {version.strip()}")
    key = tmp_path / "hk"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=20)
    cfg = tmp_path / "cfg"
    cfg.write_text(f"HostKey {key}\n")
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    out = subprocess.run([sshd, "-T", "-f", str(cfg)], capture_output=True, text=True, timeout=20).stdout
    effective = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    for key_name in ("kexalgorithms", "ciphers", "macs", "hostkeyalgorithms", "pubkeyacceptedalgorithms"):
        assert effective[key_name].split(",") == OPENSSH_9_2_DEFAULTS[key_name], key_name
