from __future__ import annotations

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqscan.graph import build_graph, make_plan
from pqscan.model import AssetKind, Usage
from tests.unit.graph_helpers import TODAY, asset, finding, inventory, pki_chain


def _plan(inv, **kw):
    return make_plan(build_graph(inv), today=TODAY, **kw)


def _order(plan) -> list[str]:
    return [s.key for s in plan.steps]


RSA_SIG = {"key_bits": 2048}


def test_chain_migrates_root_then_intermediate_then_leaf_then_endpoint() -> None:
    fs = [finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE)] + [
        finding(c, "RSA", Usage.SIGNATURE, **RSA_SIG) for c in ("cert:root", "cert:int", "cert:leaf:pay.example.com")]
    order = _order(_plan(inventory(pki_chain(), fs)))
    chain = ["cert:root", "cert:int", "cert:leaf:pay.example.com", "tls://pay.example.com:443#authentication"]
    assert [k for k in order if k in chain] == chain
    assert "tls://pay.example.com:443#key-exchange" in order


def test_shared_root_comes_before_every_chain_it_anchors() -> None:
    assets = pki_chain("a.example.com") + pki_chain("b.example.com", leaf="cert:leaf:b")
    fs = [finding(a.id, "RSA", Usage.SIGNATURE, **RSA_SIG) for a in assets if a.kind is AssetKind.CERTIFICATE]
    order = _order(_plan(inventory(assets, fs)))
    assert order[0] == "cert:root" and order[1] == "cert:int"
    assert set(order[2:]) == {"cert:leaf:a.example.com", "cert:leaf:b"}


def test_library_upgrade_precedes_every_code_file_that_uses_it() -> None:
    dep = "dep:pypi/cryptography@41.0.7"
    assets = [asset(dep, AssetKind.DEPENDENCY, name="cryptography")] + [
        asset(f"file:src/m{i}.py", AssetKind.SOURCE_FILE, ("uses", dep)) for i in range(3)]
    fs = [finding(f"file:src/m{i}.py", "RSA", Usage.KEY_GENERATION, line=3, symbol="rsa.generate_private_key",
                  key_bits=2048) for i in range(3)]
    plan = _plan(inventory(assets, fs))
    assert _order(plan)[0] == dep
    assert plan.steps[0].action == "upgrade cryptography (now 41.0.7) to >= 48: ML-KEM and ML-DSA with the bundled OpenSSL 3.5+"
    assert all(s.depends_on == (dep,) for s in plan.steps[1:])
    assert "after upgrading cryptography, replace rsa.generate_private_key (RSA) at line 3 with ML-KEM-768" \
        in plan.steps[1].action


def test_a_maven_library_is_upgraded_to_its_floor_whatever_its_group() -> None:
    dep = "dep:maven/org.bouncycastle:bcprov-jdk18on@1.78.1"
    assets = [asset(dep, AssetKind.DEPENDENCY, name="org.bouncycastle:bcprov-jdk18on"),
              asset("file:src/A.java", AssetKind.SOURCE_FILE, ("uses", dep))]
    fs = [finding("file:src/A.java", "RSA", Usage.KEY_GENERATION, line=3, symbol="KeyPairGenerator", key_bits=2048)]
    plan = _plan(inventory(assets, fs))
    assert plan.steps[0].action == ("upgrade org.bouncycastle:bcprov-jdk18on (now 1.78.1) to >= 1.80: ML-KEM, ML-DSA, "
                                    "SLH-DSA and X25519MLKEM768 in BCJSSE")


def test_server_software_precedes_its_tls_config_and_the_endpoint() -> None:
    assets = [asset("tls://h.example.com:443", AssetKind.TLS_ENDPOINT, ("runs", "sw:nginx"), ("configured-by", "file:n.conf")),
              asset("sw:nginx", AssetKind.SOFTWARE, name="nginx/1.22.1"), asset("file:n.conf", AssetKind.CONFIG)]
    plan = _plan(inventory(assets, [finding("tls://h.example.com:443", "X25519", Usage.KEY_EXCHANGE)]))
    assert _order(plan) == ["sw:nginx", "file:n.conf", "tls://h.example.com:443"]
    assert plan.steps[2].action.startswith("enable X25519MLKEM768 on this endpoint (keep X25519 as fallback); "
                                           "needs OpenSSL >= 3.5")


