"""The benchmark method and the correctness checks (the checks are fed wrong values on purpose)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from pqscan.bench.backends import BenchCase, Family, Kind, OpenSSLBackend, Operation
from pqscan.bench.runner import Settings, Timing, check_shared_secret, check_signature, run_case, time_operation

FAST = Settings(min_time=0.01, repeats=2)


def test_timing_yields_one_sample_per_repeat_and_counts_every_call() -> None:
    calls = []
    samples, total = time_operation(lambda: calls.append(1), min_time=0.01, repeats=4)
    assert len(samples) == 4
    assert all(s > 0 for s in samples)
    assert total <= len(calls)  # the warm-up calls are not counted in the samples


def test_slow_operation_still_gets_at_least_one_call_per_repeat() -> None:
    import time

    samples, total = time_operation(lambda: time.sleep(0.005), min_time=0.001, repeats=3)
    assert total >= 3
    assert min(samples) >= 4000  # µs


def test_timing_summary_is_median_iqr_and_ops_per_second() -> None:
    t = Timing(Operation.SIGN, "sign", (10.0, 20.0, 30.0, 40.0, 50.0), 100)
    assert t.median_us == 30.0
    assert t.ops_per_s == pytest.approx(1e6 / 30.0)
    assert t.quartiles == (20.0, 40.0)
    d = t.to_dict()
    assert (d["min_us"], d["max_us"], d["iqr_us"]) == (10.0, 50.0, 20.0)


def test_shared_secret_check_detects_a_wrong_secret() -> None:
    assert check_shared_secret(b"\x01" * 32, b"\x01" * 32).ok
    bad = check_shared_secret(b"\x01" * 32, b"\x01" * 31 + b"\x02")
    assert not bad.ok and "differ" in bad.detail


def test_signature_check_passes_a_real_ed25519_signature() -> None:
    sk = ed25519.Ed25519PrivateKey.generate()
    message = b"pqscan" * 10
    signature = sk.sign(message)

    def verify(m: bytes, s: bytes) -> bool:
        try:
            sk.public_key().verify(s, m)
        except Exception:
            return False
        return True

    assert all(c.ok for c in check_signature(verify, message, signature))


def test_signature_check_detects_a_verifier_that_accepts_tampered_signatures() -> None:
    checks = {c.name: c for c in check_signature(lambda m, s: True, b"m" * 64, b"\x00" * 64)}
    assert checks["signature verifies"].ok
    assert not checks["tampered signature is rejected"].ok
    assert not checks["signature on another message is rejected"].ok


def test_signature_check_detects_a_signature_that_does_not_verify() -> None:
    checks = check_signature(lambda m, s: False, b"m" * 64, b"\x00" * 64)
    assert not checks[0].ok


class _WrongSecretKem:
    """Real ML-KEM-768 (OpenSSL) whose decapsulation returns a corrupted secret: a fault that
    cannot be caused for real in a correct library, injected to test that the runner records it."""

    def __init__(self) -> None:
        case = next(c for c in OpenSSLBackend().cases() if c.name == "ML-KEM-768")
        self._real: Any = case.factory()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def keypair(self) -> tuple[Any, Any]:
        return self._real.keypair()

    def encaps(self, public: Any) -> tuple[bytes, bytes]:
        return self._real.encaps(public)

    def decaps(self, secret: Any, ciphertext: bytes) -> bytes:
        ss = bytearray(self._real.decaps(secret, ciphertext))
        ss[0] ^= 0xFF
        return bytes(ss)

    def public_bytes(self, public: Any) -> bytes:
        return self._real.public_bytes(public)

    def secret_bytes(self, secret: Any) -> bytes:
        return self._real.secret_bytes(secret)


def test_a_wrong_decapsulated_secret_is_recorded_as_an_error_not_raised() -> None:
    case = BenchCase("openssl", "ML-KEM-768", "ML-KEM-768", Family.KEM, Kind.KEM, factory=_WrongSecretKem)
    result = run_case(case, FAST)
    assert not result.ok
    assert any("decapsulated secret equals" in e for e in result.errors)
    assert result.timings  # the timings still ran


def test_a_library_failure_is_recorded_as_an_error_not_raised() -> None:
    def broken() -> Any:
        raise RuntimeError("OQS_KEM_new failed")

    result = run_case(BenchCase("liboqs", "X", None, Family.KEM, Kind.KEM, factory=broken), FAST)
    assert not result.ok
    assert result.errors == ("RuntimeError: OQS_KEM_new failed",)
    assert result.to_dict()["correctness"]["ok"] is False


def test_quick_settings_are_short_and_explicit_values_win() -> None:
    quick = Settings.make(quick=True)
    assert quick.quick and quick.min_time < 0.1
    assert Settings.make(quick=True, min_time=0.5, repeats=7) == Settings(0.5, 7, True)
    assert Settings.make() == Settings(1.0, 5, False)


def _kem_case(algorithm_id: str, declared_ss: int | None = None) -> BenchCase:
    from pqscan.bench.backends import DeclaredSizes

    return BenchCase("liboqs", algorithm_id, algorithm_id, Family.KEM, Kind.KEM, factory=lambda: None,  # type: ignore[arg-type,return-value]
                     declared=DeclaredSizes(shared_secret_bytes=declared_ss))


def test_a_size_contradicting_a_final_standard_is_an_error() -> None:
    from pqscan.algorithms import get
    from pqscan.bench.sizes import check_sizes

    if get("ML-KEM-768").shared_secret_bytes is None:
        pytest.skip("the catalogue has no ML-KEM-768 sizes yet")
    checks = check_sizes(_kem_case("ML-KEM-768"), {"shared_secret_bytes": 31})
    assert [c.is_error for c in checks if c.field == "shared_secret_bytes"] == [True]


def test_a_size_contradicting_a_non_final_catalogue_entry_is_only_a_warning() -> None:
    from pqscan.algorithms import all_algorithms
    from pqscan.bench.sizes import FINAL_STANDARDS, check_sizes

    draft = next((a for a in all_algorithms() if a.is_quantum_safe and a.shared_secret_bytes
                  and not a.standard.startswith(FINAL_STANDARDS) and not a.components), None)
    if draft is None:
        pytest.skip("no non-final post-quantum KEM with sizes in the catalogue")
    checks = check_sizes(_kem_case(draft.id), {"shared_secret_bytes": draft.shared_secret_bytes + 1})
    (check,) = [c for c in checks if c.field == "shared_secret_bytes"]
    assert check.ok is False and check.advisory and not check.is_error


def test_a_size_contradicting_what_the_library_declares_is_an_error() -> None:
    from pqscan.bench.sizes import check_sizes

    (check,) = check_sizes(_kem_case("no-such-algorithm", declared_ss=32), {"shared_secret_bytes": 16})
    assert check.source == "library" and check.is_error
