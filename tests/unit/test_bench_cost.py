"""The migration cost view: ratios, extra bytes, and hybrids as the sum of their components.

The inputs are CaseResults with given timings (the arithmetic is under test, not the machine)."""

from __future__ import annotations

from typing import Any

import pytest

from pqscan.bench.backends import BenchCase, Family, Kind, Operation
from pqscan.bench.cost import migration_costs
from pqscan.bench.runner import CaseResult, Timing


def _result(backend: str, name: str, family: Family, times: dict[Operation, float], sizes: dict[str, Any],
            ok: bool = True) -> CaseResult:
    kind = Kind.KEM if family is Family.KEM else Kind.SIGNATURE
    case = BenchCase(backend, name, None, family, kind, factory=lambda: None)  # type: ignore[arg-type,return-value]
    timings = tuple(Timing(op, op.value, (us,), 1) for op, us in times.items())
    return CaseResult(case, timings, sizes, errors=() if ok else ("correctness: failed",))


def _kem(backend: str, name: str, k: float, e: float, d: float, pk: int, ct: int, ok: bool = True) -> CaseResult:
    return _result(backend, name, Family.KEM, {Operation.KEYGEN: k, Operation.ENCAPS: e, Operation.DECAPS: d},
                   {"public_key_bytes": pk, "ciphertext_bytes": ct}, ok)


def _sig(backend: str, name: str, s: float, v: float, pk: int, sig: int) -> CaseResult:
    return _result(backend, name, Family.SIG, {Operation.KEYGEN: 1.0, Operation.SIGN: s, Operation.VERIFY: v},
                   {"public_key_bytes": pk, "signature_bytes_max_measured": sig})


X25519 = _kem("classical", "X25519", 20.0, 60.0, 40.0, 32, 32)
MLKEM768 = _kem("openssl", "ML-KEM-768", 30.0, 20.0, 30.0, 1184, 1088)


def _by_pair(entries: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["from_name"], e["to_name"]): e for e in entries}


def test_hybrid_cost_is_the_sum_of_its_components_measured_costs() -> None:
    entries, _ = migration_costs([X25519, MLKEM768])
    e = _by_pair(entries)[("X25519", "X25519MLKEM768")]
    assert e["hybrid"] is True
    assert e["to_time_us"] == pytest.approx(120.0 + 80.0)
    assert e["time_ratio"] == pytest.approx(200.0 / 120.0, abs=1e-3)
    # key shares: (1184 + 32) + (1088 + 32) against 32 + 32
    assert e["extra_bytes"] == 1216 + 1120 - 64
    assert "sum of its components" in e["basis"]
    assert {c["name"] for c in e["components"]} == {"ML-KEM-768", "X25519"}


def test_pure_kem_replacement_compares_one_handshake_with_another() -> None:
    e = _by_pair(migration_costs([X25519, MLKEM768])[0])[("X25519", "ML-KEM-768")]
    assert e["hybrid"] is False
    assert e["time_ratio"] == pytest.approx(80.0 / 120.0, abs=1e-3)
    assert e["extra_bytes"] == 1184 + 1088 - 64
    assert e["context"] == "tls-handshake"
    assert e["operation_ratios"]["encaps"] == pytest.approx(20.0 / 60.0, abs=1e-3)


def test_signature_replacement_counts_sign_plus_verify_and_the_signature_bytes() -> None:
    rsa = _sig("classical", "RSA-2048", 500.0, 50.0, 270, 256)
    mldsa = _sig("openssl", "ML-DSA-65", 700.0, 250.0, 1952, 3309)
    e = _by_pair(migration_costs([rsa, mldsa])[0])[("RSA-2048", "ML-DSA-65")]
    assert e["context"] == "signature"
    assert e["time_ratio"] == pytest.approx(950.0 / 550.0, abs=1e-3)
    assert e["extra_bytes"] == 3309 - 256
    assert e["extra_public_key_bytes"] == 1952 - 270


def test_openssl_measurement_is_preferred_over_liboqs_for_the_same_algorithm() -> None:
    liboqs = _kem("liboqs", "ML-KEM-768", 7.0, 8.0, 9.0, 1184, 1088)
    e = _by_pair(migration_costs([X25519, liboqs, MLKEM768])[0])[("X25519", "ML-KEM-768")]
    assert e["components"][0]["backend"] == "openssl"


def test_a_result_that_failed_its_checks_is_not_used_for_costs() -> None:
    bad = _kem("openssl", "ML-KEM-768", 30.0, 20.0, 30.0, 1184, 1088, ok=False)
    entries, missing = migration_costs([X25519, bad])
    assert ("X25519", "ML-KEM-768") not in _by_pair(entries)
    assert any("X25519 -> ML-KEM-768" in m and "ML-KEM-768" in m for m in missing)


def test_pairs_without_a_measured_side_are_listed_as_missing_with_the_reason() -> None:
    entries, missing = migration_costs([MLKEM768])
    assert entries == []
    assert any(m.startswith("X25519 -> X25519MLKEM768") and "not measured: X25519" in m for m in missing)


def test_every_cost_entry_has_the_fields_the_graph_and_reports_read() -> None:
    entries, _ = migration_costs([X25519, MLKEM768])
    for e in entries:
        assert {"from", "to", "context", "time_ratio", "extra_bytes"} <= set(e)
        assert isinstance(e["time_ratio"], float) and isinstance(e["extra_bytes"], int)
