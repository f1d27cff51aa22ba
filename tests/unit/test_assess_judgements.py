"""The judgement layer's single decisions: exposure to harvest-now-decrypt-later, ownership, readiness,
the combined verdict across profiles, and the profile matchers added for them."""

from __future__ import annotations

import datetime

import pytest

from pqscan import algorithms
from pqscan.assess.combined import acceptable_everywhere
from pqscan.assess.engine import ComplianceStatus, assess
from pqscan.assess.exposure import Harvest, harvest, offered
from pqscan.assess.ownership import Override, Ownership, classify, parse_override
from pqscan.assess.profiles import Category, load_profile, load_profiles
from pqscan.errors import InputError, ProfileError
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Evidence, Finding, Relation, RelationKind, Severity, Usage

TODAY = datetime.date(2026, 12, 6)
A = algorithms.get


# -- exposure: one decision -----------------------------------------------------------------------


@pytest.mark.parametrize(("alg", "usage", "pq_offered", "expected"), [
    ("X25519", Usage.KEY_EXCHANGE, False, Harvest.EXPOSED),
    ("X25519", Usage.KEY_EXCHANGE, True, Harvest.FALLBACK),
    ("RSAES-PKCS1", Usage.ENCRYPTION, False, Harvest.EXPOSED),  # RSA key transport
    ("X25519MLKEM768", Usage.KEY_EXCHANGE, False, Harvest.PROTECTED),
    ("ML-KEM-768", Usage.KEY_EXCHANGE, False, Harvest.PROTECTED),
    ("ECDSA-P256", Usage.SIGNATURE, False, Harvest.NOT_APPLICABLE),  # a forgery needs the computer at the time
    ("AES-128-GCM", Usage.KEY_EXCHANGE, False, Harvest.NOT_APPLICABLE),  # a cipher never establishes a key
])
def test_harvest_exposure_of_one_use(alg: str, usage: Usage, pq_offered: bool, expected: Harvest) -> None:
    assert harvest(A(alg), usage, pq_offered=pq_offered) is expected


def test_an_endpoint_offering_a_hybrid_and_tls_1_2_is_a_fallback_not_protected() -> None:
    assert offered([A("X25519MLKEM768")]) is Harvest.PROTECTED
    assert offered([A("X25519MLKEM768")], classical_too=True) is Harvest.FALLBACK
    assert offered([A("X25519MLKEM768"), A("X25519")]) is Harvest.FALLBACK
    assert offered([A("X25519")]) is Harvest.EXPOSED
    assert offered([]) is Harvest.NOT_APPLICABLE


# -- ownership ------------------------------------------------------------------------------------


def _cert(cid: str, location: str, not_after: str = "2040-01-01T00:00:00Z") -> Asset:
    return Asset(cid, AssetKind.CERTIFICATE, location, cid, {"not_after": not_after})


@pytest.mark.parametrize(("location", "expected"), [
    ("/etc/ssl/certs/ca-certificates.crt", Ownership.VENDOR),
    ("/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt", Ownership.VENDOR),
    ("venv/lib/python3.12/site-packages/certifi/cacert.pem", Ownership.VENDOR),
    ("/usr/lib/jvm/java-17-openjdk/lib/security/cacerts", Ownership.VENDOR),
    ("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", Ownership.VENDOR),
    ("repo/tests/data/server.pem", Ownership.TEST),
    ("/abs/repo/tests/data/server.pem", Ownership.TEST),
    ("./tests/data/server.pem", Ownership.TEST),
    ("repo\\testdata\\server.pem", Ownership.TEST),
    ("repo/src/test_tls.py", Ownership.TEST),
    ("repo/node_modules/x/ca.pem", Ownership.THIRD_PARTY),
    ("repo/deploy/server.pem", Ownership.OPERATED),
])
def test_ownership_from_the_path_whatever_its_spelling(location: str, expected: Ownership) -> None:
    roles = classify({"c": _cert("c", location)}, TODAY)
    assert roles["c"].ownership is expected
    assert roles["c"].reason


def test_an_expired_certificate_is_expired_unless_an_endpoint_serves_it() -> None:
    old = _cert("old", "/srv/pki/old.pem", "2004-01-07T23:59:59Z")
    served = _cert("served", "/srv/pki/served.pem", "2004-01-07T23:59:59Z")
    endpoint = Asset("tls://a:443", AssetKind.TLS_ENDPOINT, "a:443", "a", {},
                     (Relation(RelationKind.PRESENTS, "served"),))
    roles = classify({a.id: a for a in (old, served, endpoint)}, TODAY)
    assert roles["old"].ownership is Ownership.EXPIRED and "2004-01-07" in roles["old"].reason
    assert roles["served"].ownership is Ownership.OPERATED  # you serve it: you must renew it
    assert roles["tls://a:443"].ownership is Ownership.OPERATED


