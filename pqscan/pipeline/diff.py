"""What got better or worse between two inventories: the progress a CISO reports upward.

Findings are matched by their stable id (asset, algorithm, usage, location, symbol, parameters),
so a rescan of an unchanged estate diffs to nothing and a line shift in code is not a change.
Both inventories are assessed with the same profiles, so severity counts are comparable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pqscan.inventory import Inventory
from pqscan.model import Finding, Severity


@dataclass(frozen=True)
class FindingChange:
    finding: Finding
    severity: Severity
    reason: str


@dataclass
class InventoryDiff:
    added_assets: list[str] = field(default_factory=list)
    removed_assets: list[str] = field(default_factory=list)
    new_findings: list[FindingChange] = field(default_factory=list)
    resolved_findings: list[FindingChange] = field(default_factory=list)
    severity_before: dict[Severity, int] = field(default_factory=dict)
    severity_after: dict[Severity, int] = field(default_factory=dict)
    hndl_before: int = 0
    hndl_after: int = 0
    profiles: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """'better', 'worse', 'mixed' or 'unchanged', weighting by severity."""
        def weight(changes: list[FindingChange]) -> int:
            return sum(10 ** c.severity.rank for c in changes)

        gained, lost = weight(self.new_findings), weight(self.resolved_findings)
        if not gained and not lost:
            return "unchanged"
        if gained and lost:
            return "better" if lost > gained else "worse" if gained > lost else "mixed"
        return "worse" if gained else "better"

    def to_dict(self) -> dict[str, Any]:
        def change(c: FindingChange) -> dict[str, Any]:
            return {**c.finding.to_dict(), "severity": c.severity.value, "reason": c.reason}

        return {
            "verdict": self.verdict,
            "profiles": self.profiles,
            "assets": {"added": self.added_assets, "removed": self.removed_assets},
            "findings": {"new": [change(c) for c in self.new_findings],
                         "resolved": [change(c) for c in self.resolved_findings]},
            "severity": {"before": {s.value: self.severity_before.get(s, 0) for s in Severity},
                         "after": {s.value: self.severity_after.get(s, 0) for s in Severity}},
            "hndl_exposed_findings": {"before": self.hndl_before, "after": self.hndl_after},
        }


def diff_inventories(old: Inventory, new: Inventory, profiles: Sequence[Any],
                     today: date | None = None) -> InventoryDiff:
    from pqscan.assess.engine import assess

    a_old = assess(old, profiles, today=today)
    a_new = assess(new, profiles, today=today)
    old_ids = {f.id: f for f in old.findings}
    new_ids = {f.id: f for f in new.findings}

    def change(f: Finding, assessment: Any) -> FindingChange:
        worst = assessment.worst(f.id)
        return FindingChange(f, assessment.severity(f.id), worst.reason if worst else "")

    def hndl(inv: Inventory, assessment: Any) -> int:
        return sum(1 for f in inv.findings if (w := assessment.worst(f.id)) is not None and w.hndl)

    rank = lambda c: (-c.severity.rank, c.finding.asset_id, c.finding.algorithm)  # noqa: E731
    return InventoryDiff(
        added_assets=sorted(set(new.assets) - set(old.assets)),
        removed_assets=sorted(set(old.assets) - set(new.assets)),
        new_findings=sorted((change(f, a_new) for i, f in new_ids.items() if i not in old_ids), key=rank),
        resolved_findings=sorted((change(f, a_old) for i, f in old_ids.items() if i not in new_ids), key=rank),
        severity_before=dict(Counter(a_old.severity(f.id) for f in old.findings)),
        severity_after=dict(Counter(a_new.severity(f.id) for f in new.findings)),
        hndl_before=hndl(old, a_old),
        hndl_after=hndl(new, a_new),
        profiles=[getattr(p, "name", str(p)) for p in profiles],
    )
