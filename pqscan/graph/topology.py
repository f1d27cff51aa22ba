"""Integer-indexed view of the migration graph and the graph algorithms the risk model and the plan
need: strongly connected components, the condensed DAG, its topological order, and the number of
assets that depend on each node (blast radius).

Written on plain lists of ints rather than through networkx so 100k assets and 300k relations
stay within seconds (see ``benchmarks/bench_graph.py``).
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import networkx as nx

# Blast radius is counted exactly by a walk over each node's dependants. On pathological graphs
# (dense DAGs where the number of reachable pairs explodes) the walks are cut off: beyond
# BLAST_NODE_LIMIT dependants for one node, or BLAST_TOTAL_BUDGET steps for the whole graph, the
# count becomes an upper bound (sum over direct dependants, capped at the node count) and is
# flagged as approximate.
BLAST_NODE_LIMIT = 200_000
BLAST_TOTAL_BUDGET = 30_000_000


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during bulk allocation.

    Building a 100k-node graph allocates millions of small containers; each allocation burst
    triggers full collections that find nothing (about 40 % of the build time, measured by
    benchmarks/bench_graph.py). Reference counting still frees everything; the collector runs
    again on exit if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything allocated meanwhile sits in the youngest generation with its allocation
            # count far past the threshold: the first allocation after gc.enable() would traverse
            # all of it (0.4 s per call at 100k assets, measured by cProfile). freeze() + unfreeze()
            # moves those objects straight into the oldest generation (two list splices, no
            # traversal) and resets the count; a later full collection still sees them.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@dataclass
class Topology:
    ids: list[str]  # index -> asset id (sorted)
    deps: list[list[int]]  # index -> what it depends on (edge a -> b)
    dependants: list[list[int]]  # index -> what depends on it
    comp: list[int]  # node index -> component index
    members: list[list[int]]  # component index -> node indices (sorted by id)
    comp_deps: list[list[int]]  # component -> components it depends on
    comp_dependants: list[list[int]]
    order: list[int]  # components, dependencies first (a topological order of the condensation)

    @property
    def cycles(self) -> list[list[int]]:
        return [m for m in self.members if len(m) > 1]


def index_graph(graph: nx.DiGraph) -> tuple[list[str], list[list[int]], list[list[int]]]:
    ids = sorted(graph.nodes)
    pos = {n: i for i, n in enumerate(ids)}
    deps: list[list[int]] = [[] for _ in ids]
    dependants: list[list[int]] = [[] for _ in ids]
    for a, nbrs in graph.adjacency():  # plain dict items: much faster than graph.adj.items()
        ia = pos[a]
        for b in nbrs:
            ib = pos[b]
            deps[ia].append(ib)
            dependants[ib].append(ia)
    return ids, deps, dependants


def _kahn_remaining(n: int, deps: list[list[int]], dependants: list[list[int]]) -> set[int]:
    """Nodes left when Kahn's algorithm peels what has no dependencies, then what has no dependants:
    exactly the nodes on or between cycles (empty for a DAG)."""
    left = [len(d) for d in deps]
    queue = deque(i for i in range(n) if left[i] == 0)
    done = [False] * n
    while queue:
        i = queue.popleft()
        done[i] = True
        for j in dependants[i]:
            left[j] -= 1
            if left[j] == 0:
                queue.append(j)
    rest = {i for i in range(n) if not done[i]}
    if not rest:
        return rest
    right = {i: sum(1 for j in dependants[i] if j in rest) for i in rest}
    queue = deque(i for i, c in right.items() if c == 0)
    while queue:
        i = queue.popleft()
        rest.discard(i)
        for j in deps[i]:
            if j in rest:
                right[j] -= 1
                if right[j] == 0:
                    queue.append(j)
    return rest


def build_topology(graph: nx.DiGraph) -> Topology:
    ids, deps, dependants = index_graph(graph)
    n = len(ids)
    comp = list(range(n))
    members: list[list[int]] = [[i] for i in range(n)]
    rest = _kahn_remaining(n, deps, dependants)
    if rest:
        sub = nx.DiGraph()
        sub.add_nodes_from(rest)
        sub.add_edges_from((i, j) for i in rest for j in deps[i] if j in rest)
        comps = sorted((sorted(c) for c in nx.strongly_connected_components(sub)), key=lambda c: c[0])
        for scc in comps:
            if len(scc) > 1:
                head = scc[0]  # lowest index = lowest id: a stable representative
                for i in scc:
                    comp[i] = head
        # renumber components densely, in node order
        heads = sorted(set(comp))
        renum = {h: k for k, h in enumerate(heads)}
        comp = [renum[c] for c in comp]
        members = [[] for _ in heads]
        for i in range(n):
            members[comp[i]].append(i)
    m = len(members)
    if m == n:
        comp_deps, comp_dependants = deps, dependants
    else:
        cd: list[set[int]] = [set() for _ in range(m)]
        cr: list[set[int]] = [set() for _ in range(m)]
        for i in range(n):
            for j in deps[i]:
                a, b = comp[i], comp[j]
                if a != b:
                    cd[a].add(b)
                    cr[b].add(a)
        comp_deps = [sorted(s) for s in cd]
        comp_dependants = [sorted(s) for s in cr]
    left = [len(d) for d in comp_deps]
    queue = deque(c for c in range(m) if left[c] == 0)
    order: list[int] = []
    while queue:
        c = queue.popleft()
        order.append(c)
        for d in comp_dependants[c]:
            left[d] -= 1
            if left[d] == 0:
                queue.append(d)
    return Topology(ids, deps, dependants, comp, members, comp_deps, comp_dependants, order)


def blast_radius(topo: Topology) -> tuple[list[int], list[bool]]:
    """For each node: how many other assets depend on it, directly or transitively; and whether that
    count is exact (see BLAST_NODE_LIMIT)."""
    m = len(topo.members)
    sizes = [len(c) for c in topo.members]
    total = sum(sizes)
    # Upper bound by dynamic programming from the top (dependants before dependencies).
    upper = [0] * m
    for c in reversed(topo.order):
        upper[c] = min(total, sum(sizes[p] + upper[p] for p in topo.comp_dependants[c]))
    count = [0] * m
    exact = [True] * m
    budget = BLAST_TOTAL_BUDGET
    mark = [-1] * m
    for c in range(m):
        if upper[c] == 0:
            continue
        if upper[c] > BLAST_NODE_LIMIT or upper[c] > budget:
            count[c], exact[c] = upper[c], False
            continue
        seen = 0
        stack = list(topo.comp_dependants[c])
        for p in stack:
            mark[p] = c
        while stack:
            p = stack.pop()
            seen += sizes[p]
            for q in topo.comp_dependants[p]:
                if mark[q] != c:
                    mark[q] = c
                    stack.append(q)
        budget -= seen
        count[c] = seen
    radius = [0] * len(topo.ids)
    flags = [True] * len(topo.ids)
    for c, mem in enumerate(topo.members):
        for i in mem:
            radius[i] = min(total - 1, count[c] + sizes[c] - 1)
            flags[i] = exact[c]
    return radius, flags
