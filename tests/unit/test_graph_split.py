"""An endpoint with both a key-exchange and an authentication problem is planned as two steps."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema

from pqscan.graph import build_graph, make_plan
from pqscan.graph import export as ex
from pqscan.model import AssetKind, Usage
from tests.unit.graph_helpers import TODAY, asset, finding, inventory, pki_chain

EP = "tls://pay.example.com:443"
RSA = {"key_bits": 2048}


def _chain_assets():
    assets = pki_chain()
    assets[0] = asset(EP, AssetKind.TLS_ENDPOINT, ("presents", "cert:leaf:pay.example.com"), ("runs", "sw:nginx"))
    assets.append(asset("sw:nginx", AssetKind.SOFTWARE, name="nginx/1.22.1"))
    return assets


def _chain_with_server(**kw):
    fs = [finding(EP, "X25519", Usage.KEY_EXCHANGE)] + [
        finding(c, "RSA", Usage.SIGNATURE, **RSA) for c in ("cert:root", "cert:int", "cert:leaf:pay.example.com")]
    return make_plan(build_graph(inventory(_chain_assets(), fs)), today=TODAY, **kw)


def test_endpoint_with_old_key_exchange_and_an_rsa_chain_gets_two_steps_with_distinct_keys() -> None:
    plan = _chain_with_server()
    parts = plan.steps_of(EP)
    assert [s.part for s in sorted(parts, key=lambda s: s.part)] == ["authentication", "key-exchange"]
    assert {s.key for s in parts} == {f"{EP}#key-exchange", f"{EP}#authentication"}
    assert len({s.key for s in plan.steps}) == len(plan.steps)


def test_key_exchange_step_waits_for_the_server_software_but_not_the_certificate_chain() -> None:
    kex = _chain_with_server().step_by_key(f"{EP}#key-exchange")
    assert kex.depends_on == ("sw:nginx",) and kex.depends_on_steps == ("sw:nginx",)
    assert kex.title == f"Enable X25519MLKEM768 on {EP}"
    assert "this does not wait for the new certificates" in kex.action


def test_key_exchange_step_of_an_internet_endpoint_comes_before_its_leaf_certificate() -> None:
    plan = _chain_with_server()
    order = {s.key: s.order for s in plan.steps}
    assert order["sw:nginx"] < order[f"{EP}#key-exchange"] < order["cert:leaf:pay.example.com"]


def test_certificate_step_follows_the_whole_chain_and_says_to_deploy_it() -> None:
    plan = _chain_with_server()
    order = {s.key: s.order for s in plan.steps}
    auth = plan.step_by_key(f"{EP}#authentication")
    assert order["cert:root"] < order["cert:int"] < order["cert:leaf:pay.example.com"] < auth.order
    assert set(auth.depends_on) == {"cert:leaf:pay.example.com", "sw:nginx"}
    assert auth.action.startswith("install the ML-DSA-65 certificate and its chain in place of CN=pay.example.com")
    assert auth.wave >= plan.step("cert:leaf:pay.example.com").wave


def test_key_exchange_mosca_lead_time_leaves_out_the_certificate_chain() -> None:
    kex = _chain_with_server().step_by_key(f"{EP}#key-exchange")
    # Y = the endpoint's own 0.25 years (nginx has no finding, so no lead time of its own), not
    # + root 2 + intermediate 0.5 + leaf 0.1 as when the endpoint waited for its chain
    assert any(r.startswith("Mosca: X + Y = 5 + 0.2 = 5.2 years") for r in kex.reasons)


def test_ssh_endpoint_splits_into_hybrid_key_exchange_and_new_host_key_steps() -> None:
    ep, key = "ssh://git.example.com:22", "key:host"
    assets = [asset(ep, AssetKind.SSH_ENDPOINT, ("has-host-key", key), ("runs", "sw:openssh"), name="git.example.com"),
              asset(key, AssetKind.HOST_KEY, name="ssh-rsa SHA256:abc"),
              asset("sw:openssh", AssetKind.SOFTWARE, name="OpenSSH_9.2p1")]
    fs = [finding(ep, "X25519", Usage.KEY_EXCHANGE), finding(key, "RSA", Usage.AUTHENTICATION, **RSA)]
    plan = make_plan(build_graph(inventory(assets, fs)), today=TODAY)
    kex, auth = plan.step_by_key(f"{ep}#key-exchange"), plan.step_by_key(f"{ep}#authentication")
    assert kex.depends_on == ("sw:openssh",)
    assert "enable sntrup761x25519-sha512 first in KexAlgorithms now" in kex.action
    assert key in auth.depends_on and auth.title == f"Deploy new host keys on {ep}"


def test_endpoint_whose_certificate_needs_no_work_stays_one_step() -> None:
    assets = [asset(EP, AssetKind.TLS_ENDPOINT, ("presents", "cert:leaf")), asset("cert:leaf", AssetKind.CERTIFICATE)]
    fs = [finding(EP, "X25519", Usage.KEY_EXCHANGE), finding("cert:leaf", "ML-DSA-65", Usage.SIGNATURE)]
    plan = make_plan(build_graph(inventory(assets, fs)), today=TODAY)
    assert [(s.key, s.part) for s in plan.steps] == [(EP, "")]


def test_what_depends_on_a_split_endpoint_waits_for_both_of_its_steps() -> None:
    assets = pki_chain() + [asset("svc:payments", AssetKind.SERVICE, ("part-of", EP))]
    assets[0] = asset(EP, AssetKind.TLS_ENDPOINT, ("presents", "cert:leaf:pay.example.com"), ("part-of", "svc:pay"))
    assets.append(asset("svc:pay", AssetKind.SERVICE))
    fs = [finding(EP, "X25519", Usage.KEY_EXCHANGE), finding("cert:leaf:pay.example.com", "RSA", Usage.SIGNATURE, **RSA),
          finding("svc:pay", "RSA", Usage.SIGNATURE, **RSA)]
    plan = make_plan(build_graph(inventory(assets, fs)), today=TODAY)
    svc = plan.step("svc:pay")
    assert svc.depends_on == (EP,)
    assert svc.depends_on_steps == (f"{EP}#key-exchange", f"{EP}#authentication")
    assert all(s.order < svc.order for s in plan.steps_of(EP))


def test_split_plan_validates_and_every_dependency_key_comes_first() -> None:
    data = json.loads(ex.plan_json(_chain_with_server()))
    schema = json.loads(resources.files("pqscan").joinpath("schemas/plan.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    seen: set[str] = set()
    for step in data["steps"]:
        assert set(step["depends_on_steps"]) <= seen
        seen.add(step["key"])


def test_exports_show_both_steps_of_a_split_endpoint() -> None:
    plan = _chain_with_server()
    kex, auth = plan.step_by_key(f"{EP}#key-exchange"), plan.step_by_key(f"{EP}#authentication")
    table = ex.table(plan)
    assert f"{EP} [kex]" in table and f"{EP} [auth]" in table
    label = f"{kex.order} key exchange, {auth.order} authentication: "
    graph = build_graph(inventory(_chain_assets()))
    assert label in ex.dot(graph, plan) and label in ex.mermaid(graph, plan)
    node = ex.export_graph(graph, plan).nodes[EP]
    assert node["parts"] == "key-exchange,authentication" and node["action"].startswith("key-exchange: enable")


def test_certificate_step_of_a_cnsa_endpoint_names_the_cnsa_signature() -> None:
    from pqscan.model import Severity
    from tests.unit.graph_helpers import StandInAssessment, StandInVerdict

    fs = [finding(EP, "X25519", Usage.KEY_EXCHANGE), finding("cert:leaf:pay.example.com", "RSA", Usage.SIGNATURE, **RSA)]
    verdicts = {f.id: StandInVerdict(f.id, "cnsa-2.0", "disallowed", Severity.HIGH, "not CNSA 2.0", None,
                                     f.usage is Usage.KEY_EXCHANGE, False) for f in fs}
    graph = build_graph(inventory(_chain_assets(), fs), StandInAssessment(verdicts))
    plan = make_plan(graph, today=TODAY)
    assert plan.step_by_key(f"{EP}#key-exchange").title == f"Enable SecP384r1MLKEM1024 on {EP}"
    assert plan.step_by_key(f"{EP}#authentication").action.startswith("install the ML-DSA-87 certificate")
