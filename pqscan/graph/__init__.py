"""The migration graph: dependencies between assets, their risk, and the order of work.

::

    from pqscan.graph import build_graph, make_plan
    graph = build_graph(inventory, assessment, services)   # networkx DiGraph inside
    plan = make_plan(graph, crqc_year=2035)
    for step in plan.steps: ...

Importing this package loads networkx and nothing heavier.
"""

from pqscan.graph.build import MigrationGraph, Node, build_graph
from pqscan.graph.plan import Plan, Step, Wave, make_plan
from pqscan.graph.risk import DEFAULT_CRQC_YEAR, Risk, RiskModel, score_graph
from pqscan.graph.services import Service, Services, load_services, parse_services

__all__ = [
    "DEFAULT_CRQC_YEAR",
    "MigrationGraph",
    "Node",
    "Plan",
    "Risk",
    "RiskModel",
    "Service",
    "Services",
    "Step",
    "Wave",
    "build_graph",
    "load_services",
    "make_plan",
    "parse_services",
    "score_graph",
]
