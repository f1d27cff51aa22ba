"""The migration cost view: what replacing a classical algorithm costs, in time and bytes.

For each replacement pair the view gives the time ratio (new / old) and the extra bytes, in one
context:

- ``tls-handshake``: one TLS 1.3 key exchange, both peers' work: client keygen + server encaps +
  client decaps (for (EC)DH: two key generations and two DH operations, see the DHKEM note in
  :mod:`pqscan.bench.backends`); bytes = client key share (public key) + server key share
  (ciphertext).
- ``signature`` (e.g. TLS CertificateVerify) and ``code-signing``: sign + verify of one message;
  bytes = the signature (largest measured); the public key growth is given beside it.

A hybrid (X25519MLKEM768, SecP256r1MLKEM768, ...) is not measured as one primitive: its cost is
the **sum of its components' measured costs** (time and bytes), which is how TLS stacks compute
it (draft-ietf-tls-ecdhe-mlkem: the key shares are concatenated). Each entry says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pqscan.bench.backends import Operation, catalogue_id
from pqscan.bench.runner import CaseResult


@dataclass(frozen=True)
class Pair:
    source: str  # case name of the classical algorithm ("X25519", "RSA-2048", "ECDSA-P-256")
    target: str  # algorithm id of the replacement ("X25519MLKEM768", "ML-DSA-65")
    context: str  # "tls-handshake" | "signature" | "code-signing"
    components: tuple[tuple[str, ...], ...]  # per component: accepted case names (first found wins)


_MLKEM768 = ("ML-KEM-768",)
_MLKEM1024 = ("ML-KEM-1024",)

# The replacement pairs. Component names are case names as the backends spell them.
PAIRS: tuple[Pair, ...] = (
    Pair("X25519", "X25519MLKEM768", "tls-handshake", (_MLKEM768, ("X25519",))),
    Pair("X25519", "ML-KEM-768", "tls-handshake", (_MLKEM768,)),
    Pair("ECDH-P-256", "SecP256r1MLKEM768", "tls-handshake", (("ECDH-P-256",), _MLKEM768)),
    Pair("ECDH-P-384", "SecP384r1MLKEM1024", "tls-handshake", (("ECDH-P-384",), _MLKEM1024)),
    Pair("ECDH-P-384", "ML-KEM-1024", "tls-handshake", (_MLKEM1024,)),
    Pair("RSA-2048", "ML-DSA-44", "signature", (("ML-DSA-44",),)),
    Pair("RSA-2048", "ML-DSA-65", "signature", (("ML-DSA-65",),)),
    Pair("ECDSA-P-256", "ML-DSA-44", "signature", (("ML-DSA-44",),)),
    Pair("ECDSA-P-256", "ML-DSA-65", "signature", (("ML-DSA-65",),)),
    Pair("Ed25519", "ML-DSA-44", "signature", (("ML-DSA-44",),)),
    Pair("ECDSA-P-384", "ML-DSA-87", "signature", (("ML-DSA-87",),)),
    Pair("RSA-3072", "ML-DSA-87", "code-signing", (("ML-DSA-87",),)),
    Pair("RSA-4096", "ML-DSA-87", "code-signing", (("ML-DSA-87",),)),
    Pair("RSA-4096", "SLH-DSA-SHA2-128s", "code-signing", (("SLH-DSA-SHA2-128s", "SLH_DSA_PURE_SHA2_128S"),)),
    Pair("RSA-4096", "SLH-DSA-SHA2-256s", "code-signing", (("SLH-DSA-SHA2-256s", "SLH_DSA_PURE_SHA2_256S"),)),
)

HANDSHAKE_OPS = (Operation.KEYGEN, Operation.ENCAPS, Operation.DECAPS)
SIGNATURE_OPS = (Operation.SIGN, Operation.VERIFY)

# Which backend's measurement stands for an algorithm measured by several: OpenSSL first (what
# TLS stacks and most signing tools deploy), then liboqs, then the classical backend.
DEFAULT_PREFERENCE = ("openssl", "liboqs", "classical")


def _usable(r: CaseResult, ops: Sequence[Operation]) -> bool:
    return r.ok and all(r.timing(op) is not None for op in ops)


def pick(results: Sequence[CaseResult], names: Sequence[str], ops: Sequence[Operation],
         preference: Sequence[str] = DEFAULT_PREFERENCE) -> CaseResult | None:
    """The preferred usable measurement of the first of ``names`` that was measured."""
    rank = {b: i for i, b in enumerate(preference)}
    for name in names:
        found = [r for r in results if r.case.name.lower() == name.lower() and _usable(r, ops)]
        if found:
            return min(found, key=lambda r: rank.get(r.case.backend, len(rank)))
    return None


def _cost(r: CaseResult, context: str) -> tuple[dict[Operation, float], int, int]:
    """(µs per operation, wire bytes, public key bytes) of one measured case in one context."""
    ops = HANDSHAKE_OPS if context == "tls-handshake" else SIGNATURE_OPS
    times = {op: r.timing(op).median_us for op in ops}  # type: ignore[union-attr]
    pk = int(r.sizes.get("public_key_bytes", 0))
    if context == "tls-handshake":
        return times, pk + int(r.sizes.get("ciphertext_bytes", 0)), pk
    return times, int(r.sizes.get("signature_bytes_max_measured", 0)), pk


def _quartile_totals(r: CaseResult, context: str) -> tuple[float, float]:
    """(sum of first quartiles, sum of third quartiles) over the context's operations, µs."""
    ops = HANDSHAKE_OPS if context == "tls-handshake" else SIGNATURE_OPS
    quarts = [r.timing(op).quartiles for op in ops]  # type: ignore[union-attr]
    return sum(q[0] for q in quarts), sum(q[1] for q in quarts)


