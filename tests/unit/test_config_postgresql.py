"""postgresql.conf: ssl_ciphers, ssl_min/max_protocol_version, ssl_ecdh_curve / ssl_groups, last setting wins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pqscan.collect.config import scan_paths, scan_text
from pqscan.model import Usage

SAMPLES = sorted(Path("/usr/share/postgresql").glob("*/postgresql.conf.sample"))
needs_sample = pytest.mark.skipif(not SAMPLES, reason="Debian's postgresql (postgresql.conf.sample) not installed")


def _pg(text: str):
    return scan_text(text, "postgresql.conf", "postgresql.conf")


@needs_sample
def test_debian_sample_is_recognised_and_sets_nothing(tmp_path):
    (tmp_path / "postgresql.conf").write_text(SAMPLES[-1].read_text())
    (res,) = list(scan_paths([tmp_path]))
    assert res.assets[0].attributes["format"] == "postgresql.conf"
    assert res.findings == [] and res.errors == []


@needs_sample
def test_debian_sample_with_its_ssl_lines_uncommented():
    text = re.sub(r"^#(ssl\w* = )", r"\1", SAMPLES[-1].read_text(), flags=re.M).replace("ssl = off", "ssl = on")
    res = _pg(text)
    assert res.errors == [] and res.assets[0].attributes["ssl"] is True
    ciphers = [f for f in res.findings if f.evidence.symbol == "ssl_ciphers"]
    assert ciphers and ciphers[0].parameters["cipher_string"] == "HIGH:MEDIUM:+3DES:!aNULL"
    protos = sorted(f.algorithm for f in res.findings if f.usage is Usage.PROTOCOL)
    assert protos == ["TLS1.2", "TLS1.3"]
    (curve,) = [f for f in res.findings if f.evidence.symbol == "ssl_ecdh_curve"]
    assert curve.parameters["raw_identifier"] == "prime256v1" and curve.usage is Usage.KEY_EXCHANGE


def test_the_last_setting_in_the_file_wins():
    res = _pg("ssl_min_protocol_version = 'TLSv1'\nssl_min_protocol_version = 'TLSv1.3'  # later wins\n")
    assert [(f.algorithm, f.evidence.line) for f in res.findings] == [("TLS1.3", 2)]


def test_ssl_groups_of_postgresql_18_name_the_hybrid():
    res = _pg("ssl_groups = 'X25519MLKEM768:X25519:prime256v1'\n")
    assert [f.parameters["raw_identifier"] for f in res.findings] == ["X25519MLKEM768", "X25519", "prime256v1"]
    assert res.findings[0].algorithm == "X25519MLKEM768"


def test_max_protocol_caps_the_range_and_quotes_are_unescaped():
    res = _pg("ssl_min_protocol_version='TLSv1.1'\nssl_max_protocol_version = 'TLSv1.2'\nssl_cert_file = 'it''s.crt'\n")
    assert sorted(f.algorithm for f in res.findings) == ["TLS1.1", "TLS1.2"]
    assert res.assets[0].attributes["ssl_cert_file"] == "it's.crt"


def test_a_protocol_postgresql_does_not_accept_is_an_error():
    res = _pg("ssl_min_protocol_version = 'TLSv1.4'\n")
    assert res.findings == [] and "TLSv1.4" in res.errors[0].message


def test_includes_are_listed_not_followed():
    res = _pg("include_dir = 'conf.d'\ninclude_if_exists = '/etc/x.conf'\n")
    assert res.assets[0].attributes["includes_not_followed"] == ["conf.d", "/etc/x.conf"]