def test_riskier_chain_goes_first_among_independent_work() -> None:
    assets = [asset("tls://low.example.com:443", AssetKind.TLS_ENDPOINT),
              asset("tls://10.0.0.1:443", AssetKind.TLS_ENDPOINT)]
    fs = [finding("tls://10.0.0.1:443", "X25519", Usage.KEY_EXCHANGE),
          finding("tls://low.example.com:443", "X25519", Usage.KEY_EXCHANGE)]
    assert _order(_plan(inventory(assets, fs))) == ["tls://low.example.com:443", "tls://10.0.0.1:443"]


def test_low_risk_dependency_inherits_the_urgency_of_what_waits_for_it() -> None:
    assets = pki_chain() + [asset("file:tool.py", AssetKind.SOURCE_FILE)]
    fs = [finding("cert:root", "RSA", Usage.SIGNATURE, **RSA_SIG), finding("file:tool.py", "SHA-1", Usage.SIGNATURE)]
    fs.append(finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE))
    plan = _plan(inventory(assets, fs))
    root = plan.step("cert:root")
    assert root.priority >= plan.step("tls://pay.example.com:443").risk


def test_ties_are_broken_by_asset_id() -> None:
    assets = [asset(f"tls://h{i}.example.com:443", AssetKind.TLS_ENDPOINT) for i in (3, 1, 2)]
    fs = [finding(a.id, "X25519", Usage.KEY_EXCHANGE) for a in assets]
    assert _order(_plan(inventory(assets, fs))) == [f"tls://h{i}.example.com:443" for i in (1, 2, 3)]


def test_cycle_is_reported_and_planned_as_one_block() -> None:
    assets = [asset("file:a.py", AssetKind.SOURCE_FILE, ("depends-on", "file:b.py")),
              asset("file:b.py", AssetKind.SOURCE_FILE, ("depends-on", "file:a.py")),
              asset("file:c.py", AssetKind.SOURCE_FILE, ("depends-on", "file:a.py"))]
    fs = [finding(a.id, "RSA", Usage.KEY_GENERATION, key_bits=2048) for a in assets]
    plan = _plan(inventory(assets, fs))
    assert plan.cycles == [["file:a.py", "file:b.py"]]
    assert _order(plan)[-1] == "file:c.py"
    assert any(r.startswith("in a dependency cycle with file:b.py") for r in plan.step("file:a.py").reasons)


def test_missing_issuer_is_a_step_before_its_dependants() -> None:
    fs = [finding("cert:int", "RSA", Usage.SIGNATURE, **RSA_SIG)]
    plan = _plan(inventory(pki_chain()[:3], fs))
    assert _order(plan)[:2] == ["cert:root", "cert:int"]
    assert plan.steps[0].title == "Find and scan cert:root"
    assert plan.missing == ["cert:root"]


def test_waves_never_put_a_dependency_after_its_dependant() -> None:
    fs = [finding("cert:leaf:pay.example.com", "SHA-1", Usage.SIGNATURE),
          finding("cert:root", "RSA", Usage.SIGNATURE, **RSA_SIG)]
    plan = _plan(inventory(pki_chain(), fs))
    assert plan.step("cert:root").wave == 1 and plan.step("cert:leaf:pay.example.com").wave == 1


def test_effort_override_from_the_services_file() -> None:
    from pqscan.graph import parse_services

    services = parse_services({"effort": {"root-ca": 60}})
    fs = [finding("cert:root", "RSA", Usage.SIGNATURE, **RSA_SIG)]
    plan = make_plan(build_graph(inventory(pki_chain(), fs), services=services), today=TODAY)
    assert plan.step("cert:root").effort_days == 60


# -- properties -------------------------------------------------------------------------------

_KINDS = [AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT, AssetKind.CERTIFICATE, AssetKind.SOURCE_FILE,
          AssetKind.DEPENDENCY]
_RELS = ["depends-on", "presents", "has-host-key", "runs"]
_ALGS = ["X25519", "RSA", "ML-KEM-768", "SHA-1", "ECDSA-P256"]


