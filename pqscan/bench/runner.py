"""Run benchmark cases: timing method, correctness checks, sizes, environment.

Method, per operation: a warm-up (at least one call, about half a sample's time), then
``repeats`` samples; each sample times batches of calls with ``time.perf_counter`` until it has
run ``min_time / repeats`` seconds (and at least one call), and yields one µs/op figure. The
result reports the median of the samples, min/max and the interquartile range. Inputs are fixed
per case (one key pair, one ciphertext, one signature, a 64-byte message), so only the named
operation is timed.

Correctness in every run: the decapsulated secret equals the encapsulated one, a wrong
ciphertext does not yield it; a signature verifies, a tampered one and one over another message
do not. A failure is recorded in the case result (``errors``), never raised.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pqscan import __version__
from pqscan.bench.backends import (
    Availability,
    BenchCase,
    Family,
    KemScheme,
    Operation,
    SigScheme,
    cryptography_versions,
)
from pqscan.bench.sizes import SizeCheck, check_sizes

MESSAGE = bytes(range(64))  # 64 bytes: also a valid "external mu" for the ML-DSA extmu variants
QUICK_MIN_TIME = 0.02
QUICK_REPEATS = 3
DEFAULT_MIN_TIME = 1.0
DEFAULT_REPEATS = 5


@dataclass(frozen=True)
class Settings:
    min_time: float = DEFAULT_MIN_TIME  # seconds per operation, over all repeats
    repeats: int = DEFAULT_REPEATS
    quick: bool = False

    @classmethod
    def make(cls, *, quick: bool = False, min_time: float | None = None, repeats: int | None = None) -> Settings:
        base_time, base_repeats = (QUICK_MIN_TIME, QUICK_REPEATS) if quick else (DEFAULT_MIN_TIME, DEFAULT_REPEATS)
        return cls(min_time if min_time is not None else base_time, repeats or base_repeats, quick)


@dataclass(frozen=True)
class Timing:
    operation: Operation
    label: str
    samples_us: tuple[float, ...]
    calls: int

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples_us)

    @property
    def ops_per_s(self) -> float:
        return 1e6 / self.median_us if self.median_us > 0 else float("inf")

    @property
    def quartiles(self) -> tuple[float, float]:
        if len(self.samples_us) < 2:
            return self.samples_us[0], self.samples_us[0]
        q = statistics.quantiles(self.samples_us, n=4, method="inclusive")
        return q[0], q[2]

    def to_dict(self) -> dict[str, Any]:
        q1, q3 = self.quartiles
        return {
            "operation": self.operation.value, "label": self.label,
            "median_us": round(self.median_us, 3), "ops_per_s": round(self.ops_per_s, 2),
            "min_us": round(min(self.samples_us), 3), "max_us": round(max(self.samples_us), 3),
            "q1_us": round(q1, 3), "q3_us": round(q3, 3), "iqr_us": round(q3 - q1, 3),
            "samples_us": [round(s, 3) for s in self.samples_us], "calls": self.calls,
        }


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class CaseResult:
    case: BenchCase
    timings: tuple[Timing, ...] = ()
    sizes: dict[str, Any] = field(default_factory=dict)
    size_checks: tuple[SizeCheck, ...] = ()
    checks: tuple[Check, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors and all(c.ok for c in self.checks) and not any(s.is_error for s in self.size_checks)

    @property
    def warnings(self) -> list[str]:
        return [f"size: {s.field} is {s.measured}, {s.source} says {s.reference} ({s.detail})"
                for s in self.size_checks if s.ok is False and s.advisory]

    def timing(self, op: Operation) -> Timing | None:
        return next((t for t in self.timings if t.operation is op), None)

    def to_dict(self) -> dict[str, Any]:
        c = self.case
        return {
            "backend": c.backend, "name": c.name, "algorithm_id": c.algorithm_id, "family": c.family.value,
            "kind": c.kind.value, "parameters": dict(c.parameters), "notes": c.notes,
            "operations": [t.to_dict() for t in self.timings],
            "sizes": dict(self.sizes), "size_checks": [s.to_dict() for s in self.size_checks],
            "correctness": {"ok": all(ch.ok for ch in self.checks) and bool(self.checks),
                            "checks": [ch.to_dict() for ch in self.checks]},
            "ok": self.ok, "errors": list(self.errors), "warnings": self.warnings,
        }


# -- timing -----------------------------------------------------------------------------------

def time_operation(fn: Callable[[], object], min_time: float, repeats: int) -> tuple[tuple[float, ...], int]:
    """``repeats`` µs/op samples of ``fn``, each over at least ``min_time / repeats`` seconds."""
    clock = time.perf_counter
    per_sample = max(min_time / max(repeats, 1), 1e-6)
    # Warm-up (at least one call, about half a sample), and a first estimate of one call's cost.
    warm_until = clock() + max(per_sample * 0.5, 0.0)
    start = clock()
    warm_calls = 0
    while warm_calls == 0 or clock() < warm_until:
        fn()
        warm_calls += 1
    per_call = (clock() - start) / warm_calls
    # A batch runs ~1/10 of a sample so the clock is read rarely relative to the work.
    batch = max(1, int(per_sample / 10 / per_call)) if per_call > 0 else 1000
    samples: list[float] = []
    calls_total = 0
    for _ in range(max(repeats, 1)):
        calls = 0
        elapsed = 0.0
        while elapsed < per_sample or calls == 0:
            t0 = clock()
            for _ in range(batch):
                fn()
            elapsed += clock() - t0
            calls += batch
        samples.append(elapsed / calls * 1e6)
        calls_total += calls
    return tuple(samples), calls_total


# -- correctness ------------------------------------------------------------------------------

def check_shared_secret(encapsulated: bytes, decapsulated: bytes) -> Check:
    ok = bytes(encapsulated) == bytes(decapsulated) and len(encapsulated) > 0
    return Check("decapsulated secret equals encapsulated secret", ok,
                 "" if ok else f"secrets differ ({len(encapsulated)} vs {len(decapsulated)} bytes)")


def check_signature(verify: Callable[[bytes, bytes], bool], message: bytes, signature: bytes) -> list[Check]:
    """A valid signature verifies; one bit flipped, and the same signature on another message, fail."""
    try:
        valid, detail = bool(verify(message, signature)), ""
    except Exception as exc:
        valid, detail = False, f"{type(exc).__name__}: {exc}"
    checks = [Check("signature verifies", valid, detail or ("" if valid else "a fresh signature did not verify"))]
    tampered = bytearray(signature)
    tampered[len(tampered) // 2] ^= 0x01
    rejected = _rejects(verify, message, bytes(tampered))
    checks.append(Check("tampered signature is rejected", rejected, "" if rejected else "accepted a tampered signature"))
    other = bytes([message[0] ^ 0xFF]) + message[1:]
    rejected = _rejects(verify, other, signature)
    checks.append(Check("signature on another message is rejected", rejected,
                        "" if rejected else "accepted a signature for a different message"))
    return checks


def _rejects(verify: Callable[[bytes, bytes], bool], message: bytes, signature: bytes) -> bool:
    try:
        return not verify(message, signature)
    except Exception:  # a verifier that raises on a malformed signature has rejected it
        return True


def _wrong_ciphertext_check(scheme: KemScheme, secret: Any, ciphertext: bytes, shared: bytes) -> Check:
    tampered = bytearray(ciphertext)
    tampered[len(tampered) // 2] ^= 0x01
    try:
        other = scheme.decaps(secret, bytes(tampered))
    except Exception:  # RSA-OAEP and ECDH reject a bad ciphertext / point outright: also a pass
        return Check("tampered ciphertext does not yield the secret", True, "rejected")
    ok = bytes(other) != bytes(shared)
    return Check("tampered ciphertext does not yield the secret", ok, "" if ok else "same secret from a tampered ciphertext")


# -- one case -----------------------------------------------------------------------------------

def run_case(case: BenchCase, settings: Settings) -> CaseResult:
    try:
        scheme = case.factory()
        if case.family is Family.KEM:
            assert isinstance(scheme, KemScheme)
            return _run_kem(case, scheme, settings)
        assert isinstance(scheme, SigScheme)
        return _run_sig(case, scheme, settings)
    except Exception as exc:  # a library failure is a result, not a crash
        return CaseResult(case, errors=(f"{type(exc).__name__}: {exc}",))


def _key_sizes(case: BenchCase, scheme: KemScheme | SigScheme, public: Any, secret: Any) -> dict[str, Any]:
    """What every case reports of its keys: encoded public and secret key sizes, and the secret key's form."""
    return {
        "public_key_bytes": len(scheme.public_bytes(public)),
        "secret_key_bytes": len(scheme.secret_bytes(secret)),
        "secret_key_form": case.secret_key_form,
    }