def test_a_services_file_or_flag_overrides_the_evidence() -> None:
    cert = _cert("c", "/etc/ssl/certs/our-own-root.pem")
    roles = classify({"c": cert}, TODAY, [parse_override("*/our-own-root.pem=operated")])
    assert roles["c"].ownership is Ownership.OPERATED and roles["c"].overridden
    with pytest.raises(InputError):
        parse_override("no-equals-sign")
    with pytest.raises(InputError):
        parse_override("*=mine")


def test_test_material_is_reported_at_info_and_vendor_material_at_most_low() -> None:
    inv = Inventory()
    for cid, loc in (("t", "repo/tests/k.pem"), ("v", "/etc/ssl/certs/x.pem"), ("o", "/srv/k.pem")):
        inv.add_asset(_cert(cid, loc))
        inv.add_finding(Finding(cid, "RSA", Usage.SIGNATURE, "certs", {"key_bits": 1024}, Evidence(loc)))
    result = assess(inv, load_profiles(["nist-ir-8547"]), today=TODAY)
    sev = {result.finding_assets[f]: result.severity(f) for f in result.verdicts}
    assert sev == {"t": Severity.INFO, "v": Severity.LOW, "o": Severity.CRITICAL}
    assert "test material" in result.worst(next(f for f, a in result.finding_assets.items() if a == "t")).reason


# -- readiness ------------------------------------------------------------------------------------


def _estate(*uses: tuple[str, str, Usage, str]) -> Inventory:
    inv = Inventory()
    for aid, alg, usage, loc in uses:
        if aid not in inv.assets:
            inv.add_asset(Asset(aid, AssetKind.SOURCE_FILE, loc, aid))
        inv.add_finding(Finding(aid, alg, usage, "code", {}, Evidence(loc, 1)))
    return inv


def test_readiness_counts_only_what_you_operate_and_reads_as_a_share_of_ready_findings() -> None:
    inv = _estate(("a", "ML-KEM-1024", Usage.KEY_EXCHANGE, "src/a.py"),
                  ("b", "X25519", Usage.KEY_EXCHANGE, "src/b.py"),
                  ("c", "X25519", Usage.KEY_EXCHANGE, "tests/c.py"))
    ready = {r.profile: r for r in assess(inv, load_profiles(["nist-ir-8547", "cnsa-2.0"]), today=TODAY).readiness()}
    assert (ready["nist-ir-8547"].ready, ready["nist-ir-8547"].judged, ready["nist-ir-8547"].score) == (1, 2, 50)
    assert ready["all"].score == 50 and ready["all"].not_operated == {"test-material": 1}


def test_readiness_for_all_profiles_needs_every_covering_profile_to_agree() -> None:
    inv = _estate(("a", "ML-KEM-768", Usage.KEY_EXCHANGE, "src/a.py"))
    ready = {r.profile: r.score for r in assess(inv, load_profiles(["nist-ir-8547", "cnsa-2.0"]),
                                                today=TODAY).readiness()}
    assert ready == {"nist-ir-8547": 100, "cnsa-2.0": 0, "all": 0}


def test_readiness_is_not_available_when_nothing_operated_is_judged() -> None:
    inv = _estate(("a", "RSA", Usage.SIGNATURE, "tests/a.py"))
    (only, everything) = assess(inv, load_profiles(["nist-ir-8547"]), today=TODAY).readiness()
    assert only.score is None and everything.text() == "n/a"


# -- one answer across jurisdictions -----------------------------------------------------------------


def test_combined_verdict_earliest_deadline_and_what_every_profile_accepts() -> None:
    inv = _estate(("a", "X25519", Usage.KEY_EXCHANGE, "src/a.py"))
    result = assess(inv, load_profiles(["nist-ir-8547", "bsi", "us-federal-eo-2026"]), today=TODAY)
    (fid,) = result.verdicts
    joint = result.combined(fid)
    assert joint is not None
    assert joint.deadline == datetime.date(2030, 12, 31) and joint.deadline_profile == "us-federal-eo-2026"
    assert dict(joint.statuses) == {"nist-ir-8547": ComplianceStatus.COMPLIANT, "bsi": ComplianceStatus.COMPLIANT,
                                    "us-federal-eo-2026": ComplianceStatus.COMPLIANT}
    assert joint.acceptable[0] == "SecP384r1MLKEM1024"  # hybrid: BSI accepts no standalone ML-KEM
    assert "ML-KEM-1024" not in joint.acceptable
    rows = {r.profile: r for r in result.matrix()}
    assert rows["all"].next_deadline == datetime.date(2030, 12, 31)


def test_under_cnsa_the_joint_suggestions_are_cnsa_algorithms() -> None:
    profiles = load_profiles(["nist-ir-8547", "cnsa-2.0"])
    assert acceptable_everywhere(profiles, Category.KEY_ESTABLISHMENT, TODAY)[:2] == ("SecP384r1MLKEM1024", "ML-KEM-1024")
    assert acceptable_everywhere(profiles, Category.SIGNATURE, TODAY)[0] == "ML-DSA-87"


