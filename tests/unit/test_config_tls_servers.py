"""nginx, Apache httpd and HAProxy TLS settings, including Debian's own nginx.conf."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pqscan.collect.config import scan_paths, scan_text
from pqscan.collect.config.tls_servers import apache_protocols, nginx_statements
from pqscan.model import Usage

DATA = Path(__file__).parent.parent / "data" / "config"


def _raw(result, symbol, usage=None):
    return [f.parameters["raw_identifier"] for f in result.findings
            if f.evidence.symbol == symbol and (usage is None or f.usage is usage)]


@pytest.fixture(scope="module")
def nginx_site():
    return scan_text((DATA / "nginx-tls-site.conf").read_text(), "site.conf", "nginx")


def test_nginx_protocols_each_become_a_protocol_finding_on_their_line(nginx_site):
    protos = [f for f in nginx_site.findings if f.evidence.symbol == "ssl_protocols"]
    assert [(f.parameters["raw_identifier"], f.usage, f.evidence.line) for f in protos] == [
        ("TLSv1.2", Usage.PROTOCOL, 11), ("TLSv1.3", Usage.PROTOCOL, 11)]


def test_nginx_ecdh_curve_list_names_the_hybrid_group(nginx_site):
    groups = [f for f in nginx_site.findings if f.evidence.symbol == "ssl_ecdh_curve"]
    assert [f.parameters["raw_identifier"] for f in groups] == ["X25519MLKEM768", "X25519", "prime256v1"]
    assert groups[0].algorithm == "X25519MLKEM768" and groups[0].usage is Usage.KEY_EXCHANGE


def test_nginx_ssl_conf_command_groups(nginx_site):
    assert _raw(nginx_site, "ssl_conf_command Groups") == ["X25519MLKEM768", "x25519"]


def test_cipher_string_is_expanded_by_openssl_and_keeps_the_original_string(nginx_site):
    """'kRSA+3DES' selects nothing in OpenSSL 3 (no 3DES suites), so no 3DES finding; HIGH adds the
    RSA key-transport AES suites, which OpenSSL puts after the ECDHE ones."""
    string = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE+AESGCM:kRSA+3DES:!aNULL:!MD5:HIGH"
    found = [f for f in nginx_site.findings if f.evidence.symbol == "ssl_ciphers"]
    assert found and all(f.parameters["cipher_string"] == string for f in found)
    assert "3DES" not in {f.algorithm for f in found}
    suites = [f.parameters["cipher_suite"] for f in found if f.usage is Usage.SYMMETRIC]
    assert suites[0] == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    assert "TLS_RSA_WITH_AES_256_GCM_SHA384" in suites


def test_cipher_suite_name_expands_through_the_catalogue(nginx_site):
    suite = [f for f in nginx_site.findings if f.parameters.get("cipher_suite")]
    usages = {f.usage for f in suite}
    assert {Usage.KEY_EXCHANGE, Usage.AUTHENTICATION, Usage.SYMMETRIC} <= usages


def test_no_keyword_is_left_unexpanded(nginx_site):
    raws = {f.parameters["raw_identifier"] for f in nginx_site.findings if f.evidence.symbol == "ssl_ciphers"}
    assert not raws & {"HIGH", "kRSA", "ECDHE", "AESGCM"}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl binary for suite descriptions")
def test_a_suite_the_catalogue_lacks_is_unknown_with_openssls_own_description(nginx_site):
    psk = next(f for f in nginx_site.findings if f.parameters["raw_identifier"] == "PSK-AES128-CCM")
    assert psk.algorithm == "unknown" and psk.parameters["iana_name"] == "TLS_PSK_WITH_AES_128_CCM"
    assert "Kx=PSK" in psk.parameters["openssl_description"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no system openssl binary")
@pytest.mark.parametrize("string", ["HIGH", "DEFAULT@SECLEVEL=2", "ECDHE+AESGCM:!aNULL", "HIGH:!aNULL:!MD5",
                                    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE+AESGCM:kRSA+3DES:!aNULL:!MD5:HIGH",
                                    "EECDH+AESGCM:EDH+AESGCM", "ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2"])
def test_findings_follow_the_system_openssl_ciphers_expansion_in_order(string):
    """The suites recorded for a cipher string are exactly `openssl ciphers STRING` of the OpenSSL the
    local servers link (Debian's 3.0), in its order, each finding keeping the original string."""
    out = subprocess.run(["openssl", "ciphers", "-ciphersuites", "", string], capture_output=True, text=True,
                         timeout=10).stdout.strip().split(":")
    res = scan_text(f"ssl_ciphers '{string}';\n", "x.conf", "nginx")
    recorded: list[str] = []
    for f in res.findings:
        if f.parameters["preference"] == len(recorded):
            recorded.append(f.parameters["openssl_name"])
    assert recorded == out
    assert all(f.parameters["cipher_string"] == string for f in res.findings)


def test_a_string_openssl_rejects_is_an_error_without_findings():
    res = scan_text("ssl_ciphers 'NOSUCH:ALSONOT';\n", "x.conf", "nginx")
    assert res.findings == [] and "no cipher match" in res.errors[0].message


def test_the_bundled_openssl_expands_when_there_is_no_system_openssl(monkeypatch):
    from pqscan.collect.config import cipherstring

    monkeypatch.setattr(cipherstring, "system_openssl", lambda: None)
    cipherstring.expand_with_openssl.cache_clear()
    try:
        exp = cipherstring.expand_with_openssl("ECDHE+AESGCM:!aNULL")
        assert "bundled with pyca/cryptography" in exp.expanded_by
        assert set(exp.suites) == {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
                                   "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"}
    finally:
        cipherstring.expand_with_openssl.cache_clear()


def test_excluded_ciphers_are_listed_on_the_asset_not_reported(nginx_site):
    assert nginx_site.assets[0].attributes["excluded_ciphers"] == ["aNULL", "MD5"]
    assert "aNULL" not in [f.parameters["raw_identifier"] for f in nginx_site.findings]


def test_nginx_certificate_paths_are_recorded(nginx_site):
    assert nginx_site.assets[0].attributes["ssl_certificate"] == ["/etc/ssl/certs/shop.example.com.pem"]


def test_nginx_tokenizer_handles_quotes_comments_and_multiline_statements():
    text = 'ssl_ciphers "A:B;C" # comment ; here\n;\nssl_protocols\n  TLSv1.3;'
    assert list(nginx_statements(text)) == [(1, ["ssl_ciphers", "A:B;C"]), (3, ["ssl_protocols", "TLSv1.3"])]


@pytest.mark.skipif(not Path("/etc/nginx/nginx.conf").is_file(), reason="Debian nginx not installed")
def test_debian_nginx_conf_enables_tls_1_0_and_1_1(tmp_path):
    shutil.copy("/etc/nginx/nginx.conf", tmp_path / "nginx.conf")
    (res,) = list(scan_paths([tmp_path]))
    assert res.errors == []
    assert _raw(res, "ssl_protocols") == ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


@pytest.mark.skipif(not Path("/etc/nginx/sites-available/default").is_file(), reason="Debian nginx not installed")
def test_debian_default_site_is_recognised_by_directory_and_has_no_tls_settings(tmp_path):
    (tmp_path / "sites-available").mkdir()
    shutil.copy("/etc/nginx/sites-available/default", tmp_path / "sites-available" / "default")
    assert list(scan_paths([tmp_path])) == []  # its TLS lines are all commented out


def test_apache_protocol_all_minus_old_versions():
    assert apache_protocols(["all", "-SSLv3", "-TLSv1", "-TLSv1.1"]) == ["TLSv1.2", "TLSv1.3"]


def test_apache_minus_all_plus_one():
    assert apache_protocols(["-all", "+TLSv1.3"]) == ["TLSv1.3"]


def test_apache_vhost_tls13_cipher_suite_directive_and_conf_cmd_curves():
    res = scan_text((DATA / "apache-ssl-vhost.conf").read_text(), "ssl.conf", "apache")
    assert _raw(res, "SSLOpenSSLConfCmd Curves") == ["X25519", "secp384r1"]
    tls13 = [f for f in res.findings if f.evidence.line == 10]
    assert tls13 and all(f.parameters["cipher_suite"] == "TLS_AES_256_GCM_SHA384" for f in tls13)


def test_apache_file_is_sniffed_by_content(tmp_path):
    (tmp_path / "default-ssl.conf").write_text((DATA / "apache-ssl-vhost.conf").read_text())
    (res,) = list(scan_paths([tmp_path]))
    assert res.assets[0].attributes["format"] == "apache"


def test_haproxy_bind_line_options_and_global_min_version():
    res = scan_text((DATA / "haproxy.cfg").read_text(), "haproxy.cfg", "haproxy")
    assert _raw(res, "bind curves") == ["X25519MLKEM768", "X25519"]
    assert _raw(res, "ssl-default-bind-options ssl-min-ver") == ["TLSv1.2", "TLSv1.3"]
    assert _raw(res, "bind ssl-min-ver") == ["TLSv1.3"]


@pytest.mark.skipif(not Path("/etc/nginx/nginx.conf").is_file(), reason="Debian nginx not installed")
def test_debian_nginx_tls_1_0_is_judged_critical_by_the_nist_profile(tmp_path):
    import datetime

    from pqscan.assess.engine import assess
    from pqscan.assess.profiles import load_profiles
    from pqscan.inventory import Inventory
    from pqscan.model import Severity

    shutil.copy("/etc/nginx/nginx.conf", tmp_path / "nginx.conf")
    inv = Inventory()
    for res in scan_paths([tmp_path]):
        inv.add_result(res)
    assessment = assess(inv, load_profiles(["nist-ir-8547"]), datetime.date(2026, 11, 25))
    by_alg = {f.algorithm: assessment.severity(f.id) for f in inv.findings}
    assert by_alg["TLS1.0"] is Severity.CRITICAL and by_alg["TLS1.3"] is Severity.INFO


def test_protocol_findings_use_the_tls_collectors_spelling(nginx_site):
    assert [f.algorithm for f in nginx_site.findings if f.evidence.symbol == "ssl_protocols"] == ["TLS1.2", "TLS1.3"]


@pytest.mark.parametrize("string", ["-ALL:HIGH", "HIGH\x00:RC4", "A" * 20000, "ECDHE+AESGCM:" + ":".join(["x"] * 2000)])
def test_hostile_cipher_strings_never_raise(string):
    res = scan_text(f"ssl_ciphers '{string}';\n", "x.conf", "nginx")
    assert res.errors or res.findings
