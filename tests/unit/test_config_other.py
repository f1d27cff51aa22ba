"""openssl.cnf, java.security, Postfix, Dovecot and Kubernetes manifests."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pqscan.collect.config import scan_paths, scan_text
from pqscan.collect.config.mail import postfix_protocols
from pqscan.model import AssetKind, ErrorKind, Usage

DATA = Path(__file__).parent.parent / "data" / "config"


def _raw(result, symbol):
    return [f.parameters["raw_identifier"] for f in result.findings if f.evidence.symbol == symbol]


def test_openssl_cnf_groups_with_optional_marker_and_inline_comment():
    res = scan_text((DATA / "openssl.cnf").read_text(), "openssl.cnf", "openssl.cnf")
    assert _raw(res, "Groups") == ["X25519MLKEM768", "X25519", "secp256r1"]


def test_openssl_cnf_min_protocol_enables_that_version_and_above():
    res = scan_text((DATA / "openssl.cnf").read_text(), "openssl.cnf", "openssl.cnf")
    assert _raw(res, "MinProtocol") == ["TLSv1.2", "TLSv1.3"]


def test_openssl_cnf_signature_algorithms_keep_the_hash():
    res = scan_text((DATA / "openssl.cnf").read_text(), "openssl.cnf", "openssl.cnf")
    ecdsa = next(f for f in res.findings if f.evidence.symbol == "SignatureAlgorithms")
    assert ecdsa.parameters["hash"] == "SHA256" and ecdsa.usage is Usage.AUTHENTICATION


def test_java_security_named_groups_are_findings_and_disabled_list_is_an_attribute():
    res = scan_text((DATA / "java.security").read_text(), "java.security", "java.security")
    assert _raw(res, "jdk.tls.namedGroups") == ["x25519", "secp256r1", "ffdhe2048"]
    disabled = res.assets[0].attributes["jdk.tls.disabledAlgorithms"]
    assert "3DES_EDE_CBC" in disabled and "NULL" in disabled  # continuation line joined


def test_jvm_system_property_named_groups_in_any_java_options_file():
    res = scan_text('JAVA_OPTS="-Xmx1g -Djdk.tls.namedGroups=secp384r1,x25519"\n', "jvm.options", "java.security")
    assert _raw(res, "jdk.tls.namedGroups") == ["secp384r1", "x25519"]


@pytest.mark.parametrize(("value", "expected"), [
    ("!SSLv2, !SSLv3, !TLSv1, !TLSv1.1", ["TLSv1.2", "TLSv1.3"]),
    (">=TLSv1.2", ["TLSv1.2", "TLSv1.3"]),
    ("TLSv1.3", ["TLSv1.3"]),
])
def test_postfix_protocol_syntaxes(value, expected):
    assert postfix_protocols(value) == expected


def test_postfix_continuation_line_and_grade_keyword():
    res = scan_text((DATA / "main.cf").read_text(), "main.cf", "postfix")
    assert _raw(res, "smtpd_tls_protocols") == ["TLSv1.2", "TLSv1.3"]
    grade = next(f for f in res.findings if f.evidence.symbol == "smtpd_tls_mandatory_ciphers")
    assert grade.algorithm == "unknown" and "tls_high_cipherlist" in grade.parameters["unknown_reason"]


def test_postfix_auto_curves_space_separated():
    res = scan_text((DATA / "main.cf").read_text(), "main.cf", "postfix")
    assert _raw(res, "tls_eecdh_auto_curves") == ["X25519", "X448", "prime256v1"]


def test_dovecot_min_protocol_and_curves_with_trailing_comment():
    res = scan_text((DATA / "10-ssl.conf").read_text(), "10-ssl.conf", "dovecot")
    assert _raw(res, "ssl_min_protocol") == ["TLSv1.2", "TLSv1.3"]
    assert _raw(res, "ssl_curve_list") == ["X25519", "prime256v1"]
    assert res.assets[0].attributes["excluded_ciphers"] == ["aNULL"]


def _pem_cert() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=90))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def _k8s(cert_b64: str) -> str:
    return f"""apiVersion: v1
kind: Secret
metadata:
  name: shop-tls
type: kubernetes.io/tls
data:
  tls.crt: {cert_b64}
  tls.key: c2VjcmV0
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    nginx.ingress.kubernetes.io/ssl-ciphers: "ECDHE-RSA-AES128-GCM-SHA256:kRSA"
    nginx.ingress.kubernetes.io/configuration-snippet: |
      ssl_conf_command Groups X25519MLKEM768:X25519;
spec:
  tls:
    - hosts: [shop.example.com]
      secretName: shop-tls
"""


def test_kubernetes_tls_secret_certificate_is_parsed_into_an_asset_with_findings(tmp_path):
    (tmp_path / "shop.yaml").write_text(_k8s(base64.b64encode(_pem_cert()).decode()))
    (res,) = list(scan_paths([tmp_path]))
    certs = [a for a in res.assets if a.kind is AssetKind.CERTIFICATE]
    assert len(certs) == 1
    key_findings = [f for f in res.findings if f.asset_id == certs[0].id]
    assert key_findings and all(f.evidence.line == 7 for f in key_findings)
    assert any(f.algorithm == "ECDSA-P256" for f in key_findings)


def test_kubernetes_ingress_annotation_ciphers_and_snippet_groups(tmp_path):
    (tmp_path / "shop.yaml").write_text(_k8s(base64.b64encode(_pem_cert()).decode()))
    (res,) = list(scan_paths([tmp_path]))
    ciphers = [f for f in res.findings if f.evidence.symbol == "nginx.ingress.kubernetes.io/ssl-ciphers"]
    assert {f.parameters.get("cipher_suite") for f in ciphers} >= {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                                                  "TLS_RSA_WITH_AES_128_GCM_SHA256"}
    assert _raw(res, "ssl_conf_command Groups") == ["X25519MLKEM768", "X25519"]


def test_kubernetes_secret_with_bad_base64_is_recorded_not_raised(tmp_path):
    (tmp_path / "bad.yaml").write_text(_k8s("!!!notbase64"))
    (res,) = list(scan_paths([tmp_path]))
    assert [e.kind for e in res.errors] == [ErrorKind.MALFORMED]


def test_malformed_yaml_is_a_recorded_parse_error(tmp_path):
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Secret\ndata: [unclosed\n")
    (res,) = list(scan_paths([tmp_path]))
    assert [e.kind for e in res.errors] == [ErrorKind.PARSE_ERROR]


def test_yaml_alias_bomb_is_not_expanded(tmp_path):
    bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx}\ndata:\n  a: &a [x, x, x, x, x, x, x, x]\n"
    bomb += "".join(f"  {c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                    for p, c in zip("abcdefgh", "bcdefghi", strict=True))  # 8**9 leaves if expanded
    (tmp_path / "bomb.yaml").write_text(bomb)
    assert list(scan_paths([tmp_path])) == []  # composed in O(size), nothing TLS-related in it


def test_unrelated_yaml_is_not_a_config_finding(tmp_path):
    (tmp_path / "ci.yml").write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    assert list(scan_paths([tmp_path])) == []


def test_kubernetes_deployment_without_tls_settings_gives_nothing(tmp_path):
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")
    assert list(scan_paths([tmp_path])) == []


def test_helm_template_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\ndata:\n  tls.crt: {{ .Values.cert }}\n")
    (res,) = list(scan_paths([tmp_path]))
    assert [e.kind for e in res.errors] == [ErrorKind.SKIPPED]