def test_a_profile_already_objecting_makes_the_joint_deadline_now() -> None:
    inv = _estate(("a", "ML-DSA-65", Usage.SIGNATURE, "src/a.py"))
    result = assess(inv, load_profiles(["nist-ir-8547", "cnsa-2.0"]), today=TODAY)
    joint = result.combined(next(iter(result.verdicts)))
    assert joint is not None and joint.status is ComplianceStatus.DISALLOWED
    assert joint.already == ("cnsa-2.0",) and joint.deadline_text({"cnsa-2.0": "CNSA 2.0"}) == "now (CNSA 2.0)"


# -- profile matchers added for the facts ------------------------------------------------------------


def _profile(tmp_path, body: str):
    path = tmp_path / "p.toml"
    path.write_text('[profile]\nid = "t"\nname = "T"\nsources = ["s"]\n' + body)
    return load_profile(str(path))


def test_key_size_and_protocol_matchers(tmp_path) -> None:
    prof = _profile(tmp_path, '[signature]\ndefault = "compliant"\n[[signature.rule]]\nfamilies = ["RSA"]\n'
                              'max_key_bits = 2999\nstatus = "disallowed"\n'
                              '[protocol]\ndefault = "compliant"\n[[protocol.rule]]\nprotocols = ["TLSv1.2"]\n'
                              'deprecated_after = 2030-01-01\n')
    (_, rule) = prof.evaluate(Category.SIGNATURE, A("RSA"), {"key_bits": 2048})
    assert rule is not None and rule.status is ComplianceStatus.DISALLOWED
    assert prof.evaluate(Category.SIGNATURE, A("RSA"), {"key_bits": 3072})[1] is None
    assert prof.evaluate(Category.SIGNATURE, A("RSA"), {})[1] is None  # size unknown: the rule cannot say
    assert prof.protocol_rule("TLS 1.2") is not None and prof.protocol_rule("TLS1.3") is None


@pytest.mark.parametrize(("body", "message"), [
    ('[protocol]\n[[protocol.rule]]\nprotocols = ["TLS9"]\n', "unknown protocol version"),
    ('[protocol]\n[[protocol.rule]]\nprotocols = ["TLS1.2"]\nfamilies = ["RSA"]\n', "cannot also match algorithms"),
    ('[signature]\n[[signature.rule]]\nmin_key_bits = 4000\nmax_key_bits = 3000\n', "can never match"),
    ('[signature]\n[[signature.rule]]\nmax_key_bits = "3000"\n', "non-negative integer"),
    ('last_verified = "yesterday"\n', "bad date"),
])
def test_profile_mistakes_are_one_line_errors(tmp_path, body: str, message: str) -> None:
    if body.startswith("last_verified"):
        path = tmp_path / "p.toml"
        path.write_text('[profile]\nid = "t"\nname = "T"\nsources = ["s"]\n' + body)
        with pytest.raises(ProfileError, match=message):
            load_profile(str(path))
        return
    with pytest.raises(ProfileError, match=message):
        _profile(tmp_path, body)


def test_override_matches_id_location_or_name() -> None:
    cert = _cert("cert:sha256:ab", "/x/y.pem")
    assert Override("cert:sha256:*", Ownership.VENDOR).matches(cert)
    assert Override("/x/*", Ownership.VENDOR).matches(cert)
    assert not Override("/z/*", Ownership.VENDOR).matches(cert)


def test_a_services_file_can_make_a_trust_store_root_yours_and_then_it_is_planned() -> None:
    from pqscan.graph import build_graph, make_plan
    from pqscan.graph.services import parse_services

    inv = Inventory()
    root = _cert("cert:sha256:ours", "/etc/ssl/certs/our-root.pem")
    inv.add_asset(root)
    inv.add_finding(Finding(root.id, "RSA", Usage.SIGNATURE, "certs", {"key_bits": 2048}, Evidence(root.location)))
    plain = make_plan(build_graph(inv, assess(inv, load_profiles(["nist-ir-8547"]), today=TODAY)), today=TODAY)
    assert not plain.steps and [x.asset_id for x in plain.track_vendors] == [root.id]

    services = parse_services({"service": [{"name": "pki", "match": ["*/our-root.pem"], "ownership": "operated"}]})
    result = assess(inv, load_profiles(["nist-ir-8547"]), today=TODAY, overrides=services.ownership_overrides())
    assert result.roles[root.id].overridden
    planned = make_plan(build_graph(inv, result, services), today=TODAY)
    assert [s.asset_id for s in planned.steps] == [root.id] and not planned.track_vendors
    with pytest.raises(InputError, match="ownership"):
        parse_services({"service": [{"name": "x", "match": ["*"], "ownership": "mine"}]})