def _run_kem(case: BenchCase, scheme: KemScheme, settings: Settings) -> CaseResult:
    public, secret = scheme.keypair()
    ciphertext, shared = scheme.encaps(public)
    decapsulated = scheme.decaps(secret, ciphertext)
    checks = [check_shared_secret(shared, decapsulated), _wrong_ciphertext_check(scheme, secret, ciphertext, shared)]
    sizes = {
        **_key_sizes(case, scheme, public, secret),
        "ciphertext_bytes": len(ciphertext),
        "shared_secret_bytes": len(shared),
    }
    ops: dict[Operation, Callable[[], object]] = {
        Operation.KEYGEN: scheme.keypair,
        Operation.ENCAPS: lambda: scheme.encaps(public),
        Operation.DECAPS: lambda: scheme.decaps(secret, ciphertext),
    }
    return _finish(case, settings, ops, sizes, checks)


def _run_sig(case: BenchCase, scheme: SigScheme, settings: Settings) -> CaseResult:
    public, secret = scheme.keypair()
    signature = scheme.sign(secret, MESSAGE)
    checks = check_signature(lambda m, s: scheme.verify(public, m, s), MESSAGE, signature)
    lengths = {len(signature)}
    if case.declared.signature_bytes_max != len(signature):
        # Possibly variable-length (ECDSA DER, Falcon): sign a few more to see the spread.
        lengths |= {len(scheme.sign(secret, MESSAGE)) for _ in range(7)}
    sizes = {
        **_key_sizes(case, scheme, public, secret),
        "signature_bytes": len(signature),
        "signature_bytes_min_measured": min(lengths),
        "signature_bytes_max_measured": max(lengths),
        "signature_bytes_declared_max": case.declared.signature_bytes_max,
    }
    ops: dict[Operation, Callable[[], object]] = {
        Operation.KEYGEN: scheme.keypair,
        Operation.SIGN: lambda: scheme.sign(secret, MESSAGE),
        Operation.VERIFY: lambda: scheme.verify(public, MESSAGE, signature),
    }
    return _finish(case, settings, ops, sizes, checks)


