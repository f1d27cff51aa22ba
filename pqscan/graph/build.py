"""Build the migration graph from an inventory (and, when given, its assessment).

Nodes are assets; an edge ``A -> B`` means *A depends on B*: B's migration comes first. Edges come
from ``Asset.relations`` (``asset --kind--> target`` is "asset depends on target", see
:class:`pqscan.model.RelationKind`) with two relation kinds turned round because the work runs the
other way:

* ``matches-key`` (private key -> certificate with the same public key): the new key pair exists
  before the certificate that carries it is issued, so the certificate depends on the key.
* ``part-of`` (asset -> service): a service is migrated when its parts are, so it depends on them.

One edge is inferred: an endpoint that ``runs`` some server software and is ``configured-by`` a
config file gives ``config -> software`` (the software must support the new groups before its TLS
configuration can name them).

A relation to an asset id the inventory does not hold becomes a placeholder node marked
``missing`` (e.g. a root CA the server did not send), never an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from pqscan.assess.ownership import Ownership, classify, role_of
from pqscan.graph.services import Service, Services
from pqscan.graph.topology import cyclic_gc_paused
from pqscan.model import Asset, AssetKind, Finding, RelationKind

if TYPE_CHECKING:  # what the graph reads of an assessment (tests may hand it any object with these fields)
    from pqscan.assess.verdicts import Assessment, Verdict

MISSING = "missing"
INFERRED_CONFIG_NEEDS_SOFTWARE = "inferred:config-needs-software"

# relation kind -> the edge goes from the asset to the target (True) or from the target to the asset.
EDGE_FROM_ASSET: Mapping[RelationKind, bool] = {
    RelationKind.PRESENTS: True,
    RelationKind.ISSUED_BY: True,
    RelationKind.HAS_HOST_KEY: True,
    RelationKind.RUNS: True,
    RelationKind.CONFIGURED_BY: True,
    RelationKind.USES: True,
    RelationKind.CONTAINS: True,
    RelationKind.MATCHES_KEY: False,
    RelationKind.PART_OF: False,
    RelationKind.DEPENDS_ON: True,
}


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str  # an AssetKind value, or "missing"
    role: str  # finer kind used for defaults: root-ca, intermediate-ca, leaf-certificate, ...
    name: str = ""
    location: str = ""
    missing: bool = False
    findings: tuple[Finding, ...] = ()
    verdicts: tuple[Verdict | None, ...] = ()  # aligned with findings; None when not assessed
    service: Service | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    ownership: Ownership = Ownership.OPERATED  # only operated assets become migration steps
    ownership_reason: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass
class MigrationGraph:
    """The networkx graph (``graph``, edges dependant -> dependency) and the node records."""

    graph: nx.DiGraph
    nodes: dict[str, Node]
    services: Services
    bench_costs: tuple[Mapping[str, Any], ...] = ()
    assessed: bool = False

    def __len__(self) -> int:
        return len(self.nodes)

    def dependencies(self, node_id: str) -> list[str]:
        """What ``node_id`` depends on directly (migrates first)."""
        return sorted(self.graph.successors(node_id))

    def dependants(self, node_id: str) -> list[str]:
        """What depends on ``node_id`` directly (migrates after it)."""
        return sorted(self.graph.predecessors(node_id))

    def edge_kinds(self, a: str, b: str) -> tuple[str, ...]:
        return tuple(self.graph.edges[a, b].get("kinds", ()))

    def focus(self, node_id: str) -> MigrationGraph:
        """The subgraph of one asset with everything upstream and downstream of it."""
        if node_id not in self.nodes:
            raise KeyError(node_id)
        keep = {node_id} | nx.descendants(self.graph, node_id) | nx.ancestors(self.graph, node_id)
        sub = self.graph.subgraph(keep).copy()
        return MigrationGraph(sub, {k: self.nodes[k] for k in sorted(keep)}, self.services,
                              self.bench_costs, self.assessed)


def _certificate_role(asset: Asset, is_issuer: bool, has_issuer: bool) -> str:
    """root-ca, intermediate-ca or leaf-certificate, from the certificate and its place in the chain."""
    attrs = asset.attributes
    if is_issuer or attrs.get("is_ca"):
        return "root-ca" if attrs.get("self_signed") or not has_issuer else "intermediate-ca"
    return "leaf-certificate"


def _role(asset: Asset, is_issuer: bool, has_issuer: bool) -> str:
    if asset.kind is AssetKind.CERTIFICATE:
        return _certificate_role(asset, is_issuer, has_issuer)
    return asset.kind.value


def _iter_edges(assets: Mapping[str, Asset]) -> Iterator[tuple[str, str, str]]:
    """(dependant, dependency, kind) for every relation, plus the inferred config -> software edges."""
    for asset in assets.values():
        runs: list[str] = []
        configs: list[str] = []
        for rel in asset.relations:
            if rel.target == asset.id:
                continue  # a self-relation says nothing about order
            kind = rel.kind  # a StrEnum: compares and joins as its value, without the .value lookup cost
            if EDGE_FROM_ASSET.get(kind, True):
                yield asset.id, rel.target, kind
            else:
                yield rel.target, asset.id, kind
            if kind is RelationKind.RUNS:
                runs.append(rel.target)
            elif kind is RelationKind.CONFIGURED_BY:
                configs.append(rel.target)
        for c in configs:
            for s in runs:
                if c != s:
                    yield c, s, INFERRED_CONFIG_NEEDS_SOFTWARE


def bench_costs_of(attachments: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    bench = attachments.get("bench") if isinstance(attachments, Mapping) else None
    costs = bench.get("migration_costs") if isinstance(bench, Mapping) else None
    if not isinstance(costs, list):
        return ()
    return tuple(c for c in costs if isinstance(c, Mapping) and c.get("from") and c.get("to"))


def build_graph(inventory: Any, assessment: Assessment | None = None,
                services: Services | None = None) -> MigrationGraph:
    """Nodes for every asset (and placeholders for missing ones), typed dependency edges, findings
    and their worst verdict per finding attached to each node."""
    with cyclic_gc_paused():
        return _build_graph(inventory, assessment, services)


def _build_graph(inventory: Any, assessment: Assessment | None, services: Services | None) -> MigrationGraph:
    services = services or Services()
    assets: Mapping[str, Asset] = inventory.assets
    # The assessment's ownership, re-decided here only when the services file overrides some of it
    # (or when there is no assessment): one function decides, pqscan.assess.ownership.classify.
    roles = getattr(assessment, "roles", None)
    overrides = services.ownership_overrides()
    if not roles or overrides:
        roles = classify(assets, getattr(assessment, "today", None), [*getattr(assessment, "overrides", ()), *overrides],
                         getattr(inventory, "attachments", {}).get("roots"))
    edge_kinds: dict[tuple[str, str], list[str]] = {}
    for a, b, kind in _iter_edges(assets):
        kinds = edge_kinds.get((a, b))
        if kinds is None:
            edge_kinds[(a, b)] = [kind]
        elif kind not in kinds:
            kinds.append(kind)

    findings: dict[str, list[Finding]] = {}
    for f in inventory.findings:
        findings.setdefault(f.asset_id, []).append(f)

    issued_by = [pair for pair, kinds in edge_kinds.items() if RelationKind.ISSUED_BY in kinds]
    issuers = {b for _, b in issued_by}
    issued = {a for a, _ in issued_by}

    all_ids = set(assets) | {x for pair in edge_kinds for x in pair} | set(findings)
    nodes: dict[str, Node] = {}
    for node_id in sorted(all_ids):
        asset = assets.get(node_id)
        fs = tuple(findings.get(node_id, ()))
        verdicts = tuple(assessment.worst(f.id) for f in fs) if assessment is not None else (None,) * len(fs)
        if asset is None:
            svc = services.service_for(node_id)
            nodes[node_id] = Node(node_id, MISSING, MISSING, missing=True, findings=fs, verdicts=verdicts,
                                  service=svc)
            continue
        svc = services.service_for(asset.id, asset.location, asset.name)
        owner = role_of(roles, node_id)
        nodes[node_id] = Node(
            node_id, asset.kind.value, _role(asset, node_id in issuers, node_id in issued),
            name=asset.name, location=asset.location, findings=fs, verdicts=verdicts, service=svc,
            attributes=asset.attributes, ownership=owner.ownership, ownership_reason=owner.reason,
        )

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b, {"kinds": tuple(k)}) for (a, b), k in edge_kinds.items())
    return MigrationGraph(graph, nodes, services, bench_costs_of(getattr(inventory, "attachments", {})),
                          assessed=assessment is not None)