@st.composite
def inventories(draw):
    n = draw(st.integers(2, 14))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(_RELS)),
                          max_size=3 * n))
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=n, max_size=n))
    algs = draw(st.lists(st.sampled_from(_ALGS), min_size=n, max_size=n))
    rels: dict[int, list[tuple[str, str]]] = {i: [] for i in range(n)}
    for a, b, kind in edges:
        rels[a].append((kind, f"file:n{b:02d}"))
    assets = [asset(f"file:n{i:02d}", kinds[i], *rels[i]) for i in range(n)]
    fs = [finding(f"file:n{i:02d}", algs[i], Usage.KEY_EXCHANGE if i % 2 else Usage.SIGNATURE, key_bits=2048)
          for i in range(n)]
    # endpoints get a key-exchange finding too, so many of them are split into two steps
    fs += [finding(a.id, "X25519", Usage.KEY_EXCHANGE) for a in assets if a.kind in _ENDPOINTS]
    return assets, fs


_ENDPOINTS = (AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT)
_CREDENTIALS = {"presents", "has-host-key"}


def _waits_for(graph, step) -> set[str]:
    """Every asset a step must wait for: all it reaches, except that the key-exchange half of a split
    endpoint does not wait for its certificates / host keys (but waits for everything else)."""
    g, a = graph.graph, step.asset_id
    if step.part != "key-exchange":
        return nx.descendants(g, a)
    starts = [b for b in g.successors(a) if not _CREDENTIALS & set(g.edges[a, b]["kinds"])]
    return set(starts).union(*(nx.descendants(g, b) for b in starts))


def _check_dependencies_first(plan, graph) -> None:
    last = {s.asset_id: s.order for s in plan.steps}
    keys = {s.key: s.order for s in plan.steps}
    assert len(keys) == len(plan.steps), "step keys are unique"
    scc = nx.condensation(graph.graph).graph["mapping"]
    for s in plan.steps:
        for b in _waits_for(graph, s):
            if b in last and scc[b] != scc[s.asset_id]:
                assert last[b] < s.order, f"every step of {b} must come before {s.key}"
        for k in s.depends_on_steps:
            assert keys[k] < s.order
        for d in s.depends_on:
            assert last[d] < s.order
            assert scc[d] != scc[s.asset_id]
    for s in plan.steps:
        if s.part:
            assert {p.part for p in plan.steps_of(s.asset_id)} == {"key-exchange", "authentication"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_every_dependency_precedes_its_dependants(data) -> None:
    assets, fs = data
    graph = build_graph(inventory(assets, fs))
    _check_dependencies_first(make_plan(graph, today=TODAY), graph)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.data())
def test_removing_an_asset_never_reorders_unrelated_ones(data, pick) -> None:
    assets, fs = data
    graph = build_graph(inventory(assets, fs))
    before = _order(make_plan(graph, today=TODAY))
    gone = pick.draw(st.sampled_from([a.id for a in assets]))
    component = nx.node_connected_component(graph.graph.to_undirected(as_view=True), gone)
    kept_assets = [a for a in assets if a.id != gone]
    after = _order(_plan(inventory(kept_assets, [f for f in fs if f.asset_id != gone])))
    unrelated = [x for x in before if x.removesuffix("#key-exchange").removesuffix("#authentication") not in component]
    assert [x for x in after if x in set(unrelated)] == unrelated


def test_empty_inventory_gives_an_empty_plan() -> None:
    plan = _plan(inventory([]))
    assert plan.steps == [] and plan.waves == [] and plan.cycles == []
    assert plan.to_dict()["summary"] == {"steps": 0, "effort_days": 0, "cycles": 0, "missing_assets": 0}


def test_finding_on_an_asset_not_in_the_inventory_gets_a_placeholder_step() -> None:
    plan = _plan(inventory([], [finding("tls://ghost.example.com:443", "X25519", Usage.KEY_EXCHANGE)]))
    assert _order(plan) == ["tls://ghost.example.com:443"]
    assert plan.steps[0].kind == "missing"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.randoms(use_true_random=False))
def test_order_does_not_depend_on_the_order_assets_were_found_in(data, rnd) -> None:
    assets, fs = data
    shuffled_assets, shuffled_findings = list(assets), list(fs)
    rnd.shuffle(shuffled_assets)
    rnd.shuffle(shuffled_findings)
    assert _order(_plan(inventory(assets, fs))) == _order(_plan(inventory(shuffled_assets, shuffled_findings)))
