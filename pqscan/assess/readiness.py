"""The readiness score: how much of the cryptography *you operate* already meets a profile's end state.

One finding is **ready** under a profile when that profile accepts it today with no date attached
(status compliant, no upcoming deprecation or disallowance), it is not exposed to
harvest-now-decrypt-later and not classically broken. Then, over the findings on assets you operate
(:mod:`pqscan.assess.ownership`: trust stores, test material, third-party code and expired
certificates are left out, and counted separately)::

    judged(p)    = operated findings whose use profile p covers
    readiness(p) = round(100 * |ready under p| / |judged(p)|)            (none when judged(p) is empty)

    ready(all)     = ready under every selected profile that covers it
    readiness(all) = round(100 * |ready(all)| / |findings some selected profile covers|)

An algorithm pqscan cannot identify is judged and not ready. So the score reads "N % of what you run
is already where <profile> wants it to end up"; it does not depend on how severe the rest is, on
material you do not operate (scanning /etc/ssl/certs next to a repository leaves it unchanged), or on
how a path was spelled (ownership reads path components). Documented in ``docs/risk-model.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pqscan.assess.ownership import Ownership, Role
from pqscan.assess.profiles import ComplianceStatus, Profile

ALL = "all"


@dataclass(frozen=True)
class Readiness:
    profile: str  # a profile id, or "all" for every selected profile at once
    name: str
    score: int | None  # 0-100; None when no operated finding is judged
    ready: int
    judged: int
    not_operated: Mapping[str, int] = field(default_factory=dict)  # ownership -> findings left out

    def text(self) -> str:
        return "n/a" if self.score is None else f"{self.score}/100"

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "name": self.name, "score": self.score, "ready": self.ready,
                "judged": self.judged, "not_operated": dict(self.not_operated)}


def is_ready(v: Any) -> bool:
    """Accepted today with no date attached, not exposed to harvest-now-decrypt-later, not broken."""
    return (v.status is ComplianceStatus.COMPLIANT and v.deadline is None and not v.hndl
            and not v.classically_broken)


def _score(ready: int, judged: int) -> int | None:
    return round(100 * ready / judged) if judged else None


def readiness(profiles: Sequence[Profile], verdicts: Mapping[str, Sequence[Any]],
              role_of_finding: Mapping[str, Role]) -> list[Readiness]:
    """One :class:`Readiness` per profile (in order), then the one for all of them (id ``"all"``)."""
    ready = Counter[str]()
    judged = Counter[str]()
    left_out = Counter[str]()
    for fid, vs in verdicts.items():
        role = role_of_finding.get(fid)
        if role is not None and role.ownership is not Ownership.OPERATED:
            left_out[role.ownership.value] += 1
            continue
        covering = [v for v in vs if getattr(v, "covered", True)]
        for v in covering:
            judged[v.profile] += 1
            ready[v.profile] += is_ready(v)
        if covering:
            judged[ALL] += 1
            ready[ALL] += all(is_ready(v) for v in covering)
    out = [Readiness(p.id, p.name, _score(ready[p.id], judged[p.id]), ready[p.id], judged[p.id], dict(left_out))
           for p in profiles]
    out.append(Readiness(ALL, "all selected profiles", _score(ready[ALL], judged[ALL]), ready[ALL], judged[ALL],
                         dict(left_out)))
    return out
