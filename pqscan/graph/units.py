"""Units of work for the plan: one per strongly connected component, and two for a split endpoint.

A TLS or SSH endpoint with both a key-exchange problem (harvest-now-decrypt-later) and an
authentication problem (its own signature findings, or a certificate / host key behind it that
needs work) becomes two units:

* **key-exchange** (``<asset id>#key-exchange``): enabling the hybrid group needs only the server
  software and its configuration, so this unit waits for everything the endpoint depends on
  *except* what it ``presents`` / ``has-host-key``. It is free to move now: the
  harvest-now-decrypt-later fix, usually the most urgent work of the endpoint.
* **authentication** (``<asset id>#authentication``): deploying the reissued certificate or the new
  host key waits for everything, the credential chain included. It keeps the component's index.

Whatever depends on the endpoint waits for both. Each part is scored from its own findings (the
key-exchange part with the lead time Y of only what it waits for). Endpoints inside a dependency
cycle are not split: the cycle moves as one block.
"""

from __future__ import annotations

from dataclasses import dataclass

from pqscan.graph.build import MigrationGraph
from pqscan.graph.defaults import lead_time_years
from pqscan.graph.risk import SIGNATURE_USAGES, Risk, RiskModel
from pqscan.graph.topology import Topology
from pqscan.model import RelationKind

ENDPOINT_ROLES = frozenset({"tls-endpoint", "ssh-endpoint"})
CREDENTIAL_KINDS = frozenset({RelationKind.PRESENTS.value, RelationKind.HAS_HOST_KEY.value})
PART_KEX = "key-exchange"
PART_AUTH = "authentication"


def step_key(asset_id: str, part: str = "") -> str:
    """The unique key of a step: the asset id, with ``#part`` for the two steps of a split endpoint."""
    return f"{asset_id}#{part}" if part else asset_id


@dataclass
class Units:
    """Units 0..m-1 are the components (for a split endpoint: its authentication part); units from
    m on are the key-exchange parts. ``deps`` / ``dependants`` extend the condensation's lists,
    copied only where they change."""

    m: int
    deps: list[list[int]]
    dependants: list[list[int]]
    comp: list[int]  # unit -> component
    kex_of: dict[int, int]  # component -> its key-exchange unit
    part_risk: dict[int, Risk]  # unit -> the risk of that part (units of split endpoints only)
    part_deps: dict[int, list[int]]  # unit -> the node indices it waits for (split endpoints only)
    order: list[int]  # a topological order of the units, dependencies first

    def part(self, u: int) -> str:
        if u in self.part_risk:
            return PART_KEX if u >= self.m else PART_AUTH
        return ""


def _credential_deps(graph: MigrationGraph, node_id: str) -> set[str]:
    """The certificates / host keys an endpoint presents (``presents`` and ``has-host-key`` edges)."""
    succ = graph.graph.succ[node_id]
    return {b for b in succ if not CREDENTIAL_KINDS.isdisjoint(succ[b].get("kinds", ()))}


def _has_work(j: int, topo: Topology, risks: list[Risk], no_work: set[int]) -> bool:
    """Whether node j, or anything it depends on, needs migrating. A walk that finds nothing adds
    what it saw to ``no_work``, so each node is walked at most once over all calls."""
    seen = {j}
    stack = [j]
    while stack:
        x = stack.pop()
        if x in no_work:
            continue
        if risks[x].needs_action:
            return True
        for y in topo.deps[x]:
            if y not in seen:
                seen.add(y)
                stack.append(y)
    no_work.update(seen)
    return False


def split_endpoints(graph: MigrationGraph, model: RiskModel, risks: list[Risk]) -> Units:
    topo = model.topology
    ids = topo.ids
    m = len(topo.members)
    units = Units(m, list(topo.comp_deps), list(topo.comp_dependants), list(range(m)), {}, {}, {}, [])
    pos: dict[str, int] | None = None  # asset id -> index, built only when an endpoint is a candidate
    no_work: set[int] = set()
    for c, mem in enumerate(topo.members):
        if len(mem) != 1:
            continue
        i = mem[0]
        r = risks[i]
        node = graph.nodes[ids[i]]
        if not r.hndl or node.role not in ENDPOINT_ROLES:
            continue
        if pos is None:
            pos = {n: k for k, n in enumerate(ids)}
        cred_idx = {pos[b] for b in _credential_deps(graph, ids[i])}
        if not (r.signature or any(_has_work(j, topo, risks, no_work) for j in cred_idx)):
            continue
        kex_views = tuple(v for v in r.findings if v.finding.usage not in SIGNATURE_USAGES)
        auth_views = tuple(v for v in r.findings if v.finding.usage in SIGNATURE_USAGES)
        free = [j for j in topo.deps[i] if j not in cred_idx]
        kex_y = lead_time_years(node, graph.services) + max((risks[j].y_years for j in free), default=0.0)
        k = len(units.comp)
        units.comp.append(c)
        units.kex_of[c] = k
        units.part_risk[k] = model.score_views(node, kex_views, kex_y, r)
        units.part_risk[c] = model.score_views(node, auth_views, r.y_years, r)
        units.part_deps[k] = free
        units.part_deps[c] = list(topo.deps[i])
    _wire(units, topo)
    # A topological order: a key-exchange unit just before its endpoint's other unit (its
    # dependencies are a subset of that unit's, its dependants the same).
    for c in topo.order:
        kex = units.kex_of.get(c)
        if kex is not None:
            units.order.append(kex)
        units.order.append(c)
    return units


def _wire(units: Units, topo: Topology) -> None:
    """Add the key-exchange units to the dependency lists, once all are known: a unit waits for
    both halves of a split component it depends on."""
    deps, dependants, m = units.deps, units.dependants, units.m
    for k in range(m, len(units.comp)):
        deps.append(sorted({topo.comp[j] for j in units.part_deps[k]}))
        dependants.append(list(topo.comp_dependants[units.comp[k]]))
    for c, k in units.kex_of.items():
        for p in topo.comp_dependants[c]:
            deps[p] = [*deps[p], k]
            kp = units.kex_of.get(p)
            if kp is not None and c in deps[kp]:
                deps[kp] = [*deps[kp], k]
    for k in range(m, len(units.comp)):  # dependants of every unit a key-exchange unit waits for
        for d in deps[k]:
            dependants[d] = [*dependants[d], k]
