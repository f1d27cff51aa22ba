"""Scope of the judgement on real material: what you operate is judged and planned, the rest is listed.

* the OS trust store (Debian's ca-certificates, installed here), an expired certificate, a test key
  (CPython's own test certificate data when present) and an operated key in one scan get four
  different treatments;
* the readiness score of a repository (paramiko's source, real code others wrote) moves by at most 1
  when /etc/ssl/certs is scanned with it, and is the same however the repository path is spelled;
* ``pqscan certs /etc/ssl/certs`` then ``pqscan graph --format json`` has no wave-1 step.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pqscan.assess.engine import assess
from pqscan.assess.ownership import Ownership
from pqscan.assess.profiles import load_profiles
from pqscan.cli import cli
from pqscan.graph import build_graph, make_plan
from pqscan.inventory import load_many
from pqscan.model import Severity

TRUST_STORE = Path("/etc/ssl/certs")
CPYTHON_TEST_KEY = next(iter(sorted(Path("/root/.pyenv/versions").glob("*/lib/python3.*/test/certdata/ssl_key.pem"))), None) \
    if Path("/root/.pyenv/versions").is_dir() else None
PROFILES = ["nist-ir-8547", "cnsa-2.0", "bsi"]

needs_trust_store = pytest.mark.skipif(not (TRUST_STORE / "ca-certificates.crt").is_file(),
                                       reason="Debian's ca-certificates is not installed (/etc/ssl/certs)")


def _run(*args: str, cwd: Path | None = None) -> None:
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = CliRunner().invoke(cli, ["-q", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output


def _expired_certificate(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old.example.test")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC))
            .not_valid_after(datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC))
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _operated_key(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


@needs_trust_store
@pytest.mark.skipif(CPYTHON_TEST_KEY is None, reason="CPython's test/certdata (a real test key) is not on this machine")
def test_trust_store_expired_certificate_test_key_and_operated_key_get_four_treatments(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "tests" / "certdata").mkdir(parents=True)
    assert CPYTHON_TEST_KEY is not None
    shutil.copy(CPYTHON_TEST_KEY, repo / "tests" / "certdata" / "ssl_key.pem")
    _operated_key(repo / "deploy" / "server.key")
    _expired_certificate(repo / "deploy" / "old.pem")
    out = tmp_path / "inv.json"
    _run("certs", str(repo), str(TRUST_STORE / "ca-certificates.crt"), "-o", str(out))
    inventory = load_many([out])
    assessment = assess(inventory, load_profiles(PROFILES))

    def role_of(fragment: str) -> Ownership:
        ids = {a.id for a in inventory.assets.values() if fragment in a.location}
        roles = {assessment.roles[i].ownership for i in ids}
        assert len(roles) == 1, (fragment, roles)
        return roles.pop()

    assert role_of("ca-certificates.crt") is Ownership.VENDOR
    assert role_of("deploy/old.pem") is Ownership.EXPIRED
    assert role_of("tests/certdata/ssl_key.pem") is Ownership.TEST
    assert role_of("deploy/server.key") is Ownership.OPERATED

    test_findings = [f for f in inventory.findings if "tests/certdata" in f.evidence.location]
    assert test_findings and all(assessment.severity(f.id) is Severity.INFO for f in test_findings)
    assert all("test material" in assessment.worst(f.id).reason for f in test_findings)

    plan = make_plan(build_graph(inventory, assessment))
    step_locations = {inventory.assets[s.asset_id].location for s in plan.steps if s.asset_id in inventory.assets}
    assert any(loc.endswith("deploy/server.key") for loc in step_locations)  # operated: a migration step
    assert not any("ca-certificates" in loc or "old.pem" in loc or "tests/" in loc for loc in step_locations)
    listed = {o: {inventory.assets[x.asset_id].location for x in xs} for o, xs in plan.not_operated.items()}
    assert any("ca-certificates.crt" in loc for loc in listed[Ownership.VENDOR])  # track your vendors
    assert any(loc.endswith("deploy/old.pem") for loc in listed[Ownership.EXPIRED])  # remove or renew
    assert any("tests/certdata" in loc for loc in listed[Ownership.TEST])  # information only


def _paramiko_repo(tmp_path: Path) -> Path:
    paramiko = pytest.importorskip("paramiko", reason="paramiko (the real repository scanned here) is not installed")
    repo = tmp_path / "work" / "repo"
    shutil.copytree(Path(paramiko.__file__).parent, repo / "paramiko",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return repo


def _readiness(inventory_path: Path) -> dict[str, int | None]:
    assessment = assess(load_many([inventory_path]), load_profiles(PROFILES))
    return {r.profile: r.score for r in assessment.readiness()}


@needs_trust_store
def test_readiness_is_stable_when_the_os_trust_store_is_added_and_whatever_the_path_spelling(tmp_path: Path) -> None:
    repo = _paramiko_repo(tmp_path)
    work = repo.parent
    alone, with_store, absolute, dotted = (tmp_path / n for n in ("alone.json", "store.json", "abs.json", "dot.json"))
    _run("scan", "repo", "-o", str(alone), cwd=work)
    _run("scan", "repo", str(TRUST_STORE), "-o", str(with_store), cwd=work)
    _run("scan", str(repo.resolve()), "-o", str(absolute))
    _run("scan", ".", "-o", str(dotted), cwd=repo)

    base = _readiness(alone)
    assert base["all"] is not None and load_many([with_store]).findings  # something was judged
    assert len(load_many([with_store]).findings) > len(load_many([alone]).findings) + 100  # the store was scanned
    for other in (with_store, absolute, dotted):
        scores = _readiness(other)
        for profile, score in base.items():
            assert score is not None and scores[profile] is not None
            assert abs(scores[profile] - score) <= 1, (other.name, profile, score, scores[profile])


@needs_trust_store
def test_the_os_trust_store_alone_gives_no_wave_1_step(tmp_path: Path) -> None:
    inv, graph = tmp_path / "certs.json", tmp_path / "graph.json"
    _run("certs", str(TRUST_STORE), "-o", str(inv))
    _run("graph", str(inv), "--format", "json", "-o", str(graph))
    plan = json.loads(graph.read_text())
    plan = plan.get("plan", plan)
    assert not [s for s in plan["steps"] if s["wave"] == 1]
    vendors = plan["not_operated"]["vendor-managed"]["assets"]
    assert len(vendors) >= 100  # Debian ships well over a hundred roots: all of them on the vendor list