def _finish(case: BenchCase, settings: Settings, ops: dict[Operation, Callable[[], object]],
            sizes: dict[str, Any], checks: list[Check]) -> CaseResult:
    errors = [f"correctness: {c.name}: {c.detail or 'failed'}" for c in checks if not c.ok]
    size_checks = tuple(check_sizes(case, sizes))
    errors += [f"size: {s.field} is {s.measured}, {s.source} says {s.reference}" for s in size_checks if s.is_error]
    timings: list[Timing] = []
    for op, fn in ops.items():
        if op not in case.operations:
            continue
        try:
            samples, calls = time_operation(fn, settings.min_time, settings.repeats)
        except Exception as exc:
            errors.append(f"{op.value}: {type(exc).__name__}: {exc}")
            continue
        timings.append(Timing(op, case.label(op), samples, calls))
    return CaseResult(case, tuple(timings), sizes, size_checks, tuple(checks), tuple(errors))


# -- environment ----------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh.read(1 << 20).splitlines():
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def cpu_flags(wanted: Iterable[str] = ("avx2", "avx512f", "bmi2", "aes", "sha_ni", "adx")) -> list[str]:
    """The CPU features liboqs / OpenSSL dispatch on (their optimised code paths depend on them)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh.read(1 << 20).splitlines():
                if line.startswith("flags"):
                    present = set(line.split(":", 1)[1].split())
                    return [f for f in wanted if f in present]
    except OSError:
        pass
    return []


def environment(backends: dict[str, Availability]) -> dict[str, Any]:
    libs = cryptography_versions()
    for name, av in backends.items():
        if av.available and name == "liboqs":
            libs.update({k: v for k, v in av.details.items() if k in ("liboqs", "liboqs-python")})
    return {
        "cpu_model": cpu_model(), "cpu_count": os.cpu_count() or 0, "cpu_flags": cpu_flags(),
        "machine": platform.machine(), "system": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}", "pqscan": __version__,
        "libraries": libs,
    }


def run_cases(cases: Sequence[BenchCase], settings: Settings,
              progress: Callable[[BenchCase], None] | None = None) -> list[CaseResult]:
    out = []
    for case in cases:
        if progress:
            progress(case)
        out.append(run_case(case, settings))
    return out
