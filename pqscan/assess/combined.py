"""One answer across jurisdictions: a finding's verdicts under every selected profile, combined.

For one finding (:class:`Combined`):

* **status**: the worst status any selected profile gives (disallowed > deprecated > unknown >
  compliant); a profile that does not cover the use (status unknown, "not covered") does not vote;
* **severity**: the worst severity;
* **deadline**: the earliest upcoming date any profile sets for it, and **which profile** sets it
  (ties: the first in the order the profiles were selected); **already**: the profiles under which it
  is deprecated or disallowed today (then the deadline that matters is "now");
* **acceptable**: the algorithms of :data:`SUGGESTIONS` every selected profile accepts for the same
  category of use today with no date attached (:func:`acceptable_everywhere`), strongest first: e.g. ``SecP384r1MLKEM1024`` and ``ML-KEM-1024`` for key establishment, ``ML-DSA-87`` for
  signatures, when CNSA 2.0 is among the selected profiles.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pqscan import algorithms
from pqscan.assess.profiles import Category, ComplianceStatus, Profile
from pqscan.model import Severity

# What pqscan suggests, in order of preference: deployable, standardised choices (FIPS 203/204/205,
# SP 800-208, the TLS hybrids of draft-ietf-tls-ecdhe-mlkem, the SSH ones OpenSSH ships); the first
# ones every selected profile accepts are shown. Strongest first, so a CNSA 2.0 selection reads
# SecP384r1MLKEM1024 / ML-KEM-1024 / ML-DSA-87.
SUGGESTIONS: Mapping[Category, tuple[str, ...]] = {
    Category.KEY_ESTABLISHMENT: ("SecP384r1MLKEM1024", "ML-KEM-1024", "X25519MLKEM768", "SecP256r1MLKEM768",
                                 "mlkem768x25519-sha256", "ML-KEM-768"),
    Category.SIGNATURE: ("ML-DSA-87", "ML-DSA-65", "SLH-DSA-SHA2-256s", "SLH-DSA-SHA2-192s", "ML-DSA-44"),
    Category.CODE_SIGNING: ("ML-DSA-87", "LMS", "XMSS", "SLH-DSA-SHA2-256s", "ML-DSA-65"),
    Category.SYMMETRIC: ("AES-256-GCM", "AES-256", "ChaCha20-Poly1305"),
    Category.HASH: ("SHA-384", "SHA-512", "SHA3-384", "SHA3-512"),
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
    already: tuple[str, ...] = ()  # profiles under which it is deprecated or disallowed today

    def deadline_text(self, names: Mapping[str, str] | None = None) -> str:
        """"now (CNSA 2.0)" when a profile already objects, else "2030-12-31 (NIST IR 8547)", else "-"."""
        names = names or {}
        if self.already:
            return "now (" + ", ".join(names.get(p, p) for p in self.already) + ")"
        if self.deadline is not None:
            return f"{self.deadline.isoformat()} ({names.get(self.deadline_profile or '', self.deadline_profile)})"
        return "-"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "severity": self.severity.value,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_profile": self.deadline_profile,
            "per_profile": {p: s.value for p, s in self.statuses},
            "acceptable_under_all": list(self.acceptable),
            "already_not_compliant_under": list(self.already),
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
    already = tuple(v.profile for v in voting
                    if v.status in (ComplianceStatus.DEPRECATED, ComplianceStatus.DISALLOWED))
    return Combined(finding_id, status, severity, first[0] if first else None, first[2] if first else None,
                    tuple((v.profile, v.status) for v in verdicts), acceptable, already)


def acceptable_everywhere(profiles: Sequence[Profile], category: Category | None, today: datetime.date,
                          memo: dict[Category, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The suggestions every profile accepts for ``category`` today, with no date attached to that acceptance."""
    if category is None or not profiles:
        return ()
    if memo is None:
        return _acceptable(profiles, category, today)
    found = memo.get(category)
    if found is None:
        found = memo[category] = _acceptable(profiles, category, today)
    return found


def _acceptable(profiles: Sequence[Profile], category: Category, today: datetime.date) -> tuple[str, ...]:
    out = [a for a in SUGGESTIONS.get(category, ()) if all(_accepts(p, category, algorithms.get(a), today) for p in profiles)]
    return tuple(out[:MAX_SUGGESTIONS])


def _accepts(profile: Profile, category: Category, alg: algorithms.Algorithm, today: datetime.date) -> bool:
    policy, rule = profile.evaluate(category, alg, {})
    if policy is None:
        return True  # the profile says nothing about this use: it does not narrow the choice
    if rule is None:
        return policy.default is ComplianceStatus.COMPLIANT
    return rule.status_on(today) is ComplianceStatus.COMPLIANT and not rule.dates()
