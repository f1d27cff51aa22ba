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


def test_bouncy_castle_1_79_is_recorded_as_uncertain_not_guessed():
    caps = capabilities("maven", "org.bouncycastle:bcprov-jdk18on", "1.79")
    assert caps.capabilities["ml_kem"] == "unknown"
    assert caps.range.confidence == "uncertain"


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
