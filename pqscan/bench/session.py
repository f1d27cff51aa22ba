"""One benchmark run: choose backends and cases, run them, and the JSON document of the result.

JSON shape (schema ``pqscan/schemas/bench.schema.json``)::

    {"schema": "pqscan-bench", "schema_version": "1.0", "tool": {...}, "started", "finished",
     "settings": {...}, "environment": {...}, "backends": [{"name", "available", "reason", ...}],
     "results": [case result ...], "migration_costs": [{"from", "to", "context", "time_ratio",
     "extra_bytes", ...}], "migration_costs_missing": [str], "notes": [str]}
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pqscan import __version__
from pqscan.bench.backends import BACKEND_NAMES, Availability, Backend, BenchCase, Family, OpenSSLBackend
from pqscan.bench.classical import ClassicalBackend
from pqscan.bench.cost import migration_costs
from pqscan.bench.runner import CaseResult, Settings, environment, run_cases
from pqscan.inventory import now_iso

BENCH_SCHEMA_VERSION = "1.0"


def make_backend(name: str) -> Backend:
    """The backend of this name. liboqs' module is imported only here, after its detection ran."""
    if name == "openssl":
        return OpenSSLBackend()
    if name == "classical":
        return ClassicalBackend()
    if name == "liboqs":
        from pqscan.bench.oqs_backend import LiboqsBackend  # lazy for start-up cost, not for a cycle

        return LiboqsBackend()
    raise ValueError(f"unknown backend {name!r}; choose from {', '.join(BACKEND_NAMES)}")


@dataclass(frozen=True)
class Plan:
    availability: dict[str, Availability]
    cases: tuple[BenchCase, ...]
    unmatched: tuple[str, ...] = ()  # --algorithm globs that matched nothing


def matches(case: BenchCase, patterns: Sequence[str]) -> bool:
    """Case-insensitive glob against the backend's name and the catalogue id."""
    if not patterns:
        return True
    names = {case.name.lower()} | ({case.algorithm_id.lower()} if case.algorithm_id else set())
    return any(fnmatch.fnmatchcase(n, p.lower()) for p in patterns for n in names)


# --quick without --algorithm: a smoke run of a few representative algorithms, whichever backends
# are present (each standard PQ family at its common level, and the classical ones they replace).
QUICK_SET = ("ML-KEM-768", "ML-KEM-1024", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "X25519", "ECDH-P-256",
             "ECDH-P-384", "RSA-2048", "ECDSA-P-256", "Ed25519", "Falcon-512", "SLH-DSA-SHA2-128f",
             "SLH_DSA_PURE_SHA2_128F", "HQC-128", "FrodoKEM-640-AES", "Classic-McEliece-348864")


def plan(backends: Sequence[str] = BACKEND_NAMES, algorithms: Sequence[str] = (),
         family: Family | None = None, *, quick: bool = False) -> Plan:
    availability: dict[str, Availability] = {}
    cases: list[BenchCase] = []
    for name in dict.fromkeys(backends):
        backend = make_backend(name)
        av = backend.availability()
        availability[name] = av
        if not av.available:
            continue
        for case in backend.cases():
            if (family is None or case.family is family) and matches(case, algorithms or (QUICK_SET if quick else ())):
                cases.append(case)
    unmatched = tuple(p for p in algorithms if not any(matches(c, [p]) for c in cases))
    return Plan(availability, tuple(cases), unmatched)


@dataclass
class BenchRun:
    settings: Settings
    plan: Plan
    results: list[CaseResult] = field(default_factory=list)
    started: str = field(default_factory=now_iso)
    finished: str | None = None
    selection: dict[str, Any] = field(default_factory=dict)

    def run(self, progress: Callable[[BenchCase], None] | None = None) -> BenchRun:
        self.results = run_cases(self.plan.cases, self.settings, progress)
        self.finished = now_iso()
        return self

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def notes(self) -> list[str]:
        out = [f"backend {name} unavailable: {av.reason}" for name, av in self.plan.availability.items()
               if not av.available]
        out += [f"--algorithm {p!r} matched no available algorithm" for p in self.plan.unmatched]
        if self.settings.quick:
            out.append("--quick: smoke-run durations; figures are indicative only")
        return out

    def to_dict(self) -> dict[str, Any]:
        costs, missing = migration_costs(self.results)
        return {
            "schema": "pqscan-bench",
            "schema_version": BENCH_SCHEMA_VERSION,
            "tool": {"name": "pqscan", "version": __version__},
            "started": self.started,
            "finished": self.finished,
            "settings": {"min_time_s": self.settings.min_time, "repeats": self.settings.repeats,
                         "quick": self.settings.quick, **self.selection},
            "environment": environment(self.plan.availability),
            "backends": [{"name": n, "available": av.available, "reason": av.reason, "version": av.version,
                          "details": dict(av.details)} for n, av in self.plan.availability.items()],
            "results": [r.to_dict() for r in self.results],
            "migration_costs": costs,
            "migration_costs_missing": missing,
            "notes": self.notes(),
            "ok": self.ok,
        }


def run_bench(backends: Sequence[str] = BACKEND_NAMES, algorithms: Sequence[str] = (),
              family: Family | None = None, settings: Settings | None = None,
              progress: Callable[[BenchCase], None] | None = None) -> BenchRun:
    """The library entry point: plan, run, and return the run (``.to_dict()`` for JSON)."""
    p = plan(backends, algorithms, family)
    run = BenchRun(settings or Settings(), p, selection={
        "backends": list(backends), "algorithms": list(algorithms), "family": family.value if family else None})
    return run.run(progress)
