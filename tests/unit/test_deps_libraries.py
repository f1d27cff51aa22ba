"""The crypto-library table: version ranges -> PQ capabilities (facts from standards.md §6)."""

from __future__ import annotations

import pytest

from pqscan.collect.deps import capabilities, find_library
from pqscan.collect.deps.versions import LooseVersion, in_range, lower_bound


@pytest.mark.parametrize(("version", "ml_kem"), [("47.0.0", False), ("48.0.0", True), ("50.0.2", True)])
def test_cryptography_ml_kem_from_48(version, ml_kem):
    assert capabilities("pypi", "cryptography", version).capabilities["ml_kem"] is ml_kem


@pytest.mark.parametrize(("go", "kex"), [("1.22", "X25519"), ("1.23.4", "X25519Kyber768Draft00"),
                                         ("1.24.0", "X25519MLKEM768"), ("1.26", "X25519MLKEM768")])
def test_go_default_tls_group_by_go_line(go, kex):
    assert capabilities("golang", "stdlib", go).range.default_kex == kex


@pytest.mark.parametrize(("version", "hybrid"), [("0.23.21", False), ("0.23.26", False), ("0.23.27", True)])
def test_rustls_prefers_pq_from_0_23_27(version, hybrid):
    assert capabilities("cargo", "rustls", version).capabilities["hybrid_tls_default"] is hybrid


@pytest.mark.parametrize(("version", "ml_kem", "hybrid"), [("1.78.1", False, False), ("1.79", True, False),
                                                         ("1.80", True, False), ("1.81", True, True)])
def test_bouncy_castle_pqc_from_1_79_and_hybrid_tls_group_from_1_81(version, ml_kem, hybrid):
    """bc-java release notes: FIPS ML-KEM/ML-DSA/SLH-DSA in 1.79, BCJSSE ECDHE-MLKEM hybrids in 1.81."""
    caps = capabilities("maven", "org.bouncycastle:bcprov-jdk18on", version)
    assert caps.capabilities["ml_kem"] is ml_kem
    assert caps.capabilities["hybrid_tls_default"] is hybrid
    assert caps.range.confidence == "primary"


@pytest.mark.parametrize(("name", "version", "kex"), [
    (("pypi", "paramiko"), "5.0.0", "curve25519-sha256@libssh.org"),
    (("pypi", "paramiko"), "5.1.0", "mlkem768x25519-sha256"),
    (("golang", "golang.org/x/crypto"), "v0.37.0", "curve25519-sha256"),
    (("golang", "golang.org/x/crypto"), "v0.54.0", "mlkem768x25519-sha256"),
    (("maven", "com.github.mwiede:jsch"), "0.2.24", "curve25519-sha256"),
    (("maven", "com.github.mwiede:jsch"), "0.2.25", "mlkem768x25519-sha256"),
])
def test_ssh_libraries_default_key_exchange_by_version(name, version, kex):
    caps = capabilities(*name, version)
    assert caps.range.default_kex == kex
    assert caps.capabilities["hybrid_ssh_default"] is (kex.startswith("mlkem"))


@pytest.mark.parametrize(("version", "ml_kem", "ml_dsa"), [("v1.3.9", False, False), ("v1.4.0", True, False),
                                                         ("v1.5.0", True, True)])
def test_circl_ml_kem_from_1_4_and_ml_dsa_from_1_5(version, ml_kem, ml_dsa):
    caps = capabilities("golang", "github.com/cloudflare/circl", version)
    assert (caps.capabilities["ml_kem"], caps.capabilities["ml_dsa"]) == (ml_kem, ml_dsa)


@pytest.mark.parametrize(("version", "hybrid"), [("24.4.1", False), ("24.5.0", True), ("22.19.0", False),
                                                 ("22.20.0", True), ("20.19.0", False), ("24.7.0", True)])
def test_node_hybrid_tls_follows_the_bundled_openssl_3_5(version, hybrid):
    assert capabilities("npm", "node", version).capabilities["hybrid_tls_default"] is hybrid


def test_pycryptodome_ml_dsa_in_4_1_and_ml_kem_in_4_2():
    assert capabilities("pypi", "pycryptodome", "4.1.0").capabilities["ml_kem"] is False
    assert capabilities("pypi", "pycryptodome", "4.1.0").capabilities["ml_dsa"] is True
    assert capabilities("pypi", "pycryptodome", "4.5.0").capabilities["ml_kem"] is True


def test_a_library_checked_only_up_to_a_version_is_unknown_after_it():
    assert capabilities("pypi", "pynacl", "1.6.2").capabilities["ml_kem"] is False
    assert capabilities("pypi", "pynacl", "9.0").capabilities["ml_kem"] == "unknown"


def test_every_range_names_a_source_and_a_known_confidence():
    from pqscan.collect.deps.libraries import all_libraries

    for lib in all_libraries():
        for r in lib.ranges:
            assert r.confidence in ("primary", "secondary", "uncertain", "unverified"), lib.name
            assert r.source, lib.name
            assert r.confidence == "unverified" or r.source != "(none)", lib.name


def test_pypi_names_are_normalised():
    assert find_library("pypi", "PyOpenSSL") is find_library("pypi", "pyopenssl")
    assert find_library("pypi", "pycryptodomex").name == "pycryptodome"


def test_spec_without_exact_version_uses_its_lower_bound_and_says_so():
    caps = capabilities("npm", "node", None, ">=24.7")
    assert caps.version == "24.7" and caps.version_basis.startswith("lower bound")
    assert caps.capabilities["ml_kem"] is True


def test_unknown_library_is_none():
    assert capabilities("pypi", "requests", "2.31.0") is None


def test_loose_version_prerelease_sorts_before_release():
    assert LooseVersion("1.24rc1") < LooseVersion("1.24") < LooseVersion("1.24.1")


def test_range_constraints_are_all_required():
    assert in_range("golang", "1.23.4", ">=1.23, <1.24")
    assert not in_range("golang", "1.24.0", ">=1.23, <1.24")


@pytest.mark.parametrize(("spec", "low"), [(">=41", "41"), ("^1.2.3", "1.2.3"), ("~=3.4", "3.4"), ("<2", None),
                                          ("*", None), (">=2.31,<3", "2.31")])
def test_lower_bound_of_specs(spec, low):
    assert lower_bound(spec) == low
