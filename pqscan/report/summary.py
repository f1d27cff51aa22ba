"""The numbers every human-facing report shows, computed once from (inventory, assessment, plan, bench).

The readiness score is the assessment's (:mod:`pqscan.assess.readiness`, formula in
``docs/risk-model.md``): one per profile and one for all selected profiles, over what you operate.
``ReportSummary.readiness`` is the "all selected profiles" one (``None``: nothing operated to judge).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pqscan import algorithms as catalogue
from pqscan.assess.exposure import Harvest, harvest
from pqscan.assess.ownership import Ownership
from pqscan.assess.readiness import Readiness
from pqscan.inventory import Inventory
from pqscan.model import AssetKind, Finding, Severity

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
    harvest: Harvest = Harvest.NOT_APPLICABLE
    ownership: str = "operated"
    combined_status: str = ""
    deadline_text: str = "-"  # the earliest deadline across profiles and the profile that sets it
    acceptable: tuple[str, ...] = ()  # acceptable under every selected profile


@dataclass
class ReportSummary:
    rows: list[FindingRow]
    readiness: int | None
    by_severity: dict[Severity, int]
    by_kind_severity: dict[str, dict[Severity, int]]
    hndl_rows: list[FindingRow]
    matrix: list[dict[str, Any]]  # per profile: name, title, counts by status, next deadline
    deadlines: list[tuple[date, str, int]]  # (date, profile, findings due)
    profiles: list[Any]
    plan: Any | None = None
    bench: Mapping[str, Any] | None = None
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    readiness_by_profile: list[Readiness] = field(default_factory=list)  # per profile, then "all"
    not_operated: dict[str, list[str]] = field(default_factory=dict)  # ownership -> "name (location)" of assets with findings

    @property
    def readiness_text(self) -> str:
        return "n/a" if self.readiness is None else f"{self.readiness}/100"

    @property
    def hndl_split(self) -> tuple[list[str], list[str]]:
        """(assets with no PQ key exchange at all, assets whose classical exchange is a fallback beside PQ)."""
        pq_assets = {r.finding.asset_id for r in self.rows if r.harvest is Harvest.PROTECTED}
        hndl = sorted({r.finding.asset_id for r in self.hndl_rows})
        return [a for a in hndl if a not in pq_assets], [a for a in hndl if a in pq_assets]

    @property
    def quantum_safe_kx_endpoints(self) -> tuple[int, int]:
        """(endpoints whose key exchange has a PQ/hybrid option, endpoints with any key exchange)."""
        kx: dict[str, list[Harvest]] = defaultdict(list)
        for r in self.rows:
            if r.harvest is not Harvest.NOT_APPLICABLE and r.asset_kind in _ENDPOINTS:
                kx[r.finding.asset_id].append(r.harvest)
        safe = sum(1 for found in kx.values() if Harvest.PROTECTED in found)
        return safe, len(kx)


_ENDPOINTS = (AssetKind.TLS_ENDPOINT.value, AssetKind.SSH_ENDPOINT.value)


def _label(inventory: Inventory, asset_id: str) -> str:
    asset = inventory.assets.get(asset_id)
    if asset is None:
        return asset_id
    name = asset.name or asset.id
    return f"{name} ({asset.location})" if asset.location and asset.location != name else name


def summarize(inventory: Inventory, assessment: Any, plan: Any | None = None,
              bench: Mapping[str, Any] | None = None) -> ReportSummary:
    rows: list[FindingRow] = []
    names = {p.id: p.name for p in getattr(assessment, "profiles", [])}
    for f in inventory.findings:
        worst = assessment.worst(f.id)
        asset = inventory.assets.get(f.asset_id)
        alg = catalogue.get(f.algorithm)
        joint = assessment.combined(f.id) if hasattr(assessment, "combined") else None
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
            harvest=harvest(alg, f.usage),
            ownership=assessment.role(f.id).ownership.value if hasattr(assessment, "role") else "operated",
            combined_status=joint.status.value if joint else "",
            deadline_text=joint.deadline_text(names) if joint else "-",
            acceptable=joint.acceptable if joint else (),
        ))
    rows.sort(key=lambda r: (-r.severity.rank, r.deadline or date.max, r.finding.asset_id, r.finding.algorithm))
    by_sev = Counter(r.severity for r in rows)
    by_kind: dict[str, dict[Severity, int]] = defaultdict(lambda: dict.fromkeys(SEVERITY_ORDER, 0))
    for r in rows:
        by_kind[r.asset_kind][r.severity] += 1

    profiles = list(getattr(assessment, "profiles", []))
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
    ready = assessment.readiness() if hasattr(assessment, "readiness") else []
    owned = assessment.by_ownership() if hasattr(assessment, "by_ownership") else {}
    return ReportSummary(
        rows=rows,
        readiness=ready[-1].score if ready else None,
        readiness_by_profile=ready,
        not_operated={o.value: [_label(inventory, i) for i in ids] for o, ids in owned.items()
                      if o is not Ownership.OPERATED and ids},
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
