"""The three backends, run for real with very short timings; sizes against the catalogue."""

from __future__ import annotations

import pytest

from pqscan.algorithms import IdKind, get, lookup
from pqscan.bench.backends import Family, OpenSSLBackend
from pqscan.bench.classical import ClassicalBackend
from pqscan.bench.oqs_backend import LiboqsBackend
from pqscan.bench.runner import CaseResult, Settings, run_case

FAST = Settings(min_time=0.01, repeats=2)
OPENSSL_CASES = {c.name: c for c in OpenSSLBackend().cases()}
CLASSICAL_CASES = {c.name: c for c in ClassicalBackend().cases()}


def _catalogue_size(alg_id: str, field: str) -> int:
    alg = get(alg_id)
    value = getattr(alg, field)
    if alg.is_unknown or value is None:
        pytest.skip(f"the catalogue has no {field} for {alg_id} yet")
    return int(value)


@pytest.fixture(scope="module")
def openssl_results() -> dict[str, CaseResult]:
    return {name: run_case(case, FAST) for name, case in OPENSSL_CASES.items()}


def test_openssl_backend_offers_ml_kem_and_ml_dsa() -> None:
    assert OpenSSLBackend().availability().available
    assert set(OPENSSL_CASES) == {"ML-KEM-768", "ML-KEM-1024", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}


@pytest.mark.parametrize("name", sorted(OPENSSL_CASES))
def test_openssl_algorithm_runs_and_passes_its_correctness_checks(
    name: str, openssl_results: dict[str, CaseResult]
) -> None:
    result = openssl_results[name]
    assert result.ok, result.errors
    assert [t.operation.value for t in result.timings] == [op.value for op in result.case.operations]
    assert all(t.median_us > 0 for t in result.timings)
    assert len(result.checks) >= 2 and all(c.ok for c in result.checks)


@pytest.mark.parametrize("name", ["ML-KEM-768", "ML-KEM-1024"])
@pytest.mark.parametrize("field", ["public_key_bytes", "ciphertext_bytes", "shared_secret_bytes"])
def test_openssl_ml_kem_sizes_match_the_catalogue(name: str, field: str,
                                                  openssl_results: dict[str, CaseResult]) -> None:
    assert openssl_results[name].sizes[field] == _catalogue_size(name, field)


@pytest.mark.parametrize("name", ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87"])
@pytest.mark.parametrize("field", ["public_key_bytes", "signature_bytes"])
def test_openssl_ml_dsa_sizes_match_the_catalogue(name: str, field: str,
                                                  openssl_results: dict[str, CaseResult]) -> None:
    assert openssl_results[name].sizes[field] == _catalogue_size(name, field)


def test_openssl_private_keys_are_seeds_and_not_compared_with_the_expanded_size(
    openssl_results: dict[str, CaseResult],
) -> None:
    result = openssl_results["ML-KEM-768"]
    # FIPS 203 seed d||z is 64 bytes (shared/reference/standards.md §2A).
    assert result.sizes["secret_key_bytes"] == 64 and result.sizes["secret_key_form"] == "seed"
    catalogue_checks = [s for s in result.size_checks if s.field == "secret_key_bytes" and s.source == "catalogue"]
    assert all(s.ok is None for s in catalogue_checks)


@pytest.mark.parametrize("name", sorted(CLASSICAL_CASES))
def test_classical_algorithm_runs_and_passes_its_correctness_checks(name: str) -> None:
    result = run_case(CLASSICAL_CASES[name], FAST)
    assert result.ok, result.errors
    assert all(t.median_us > 0 for t in result.timings)


@pytest.mark.parametrize(("name", "public_key", "wire"), [
    ("X25519", 32, 32),  # RFC 7748: 32-byte u-coordinates
    ("ECDH-P-256", 65, 65),  # SEC 1 uncompressed point, as in TLS key shares
    ("ECDH-P-384", 97, 97),
])
def test_key_agreement_sizes_are_the_tls_key_share_sizes(name: str, public_key: int, wire: int) -> None:
    result = run_case(CLASSICAL_CASES[name], Settings(min_time=0.002, repeats=1))
    assert (result.sizes["public_key_bytes"], result.sizes["ciphertext_bytes"]) == (public_key, wire)


def test_ecdsa_signature_length_varies_and_stays_within_its_declared_maximum() -> None:
    result = run_case(CLASSICAL_CASES["ECDSA-P-256"], Settings(min_time=0.002, repeats=1))
    assert result.sizes["signature_bytes_declared_max"] == 72
    assert 64 <= result.sizes["signature_bytes_min_measured"] <= result.sizes["signature_bytes_max_measured"] <= 72


def test_rsa_oaep_reuses_the_rsa_keygen_timing_instead_of_repeating_it() -> None:
    oaep = CLASSICAL_CASES["RSA-2048-OAEP"]
    assert oaep.family is Family.KEM and [op.value for op in oaep.operations] == ["encaps", "decaps"]
    assert [oaep.label(op) for op in oaep.operations] == ["encrypt", "decrypt"]


def _liboqs_or_skip() -> LiboqsBackend:
    backend = LiboqsBackend()
    availability = backend.availability()
    if not availability.available:
        pytest.skip(f"liboqs backend unavailable: {availability.reason}")
    return backend


@pytest.mark.parametrize("name", ["ML-KEM-768", "ML-DSA-65", "SLH_DSA_PURE_SHA2_128F", "Falcon-512"])
def test_liboqs_algorithm_runs_and_its_sizes_match_liboqs_and_the_catalogue(name: str) -> None:
    cases = {c.name: c for c in _liboqs_or_skip().cases()}
    if name not in cases:
        pytest.skip(f"{name} is not enabled in this liboqs build")
    result = run_case(cases[name], FAST)
    assert result.ok, result.errors
    library_checks = [s for s in result.size_checks if s.source == "library"]
    assert library_checks and all(s.ok for s in library_checks)
    if result.case.algorithm_id is not None:
        assert all(s.ok is not False for s in result.size_checks if s.source == "catalogue")


def test_liboqs_names_map_to_the_catalogue_through_the_liboqs_identifier_kind() -> None:
    cases = {c.name: c for c in _liboqs_or_skip().cases()}
    for name in ("ML-KEM-768", "ML-DSA-65"):
        expected = lookup(IdKind.LIBOQS, name)
        expected_id = expected.id if not expected.is_unknown else get(name).id
        assert cases[name].algorithm_id == expected_id
