"""Exports: the plan as JSON (``pqscan/schemas/plan.schema.json``), the graph as GraphML, DOT and
Mermaid, and a plain-text table for terminals.

Graph edges keep the model's direction: ``A -> B`` means *A depends on B* (B migrates first).
Every label may come from a scanned target, so each format escapes it by its own rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import networkx as nx

from pqscan.graph.build import MigrationGraph
from pqscan.graph.plan import Plan, Step
from pqscan.textsafe import clean


def _steps_in(plan: Plan, graph: MigrationGraph) -> list[Step]:
    return [s for s in plan.steps if s.asset_id in graph.nodes]


def plan_json(plan: Plan, focus: MigrationGraph | None = None) -> str:
    """The plan document; with a focused subgraph (``MigrationGraph.focus``), only its steps."""
    data = plan.to_dict()
    if focus is not None:
        keep = set(focus.nodes)
        data["steps"] = [s for s in data["steps"] if s["asset_id"] in keep]
        data["cycles"] = [c for c in data["cycles"] if keep.intersection(c)]
        data["missing"] = [m for m in data["missing"] if m in keep]
        data["focus"] = sorted(keep)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# XML 1.0 forbids most control characters; a hostile certificate subject must not break GraphML.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    return _XML_INVALID.sub("\ufffd", value)


def export_graph(graph: MigrationGraph, plan: Plan | None = None) -> nx.DiGraph:
    """A plain networkx graph with scalar attributes only (what GraphML can carry)."""
    steps: dict[str, list[Step]] = {}
    for s in plan.steps if plan else ():
        steps.setdefault(s.asset_id, []).append(s)  # a split endpoint has two steps (key exchange, authentication)
    risks = plan.risk.risks if plan else {}
    out = nx.DiGraph()
    for node_id, node in graph.nodes.items():
        mine = steps.get(node_id, [])
        step = mine[0] if mine else None
        risk = risks.get(node_id)
        out.add_node(
            _text(node_id),
            kind=node.kind,
            role=node.role,
            label=_text(node.label),
            location=_text(node.location),
            missing=node.missing,
            service=_text(node.service.name) if node.service else "",
            findings=len(node.findings),
            algorithms=_text(",".join(dict.fromkeys(f.algorithm for f in node.findings))),
            risk=float(risk.score) if risk else 0.0,
            order=step.order if step else -1,
            wave=step.wave if step else -1,
            action=_text(" / ".join(f"{s.part}: {s.action}" if s.part else s.action for s in mine)),
            steps=",".join(str(s.order) for s in mine),
            parts=",".join(s.part for s in mine if s.part),
        )
    for a, b, data in graph.graph.edges(data=True):
        out.add_edge(_text(a), _text(b), kind=",".join(data.get("kinds", ())))
    return out


def graphml(graph: MigrationGraph, plan: Plan | None = None) -> str:
    return "\n".join(nx.generate_graphml(export_graph(graph, plan))) + "\n"


def _step_numbers(d: dict[str, Any]) -> str:
    """The label prefix: "17." for one step; "17 key exchange, 30 authentication:" for a split endpoint."""
    orders, parts = d["steps"].split(","), [p for p in d["parts"].split(",") if p]
    if len(orders) == len(parts) > 1:
        return ", ".join(f"{o} {p.replace('-', ' ')}" for o, p in zip(orders, parts, strict=True)) + ":"
    return f"{d['order']}."


_DOT_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "", "\0": ""})
_WAVE_COLOURS = {1: "#d73027", 2: "#fc8d59", 3: "#fee08b", 4: "#d9ef8b"}


def _dot_str(text: str) -> str:
    return '"' + clean(str(text), keep_newlines=True).translate(_DOT_ESCAPE) + '"'


def dot(graph: MigrationGraph, plan: Plan | None = None) -> str:
    g = export_graph(graph, plan)
    lines = ["digraph migration {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fillcolor="#ffffff"];']
    for node_id, d in sorted(g.nodes(data=True)):
        label = d["label"] if d["order"] < 0 else \
            f"{_step_numbers(d)} {d['label']}\nrisk {d['risk']:.0f}, wave {d['wave']}"
        attrs = [f"label={_dot_str(label)}", f"kind={_dot_str(d['kind'])}", f"risk={_dot_str(d['risk'])}"]
        if d["wave"] in _WAVE_COLOURS:
            attrs.append(f'fillcolor="{_WAVE_COLOURS[d["wave"]]}"')
        if d["missing"]:
            attrs.append('style="rounded,filled,dashed"')
        lines.append(f"  {_dot_str(node_id)} [{', '.join(attrs)}];")
    for a, b, d in sorted(g.edges(data=True)):
        lines.append(f"  {_dot_str(a)} -> {_dot_str(b)} [label={_dot_str(d['kind'])}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_ENTITIES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;", "#": "#35;",
                     "`": "#96;", "\n": " ", "\r": " ", "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;"}


def mermaid_text(text: str) -> str:
    # '#' first would re-escape the entities, so translate in one pass
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in str(text) if ch.isprintable() or ch in "\n\r")


def mermaid(graph: MigrationGraph, plan: Plan | None = None) -> str:
    g = export_graph(graph, plan)
    names = {node_id: f"n{i}" for i, node_id in enumerate(sorted(g.nodes))}
    lines = ["flowchart LR"]
    for node_id in sorted(g.nodes):
        d = g.nodes[node_id]
        label = d["label"] if d["order"] < 0 else f"{_step_numbers(d)} {d['label']} (risk {d['risk']:.0f})"
        shape = ('(["', '"])') if d["missing"] else ('["', '"]')
        lines.append(f"  {names[node_id]}{shape[0]}{mermaid_text(label)}{shape[1]}")
    for a, b, d in sorted(g.edges(data=True)):
        lines.append(f"  {names[a]} -->|{mermaid_text(d['kind'])}| {names[b]}")
    for wave, colour in _WAVE_COLOURS.items():
        members = [names[n] for n in sorted(g.nodes) if g.nodes[n]["wave"] == wave]
        if members:
            lines.append(f"  classDef wave{wave} fill:{colour}")
            lines.append(f"  class {','.join(members)} wave{wave}")
    return "\n".join(lines) + "\n"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _cell(text: Any, width: int) -> str:
    s = clean(_CONTROL.sub(" ", str(text)))  # C1 controls and bidi overrides too (pqscan.textsafe)
    return s if len(s) <= width else s[: width - 1] + "…"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_PART_TAGS = {"key-exchange": "kex", "authentication": "auth"}


def table(plan: Plan, graph: MigrationGraph | None = None, *, limit: int | None = None) -> str:
    steps: Iterable[Step] = _steps_in(plan, graph) if graph is not None else plan.steps
    rows = list(steps)
    shown = rows[:limit] if limit else rows
    out = [f"Migration plan: {_n(len(rows), 'step')}, CRQC assumed in {plan.crqc_year} "
           f"(Z = {plan.z_years:.1f} years from {plan.today.isoformat()})"]
    for w in plan.waves:
        dl = f", earliest deadline {w.deadline.isoformat()}" if w.deadline else ""
        out.append(f"  wave {w.number}: {_n(w.steps, 'step')}, {w.effort_days:g} person-days{dl}: {w.name}")
    if plan.cycles:
        out.append(f"  {len(plan.cycles)} dependency cycle(s): their members move together")
    if any(s.part for s in rows):
        out.append("  [kex] / [auth]: an endpoint's key exchange moves on its own, before its new certificate or "
                   "host key is deployed")
    out.append("")
    out.append(f"{'#':>5} {'wave':>4} {'risk':>5}  {'deadline':<10}  {'asset':<40}  {'service':<24}  action")
    for s in shown:
        dl = s.deadline.isoformat() if s.deadline else "-"
        svc = f"{s.service} ({s.owner})" if s.owner else s.service or "-"
        asset = _cell(s.asset_id, 40) if not s.part else f"{_cell(s.asset_id, 33)} [{_PART_TAGS[s.part]}]"
        out.append(f"{s.order:>5} {s.wave:>4} {s.risk:>5.1f}  {dl:<10}  {asset:<40}  "
                   f"{_cell(svc, 24):<24}  {_cell(s.action, 200)}")
        if s.reasons:
            out.append(f"{'':>30}why: {_cell(s.reasons[0], 160)}")
    if limit and len(rows) > limit:
        out.append(f"... {len(rows) - limit} more steps (use --format json for all)")
    return "\n".join(out) + "\n"
