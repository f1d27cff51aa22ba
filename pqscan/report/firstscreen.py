"""What the first screen of a human report answers: how exposed, what first, by when.

Pure presentation over (inventory, summary, plan): the judgements come from :mod:`pqscan.assess`
(readiness, combined deadlines) and the order from :mod:`pqscan.graph` (the plan); this module only
picks the top of each and names assets in words a reader recognises (subject CN and where it is
deployed, host:port, repository path).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pqscan.inventory import Inventory
from pqscan.report.summary import ReportSummary

TOP_STEPS = 5
_MOSCA = re.compile(r"^Mosca:", re.IGNORECASE)


@dataclass(frozen=True)
class FirstStep:
    order: int
    title: str  # the plan's title, disambiguated when two steps read alike
    what: str  # the asset in a reader's words
    where: str  # where it is deployed / found
    owner: str
    deadline: str  # the deadline that drives it ("2030-12-31 (NIST IR 8547)", "now (CNSA 2.0)", "-")
    why: str  # the plain-language reason
    arithmetic: tuple[str, ...]  # the Mosca arithmetic, shown one click away
    action: str
    wave: int


@dataclass(frozen=True)
class NextDeadline:
    profile: str
    date: date
    findings: int  # findings due on that date under that profile
    later: int  # findings due on later dates under that profile


def _get(step: Any, name: str, default: Any = "") -> Any:
    if isinstance(step, Mapping):
        return step.get(name, default)
    return getattr(step, name, default)


def endpoint_address(asset_id: str) -> str:
    """'tls://127.0.0.1:8443' -> '127.0.0.1:8443' (what people type)."""
    return asset_id.split("://", 1)[1] if "://" in asset_id else asset_id


def serving(inventory: Inventory) -> dict[str, list[str]]:
    """asset id -> the endpoints (host:port) with a relation to it: one pass over the assets."""
    out: dict[str, list[str]] = {}
    for a in inventory.assets.values():
        if "://" in a.id:
            for target in {r.target for r in a.relations}:
                out.setdefault(target, []).append(endpoint_address(a.id))
    return out


def asset_words(inventory: Inventory, asset_id: str, served: Mapping[str, Sequence[str]] | None = None
                ) -> tuple[str, str]:
    """(what it is, where it is): certificate CN and the endpoints serving it, host:port, a path, a package.
    ``served``: :func:`serving` of the inventory, when called for many assets."""
    asset = inventory.assets.get(asset_id)
    if asset is None:
        return endpoint_address(asset_id), ""
    kind = asset.kind.value
    if "://" in asset.id:
        return endpoint_address(asset.id), asset.name if asset.name and asset.name != asset.location else ""
    served_by = sorted((served if served is not None else serving(inventory)).get(asset_id, ()))
    name = asset.name or asset.location or asset.id
    if kind == "certificate":
        name = f"certificate {name}"
    if served_by:
        where = "served by " + ", ".join(served_by[:3]) + (f" (+{len(served_by) - 3})" if len(served_by) > 3 else "")
        if asset.location and asset.location not in served_by:
            where += f"; {asset.location}"
        return name, where
    loc = asset.location if asset.location and asset.location != name else ""
    if asset.id.startswith("file:") and not loc:
        return asset.id.removeprefix("file:"), ""
    return name, loc


def asset_deadlines(summary: ReportSummary) -> dict[str, tuple[date, str]]:
    """asset id -> (earliest deadline of its findings, its text with the profile that sets it)."""
    out: dict[str, tuple[date, str]] = {}
    for r in summary.rows:
        combined = r.deadline_text
        when = date.min if combined.startswith("now") else r.deadline
        if when is None or combined == "-":
            continue
        aid = r.finding.asset_id
        if aid not in out or when < out[aid][0]:
            out[aid] = (when, combined)
    return out


def plain_reasons(reasons: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """(the plain reason, the Mosca arithmetic) from a step's reasons."""
    plain = [r for r in reasons if not _MOSCA.match(r)]
    mosca = tuple(r for r in reasons if _MOSCA.match(r))
    why = plain[0] if plain else (mosca[0] if mosca else "")
    return why, mosca


def first_steps(summary: ReportSummary, inventory: Inventory, limit: int | None = TOP_STEPS) -> list[FirstStep]:
    """The plan's steps in order (the first wave first), each named for a reader; ``limit`` None = all."""
    steps = list(_get(summary.plan, "steps", []) or []) if summary.plan is not None else []
    if not steps:
        return []
    steps.sort(key=lambda st: (int(_get(st, "wave", 99) or 99), int(_get(st, "order", 0) or 0)))
    chosen = steps if limit is None else steps[:limit]
    deadlines = asset_deadlines(summary)
    served = serving(inventory)
    # An enabler (a library, the software) has no deadline of its own: it inherits the earliest of what waits for it.
    for st in steps:
        for dep in _get(st, "depends_on", ()) or ():
            mine = deadlines.get(str(_get(st, "asset_id")))
            if mine is not None and (dep not in deadlines or mine[0] < deadlines[dep][0]):
                deadlines[str(dep)] = (mine[0], mine[1] + f" via {asset_words(inventory, str(_get(st, 'asset_id')), served)[0]}")
    titles = Counter(str(_get(st, "title") or _get(st, "asset_id")) for st in steps)
    out = []
    for st in chosen:
        aid = str(_get(st, "asset_id"))
        what, where = asset_words(inventory, aid, served)
        title = str(_get(st, "title") or aid)
        if titles[title] > 1:  # identical-looking steps: say which asset each one is
            title = f"{title} [{where or aid}]"
        dl = _get(st, "deadline", None)
        deadline = deadlines.get(aid, (None, "-"))[1]
        if deadline == "-":
            deadline = (dl.isoformat() if isinstance(dl, date) else str(dl)) if dl else "no date set"
        why, mosca = plain_reasons([str(r) for r in (_get(st, "reasons", ()) or ())])
        out.append(FirstStep(order=int(_get(st, "order", 0) or 0), title=title, what=what, where=where,
                             owner=str(_get(st, "owner", "") or _get(st, "service", "") or ""),
                             deadline=deadline, why=why, arithmetic=mosca, action=str(_get(st, "action", "")),
                             wave=int(_get(st, "wave", 0) or 0)))
    return out


def next_deadlines(summary: ReportSummary, today: date) -> list[NextDeadline]:
    """Per profile: the next date (today or later) on which findings come due, how many, and how many later."""
    by_profile: dict[str, list[tuple[date, int]]] = {}
    for when, profile, n in summary.deadlines:
        if when >= today:
            by_profile.setdefault(profile, []).append((when, n))
    out = []
    for profile, dates in by_profile.items():
        dates.sort()
        first, n = dates[0]
        out.append(NextDeadline(profile, first, n, sum(k for _, k in dates[1:])))
    return sorted(out, key=lambda d: (d.date, d.profile))
