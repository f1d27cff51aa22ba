"""Report formats: CBOM validates against CycloneDX, target text is escaped everywhere,
output is deterministic, and the JSON report is the stable contract."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from pqscan.report.build import REPORT_FORMATS, prepare, render
from pqscan.report.cbom import render_cbom, validate
from pqscan.report.formats import OutputFormat
from tests.report_fixtures import HOSTILE, estate

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def inputs():
    return prepare(estate(), ["nist-ir-8547", "cnsa-2.0"], today=TODAY)


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_cbom_validates_against_the_official_cyclonedx_schema(spec: str) -> None:
    text = render_cbom(estate(), spec=spec)
    assert list(validate(text, spec)) == []
    doc = json.loads(text)
    assert doc["specVersion"] == spec


def test_cbom_of_the_same_estate_is_byte_identical_so_two_scans_diff_cleanly() -> None:
    assert render_cbom(estate()) == render_cbom(estate())


def test_cbom_lists_algorithms_certificates_protocols_and_libraries() -> None:
    doc = json.loads(render_cbom(estate()))
    kinds = {(c["type"], (c.get("cryptoProperties") or {}).get("assetType")) for c in doc["components"]}
    assert ("cryptographic-asset", "algorithm") in kinds
    assert ("cryptographic-asset", "certificate") in kinds
    assert ("cryptographic-asset", "protocol") in kinds
    assert ("library", None) in kinds
    refs = {c["bom-ref"] for c in doc["components"]}
    assert "crypto/algorithm/RSA-2048" in refs and "crypto/algorithm/X25519MLKEM768" in refs
    md5 = next(c for c in doc["components"] if c["bom-ref"] == "crypto/algorithm/MD5")
    occ = md5["evidence"]["occurrences"][0]
    assert occ["location"] == "repo/app.py" and occ["line"] == 12


def test_cbom_17_carries_the_algorithm_family_registry_name() -> None:
    doc = json.loads(render_cbom(estate(), spec="1.7"))
    fams = {c["bom-ref"]: c["cryptoProperties"]["algorithmProperties"].get("algorithmFamily")
            for c in doc["components"] if (c.get("cryptoProperties") or {}).get("assetType") == "algorithm"}
    assert fams["crypto/algorithm/MD5"] == "MD5"
    assert fams["crypto/algorithm/X25519"] == "ECDH"


def test_html_escapes_a_hostile_certificate_subject(inputs) -> None:
    page = render(inputs, OutputFormat.HTML)
    assert "<script>document.body" not in page
    assert "<img src=x" not in page
    # Embedded JSON cannot close its script element.
    for blob in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        assert "<" not in blob


def test_html_is_self_contained_and_locks_scripts_down_with_a_csp(inputs) -> None:
    page = render(inputs, OutputFormat.HTML)
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page)
    assert "Content-Security-Policy" in page and "script-src 'sha256-" in page
    assert page.count("<script>") == 1  # our one executable script; the rest are JSON data blocks


def test_markdown_escapes_table_breaking_and_markup_characters(inputs) -> None:
    text = render(inputs, OutputFormat.MARKDOWN)
    assert "<script>" not in text and "<img" not in text
    for line in text.splitlines():
        if line.startswith("|") and HOSTILE[:5] in line:
            pytest.fail("raw hostile text in a table row")


def test_json_report_contains_inventory_assessment_and_plan(inputs) -> None:
    doc = json.loads(render(inputs, OutputFormat.JSON))
    assert set(doc) >= {"schema_version", "inventory", "assessment", "plan"}
    assert len(doc["inventory"]["findings"]) == len(estate().findings)
    assert doc["plan"]["steps"]


@pytest.mark.parametrize("fmt", REPORT_FORMATS, ids=lambda f: f.value)
def test_every_report_format_renders(inputs, fmt: OutputFormat) -> None:
    assert render(inputs, fmt).strip()


def test_the_reports_show_the_assessments_readiness_for_all_selected_profiles(inputs) -> None:
    all_selected = inputs.assessment.readiness()[-1]
    assert all_selected.profile == "all"
    assert f"Readiness: {all_selected.text()}" in render(inputs, OutputFormat.MARKDOWN)


def test_cbom_17_lists_the_tls_groups_each_endpoint_accepts() -> None:
    doc = json.loads(render_cbom(estate(), spec="1.7"))
    protocol = next(c for c in doc["components"] if c["bom-ref"] == "crypto/protocol/tls://127.0.0.1:9443")
    suite = protocol["cryptoProperties"]["protocolProperties"]["cipherSuites"][0]
    assert suite["name"] == "TLS_AES_256_GCM_SHA384" and suite["identifiers"] == ["0x1302"]
    assert suite["tlsGroups"] == ["X25519MLKEM768", "x25519"]


def test_cbom_lists_the_negotiated_and_the_tls12_suite() -> None:
    doc = json.loads(render_cbom(estate()))
    protocol = next(c for c in doc["components"] if c["bom-ref"] == "crypto/protocol/tls://127.0.0.1:8443")
    names = [s["name"] for s in protocol["cryptoProperties"]["protocolProperties"]["cipherSuites"]]
    assert names == ["TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"]


def test_cbom_lists_every_enumerated_tls12_suite_in_server_order() -> None:
    from dataclasses import replace

    inv = estate()
    ep = inv.assets["tls://127.0.0.1:8443"]
    inv.assets[ep.id] = replace(ep, attributes={**ep.attributes, "tls_suites": {"TLS1.2": {
        "accepted": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"]}}})
    doc = json.loads(render_cbom(inv))
    protocol = next(c for c in doc["components"] if c["bom-ref"] == "crypto/protocol/tls://127.0.0.1:8443")
    names = {s["name"] for s in protocol["cryptoProperties"]["protocolProperties"]["cipherSuites"]}
    assert {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"} <= names


@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.HTML], ids=lambda f: f.value)
def test_terminal_control_characters_from_a_target_never_reach_the_output(fmt: OutputFormat) -> None:
    from pqscan.model import Evidence, Finding, Usage

    inv = estate()
    inv.add_finding(Finding("file:repo/app.py", "MD5", Usage.HASHING, "code",
                            evidence=Evidence("repo/\x1b[2Jevil\u202e.py", 3, 1, "hashlib.md5", "md5(\x1b]0;pwned\x07)")))
    text = render(prepare(inv, ["nist-ir-8547"], today=TODAY), fmt)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
