"""What the store says about progress: per-scan summaries and the pace toward each profile deadline.

A scan's summary is computed once, when it finishes (or is imported), over the *estate* as of that
scan (every target's latest state), with the profiles the scan was run with:

* counts by severity (the combined verdict: the worst across the selected profiles);
* readiness per profile and combined (:func:`pqscan.assess.readiness` — one definition);
* harvest-now-decrypt-later exposure (findings and assets, :mod:`pqscan.assess.exposure`);
* ``due``: per profile and deadline, how many findings that deadline makes non-compliant.

:func:`progress` turns the summaries into what the report's progress section shows: readiness and
exposure over time, and for each upcoming deadline a burn-down with the pace needed to make it.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pqscan.inventory import Inventory
from pqscan.model import Severity
from pqscan.store.store import ScanRecord


def scan_summary(inventory: Inventory, profile_ids: Sequence[str], today: datetime.date | None = None
                 ) -> dict[str, Any]:
    """The numbers a scan keeps in the store (JSON-ready)."""
    from pqscan.assess.engine import assess
    from pqscan.assess.profiles import DEFAULT_PROFILE, load_profiles
    from pqscan.assess.readiness import ALL

    profiles = load_profiles(list(profile_ids) or [DEFAULT_PROFILE])
    assessment = assess(inventory, profiles, today)
    due: dict[str, Counter[str]] = defaultdict(Counter)
    hndl_findings = 0
    hndl_assets: set[str] = set()
    asset_of = {f.id: f.asset_id for f in inventory.findings}
    for fid, verdicts in assessment.verdicts.items():
        exposed = False
        for v in verdicts:
            if v.deadline is not None:  # the date this verdict's finding stops being acceptable
                due[v.profile][v.deadline.isoformat()] += 1
            exposed = exposed or v.hndl
        if exposed:
            hndl_findings += 1
            hndl_assets.add(asset_of.get(fid, ""))
    # Exposed assets that offer no post-quantum key exchange at all (the rest accept classical only as a
    # fallback beside a hybrid or PQ group): the first number a migration moves.
    from pqscan import algorithms
    from pqscan.model import QuantumStatus, Usage

    pq_assets = {f.asset_id for f in inventory.findings if f.usage is Usage.KEY_EXCHANGE
                 and algorithms.get(f.algorithm).quantum_status in (QuantumStatus.HYBRID, QuantumStatus.RESISTANT)}
    worst = assessment.counts_by_severity()
    scores = {r.profile: r.score for r in assessment.readiness()}
    return {
        "findings": len(inventory.findings),
        "assets": len(inventory.assets),
        "errors": len(inventory.errors),
        "by_severity": {s.value: worst.get(s, 0) for s in Severity},
        # pqscan.assess.readiness: the share of what you operate already where each profile wants it
        "readiness": {p.id: scores.get(p.id) for p in profiles},
        "readiness_combined": scores.get(ALL),
        "hndl": {"findings": hndl_findings, "assets": len(hndl_assets - {""}),
                 "assets_without_pq": len(hndl_assets - {""} - pq_assets)},
        "due": {p: dict(sorted(c.items())) for p, c in due.items()},
        "today": assessment.today.isoformat(),
    }


@dataclass(frozen=True)
class Burndown:
    """One profile deadline seen over the scans: how many findings it makes non-compliant."""

    profile: str
    deadline: datetime.date
    points: tuple[tuple[datetime.date, int], ...]  # (scan date, findings due)
    needed_per_week: float  # to reach zero by the deadline from the latest count
    actual_per_week: float | None  # the pace so far (first to latest point), None with one point

    @property
    def latest(self) -> int:
        return self.points[-1][1] if self.points else 0

    @property
    def on_track(self) -> bool | None:
        if self.latest == 0:
            return True
        if self.actual_per_week is None:
            return None
        return self.actual_per_week >= self.needed_per_week

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "deadline": self.deadline.isoformat(),
                "points": [[d.isoformat(), n] for d, n in self.points], "latest": self.latest,
                "needed_per_week": round(self.needed_per_week, 2),
                "actual_per_week": None if self.actual_per_week is None else round(self.actual_per_week, 2),
                "on_track": self.on_track}


@dataclass(frozen=True)
class Progress:
    """Readiness and exposure over time, and one burn-down per upcoming deadline."""

    scans: tuple[tuple[int, datetime.date, Mapping[str, Any]], ...]  # (scan id, date, summary)
    burndowns: tuple[Burndown, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scans": [{"id": i, "date": d.isoformat(), "readiness": s.get("readiness", {}),
                       "readiness_combined": s.get("readiness_combined"), "hndl": s.get("hndl", {}),
                       "findings": s.get("findings", 0), "by_severity": s.get("by_severity", {})}
                      for i, d, s in self.scans],
            "burndowns": [b.to_dict() for b in self.burndowns],
        }


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text[:10])


def progress(records: Sequence[ScanRecord], today: datetime.date | None = None) -> Progress:
    """Build the progress view from the scans that have a summary (complete ones), oldest first."""
    today = today or datetime.date.today()
    kept = [(r.id, _day(r.started_at), r.summary) for r in records if r.summary and r.status == "complete"]
    series: dict[tuple[str, str], list[tuple[datetime.date, int]]] = defaultdict(list)
    for _, day, summary in kept:
        for profile, deadlines in (summary.get("due") or {}).items():
            for deadline, count in deadlines.items():
                series[(profile, deadline)].append((day, int(count)))
    # A deadline no longer listed in a later scan means nothing is due for it any more: count 0.
    burndowns = []
    for (profile, deadline_text), points in sorted(series.items()):
        deadline = _day(deadline_text)
        if deadline < today:
            continue
        seen_days = {d for d, _ in points}
        later = [(d, 0) for _, d, s in kept if d not in seen_days and d > points[0][0]
                 and profile in (s.get("readiness") or {})]
        pts = tuple(sorted(points + later))
        latest_day, latest = pts[-1]
        weeks_left = max((deadline - max(latest_day, today)).days / 7, 1 / 7)
        needed = latest / weeks_left
        actual = None
        if len(pts) > 1 and (pts[-1][0] - pts[0][0]).days > 0:
            actual = (pts[0][1] - pts[-1][1]) / ((pts[-1][0] - pts[0][0]).days / 7)
        burndowns.append(Burndown(profile, deadline, pts, needed, actual))
    burndowns.sort(key=lambda b: (b.deadline, b.profile))
    return Progress(tuple(kept), tuple(burndowns))
