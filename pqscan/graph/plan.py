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

A TLS/SSH endpoint with both a key-exchange and an authentication problem gets two steps
(``part`` "key-exchange" and "authentication", keys ``<asset id>#<part>``): the hybrid group waits
only for the server software and configuration, the new certificate / host key for its chain
(see ``pqscan.graph.units``).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pqscan.assess.ownership import Ownership
from pqscan.graph.actions import describe
from pqscan.graph.build import MISSING, MigrationGraph
from pqscan.graph.defaults import effort_days
from pqscan.graph.risk import DEFAULT_CRQC_YEAR, Risk, RiskModel, score_graph, years_between
from pqscan.graph.topology import cyclic_gc_paused
from pqscan.graph.units import PART_AUTH, PART_KEX, split_endpoints, step_key

__all__ = ["PART_AUTH", "PART_KEX", "Plan", "Step", "Wave", "make_plan", "step_key"]

PLAN_SCHEMA_VERSION = "1.2"  # 1.1: split endpoint steps (key, part, depends_on_steps); 1.2: not_operated lists
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

@dataclass(frozen=True, slots=True)
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
    part: str = ""  # "key-exchange" / "authentication" for the two steps of a split endpoint, else ""
    depends_on_steps: tuple[str, ...] = ()  # keys of the steps in depends_on (both parts of a split one)

    @property
    def key(self) -> str:
        return step_key(self.asset_id, self.part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order, "wave": self.wave, "asset_id": self.asset_id, "kind": self.kind,
            "role": self.role, "title": self.title, "action": self.action, "risk": self.risk,
            "priority": self.priority, "reasons": list(self.reasons),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "effort_days": self.effort_days, "depends_on": list(self.depends_on), "service": self.service,
            "owner": self.owner, "internet": self.internet, "blast_radius": self.blast_radius, "cycle": self.cycle,
            "severity": self.severity, "key": self.key, "part": self.part or None,
            "depends_on_steps": list(self.depends_on_steps),
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


@dataclass(frozen=True)
class Listed:
    """An asset you do not operate that holds quantum-vulnerable cryptography: listed, never a step."""

    asset_id: str
    name: str
    ownership: Ownership
    reason: str
    algorithms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"asset_id": self.asset_id, "name": self.name, "ownership": self.ownership.value,
                "reason": self.reason, "algorithms": list(self.algorithms)}


# What each list is for (the plan's words).
LIST_TITLES = {
    Ownership.VENDOR: "Track your vendors: trust stores and package-managed files they ship and update",
    Ownership.EXPIRED: "Remove or renew: expired material",
    Ownership.TEST: "Test material (information only)",
    Ownership.THIRD_PARTY: "Third-party code: its maintainers migrate it; upgrade when they do",
}


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
    not_operated: dict[Ownership, list[Listed]] = field(default_factory=dict)

    @property
    def track_vendors(self) -> list[Listed]:
        return self.not_operated.get(Ownership.VENDOR, [])

    @property
    def remove_or_renew(self) -> list[Listed]:
        return self.not_operated.get(Ownership.EXPIRED, [])

    def step(self, asset_id: str) -> Step | None:
        """The first step of an asset (a split endpoint has two: see ``steps_of``)."""
        return next((s for s in self.steps if s.asset_id == asset_id), None)

    def steps_of(self, asset_id: str) -> list[Step]:
        return [s for s in self.steps if s.asset_id == asset_id]

    def step_by_key(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

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
            "not_operated": {o.value: {"title": LIST_TITLES[o], "assets": [x.to_dict() for x in xs]}
                             for o, xs in self.not_operated.items()},
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
    units = split_endpoints(graph, model, risks)
    unit_deps, unit_dependants, unit_comp = units.deps, units.dependants, units.comp
    kex_of, part_risk, part_deps, unit_order = units.kex_of, units.part_risk, units.part_deps, units.order
    n_units = len(unit_comp)

    # Own values per unit (a singleton component reads its one risk directly: most of them are).
    today_ = model.today
    wave = [NO_WAVE] * n_units
    top = [0.0] * n_units
    deadline: list[dt.date | None] = [None] * n_units
    for c, mem in enumerate(topo.members):
        rs = [risks[mem[0]]] if len(mem) == 1 else [risks[i] for i in mem]
        if c in part_risk:
            rs = [part_risk[c]]
        if len(rs) == 1:
            r = rs[0]
            if r.needs_action:
                wave[c] = urgency_wave(r, today_, crqc_year, near_term_years)
                top[c] = r.score
                deadline[c] = r.deadline
            continue
        wave[c] = min(urgency_wave(r, today_, crqc_year, near_term_years) for r in rs)
        top[c] = max(r.score for r in rs)
        deadline[c] = min((dl for r in rs if (dl := r.deadline) is not None), default=None)
    for k in kex_of.values():
        r = part_risk[k]
        wave[k], top[k], deadline[k] = urgency_wave(r, today_, crqc_year, near_term_years), r.score, r.deadline
    for c, k in kex_of.items():  # deploying a reissued credential carries the urgency of that credential
        if not part_risk[c].needs_action:
            cred = [j for j in part_deps[c] if j not in set(part_deps[k])]
            top[c] = max((risks[j].score for j in cred), default=0.0)
    prio = list(top)
    own_wave, own_prio = list(wave), list(prio)
    prio_from: list[int | None] = [None] * n_units  # the dependant unit that raised the priority
    wave_from: list[int | None] = [None] * n_units
    for c in reversed(unit_order):
        pc, wc, dc, pfc, wfc = prio[c], wave[c], deadline[c], prio_from[c], wave_from[c]
        for d in unit_deps[c]:
            if pc > prio[d]:
                prio[d], prio_from[d] = pc, (pfc if pfc is not None else c)
            if wc < wave[d]:
                wave[d], wave_from[d] = wc, (wfc if wfc is not None else c)
            if dc is not None:
                dd = deadline[d]
                if dd is None or dc < dd:
                    deadline[d] = dc
    for c in kex_of:  # an authentication part with nothing of its own follows its credentials
        if wave[c] == NO_WAVE:
            wave[c] = max((wave[d] for d in unit_deps[c] if wave[d] < NO_WAVE), default=NO_WAVE)
        if deadline[c] is None:
            deadline[c] = min((dl for d in unit_deps[c] if (dl := deadline[d]) is not None), default=None)

    def is_step(i: int, c: int) -> bool:
        return risks[i].needs_action or (wave[c] < NO_WAVE and graph.nodes[ids[i]].role in ENABLER_ROLES)

    step_mask = [is_step(i, topo.comp[i]) for i in range(len(ids))]
    cycle_index = {c: k for k, c in enumerate(ci for ci, mem in enumerate(topo.members) if len(mem) > 1)}

    def rep(u: int) -> str:
        return ids[topo.members[unit_comp[u]][0]]

    # Lexicographic topological sort of the units: dependencies first, smallest key next.
    left = [len(d) for d in unit_deps]

    # Ties go to the smaller asset id: node indices follow the sorted ids, so the index compares the
    # same way without string comparisons; a key-exchange unit (u >= m) before its endpoint's other one.
    members = topo.members
    heap = [(wave[u], -prio[u], -top[u], members[unit_comp[u]][0], u < m, u) for u in range(n_units) if left[u] == 0]
    heapq.heapify(heap)
    heappush, heappop = heapq.heappush, heapq.heappop
    order: list[tuple[int, int]] = []  # (unit, node index)
    while heap:
        u = heappop(heap)[5]
        if u in part_risk:
            order.append((u, topo.members[unit_comp[u]][0]))
        else:
            mem = topo.members[u]
            if len(mem) > 1:
                mem = sorted(mem, key=lambda i: (-risks[i].score, ids[i]))
            order.extend((u, i) for i in mem if step_mask[i])
        for d in unit_dependants[u]:
            left[d] -= 1
            if left[d] == 0:
                heappush(heap, (wave[d], -prio[d], -top[d], members[unit_comp[d]][0], d < m, d))

    split = {topo.members[c][0] for c in kex_of}
    steps: list[Step] = []
    services = graph.services
    effort_memo: dict[tuple[str, str, int], float] = {}  # (role, kind, id(service)) -> person-days
    for n, (u, i) in enumerate(order, 1):
        node = graph.nodes[ids[i]]
        c = topo.comp[i]
        pt = units.part(u)
        r = part_risk.get(u, risks[i])
        wf, pf = wave_from[u], prio_from[u]
        if r.needs_action:
            reasons = list(r.reasons)
        elif pt == PART_AUTH:
            free = set(part_deps[kex_of[c]])
            creds = ", ".join(graph.nodes[ids[j]].label for j in part_deps[u] if j not in free)
            reasons = [f"serves {creds}, which must be replaced first; the endpoint is done once it serves the new one"]
        else:
            reasons = [r.reasons[0]] if node.kind == MISSING else []
        if not r.needs_action and pf is not None and node.kind != MISSING and not pt:
            reasons.append(f"{rep(pf)} cannot migrate until this {node.role} supports post-quantum "
                           "cryptography")
        if wf is not None and wave[u] < own_wave[u]:
            reasons.append(f"in wave {wave[u]} because {rep(wf)} needs it first")
        if pf is not None and prio[u] > own_prio[u]:
            reasons.append(f"must move before {rep(pf)} (risk {_fmt_score(prio[u])})")
        if c in cycle_index:
            others = [ids[j] for j in topo.members[c] if j != i]
            reasons.append(f"in a dependency cycle with {', '.join(others[:5])}{' ...' if len(others) > 5 else ''}: "
                           "migrate them together")
        title, action = describe(graph, node, r, pt)
        deps = part_deps.get(u, topo.deps[i])
        dep_ids, dep_keys = _step_dependencies(i, deps, topo, step_mask, split)
        ekey = (node.role, node.kind, id(node.service))
        effort = effort_memo.get(ekey)
        if effort is None:
            effort = effort_memo[ekey] = effort_days(node, services)
        steps.append(Step(
            order=n, wave=wave[u], asset_id=ids[i], kind=node.kind, role=node.role, title=title, action=action,
            risk=r.score, priority=round(prio[u], 1), reasons=tuple(reasons), deadline=deadline[u],
            effort_days=round(effort / 2, 2) if pt else effort, depends_on=dep_ids,
            service=node.service.name if node.service else "", owner=node.service.owner if node.service else "",
            internet=r.internet, blast_radius=r.blast_radius, cycle=cycle_index.get(c),
            severity=_worst_severity(_part_verdicts(node, r) if pt else node.verdicts),
            part=pt, depends_on_steps=dep_keys,
        ))
    return Plan(
        steps=steps, waves=_waves(steps, crqc_year, near_term_years),
        cycles=[[ids[i] for i in topo.members[c]] for c in sorted(cycle_index, key=cycle_index.__getitem__)],
        crqc_year=crqc_year, today=model.today, z_years=model.z_years, assessed=graph.assessed,
        services_source=graph.services.source, risk=model,
        missing=[n for n in ids if graph.nodes[n].kind == MISSING],
        not_operated=_not_operated(graph, model),
    )


def _not_operated(graph: MigrationGraph, model: RiskModel) -> dict[Ownership, list[Listed]]:
    """Assets you do not operate with quantum-vulnerable findings, by ownership (lists, not steps)."""
    out: dict[Ownership, list[Listed]] = {}
    for node_id, node in graph.nodes.items():
        if node.ownership is Ownership.OPERATED:
            continue
        r = model.risks.get(node_id)
        bad = tuple(dict.fromkeys(v.finding.algorithm for v in (r.findings if r else ()) if v.vulnerable))
        if bad:
            out.setdefault(node.ownership, []).append(Listed(node_id, node.label, node.ownership,
                                                             node.ownership_reason, bad))
    return {o: out[o] for o in LIST_TITLES if o in out}


def _part_verdicts(node: Any, r: Risk) -> list[Any]:
    mine = {id(v.finding) for v in r.findings}
    return [v for f, v in zip(node.findings, node.verdicts, strict=True) if id(f) in mine]


def _worst_severity(verdicts: Iterable[Any]) -> str | None:
    ranked = [(getattr(v.severity, "rank", 0), str(getattr(v.severity, "value", v.severity)))
              for v in verdicts if v is not None]
    return max(ranked)[1] if ranked else None


def _step_dependencies(i: int, deps: Iterable[int], topo: Any, step_mask: list[bool],
                       split: set[int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The nearest steps this node (or this part of it, starting from ``deps``) waits for, looking
    through nodes that need no step: their asset ids and their step keys."""
    own = topo.comp[i]
    ids = topo.ids
    # Fast path (most steps): every direct dependency is a whole step outside this node's cycle.
    if all(step_mask[j] and j not in split and topo.comp[j] != own for j in deps):
        dep_ids = tuple(sorted({ids[j] for j in deps}))
        return dep_ids, dep_ids
    found: set[int] = set()
    seen = {i}
    stack = list(deps)
    while stack:
        j = stack.pop()
        if j in seen:
            continue
        seen.add(j)
        if topo.comp[j] == own:
            continue  # a cycle partner moves in the same block
        if step_mask[j] or j in split:
            found.add(j)
        else:
            stack.extend(topo.deps[j])
    dep_ids = tuple(sorted(topo.ids[j] for j in found))
    if not split.intersection(found):
        return dep_ids, dep_ids
    keys: list[str] = []
    for j in sorted(found, key=topo.ids.__getitem__):
        if j in split:
            keys += [step_key(topo.ids[j], PART_KEX), step_key(topo.ids[j], PART_AUTH)]
        else:
            keys.append(topo.ids[j])
    return dep_ids, tuple(keys)


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