def migration_costs(results: Sequence[CaseResult], preference: Sequence[str] = DEFAULT_PREFERENCE,
                    pairs: Sequence[Pair] = PAIRS) -> tuple[list[dict[str, Any]], list[str]]:
    """The cost entries that the measured results allow, and why the others are missing."""
    entries: list[dict[str, Any]] = []
    missing: list[str] = []
    for pair in pairs:
        ops = HANDSHAKE_OPS if pair.context == "tls-handshake" else SIGNATURE_OPS
        src = pick(results, (pair.source,), ops, preference)
        parts = [pick(results, names, ops, preference) for names in pair.components]
        if src is None or any(p is None for p in parts):
            absent = [pair.source] if src is None else []
            absent += [names[0] for names, p in zip(pair.components, parts, strict=True) if p is None]
            missing.append(f"{pair.source} -> {pair.target} ({pair.context}): not measured: {', '.join(absent)}")
            continue
        entries.append(_entry(pair, src, [p for p in parts if p is not None]))
    return entries, missing


def _entry(pair: Pair, src: CaseResult, parts: list[CaseResult]) -> dict[str, Any]:
    src_times, src_bytes, src_pk = _cost(src, pair.context)
    to_times: dict[Operation, float] = dict.fromkeys(src_times, 0.0)
    to_bytes = to_pk = 0
    for part in parts:
        times, wire, pk = _cost(part, pair.context)
        for op, us in times.items():
            to_times[op] += us
        to_bytes += wire
        to_pk += pk
    src_total, to_total = sum(src_times.values()), sum(to_times.values())
    # The spread of the ratio: fastest replacement over slowest current (and the reverse), by quartiles.
    src_q = _quartile_totals(src, pair.context)
    to_q = [_quartile_totals(p, pair.context) for p in parts]
    to_lo, to_hi = sum(q[0] for q in to_q), sum(q[1] for q in to_q)
    spread = ([round(to_lo / src_q[1], 3), round(to_hi / src_q[0], 3)] if src_q[0] > 0 and src_q[1] > 0 else None)
    hybrid = len(parts) > 1
    basis = ("keygen + encaps + decaps (both peers of one key exchange); bytes = both key shares"
             if pair.context == "tls-handshake" else "sign + verify of one message; bytes = one signature")
    if hybrid:
        basis += "; hybrid cost = sum of its components' measured costs"
    entry: dict[str, Any] = {
        "from": src.case.algorithm_id or pair.source,
        "to": catalogue_id(pair.target) or pair.target,
        "context": pair.context,
        "time_ratio": round(to_total / src_total, 3) if src_total > 0 else None,
        "time_ratio_iqr": spread,  # [low, high]: the ratio over the samples' interquartile ranges
        "extra_bytes": to_bytes - src_bytes,
        "from_name": pair.source,
        "to_name": pair.target,
        "from_parameters": dict(src.case.parameters),
        "from_time_us": round(src_total, 3),
        "to_time_us": round(to_total, 3),
        "from_bytes": src_bytes,
        "to_bytes": to_bytes,
        "extra_public_key_bytes": to_pk - src_pk,
        "operation_ratios": {op.value: (round(to_times[op] / us, 3) if us > 0 else None)
                             for op, us in src_times.items()},
        "hybrid": hybrid,
        "components": [{"name": p.case.name, "algorithm_id": p.case.algorithm_id, "backend": p.case.backend}
                       for p in parts],
        "from_backend": src.case.backend,
        "basis": basis,
    }
    return entry
