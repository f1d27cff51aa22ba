from __future__ import annotations

import importlib.util
import json
import re
from importlib import resources

import jsonschema
import networkx as nx
import pytest
from click.testing import CliRunner

from pqscan.cli import cli
from pqscan.graph import build_graph, make_plan
from pqscan.graph import export as ex
from pqscan.model import AssetKind, Usage
from tests.unit.graph_helpers import TODAY, asset, finding, inventory, pki_chain

HOSTILE = 'CN=evil"];\n}\nx -->|y| z <script>&#\x01'


def _graph_and_plan():
    assets = pki_chain() + [asset("sw:nginx", AssetKind.SOFTWARE, name=HOSTILE)]
    assets[0] = asset("tls://pay.example.com:443", AssetKind.TLS_ENDPOINT, ("presents", "cert:leaf:pay.example.com"),
                      ("runs", "sw:nginx"))
    fs = [finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE),
          finding("cert:int", "RSA", Usage.SIGNATURE, key_bits=2048)]
    inv = inventory(assets[:3] + assets[4:], fs)  # root missing
    inv.attachments["bench"] = {"migration_costs": [
        {"from": "X25519", "to": "X25519MLKEM768", "context": "TLS handshake", "time_ratio": 1.31, "extra_bytes": 2272}]}
    graph = build_graph(inv)
    return graph, make_plan(graph, today=TODAY)


def test_graphml_reads_back_with_networkx(tmp_path) -> None:
    graph, plan = _graph_and_plan()
    p = tmp_path / "g.graphml"
    p.write_text(ex.graphml(graph, plan))
    back = nx.read_graphml(p)
    assert set(back.nodes) == set(graph.nodes)
    assert set(back.edges) == set(graph.graph.edges)
    assert back.nodes["cert:root"]["missing"] is True
    assert back.edges["cert:int", "cert:root"]["kind"] == "issued-by"
    assert back.nodes["sw:nginx"]["label"] == HOSTILE.replace("\x01", "\ufffd")


def _parse_dot_minimally(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """Enough of DOT to check our own output: quoted ids with backslash escapes."""
    q = r'"((?:[^"\\]|\\.)*)"'
    unq = lambda s: re.sub(r"\\(.)", r"\1", s)  # noqa: E731
    edges = {(unq(a), unq(b)) for a, b in re.findall(rf"^\s*{q} -> {q} \[", text, re.M)}
    nodes = {unq(a) for a in re.findall(rf"^\s*{q} \[", text, re.M)}
    return nodes, edges


def test_dot_has_every_node_and_edge_and_escapes_labels() -> None:
    graph, plan = _graph_and_plan()
    text = ex.dot(graph, plan)
    nodes, edges = _parse_dot_minimally(text)
    assert nodes == set(graph.nodes) and edges == set(graph.graph.edges)
    assert text.rstrip().endswith("}") and text.count("{") == text.count("}") + HOSTILE.count("{") - HOSTILE.count("}")
    assert '\\"];\\n}\\nx' in text  # the hostile label stays inside its quoted string


def test_dot_reads_back_with_pydot_when_present() -> None:
    if importlib.util.find_spec("pydot") is None:
        pytest.skip("pydot is not installed; DOT is checked by the minimal parser test instead")
    graph, plan = _graph_and_plan()
    back = nx.nx_pydot.from_pydot(__import__("pydot").graph_from_dot_data(ex.dot(graph, plan))[0])
    assert {n.strip('"') for n in back.nodes} >= set(graph.nodes)


def test_mermaid_is_a_flowchart_with_one_line_per_node_and_edge() -> None:
    graph, plan = _graph_and_plan()
    lines = ex.mermaid(graph, plan).splitlines()
    assert lines[0] == "flowchart LR"
    node_lines = [x for x in lines if re.fullmatch(r'  n\d+(\["|\(\[").*("\]|"\]\))', x)]
    edge_lines = [x for x in lines if re.fullmatch(r"  n\d+ -->\|[^|]*\| n\d+", x)]
    assert len(node_lines) == len(graph.nodes) and len(edge_lines) == graph.graph.number_of_edges()
    hostile = next(x for x in node_lines if "evil" in x)
    assert '"' not in hostile[hostile.index('"') + 1:hostile.rindex('"')] and "<" not in hostile


def test_plan_json_validates_against_its_schema_and_keeps_dependency_order() -> None:
    graph, plan = _graph_and_plan()
    data = json.loads(ex.plan_json(plan))
    schema = json.loads(resources.files("pqscan").joinpath("schemas/plan.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    seen: set[str] = set()
    for step in data["steps"]:
        assert set(step["depends_on"]) <= seen
        seen.add(step["asset_id"])


def test_endpoint_step_cites_the_benchmark_cost() -> None:
    _, plan = _graph_and_plan()
    action = plan.step("tls://pay.example.com:443").action
    assert "(benchmark: X25519MLKEM768 costs 1.31x the time of X25519 and +2,272 bytes per TLS handshake)" in action


def test_cli_graph_writes_json_focus_and_reports_unknown_focus(tmp_path) -> None:
    graph, _ = _graph_and_plan()
    inv = inventory(pki_chain() + pki_chain("b.example.com", root="cert:r2", inter="cert:i2"),
                    [finding("cert:int", "RSA", Usage.SIGNATURE, key_bits=2048)])
    path = tmp_path / "inv.json"
    inv.save(path)
    runner = CliRunner()
    res = runner.invoke(cli, ["graph", str(path), "-f", "json", "--focus", "cert:int", "--as-of", "2026-11-25"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert "cert:r2" not in data["focus"] and "cert:int" in data["focus"]
    res = runner.invoke(cli, ["graph", str(path), "--focus", "cert:nope"])
    assert res.exit_code != 0 and "no such asset" in str(res.exception or res.output)


@pytest.mark.parametrize("fmt", ["table", "dot", "graphml", "mermaid"])
def test_cli_graph_writes_every_format_to_a_file(tmp_path, fmt: str) -> None:
    inv = inventory(pki_chain(), [finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE)])
    path, out = tmp_path / "inv.json", tmp_path / f"out.{fmt}"
    inv.save(path)
    services = tmp_path / "services.toml"
    services.write_text('[[service]]\nname = "payments"\nowner = "team-pay"\nmatch = ["pay.example.com"]\n')
    res = CliRunner().invoke(cli, ["graph", str(path), "-f", fmt, "-o", str(out), "--services", str(services),
                                   "--crqc-year", "2030", "--as-of", "2026-11-25"])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "tls://pay.example.com:443" in text
    if fmt == "table":
        assert text.startswith("Migration plan: 1 step, CRQC assumed in 2030")
        assert "payments (team-pay)" in text
