from __future__ import annotations

import datetime as dt

from pqscan.assess.engine import assess
from pqscan.assess.profiles import load_profiles
from pqscan.graph import build_graph, parse_services, score_graph
from pqscan.model import AssetKind, Severity, Usage
from tests.unit.graph_helpers import TODAY, StandInAssessment, StandInVerdict, asset, finding, inventory, pki_chain


def _risks(inv, assessment=None, services=None, crqc_year=2035):
    return score_graph(build_graph(inv, assessment, services), crqc_year=crqc_year, today=TODAY).risks


def test_x25519_on_an_internet_endpoint_is_harvest_now_decrypt_later() -> None:
    inv = inventory(pki_chain(), [finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE)])
    r = _risks(inv)["tls://pay.example.com:443"]
    assert r.hndl and r.internet
    assert r.reasons[0].startswith("harvest now, decrypt later: X25519 key exchange/encryption recorded today")
    assert "reachable from the internet" in r.reasons


def test_hybrid_key_exchange_needs_no_work() -> None:
    inv = inventory(pki_chain(), [finding("tls://pay.example.com:443", "X25519MLKEM768", Usage.KEY_EXCHANGE)])
    r = _risks(inv)["tls://pay.example.com:443"]
    assert not r.needs_action and r.score == 0
    assert r.reasons == ("no quantum-vulnerable finding: nothing to migrate here",)


def test_root_ca_signature_is_already_exposed_by_mosca() -> None:
    inv = inventory(pki_chain(), [finding("cert:root", "RSA", Usage.SIGNATURE, key_bits=4096)])
    r = _risks(inv)["cert:root"]
    assert r.mosca_exposed
    assert "RSA signature protects a root CA, trusted for about 20 years more" in r.reasons[0]
    assert any(x.startswith("Mosca: X + Y = 20 + 2 = 22 years >= Z = 8.1 years") for x in r.reasons)


def test_leaf_signature_outweighed_by_root_signature() -> None:
    fs = [finding("cert:root", "RSA", Usage.SIGNATURE, key_bits=4096),
          finding("cert:leaf:pay.example.com", "RSA", Usage.SIGNATURE, key_bits=2048)]
    risks = _risks(inventory(pki_chain(), fs))
    assert risks["cert:root"].score > risks["cert:leaf:pay.example.com"].score


def test_leaf_lifetime_comes_from_its_not_after_date() -> None:
    assets = pki_chain()
    assets[1] = asset("cert:leaf:pay.example.com", AssetKind.CERTIFICATE, ("issued-by", "cert:int"),
                      is_ca=False, not_after="2027-05-25T00:00:00Z")
    inv = inventory(assets, [finding("cert:leaf:pay.example.com", "RSA", Usage.SIGNATURE, key_bits=2048)])
    r = _risks(inv)["cert:leaf:pay.example.com"]
    assert "a leaf certificate valid until 2027-05-25, trusted for about 0.5 years more" in r.reasons[0]


def test_classically_broken_algorithm_scores_100_and_is_immediate() -> None:
    inv = inventory(pki_chain(), [finding("cert:int", "SHA-1", Usage.SIGNATURE)])
    r = _risks(inv)["cert:int"]
    assert r.score == 100 and r.immediate
    assert r.reasons[0] == "SHA-1 is broken today, without a quantum computer: replace it now"


def test_longer_shelf_life_from_the_services_file_raises_the_score() -> None:
    inv = inventory(pki_chain(), [finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE)])
    long = parse_services({"service": [{"name": "health", "match": ["pay.example.com"], "shelf_life_years": 25}]})
    short = _risks(inv)["tls://pay.example.com:443"]
    kept = _risks(inv, services=long)["tls://pay.example.com:443"]
    assert kept.mosca_exposed and not short.mosca_exposed
    assert kept.score > short.score
    assert "data must stay secret 25 years" in kept.reasons[0]


def test_earlier_crqc_year_exposes_more() -> None:
    inv = inventory(pki_chain(), [finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE)])
    assert _risks(inv, crqc_year=2030)["tls://pay.example.com:443"].mosca_exposed
    assert not _risks(inv, crqc_year=2040)["tls://pay.example.com:443"].mosca_exposed


