"""Per-asset verdicts for the scanner commands' tables, read from the assessment (never decided here).

``verdicts(inventory, profiles)`` assesses once under the selected profiles (default: the default
profile) and gives, per asset, its worst finding's severity and status and the earliest deadline
with the profile that sets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pqscan.inventory import Inventory
from pqscan.model import Finding, Severity


@dataclass(frozen=True)
class AssetVerdict:
    severity: Severity
    status: str
    deadline: str  # "now (CNSA 2.0)", "2030-12-31 (NIST IR 8547)" or "-"
    reason: str
    ownership: str

    def text(self, *, name_profile: bool = True) -> str:
        """'HIGH now' or 'HIGH by 2030-12-31' (with the profile that sets it when several are selected)."""
        when = self.deadline
        if not name_profile:
            when = when.split(" (", 1)[0]
        if when == "-":
            return self.severity.value.upper()
        return f"{self.severity.value.upper()} " + (when if when.startswith("now") else f"by {when}")


@dataclass(frozen=True)
class Verdicts:
    by_asset: dict[str, AssetVerdict]
    by_finding: dict[str, AssetVerdict]
    profiles: tuple[str, ...]

    def asset(self, asset_id: str) -> AssetVerdict | None:
        return self.by_asset.get(asset_id)


def _verdict(assessment: Any, f: Finding, names: dict[str, str]) -> AssetVerdict | None:
    worst = assessment.worst(f.id)
    if worst is None:
        return None
    joint = assessment.combined(f.id)
    return AssetVerdict(severity=worst.severity, status=(joint.status.value if joint else worst.status.value),
                        deadline=joint.deadline_text(names) if joint else "-", reason=worst.reason,
                        ownership=assessment.role(f.id).ownership.value)


def verdicts(inventory: Inventory, profiles: Sequence[str] = (), today: date | None = None) -> Verdicts:
    from pqscan.assess.engine import assess
    from pqscan.assess.profiles import load_profiles

    loaded = load_profiles(list(profiles))
    assessment = assess(inventory, loaded, today=today)
    names = {p.id: p.name for p in loaded}
    by_finding: dict[str, AssetVerdict] = {}
    by_asset: dict[str, AssetVerdict] = {}
    for f in inventory.findings:
        v = _verdict(assessment, f, names)
        if v is None:
            continue
        by_finding[f.id] = v
        old = by_asset.get(f.asset_id)
        if old is None or (v.severity.rank, _urgency(v)) > (old.severity.rank, _urgency(old)):
            by_asset[f.asset_id] = v
    return Verdicts(by_asset, by_finding, tuple(p.name for p in loaded))


def _urgency(v: AssetVerdict) -> int:
    return 2 if v.deadline.startswith("now") else 1 if v.deadline != "-" else 0


def style(v: AssetVerdict | None) -> str:
    return v.severity.value if v is not None else ""
