"""The order of work: a topological order of the migration graph, riskiest first among what is free.

An edge ``A -> B`` means A depends on B, so B's step comes before A's. Among the steps whose
dependencies are all done, the next one is the smallest key ``(wave, -priority, -risk, asset id)``
(a lexicographic topological sort on the condensed graph, so it is deterministic):

* **priority** is the node's own risk or, if higher, the risk of anything that waits for it: a
  low-risk root CA that a high-risk endpoint needs moves with the endpoint's urgency;
* **wave** is the urgency band (1 immediate, 2 near term, 3 before the quantum computer,
  4 investigate/tidy up), also inherited from what waits, so every dependency sits in the same or
  an earlier wave than its dependants and the order runs wave by wave.

Cycles (strongly connected components) are reported in ``Plan.cycles`` and their members are
moved together as one block, never an error.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pqscan.graph.actions import describe
from pqscan.graph.build import MISSING, MigrationGraph
from pqscan.graph.defaults import effort_days
from pqscan.graph.risk import DEFAULT_CRQC_YEAR, Risk, RiskModel, score_graph, years_between
from pqscan.graph.topology import cyclic_gc_paused

PLAN_SCHEMA_VERSION = "1.0"
NEAR_TERM_YEARS = 5.0
NO_WAVE = 99

WAVE_NAMES = {
    1: "Immediate: broken today, past a deadline, or already exposed by Mosca's inequality",
    2: "Near term: harvest-now-decrypt-later on the internet, or a deadline within {near} years",
    3: "Before a quantum computer ({crqc}): the remaining quantum-vulnerable cryptography",
    4: "Investigate and tidy up: unidentified algorithms and policy findings without a deadline",
}

# Roles that get a step when something that needs work depends on them, even without findings of
# their own: the software, configuration and libraries a migration needs, and unscanned assets.
ENABLER_ROLES = {"software", "config", "dependency", MISSING}


@dataclass(frozen=True)
class Step:
    order: int
    wave: int
    asset_id: str
    kind: str
    role: str
    title: str
    action: str
    risk: float
    priority: float
    reasons: tuple[str, ...]
    deadline: dt.date | None
    effort_days: float
    depends_on: tuple[str, ...]
    service: str = ""
    owner: str = ""
    internet: bool = False
    blast_radius: int = 0
    cycle: int | None = None
    severity: str | None = None  # worst severity the assessment gave this asset's findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order, "wave": self.wave, "asset_id": self.asset_id, "kind": self.kind,
            "role": self.role, "title": self.title, "action": self.action, "risk": self.risk,
            "priority": self.priority, "reasons": list(self.reasons),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "effort_days": self.effort_days, "depends_on": list(self.depends_on), "service": self.service,
            "owner": self.owner, "internet": self.internet, "blast_radius": self.blast_radius, "cycle": self.cycle,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Wave:
    number: int
    name: str
    steps: int
    effort_days: float
    deadline: dt.date | None  # the earliest deadline its steps serve

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "steps": self.steps, "effort_days": self.effort_days,
                "deadline": self.deadline.isoformat() if self.deadline else None}


@dataclass
class Plan:
    steps: list[Step]
    waves: list[Wave]
    cycles: list[list[str]]
    crqc_year: int
    today: dt.date
    z_years: float
    assessed: bool
    services_source: str
    risk: RiskModel = field(repr=False)
    missing: list[str] = field(default_factory=list)

    def step(self, asset_id: str) -> Step | None:
        return next((s for s in self.steps if s.asset_id == asset_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "parameters": {"crqc_year": self.crqc_year, "today": self.today.isoformat(),
                           "z_years": round(self.z_years, 2), "assessed": self.assessed,
                           "services": self.services_source, "near_term_years": NEAR_TERM_YEARS},
            "summary": {"steps": len(self.steps), "effort_days": round(sum(s.effort_days for s in self.steps), 2),
                        "cycles": len(self.cycles), "missing_assets": len(self.missing)},
            "waves": [w.to_dict() for w in self.waves],
            "steps": [s.to_dict() for s in self.steps],
            "cycles": [list(c) for c in self.cycles],
            "missing": list(self.missing),
        }


def urgency_wave(risk: Risk, today: dt.date, crqc_year: int, near_term_years: float = NEAR_TERM_YEARS) -> int:
    if not risk.needs_action:
        return NO_WAVE
    if risk.immediate or risk.mosca_exposed:
        return 1
    if risk.hndl and risk.internet:
        return 2
    if risk.deadline is not None and years_between(today, risk.deadline) <= near_term_years:
        return 2
    if risk.hndl or risk.signature or (risk.deadline is not None and risk.deadline.year <= crqc_year):
        return 3
    return 4


def _fmt_score(x: float) -> str:
    return f"{x:.1f}"


def make_plan(graph: MigrationGraph, *, crqc_year: int = DEFAULT_CRQC_YEAR, today: dt.date | None = None,
              near_term_years: float = NEAR_TERM_YEARS) -> Plan:
    """Score the graph and order its work (see the module docstring)."""
    with cyclic_gc_paused():
        return _make_plan(graph, crqc_year, today, near_term_years)


def _make_plan(graph: MigrationGraph, crqc_year: int, today: dt.date | None, near_term_years: float) -> Plan:
    model = score_graph(graph, crqc_year=crqc_year, today=today)
    topo = model.topology
    ids = topo.ids
    risks = [model.risks[n] for n in ids]
    m = len(topo.members)

    # Own values per component, then inherited from dependants (reverse topological order).
    wave = [min(urgency_wave(risks[i], model.today, crqc_year, near_term_years) for i in mem) for mem in topo.members]
    prio = [max(risks[i].score for i in mem) for mem in topo.members]
    deadline: list[dt.date | None] = [min((dl for i in mem if (dl := risks[i].deadline) is not None), default=None)
                                      for mem in topo.members]
    own_wave, own_prio = list(wave), list(prio)
    prio_from: list[int | None] = [None] * m  # the dependant component that raised the priority
    wave_from: list[int | None] = [None] * m
    for c in reversed(topo.order):
        for d in topo.comp_deps[c]:
            if prio[c] > prio[d]:
                prio[d], prio_from[d] = prio[c], (prio_from[c] if prio_from[c] is not None else c)
            if wave[c] < wave[d]:
                wave[d], wave_from[d] = wave[c], (wave_from[c] if wave_from[c] is not None else c)
            dc, dd = deadline[c], deadline[d]
            if dc is not None and (dd is None or dc < dd):
                deadline[d] = dc

    def is_step(i: int) -> bool:
        node = graph.nodes[ids[i]]
        return risks[i].needs_action or (wave[topo.comp[i]] < NO_WAVE and node.role in ENABLER_ROLES)

    step_mask = [is_step(i) for i in range(len(ids))]
    cycle_index = {c: k for k, c in enumerate(ci for ci, mem in enumerate(topo.members) if len(mem) > 1)}

    def rep(c: int) -> str:
        return ids[topo.members[c][0]]

    # Lexicographic topological sort of the condensation: dependencies first, smallest key next.
    top = [max(risks[i].score for i in mem) for mem in topo.members]
    left = [len(d) for d in topo.comp_deps]
    heap = [((wave[c], -prio[c], -top[c], rep(c)), c) for c in range(m) if left[c] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, c = heapq.heappop(heap)
        mem = topo.members[c]
        if len(mem) > 1:
            mem = sorted(mem, key=lambda i: (-risks[i].score, ids[i]))
        order.extend(i for i in mem if step_mask[i])
        for d in topo.comp_dependants[c]:
            left[d] -= 1
            if left[d] == 0:
                heapq.heappush(heap, ((wave[d], -prio[d], -top[d], rep(d)), d))

    steps: list[Step] = []
    for n, i in enumerate(order, 1):
        node = graph.nodes[ids[i]]
        c = topo.comp[i]
        r = risks[i]
        wf, pf = wave_from[c], prio_from[c]
        reasons = list(r.reasons) if r.needs_action else [r.reasons[0]] if node.kind == MISSING else []
        if not r.needs_action and pf is not None and node.kind != MISSING:
            reasons.append(f"{rep(pf)} cannot migrate until this {node.role} supports post-quantum "
                           "cryptography")
        if wf is not None and wave[c] < own_wave[c]:
            reasons.append(f"in wave {wave[c]} because {rep(wf)} needs it first")
        if pf is not None and prio[c] > own_prio[c]:
            reasons.append(f"must move before {rep(pf)} (risk {_fmt_score(prio[c])})")
        if c in cycle_index:
            others = [ids[j] for j in topo.members[c] if j != i]
            reasons.append(f"in a dependency cycle with {', '.join(others[:5])}{' ...' if len(others) > 5 else ''}: "
                           "migrate them together")
        title, action = describe(graph, node, r)
        steps.append(Step(
            order=n, wave=wave[c], asset_id=ids[i], kind=node.kind, role=node.role, title=title, action=action,
            risk=r.score, priority=round(prio[c], 1), reasons=tuple(reasons), deadline=deadline[c],
            effort_days=effort_days(node, graph.services), depends_on=_step_dependencies(i, topo, step_mask),
            service=node.service.name if node.service else "", owner=node.service.owner if node.service else "",
            internet=r.internet, blast_radius=r.blast_radius, cycle=cycle_index.get(c),
            severity=_worst_severity(node.verdicts),
        ))
    return Plan(
        steps=steps, waves=_waves(steps, crqc_year, near_term_years),
        cycles=[[ids[i] for i in topo.members[c]] for c in sorted(cycle_index, key=cycle_index.__getitem__)],
        crqc_year=crqc_year, today=model.today, z_years=model.z_years, assessed=graph.assessed,
        services_source=graph.services.source, risk=model,
        missing=[n for n in ids if graph.nodes[n].kind == MISSING],
    )


def _worst_severity(verdicts: Iterable[Any]) -> str | None:
    ranked = [(getattr(v.severity, "rank", 0), str(getattr(v.severity, "value", v.severity)))
              for v in verdicts if v is not None]
    return max(ranked)[1] if ranked else None


def _step_dependencies(i: int, topo: Any, step_mask: list[bool]) -> tuple[str, ...]:
    """The nearest steps this node waits for (looking through nodes that need no step)."""
    own = topo.comp[i]
    found: set[int] = set()
    seen = {i}
    stack = list(topo.deps[i])
    while stack:
        j = stack.pop()
        if j in seen:
            continue
        seen.add(j)
        if topo.comp[j] == own:
            continue  # a cycle partner moves in the same block
        if step_mask[j]:
            found.add(j)
        else:
            stack.extend(topo.deps[j])
    return tuple(sorted(topo.ids[j] for j in found))


def _waves(steps: Iterable[Step], crqc_year: int, near: float) -> list[Wave]:
    by: dict[int, list[Step]] = {}
    for s in steps:
        by.setdefault(s.wave, []).append(s)
    out = []
    for number in sorted(by):
        group = by[number]
        name = WAVE_NAMES.get(number, "Other").format(near=f"{near:g}", crqc=crqc_year)
        out.append(Wave(number, name, len(group), round(sum(s.effort_days for s in group), 2),
                        min((s.deadline for s in group if s.deadline), default=None)))
    return out
