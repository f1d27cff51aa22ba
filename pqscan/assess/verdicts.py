"""The result of an assessment: one :class:`Verdict` per finding and profile, gathered in an
:class:`Assessment` with its summaries (worst verdict, severity counts, compliance matrix).

Produced by :func:`pqscan.assess.engine.assess` (which also re-exports these types); reports, the
migration graph, SARIF and diffs read them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from pqscan.assess.combined import Combined, combine
from pqscan.assess.ownership import Override, Ownership, Role, role_of
from pqscan.assess.profiles import ComplianceStatus, Profile
from pqscan.assess.readiness import ALL, Readiness, readiness
from pqscan.model import Severity, plain_fields


@dataclass(frozen=True)
class Verdict:
    finding_id: str
    profile: str  # profile id
    status: ComplianceStatus
    severity: Severity
    reason: str
    deadline: datetime.date | None
    hndl: bool
    classically_broken: bool
    covered: bool = True  # False: the profile does not cover this use (status unknown, no vote)

    def to_dict(self) -> dict[str, Any]:
        return plain_fields(self)


@dataclass(frozen=True)
class MatrixRow:
    """One line of the compliance matrix: how one profile judges the whole inventory."""

    profile: str
    name: str
    compliant: int
    deprecated: int
    disallowed: int
    unknown: int
    next_deadline: datetime.date | None
    worst_severity: Severity | None

    def to_dict(self) -> dict[str, Any]:
        return plain_fields(self)


def _verdict_key(v: Verdict) -> tuple[int, int, int]:
    # Worse first: severity, then status, then the sooner deadline.
    days = v.deadline.toordinal() if v.deadline else datetime.date.max.toordinal()
    return (v.severity.rank, v.status.rank, -days)


@dataclass
class Assessment:
    profiles: list[Profile]
    verdicts: dict[str, list[Verdict]]  # finding id -> one verdict per profile, in profile order
    today: datetime.date = field(default_factory=datetime.date.today)
    roles: dict[str, Role] = field(default_factory=dict)  # asset id -> ownership and role
    finding_assets: dict[str, str] = field(default_factory=dict)  # finding id -> asset id
    acceptable: dict[str, tuple[str, ...]] = field(default_factory=dict)  # finding id -> ok under all profiles
    overrides: tuple[Override, ...] = ()  # the ownership overrides the roles were decided with
    # Each finding's combined verdict, decided once: summaries, tables and the plan all ask for it.
    _combined: dict[str, Combined | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    def role(self, finding_id: str) -> Role:
        """The ownership of the finding's asset (operated when the assessment did not classify it)."""
        return role_of(self.roles, self.finding_assets.get(finding_id, ""))

    def combined(self, finding_id: str) -> Combined | None:
        if finding_id in self._combined:
            return self._combined[finding_id]
        vs = self.verdicts.get(finding_id)
        joint = combine(finding_id, vs, self.today, self.acceptable.get(finding_id, ())) if vs else None
        self._combined[finding_id] = joint
        return joint

    def readiness(self) -> list[Readiness]:
        """Per profile, then "all selected profiles" (see :mod:`pqscan.assess.readiness`)."""
        return readiness(self.profiles, self.verdicts, {fid: self.role(fid) for fid in self.verdicts})

    def by_ownership(self) -> dict[Ownership, list[str]]:
        """Ownership -> ids of the assets with findings that have it (sorted)."""
        out: dict[Ownership, set[str]] = {o: set() for o in Ownership}
        for fid in self.verdicts:
            aid = self.finding_assets.get(fid, "")
            out[role_of(self.roles, aid).ownership].add(aid)
        return {o: sorted(ids) for o, ids in out.items()}

    def worst(self, finding_id: str) -> Verdict | None:
        vs = self.verdicts.get(finding_id)
        return max(vs, key=_verdict_key) if vs else None

    def severity(self, finding_id: str) -> Severity:
        v = self.worst(finding_id)
        return v.severity if v else Severity.INFO

    def worst_severity(self) -> Severity | None:
        sevs = [self.severity(fid) for fid in self.verdicts]
        return max(sevs, key=lambda s: s.rank) if sevs else None

    def counts_by_severity(self) -> dict[Severity, int]:
        counts = {s: 0 for s in Severity}
        for fid in self.verdicts:
            counts[self.severity(fid)] += 1
        return counts

    def matrix(self) -> list[MatrixRow]:
        rows = []
        by_profile: dict[str, list[Verdict]] = {p.id: [] for p in self.profiles}
        for vs in self.verdicts.values():
            for v in vs:
                by_profile.setdefault(v.profile, []).append(v)
        for prof in self.profiles:
            mine = by_profile[prof.id]
            counts = {s: sum(1 for v in mine if v.status is s) for s in ComplianceStatus}
            upcoming = [v.deadline for v in mine if v.deadline and v.deadline >= self.today]
            worst = max((v.severity for v in mine), key=lambda s: s.rank, default=None)
            rows.append(
                MatrixRow(
                    profile=prof.id,
                    name=prof.name,
                    compliant=counts[ComplianceStatus.COMPLIANT],
                    deprecated=counts[ComplianceStatus.DEPRECATED],
                    disallowed=counts[ComplianceStatus.DISALLOWED],
                    unknown=counts[ComplianceStatus.UNKNOWN],
                    next_deadline=min(upcoming) if upcoming else None,
                    worst_severity=worst,
                )
            )
        if self.profiles:
            joint = [c for fid in self.verdicts if (c := self.combined(fid)) is not None]
            counts = {s: sum(1 for c in joint if c.status is s) for s in ComplianceStatus}
            upcoming = [c.deadline for c in joint if c.deadline and c.deadline >= self.today]
            rows.append(MatrixRow(
                profile=ALL, name="All selected", compliant=counts[ComplianceStatus.COMPLIANT],
                deprecated=counts[ComplianceStatus.DEPRECATED], disallowed=counts[ComplianceStatus.DISALLOWED],
                unknown=counts[ComplianceStatus.UNKNOWN], next_deadline=min(upcoming) if upcoming else None,
                worst_severity=max((c.severity for c in joint), key=lambda s: s.rank, default=None)))
        return rows

    def to_dict(self) -> dict[str, Any]:
        worst = self.worst_severity()
        return {
            "today": self.today.isoformat(),
            "profiles": [
                {"id": p.id, "name": p.name, "title": p.title, "sources": list(p.sources),
                 "confidence": p.confidence, "uncertain": list(p.uncertain), "binds": p.binds,
                 "last_verified": p.last_verified.isoformat() if p.last_verified else None}
                for p in self.profiles
            ],
            "readiness": [r.to_dict() for r in self.readiness()],
            "ownership": {o.value: ids for o, ids in self.by_ownership().items()},
            "summary": {
                "findings": len(self.verdicts),
                "worst_severity": worst.value if worst else None,
                "by_severity": {s.value: n for s, n in self.counts_by_severity().items()},
                "hndl": sum(1 for vs in self.verdicts.values() if any(v.hndl for v in vs)),
                "classically_broken": sum(
                    1 for vs in self.verdicts.values() if any(v.classically_broken for v in vs)
                ),
            },
            "matrix": [row.to_dict() for row in self.matrix()],
            "verdicts": {fid: [v.to_dict() for v in vs] for fid, vs in self.verdicts.items()},
            "combined": {fid: {**c.to_dict(), "ownership": self.role(fid).to_dict()}
                         for fid in self.verdicts if (c := self.combined(fid)) is not None},
        }