def test_loopback_endpoint_is_not_internet_exposed() -> None:
    inv = inventory(pki_chain("127.0.0.1"), [finding("tls://127.0.0.1:443", "X25519", Usage.KEY_EXCHANGE)])
    r = _risks(inv)["tls://127.0.0.1:443"]
    assert not r.internet and not any("internet" in x for x in r.reasons)


def test_internet_exposure_flows_down_to_the_certificates_an_endpoint_presents() -> None:
    inv = inventory(pki_chain(), [finding("cert:int", "RSA", Usage.SIGNATURE, key_bits=2048)])
    r = _risks(inv)["cert:int"]
    assert "reachable from the internet through tls://pay.example.com:443" in r.reasons


def test_blast_radius_counts_transitive_dependants_once() -> None:
    assets = pki_chain("a.example.com") + pki_chain("b.example.com")[:2]
    inv = inventory(assets, [finding("cert:root", "RSA", Usage.SIGNATURE, key_bits=4096)])
    r = _risks(inv)["cert:root"]
    assert r.blast_radius == 5 and r.blast_radius_exact
    assert "5 assets depend on it, directly or through others" in r.reasons


def test_deadline_from_the_assessment_is_a_reason() -> None:
    f = finding("tls://pay.example.com:443", "X25519", Usage.KEY_EXCHANGE)
    v = StandInVerdict(f.id, "nist-ir-8547", "compliant", Severity.HIGH, "X25519 key exchange", dt.date(2035, 12, 31),
                       True, False)
    r = _risks(inventory(pki_chain(), [f]), StandInAssessment({f.id: v}))["tls://pay.example.com:443"]
    assert r.deadline == dt.date(2035, 12, 31)
    assert "nist-ir-8547: X25519 deadline 2035-12-31 (in 9.1 years)" in r.reasons


def test_passed_deadline_is_immediate() -> None:
    f = finding("cert:int", "RSA", Usage.SIGNATURE, key_bits=2048)
    v = StandInVerdict(f.id, "asd-ism", "disallowed", Severity.HIGH, "RSA", dt.date(2026, 1, 1), False, False)
    r = _risks(inventory(pki_chain(), [f]), StandInAssessment({f.id: v}))["cert:int"]
    assert r.immediate
    assert "asd-ism: RSA is disallowed since 2026-01-01" in r.reasons


def test_real_assessment_rsa_compliant_until_a_deadline_still_needs_migration() -> None:
    inv = inventory(pki_chain(), [finding("cert:int", "RSA", Usage.SIGNATURE, key_bits=3072)])
    assessment = assess(inv, load_profiles(["nist-ir-8547"]), today=TODAY)
    r = _risks(inv, assessment)["cert:int"]
    assert r.needs_action and r.deadline is not None and r.deadline.year == 2035


def test_blast_radius_beyond_the_walk_limit_is_an_upper_bound_said_so(monkeypatch) -> None:
    import pqscan.graph.topology as topology

    monkeypatch.setattr(topology, "BLAST_NODE_LIMIT", 2)  # stands for a graph too dense to walk exactly
    assets = pki_chain("a.example.com") + pki_chain("b.example.com")[:2]
    r = _risks(inventory(assets, [finding("cert:root", "RSA", Usage.SIGNATURE, key_bits=4096)]))["cert:root"]
    assert not r.blast_radius_exact
    assert "about 5 assets depend on it, directly or through others" in r.reasons


def test_endpoint_that_also_offers_a_hybrid_group_is_only_exposed_through_fallback() -> None:
    ep = "tls://pay.example.com:443"
    only = _risks(inventory(pki_chain(), [finding(ep, "X25519", Usage.KEY_EXCHANGE)]))[ep]
    both = _risks(inventory(pki_chain(), [finding(ep, "X25519", Usage.KEY_EXCHANGE),
                                          finding(ep, "X25519MLKEM768", Usage.KEY_EXCHANGE)]))[ep]
    assert both.score < only.score
    assert "already offers X25519MLKEM768: only peers without post-quantum support fall back to X25519" in both.reasons
