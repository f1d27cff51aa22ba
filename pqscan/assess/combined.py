"""One answer across jurisdictions: a finding's verdicts under every selected profile, combined.

For one finding (:class:`Combined`):

* **status**: the worst status any selected profile gives (disallowed > deprecated > unknown >
  compliant); a profile that does not cover the use (status unknown, "not covered") does not vote;
* **severity**: the worst severity;
* **deadline**: the earliest upcoming date any profile sets for it, and **which profile** sets it
  (ties: the first in the order the profiles were selected);
* **acceptable**: the catalogue algorithms every selected profile accepts for the same category of
  use today with no date attached (:func:`acceptable_everywhere`), quantum-safe ones first, strongest
  first: e.g. ``SecP384r1MLKEM1024`` and ``ML-KEM-1024`` for key establishment, ``ML-DSA-87`` for
  signatures, when CNSA 2.0 is among the selected profiles.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pqscan import algorithms
from pqscan.assess.profiles import Category, ComplianceStatus, Profile
from pqscan.model import Primitive, QuantumStatus, Severity

# The catalogue primitives that can serve each category (suggestions are drawn from these).
_CATEGORY_PRIMITIVES: Mapping[Category, frozenset[Primitive]] = {
    Category.KEY_ESTABLISHMENT: frozenset({Primitive.KEM, Primitive.KEY_AGREE}),
    Category.SIGNATURE: frozenset({Primitive.SIGNATURE}),
    Category.CODE_SIGNING: frozenset({Primitive.SIGNATURE}),
    Category.SYMMETRIC: frozenset({Primitive.AE, Primitive.BLOCK_CIPHER}),
    Category.HASH: frozenset({Primitive.HASH}),
}
MAX_SUGGESTIONS = 4


@dataclass(frozen=True)
class Combined:
    finding_id: str
    status: ComplianceStatus
    severity: Severity
    deadline: datetime.date | None
    deadline_profile: str | None  # profile id that sets the earliest deadline
    statuses: tuple[tuple[str, ComplianceStatus], ...]  # (profile id, status), in selection order
    acceptable: tuple[str, ...]  # algorithm ids acceptable under every selected profile

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "severity": self.severity.value,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_profile": self.deadline_profile,
            "per_profile": {p: s.value for p, s in self.statuses},
            "acceptable_under_all": list(self.acceptable),
        }


def combine(finding_id: str, verdicts: Sequence[Any], today: datetime.date,
            acceptable: tuple[str, ...] = ()) -> Combined:
    """The joint verdict of one finding's per-profile verdicts (see the module docstring)."""
    voting = [v for v in verdicts if getattr(v, "covered", True)] or list(verdicts)
    status = max((v.status for v in voting), key=lambda s: s.rank, default=ComplianceStatus.UNKNOWN)
    severity = max((v.severity for v in verdicts), key=lambda s: s.rank, default=Severity.INFO)
    upcoming = [(v.deadline, i, v.profile) for i, v in enumerate(verdicts)
                if v.deadline is not None and v.deadline >= today]
    passed = [(v.deadline, i, v.profile) for i, v in enumerate(verdicts) if v.deadline is not None]
    first = min(upcoming) if upcoming else (min(passed) if passed else None)
    return Combined(finding_id, status, severity, first[0] if first else None, first[2] if first else None,
                    tuple((v.profile, v.status) for v in verdicts), acceptable)


def acceptable_everywhere(profiles: Sequence[Profile], category: Category | None, today: datetime.date,
                          memo: dict[Category, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """Catalogue algorithms every profile accepts for ``category`` today, with no date attached to
    that acceptance; quantum-safe first, then by NIST category and classical strength (strongest first)."""
    if category is None or not profiles:
        return ()
    if memo is None:
        return _acceptable(profiles, category, today)
    found = memo.get(category)
    if found is None:
        found = memo[category] = _acceptable(profiles, category, today)
    return found


def _acceptable(profiles: Sequence[Profile], category: Category, today: datetime.date) -> tuple[str, ...]:
    prims = _CATEGORY_PRIMITIVES.get(category)
    if prims is None:
        return ()
    out: list[algorithms.Algorithm] = []
    for alg in algorithms.all_algorithms():
        if alg.primitive not in prims or alg.deprecated or alg.classically_broken or alg.is_unknown:
            continue
        if category in (Category.KEY_ESTABLISHMENT, Category.SIGNATURE, Category.CODE_SIGNING) and not alg.is_quantum_safe:
            continue
        if all(_accepts(p, category, alg, today) for p in profiles):
            out.append(alg)
    out.sort(key=lambda a: (a.quantum_status is not QuantumStatus.HYBRID, -(a.nist_category or 0),
                            -(a.classical_bits or 0), a.id))
    return tuple(a.id for a in out[:MAX_SUGGESTIONS])


def _accepts(profile: Profile, category: Category, alg: algorithms.Algorithm, today: datetime.date) -> bool:
    policy, rule = profile.evaluate(category, alg, {})
    if policy is None:
        return True  # the profile says nothing about this use: it does not narrow the choice
    if rule is None:
        return policy.default is ComplianceStatus.COMPLIANT
    return rule.status_on(today) is ComplianceStatus.COMPLIANT and not rule.dates()
