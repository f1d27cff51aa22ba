from __future__ import annotations

import pytest

from pqscan.errors import InputError
from pqscan.graph import build_graph, load_services, parse_services
from pqscan.graph.build import INFERRED_CONFIG_NEEDS_SOFTWARE
from pqscan.graph.services import Exposure, host_is_internal, host_of
from pqscan.model import AssetKind, Usage
from tests.unit.graph_helpers import asset, finding, inventory, pki_chain


def test_edges_point_from_dependant_to_dependency_along_a_certificate_chain() -> None:
    g = build_graph(inventory(pki_chain()))
    assert g.dependencies("tls://pay.example.com:443") == ["cert:leaf:pay.example.com"]
    assert g.dependencies("cert:leaf:pay.example.com") == ["cert:int"]
    assert g.dependencies("cert:int") == ["cert:root"]
    assert g.edge_kinds("cert:int", "cert:root") == ("issued-by",)


def test_certificate_roles_follow_the_chain() -> None:
    g = build_graph(inventory(pki_chain()))
    roles = {n: g.nodes[n].role for n in ("cert:root", "cert:int", "cert:leaf:pay.example.com")}
    assert roles == {"cert:root": "root-ca", "cert:int": "intermediate-ca",
                     "cert:leaf:pay.example.com": "leaf-certificate"}


def test_relation_to_an_asset_not_in_the_inventory_becomes_a_missing_placeholder() -> None:
    g = build_graph(inventory(pki_chain()[:3]))  # the root was not sent by the server
    node = g.nodes["cert:root"]
    assert node.missing and node.kind == "missing"
    assert g.dependencies("cert:int") == ["cert:root"]


def test_private_key_comes_before_the_certificate_that_matches_it() -> None:
    inv = inventory([asset("key:sha256:k", AssetKind.PRIVATE_KEY, ("matches-key", "cert:c")),
                     asset("cert:c", AssetKind.CERTIFICATE)])
    g = build_graph(inv)
    assert g.dependencies("cert:c") == ["key:sha256:k"]


def test_config_of_an_endpoint_depends_on_the_software_it_runs() -> None:
    inv = inventory([asset("tls://h:443", AssetKind.TLS_ENDPOINT, ("runs", "sw:nginx"), ("configured-by", "file:n.conf")),
                     asset("sw:nginx", AssetKind.SOFTWARE), asset("file:n.conf", AssetKind.CONFIG)])
    g = build_graph(inv)
    assert g.edge_kinds("file:n.conf", "sw:nginx") == (INFERRED_CONFIG_NEEDS_SOFTWARE,)


def test_nodes_carry_their_findings() -> None:
    inv = inventory(pki_chain(), [finding("cert:int", "RSA", Usage.SIGNATURE, key_bits=2048)])
    g = build_graph(inv)
    assert [f.algorithm for f in g.nodes["cert:int"].findings] == ["RSA"]
    assert g.nodes["cert:int"].verdicts == (None,)


def test_focus_keeps_upstream_and_downstream_only() -> None:
    inv = inventory(pki_chain() + pki_chain("other.example.com", root="cert:root2", inter="cert:int2"))
    sub = build_graph(inv).focus("cert:int")
    assert set(sub.nodes) == {"tls://pay.example.com:443", "cert:leaf:pay.example.com", "cert:int", "cert:root"}


def test_services_file_maps_hosts_and_paths_to_a_service() -> None:
    services = parse_services({"service": [
        {"name": "payments", "owner": "team-pay", "match": ["*.pay.example.com", "file:/srv/pay/*"],
         "shelf_life_years": 10, "exposure": "internet"}]})
    inv = inventory([asset("tls://api.pay.example.com:443", AssetKind.TLS_ENDPOINT),
                     asset("file:/srv/pay/app.py", AssetKind.SOURCE_FILE),
                     asset("file:/srv/other.py", AssetKind.SOURCE_FILE)])
    g = build_graph(inv, services=services)
    assert g.nodes["tls://api.pay.example.com:443"].service.owner == "team-pay"
    assert g.nodes["file:/srv/pay/app.py"].service.exposure is Exposure.INTERNET
    assert g.nodes["file:/srv/other.py"].service is None


def test_services_file_with_a_bad_exposure_names_the_key(tmp_path) -> None:
    p = tmp_path / "services.toml"
    p.write_text('[[service]]\nname = "x"\nmatch = ["*"]\nexposure = "public"\n')
    with pytest.raises(InputError, match=r"service\[0\]\.exposure"):
        load_services(p)


def test_no_services_file_gives_the_defaults() -> None:
    s = load_services(None)
    assert s.shelf_life_years == 5.0 and s.services == ()


@pytest.mark.parametrize(("asset_id", "internal"), [
    ("tls://127.0.0.1:443", True), ("tls://[::1]:8443", True), ("tls://10.1.2.3:443", True),
    ("tls://db.internal:5432", True), ("tls://example.com:443", False), ("tls://8.8.8.8:443", False),
])
def test_endpoint_hosts_are_classified_internal_or_internet(asset_id: str, internal: bool) -> None:
    assert host_is_internal(host_of(asset_id)) is internal
