"""Measured sizes against two references: the catalogue (FIPS 203/204/205 figures, via
``pqscan.algorithms``) and what the library itself declares (liboqs ``length_*``, seed sizes,
sizes that follow from the classical parameters).

``ok`` is True (matches), False (contradicts: recorded as an error) or None (no reference, or not
comparable: e.g. a seed-form private key against the catalogue's expanded size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pqscan.algorithms import get
from pqscan.bench.backends import BenchCase

CATALOGUE = "catalogue"
DECLARED = "library"


@dataclass(frozen=True)
class SizeCheck:
    field: str
    measured: int
    reference: int | None
    source: str  # CATALOGUE | DECLARED
    ok: bool | None
    relation: str = "=="  # "==" or "<=" (variable-length signatures against a maximum)
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "measured": self.measured, "reference": self.reference,
                "source": self.source, "relation": self.relation, "ok": self.ok, "detail": self.detail}


def _cmp(field: str, measured: int, reference: int | None, source: str, relation: str = "==",
         detail: str = "") -> SizeCheck:
    if reference is None:
        return SizeCheck(field, measured, None, source, None, relation, detail or "no reference")
    ok = measured == reference if relation == "==" else measured <= reference
    return SizeCheck(field, measured, reference, source, ok, relation, detail)


def check_sizes(case: BenchCase, sizes: dict[str, Any]) -> list[SizeCheck]:
    out: list[SizeCheck] = []
    declared = case.declared
    sig_max = sizes.get("signature_bytes_max_measured")
    for field, ref in (("public_key_bytes", declared.public_key_bytes),
                       ("secret_key_bytes", declared.secret_key_bytes),
                       ("ciphertext_bytes", declared.ciphertext_bytes),
                       ("shared_secret_bytes", declared.shared_secret_bytes)):
        if field in sizes and ref is not None:
            out.append(_cmp(field, int(sizes[field]), ref, DECLARED))
    if sig_max is not None and declared.signature_bytes_max is not None:
        out.append(_cmp("signature_bytes", int(sig_max), declared.signature_bytes_max, DECLARED, "<=",
                        "largest measured signature against the declared maximum"))

    # The catalogue's sizes are compared for the post-quantum sets only (FIPS 203/204/205 fix one
    # encoding); classical sizes depend on the encoding (DER, SPKI, raw r||s) and RSA's on the key.
    if case.algorithm_id is None:
        return out
    alg = get(case.algorithm_id)
    if alg.is_unknown or not alg.is_quantum_safe:
        return out
    for field in ("public_key_bytes", "ciphertext_bytes", "shared_secret_bytes"):
        ref = getattr(alg, field)
        if field in sizes and ref is not None:
            out.append(_cmp(field, int(sizes[field]), ref, CATALOGUE))
    if "secret_key_bytes" in sizes and alg.secret_key_bytes is not None:
        if sizes.get("secret_key_form") == "expanded":
            out.append(_cmp("secret_key_bytes", int(sizes["secret_key_bytes"]), alg.secret_key_bytes, CATALOGUE))
        else:
            out.append(SizeCheck("secret_key_bytes", int(sizes["secret_key_bytes"]), alg.secret_key_bytes,
                                 CATALOGUE, None, "==",
                                 f"{sizes.get('secret_key_form')} form; the catalogue gives the expanded key"))
    if sig_max is not None and alg.signature_bytes is not None:
        fixed = sizes.get("signature_bytes_min_measured") == sig_max and declared.signature_bytes_max in (None, sig_max)
        out.append(_cmp("signature_bytes", int(sig_max), alg.signature_bytes, CATALOGUE, "==" if fixed else "<=",
                        "" if fixed else "variable-length signature: largest measured against the reference"))
    return out
