"""The numbers every human-facing report shows, computed once from (inventory, assessment, plan, bench).

Readiness score (0-100, higher is better), documented in README and shown in the report::

    penalty(f) = {critical: 10, high: 6, medium: 3, low: 1, info: 0}[worst severity of f across profiles]
    readiness  = round(100 * (1 - sum(penalty) / (10 * number_of_findings)))   (100 when no findings)

So an estate whose every finding is critical scores 0, one whose findings are all informational
(already quantum-safe) scores 100, and the score moves as findings are fixed or downgraded.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pqscan import algorithms as catalogue
from pqscan.inventory import Inventory
from pqscan.model import Finding, Severity

PENALTY: Mapping[Severity, int] = {Severity.CRITICAL: 10, Severity.HIGH: 6, Severity.MEDIUM: 3,
                                   Severity.LOW: 1, Severity.INFO: 0}
SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]


@dataclass(frozen=True)
class FindingRow:
    """A finding flattened for tables: everything a report shows about it."""

    finding: Finding
    severity: Severity
    status: str
    profile: str
    reason: str
    deadline: date | None
    hndl: bool
    asset_kind: str
    asset_name: str
    quantum_status: str


@dataclass
class ReportSummary:
    rows: list[FindingRow]
    readiness: int
    by_severity: dict[Severity, int]
    by_kind_severity: dict[str, dict[Severity, int]]
    hndl_rows: list[FindingRow]
    matrix: list[dict[str, Any]]  # per profile: name, title, counts by status, next deadline
    deadlines: list[tuple[date, str, int]]  # (date, profile, findings due)
    profiles: list[Any]
    plan: Any | None = None
    bench: Mapping[str, Any] | None = None
    errors_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def hndl_split(self) -> tuple[list[str], list[str]]:
        """(assets with no PQ key exchange at all, assets whose classical exchange is a fallback beside PQ)."""
        pq_assets = {r.finding.asset_id for r in self.rows
                     if r.finding.usage.value == "key-exchange" and r.quantum_status in ("hybrid", "resistant")}
        hndl = sorted({r.finding.asset_id for r in self.hndl_rows})
        return [a for a in hndl if a not in pq_assets], [a for a in hndl if a in pq_assets]

    @property
    def quantum_safe_kx_endpoints(self) -> tuple[int, int]:
        """(endpoints whose key exchange has a PQ/hybrid option, endpoints with any key exchange)."""
        kx: dict[str, list[str]] = defaultdict(list)
        for r in self.rows:
            if r.finding.usage.value == "key-exchange" and r.asset_kind in ("tls-endpoint", "ssh-endpoint"):
                kx[r.finding.asset_id].append(r.quantum_status)
        safe = sum(1 for statuses in kx.values() if {"hybrid", "resistant"} & set(statuses))
        return safe, len(kx)


def readiness_score(severities: list[Severity]) -> int:
    if not severities:
        return 100
    penalty = sum(PENALTY[s] for s in severities)
    return round(100 * (1 - penalty / (10 * len(severities))))


def summarize(inventory: Inventory, assessment: Any, plan: Any | None = None,
              bench: Mapping[str, Any] | None = None) -> ReportSummary:
    rows: list[FindingRow] = []
    for f in inventory.findings:
        worst = assessment.worst(f.id)
        asset = inventory.assets.get(f.asset_id)
        alg = catalogue.get(f.algorithm)
        rows.append(FindingRow(
            finding=f,
            severity=worst.severity if worst else Severity.INFO,
            status=worst.status.value if worst else "unknown",
            profile=worst.profile if worst else "",
            reason=worst.reason if worst else "",
            deadline=worst.deadline if worst else None,
            hndl=bool(worst and worst.hndl),
            asset_kind=asset.kind.value if asset else "unknown",
            asset_name=(asset.name or asset.location or asset.id) if asset else f.asset_id,
            quantum_status=alg.quantum_status.value,
        ))
    rows.sort(key=lambda r: (-r.severity.rank, r.deadline or date.max, r.finding.asset_id, r.finding.algorithm))
    by_sev = Counter(r.severity for r in rows)
    by_kind: dict[str, dict[Severity, int]] = defaultdict(lambda: dict.fromkeys(SEVERITY_ORDER, 0))
    for r in rows:
        by_kind[r.asset_kind][r.severity] += 1

    profiles = list(getattr(assessment, "profiles", []))
    names = {p.id: p.name for p in profiles}
    matrix = [{"profile": row.name, "title": next((p.title for p in profiles if p.id == row.profile), row.name),
               "counts": {"compliant": row.compliant, "deprecated": row.deprecated,
                          "disallowed": row.disallowed, "unknown": row.unknown},
               "next_deadline": row.next_deadline} for row in assessment.matrix()]
    deadline_counts: Counter[tuple[date, str]] = Counter()
    for verdicts in assessment.verdicts.values():
        for v in verdicts:
            if v.deadline is not None:
                deadline_counts[(v.deadline, names.get(v.profile, v.profile))] += 1
    errors = Counter(e.kind.value for e in inventory.errors)
    return ReportSummary(
        rows=rows,
        readiness=readiness_score([r.severity for r in rows]),
        by_severity={s: by_sev.get(s, 0) for s in SEVERITY_ORDER},
        by_kind_severity=dict(by_kind),
        hndl_rows=[r for r in rows if r.hndl],
        matrix=matrix,
        deadlines=sorted((d, p, n) for (d, p), n in deadline_counts.items()),
        profiles=profiles,
        plan=plan,
        bench=bench,
        errors_by_kind=dict(errors),
    )
