"""Measured sizes against two references: the catalogue (FIPS 203/204/205 figures, via
``pqscan.algorithms``) and what the library itself declares (liboqs ``length_*``, seed sizes,
sizes that follow from the classical parameters).

``ok`` is True (matches), False (contradicts) or None (no reference, or not comparable: e.g. a
seed-form private key against the catalogue's expanded size). A contradiction is an error, except
an *advisory* one: a catalogue entry that is not a final standard (HQC's round-4 sizes, Falcon
before FIPS 206, ...), where the library may implement a newer revision; that is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pqscan.algorithms import get
from pqscan.bench.backends import BenchCase

CATALOGUE = "catalogue"
DECLARED = "library"

# Final post-quantum standards (published 13 Aug 2024; shared/reference/standards.md §2): their
# sizes are fixed, so a mismatch with them is an error rather than a warning.
FINAL_STANDARDS = ("FIPS 203", "FIPS 204", "FIPS 205")


@dataclass(frozen=True)
class SizeCheck:
    field: str
    measured: int
    reference: int | None
    source: str  # CATALOGUE | DECLARED
    ok: bool | None
    relation: str = "=="  # "==" or "<=" (variable-length signatures against a maximum)
    detail: str = ""
    advisory: bool = False  # the reference is not a final standard: a mismatch is a warning

    @property
    def is_error(self) -> bool:
        return self.ok is False and not self.advisory

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "measured": self.measured, "reference": self.reference,
                "source": self.source, "relation": self.relation, "ok": self.ok, "detail": self.detail,
                "advisory": self.advisory}


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
    checks: list[SizeCheck] = []
    for field in ("public_key_bytes", "ciphertext_bytes", "shared_secret_bytes"):
        ref = getattr(alg, field)
        if field in sizes and ref is not None:
            checks.append(_cmp(field, int(sizes[field]), ref, CATALOGUE))
    if "secret_key_bytes" in sizes and alg.secret_key_bytes is not None:
        sk = int(sizes["secret_key_bytes"])
        if sizes.get("secret_key_form") == "expanded":
            checks.append(_cmp("secret_key_bytes", sk, alg.secret_key_bytes, CATALOGUE))
        else:
            checks.append(SizeCheck("secret_key_bytes", sk, alg.secret_key_bytes, CATALOGUE, None, "==",
                                    f"{sizes.get('secret_key_form')} form; the catalogue gives the expanded key"))
    if sig_max is not None and alg.signature_bytes is not None:
        fixed = (sizes.get("signature_bytes_min_measured") == sig_max
                 and declared.signature_bytes_max in (None, sig_max))
        checks.append(_cmp("signature_bytes", int(sig_max), alg.signature_bytes, CATALOGUE, "==" if fixed else "<=",
                           "" if fixed else "variable-length signature: largest measured against the reference"))
    final = alg.standard.startswith(FINAL_STANDARDS)
    note = "" if final else f"catalogue reference is not a final standard ({alg.standard or 'no standard'})"
    for c in checks:
        out.append(c if final else replace(c, advisory=True, detail="; ".join(x for x in (c.detail, note) if x)))
    return out
