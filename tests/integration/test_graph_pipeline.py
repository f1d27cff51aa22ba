"""The migration plan of a real inventory: certificates and keys written by the lab PKI, code and a
requirements file, scanned by the real collectors, assessed against the default profile; then the
same merged with real TLS (pyOpenSSL lab server) and SSH (Debian sshd) scans on loopback."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import networkx as nx
import pytest

from pqscan.assess.engine import assess
from pqscan.assess.profiles import load_profiles
from pqscan.collect.code.scanner import scan_paths as scan_code
from pqscan.collect.deps.scanner import scan_paths as scan_deps
from pqscan.collect.files.collector import scan_files
from pqscan.graph import build_graph, make_plan
from pqscan.graph import export as ex
from pqscan.inventory import Inventory, load_many
from pqscan.lab import pki
from pqscan.lab.ssh_server import openssh_server, unavailable_reason
from pqscan.lab.tls_servers import CLASSICAL_GROUPS, ServerConfig, TlsServer

TODAY = dt.date(2026, 11, 25)
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    d: Path = tmp_path_factory.mktemp("estate")
    pki.write_bundle(d / "pki", "site", list(pki.rsa_chain_leaf_first()))
    (d / "app").mkdir()
    (d / "app" / "app.py").write_text("from cryptography.hazmat.primitives.asymmetric import rsa\n"
                                      "key = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n")
    (d / "app" / "requirements.txt").write_text("cryptography==41.0.7\n")
    inv = Inventory()
    for r in scan_files([d / "pki"]).results:
        inv.add_result(r)
    for r in scan_code([d / "app"]):
        inv.add_result(r)
    for r in scan_deps([d / "app"]):
        inv.add_result(r)
    return inv


def _by_name(inv: Inventory, name: str) -> str:
    return next(a.id for a in inv.assets.values() if a.name == name)


def test_scanned_chain_is_planned_root_then_intermediate_then_leaf(scanned: Inventory) -> None:
    graph = build_graph(scanned, assess(scanned, load_profiles(None), today=TODAY))
    plan = make_plan(graph, today=TODAY)
    pos = {s.asset_id: s.order for s in plan.steps}
    root, inter, leaf = (_by_name(scanned, n) for n in ("Test Root CA", "Test Intermediate CA", "leaf.example"))
    assert pos[root] < pos[inter] < pos[leaf]
    assert plan.step(root).role == "root-ca"
    assert plan.step(leaf).action.startswith("reissue with ML-DSA-65 once the CA supports it (after Test Intermediate CA)")


def test_scanned_plan_respects_every_edge_and_validates(scanned: Inventory) -> None:
    graph = build_graph(scanned, assess(scanned, load_profiles(None), today=TODAY))
    plan = make_plan(graph, today=TODAY)
    pos = {s.asset_id: s.order for s in plan.steps}
    reach = nx.transitive_closure_dag(graph.graph)
    for a, b in reach.edges:
        if a in pos and b in pos:
            assert pos[b] < pos[a], f"{b} must come before {a}"
    schema = json.loads(resources.files("pqscan").joinpath("schemas/plan.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(ex.plan_json(plan)))


def test_scanned_graph_round_trips_through_graphml(scanned: Inventory, tmp_path: Path) -> None:
    graph = build_graph(scanned)
    p = tmp_path / "estate.graphml"
    p.write_text(ex.graphml(graph, make_plan(graph, today=TODAY)))
    assert set(nx.read_graphml(p).edges) == set(graph.graph.edges)


# -- the full estate: TLS and SSH on loopback, files and code, merged through the CLI ---------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pqscan", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory, scanned: Inventory) -> list[Path]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"the lab OpenSSH server cannot run here: {reason}")
    d = tmp_path_factory.mktemp("estate-net")
    files = d / "files.json"
    scanned.save(files)
    with TlsServer(ServerConfig("classical-rsa", CLASSICAL_GROUPS, chain="rsa-chain"), d / "tls") as tls:
        res = _cli("tls", f"127.0.0.1:{tls.port}", "-o", str(d / "tls.json"), "--timeout", "2")
        assert res.returncode == 0, res.stderr
    with openssh_server(classical=True) as ssh:
        res = _cli("ssh", ssh.target, "-o", str(d / "ssh.jsonl"), "--timeout", "2")
        assert res.returncode == 0, res.stderr
    return [d / "tls.json", d / "ssh.jsonl", files]


def test_merged_tls_ssh_files_and_code_inventory_gives_a_plan_that_respects_every_dependency(estate) -> None:
    res = _cli("graph", *map(str, estate), "-f", "json", "--as-of", TODAY.isoformat())
    assert res.returncode == 0, res.stderr
    plan = json.loads(res.stdout)
    graph = build_graph(load_many(estate))
    pos = {s["asset_id"]: s["order"] for s in plan["steps"]}
    for a, b in nx.transitive_closure_dag(graph.graph).edges:
        if a in pos and b in pos:
            assert pos[b] < pos[a], f"{b} must come before {a}"
    kinds = {s["kind"] for s in plan["steps"]}
    assert {"tls-endpoint", "ssh-endpoint", "certificate", "source-file", "software"} <= kinds


def test_merged_estate_steps_say_what_to_do(estate) -> None:
    res = _cli("graph", *map(str, estate), "-f", "json", "--as-of", TODAY.isoformat())
    steps = {s["kind"]: s for s in json.loads(res.stdout)["steps"] if s["part"] != "authentication"}
    assert steps["tls-endpoint"]["action"].startswith("enable X25519MLKEM768 on this endpoint")
    assert "enable sntrup761x25519-sha512 first in KexAlgorithms now" in steps["ssh-endpoint"]["action"] \
        or "enable mlkem768x25519-sha256 first in KexAlgorithms" in steps["ssh-endpoint"]["action"]
    assert steps["tls-endpoint"]["reasons"][0].startswith("harvest now, decrypt later")


def test_assessed_steps_carry_the_worst_severity(scanned: Inventory) -> None:
    plan = make_plan(build_graph(scanned, assess(scanned, load_profiles(None), today=TODAY)), today=TODAY)
    root = plan.step(_by_name(scanned, "Test Root CA"))
    assert root is not None and root.severity in {"critical", "high", "medium", "low", "info"}
