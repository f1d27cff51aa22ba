"""Cipher strings and protocol versions in server configs record the same shapes the TLS collector
emits for a live endpoint: HMAC ids for record MACs, RSAES-PKCS1 key transport, "TLS1.0" protocols,
so `pqscan assess` judges a config line and an endpoint alike. Also sshd HostKey key files."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest

from pqscan.assess.engine import assess
from pqscan.assess.profiles import load_profiles
from pqscan.collect.config import scan_paths, scan_text
from pqscan.collect.config.common import PROTOCOLS, canonical_protocol
from pqscan.collect.tls.clienthello import VERSION_NAMES
from pqscan.inventory import Inventory
from pqscan.model import Finding, ScanResult, Severity, Usage

WEAK = "ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA:AES128-SHA:AES256-SHA256"
# DES-CBC3-SHA is named but OpenSSL 3 enables no 3DES suite: it is listed as named_not_enabled, not used.
# The same weak cipher string and TLS 1.0 in each server's own syntax.
CONFIGS = {
    "nginx": ("nginx.conf", f"server {{\n  ssl_protocols TLSv1 TLSv1.2;\n  ssl_ciphers {WEAK};\n}}\n"),
    "apache": ("ssl.conf", f"<VirtualHost *:443>\nSSLProtocol -all +TLSv1 +TLSv1.2\nSSLCipherSuite {WEAK}\n"
                           "</VirtualHost>\n"),
    "haproxy": ("haproxy.cfg", f"global\n  ssl-default-bind-ciphers {WEAK}\n"
                               "  ssl-default-bind-options ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.2\n"),
    "postfix": ("main.cf", f"smtpd_tls_protocols = TLSv1, TLSv1.2\ntls_high_cipherlist = {WEAK}\n"),
    "dovecot": ("10-ssl.conf", f"ssl_min_protocol = TLSv1\nssl_cipher_list = {WEAK}\n"),
}


def scan_config(tmp_path: Path, fmt: str) -> ScanResult:
    name, text = CONFIGS[fmt]
    (tmp_path / name).write_text(text)
    (result,) = list(scan_paths([tmp_path]))
    return result


def of(result: ScanResult, usage: Usage) -> list[Finding]:
    return [f for f in result.findings if f.usage is usage]


@pytest.mark.parametrize("fmt", list(CONFIGS))
def test_cbc_suite_macs_are_hmac_ids_not_hash_ids(tmp_path: Path, fmt: str) -> None:
    macs = of(scan_config(tmp_path, fmt), Usage.MAC)
    assert sorted({f.algorithm for f in macs}) == ["HMAC-SHA1", "HMAC-SHA256"]


@pytest.mark.parametrize("fmt", list(CONFIGS))
def test_aead_suite_hash_is_its_prf_not_a_mac(tmp_path: Path, fmt: str) -> None:
    (prf,) = of(scan_config(tmp_path, fmt), Usage.KDF)
    assert (prf.algorithm, prf.parameters["role"]) == ("HMAC-SHA256", "prf")
    assert prf.parameters["cipher_suite"] == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"


@pytest.mark.parametrize("fmt", list(CONFIGS))
def test_rsa_key_transport_suites_are_rsaes_pkcs1_key_transport(tmp_path: Path, fmt: str) -> None:
    kt = of(scan_config(tmp_path, fmt), Usage.ENCRYPTION)
    assert {f.algorithm for f in kt} == {"RSAES-PKCS1"} and all(f.parameters["key_transport"] for f in kt)


@pytest.mark.parametrize("fmt", list(CONFIGS))
def test_tls10_is_a_protocol_finding_in_the_tls_collectors_shape(tmp_path: Path, fmt: str) -> None:
    protos = of(scan_config(tmp_path, fmt), Usage.PROTOCOL)
    tls10 = [f for f in protos if f.algorithm == "TLS1.0"]
    assert len(tls10) == 1 and tls10[0].parameters["protocol"] == "TLS1.0"
    assert not [f for f in protos if f.algorithm == "unknown"]


@pytest.mark.parametrize("fmt", list(CONFIGS))
def test_assess_judges_tls10_and_3des_in_each_config_critical(tmp_path: Path, fmt: str) -> None:
    inv = Inventory()
    inv.add_result(scan_config(tmp_path, fmt))
    assessment = assess(inv, load_profiles(["nist-ir-8547"]), datetime.date(2026, 11, 25))
    worst = {(f.algorithm, f.usage): assessment.severity(f.id) for f in inv.findings}
    assert worst[("TLS1.0", Usage.PROTOCOL)] is Severity.CRITICAL
    assert ("3DES", Usage.SYMMETRIC) not in worst
    assert worst[("RSAES-PKCS1", Usage.ENCRYPTION)] in (Severity.CRITICAL, Severity.HIGH)
    assert worst[("TLS1.2", Usage.PROTOCOL)] is Severity.INFO


def test_config_protocol_spelling_is_the_tls_collectors_for_every_version() -> None:
    spoken = set(VERSION_NAMES.values())
    assert {canonical_protocol(p) for p in PROTOCOLS if p != "SSLv2"} <= spoken


def test_cipher_keyword_sha256_is_hmac_sha256() -> None:
    res = scan_text("ssl_ciphers kRSA+SHA256;\n", "x.conf", "nginx")
    assert {f.algorithm for f in of(res, Usage.MAC)} == {"HMAC-SHA256"}


@pytest.mark.parametrize("fmt", list(CONFIGS))
def test_a_named_suite_openssl_does_not_enable_is_listed_not_used(tmp_path: Path, fmt: str) -> None:
    res = scan_config(tmp_path, fmt)
    assert res.assets[0].attributes["named_not_enabled"] == ["DES-CBC3-SHA"]


# -- sshd HostKey: a key file names a key, not KEXINIT's ssh-rsa -----------------------------------


@pytest.fixture(name="ssh_keygen")
def fixture_ssh_keygen() -> str:
    import shutil

    binary = shutil.which("ssh-keygen")
    if binary is None:
        pytest.skip("ssh-keygen (openssh-client) is not installed")
    return binary


def test_hostkey_rsa_file_with_its_pub_is_rsa_with_its_modulus_size(tmp_path: Path, ssh_keygen: str) -> None:
    subprocess.run([ssh_keygen, "-q", "-t", "rsa", "-b", "3072", "-N", "", "-f", str(tmp_path / "ssh_host_rsa_key")],
                   check=True, timeout=60)
    (tmp_path / "sshd_config").write_text("HostKey ssh_host_rsa_key\n")
    (res,) = list(scan_paths([tmp_path / "sshd_config"]))
    (key,) = [f for f in res.findings if f.evidence.symbol == "HostKey"]
    assert (key.algorithm, key.parameters["key_bits"], key.parameters["key_type"]) == ("RSA", 3072, "ssh-rsa")


def test_hostkey_rsa_file_known_by_its_name_only_is_rsa() -> None:
    res = scan_text("HostKey /etc/ssh/ssh_host_rsa_key\n", "sshd_config", "sshd_config")
    (key,) = res.findings
    assert key.algorithm == "RSA" and key.usage is Usage.AUTHENTICATION


def test_hostkey_algorithms_ssh_rsa_keeps_its_sha1_signature_meaning() -> None:
    res = scan_text("HostKeyAlgorithms ssh-rsa\n", "sshd_config", "sshd_config")
    assert [f.algorithm for f in res.findings] == ["RSASSA-PKCS1-SHA1"]
