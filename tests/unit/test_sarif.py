"""SARIF 2.1.0 output: valid against the official OASIS schema, GitHub-shaped, stable fingerprints."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from pqscan.assess.engine import assess
from pqscan.assess.profiles import load_profiles
from pqscan.collect import config, deps
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, ErrorKind, Evidence, Finding, ScanError, Severity, Usage
from pqscan.report.sarif import FINGERPRINT_KEY, LEVEL, render_sarif, render_sarif_text

DATA = Path(__file__).parent.parent / "data"
SCHEMA = json.loads((DATA / "schemas" / "sarif-schema-2.1.0.json").read_text())
TODAY = datetime.date(2026, 11, 25)


def _validate(doc):
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def _code_finding(line=12, location="src/app/keys.py"):
    return Finding("file:" + location, "RSA", Usage.KEY_GENERATION, "code", {"key_bits": 2048},
                   Evidence(location, line, 9, "rsa.generate_private_key", "key = rsa.generate_private_key(65537, 2048)"))


def _inventory(*findings, errors=()):
    inv = Inventory(targets=["."])
    inv.add_asset(Asset("tls://127.0.0.1:8443", AssetKind.TLS_ENDPOINT, "127.0.0.1:8443"))
    for f in findings:
        if f.asset_id not in inv.assets:
            inv.add_asset(Asset(f.asset_id, AssetKind.SOURCE_FILE, f.evidence.location))
        inv.add_finding(f)
    for e in errors:
        inv.add_error(e)
    return inv


def _tls_finding():
    return Finding("tls://127.0.0.1:8443", "X25519", Usage.KEY_EXCHANGE, "tls", {},
                   Evidence("127.0.0.1:8443", symbol="supported_groups", detail="server selected X25519"))


def _unknown_finding():
    return Finding("file:etc/site.conf", "unknown", Usage.UNKNOWN, "config",
                   {"raw_identifier": "HIGH", "unknown_reason": "keyword"}, Evidence("etc/site.conf", 3, None, "ssl_ciphers"))


@pytest.fixture(scope="module")
def profiles():
    return load_profiles(["nist-ir-8547"])


def _render(inv, profiles, **kw):
    return render_sarif(inv, assess(inv, profiles, TODAY), **kw)


def test_mixed_inventory_is_valid_sarif_2_1_0(profiles):
    inv = _inventory(_code_finding(), _tls_finding(), _unknown_finding(),
                     errors=[ScanError("src/bad.py", "parse", ErrorKind.PARSE_ERROR, "syntax error", "code")])
    _validate(_render(inv, profiles))


def test_real_deps_and_config_scan_output_is_valid_sarif(profiles):
    inv = Inventory()
    for res in [*deps.scan_paths([DATA / "deps"]), *config.scan_paths([DATA / "config"])]:
        inv.add_result(res)
    assert inv.findings
    _validate(_render(inv, profiles))


def test_fingerprint_is_the_finding_id(profiles):
    f = _code_finding()
    (result,) = _render(_inventory(f), profiles)["runs"][0]["results"]
    assert result["partialFingerprints"] == {FINGERPRINT_KEY: f.id}


def test_fingerprints_stable_across_runs_and_line_shifts(profiles):
    first = _render(_inventory(_code_finding(line=12)), profiles)["runs"][0]["results"][0]
    shifted = _render(_inventory(_code_finding(line=40)), profiles)["runs"][0]["results"][0]
    assert first["partialFingerprints"] == shifted["partialFingerprints"]
    assert shifted["locations"][0]["physicalLocation"]["region"]["startLine"] == 40


def test_file_finding_has_relative_uri_with_srcroot_base_and_region(profiles):
    (result,) = _render(_inventory(_code_finding()), profiles)["runs"][0]["results"]
    phys = result["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "src/app/keys.py", "uriBaseId": "%SRCROOT%"}
    assert (phys["region"]["startLine"], phys["region"]["startColumn"]) == (12, 9)


def test_path_prefix_places_paths_under_the_scanned_subdirectory(profiles):
    (result,) = _render(_inventory(_code_finding()), profiles, path_prefix="services/api/")["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/api/src/app/keys.py"


def test_absolute_path_under_srcroot_becomes_relative(profiles, tmp_path):
    f = _code_finding(location=str(tmp_path / "a b.py"))
    (result,) = _render(_inventory(f), profiles, srcroot=tmp_path)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a%20b.py"


def test_endpoint_finding_is_a_logical_location(profiles):
    (result,) = _render(_inventory(_tls_finding()), profiles)["runs"][0]["results"]
    (loc,) = result["locations"]
    assert "physicalLocation" not in loc
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "tls://127.0.0.1:8443"


def test_level_follows_the_assessed_severity(profiles):
    inv = _inventory(_code_finding(), _tls_finding())
    assessment = assess(inv, profiles, TODAY)
    for result, f in zip(sorted(render_sarif(inv, assessment)["runs"][0]["results"],
                                key=lambda r: r["partialFingerprints"][FINGERPRINT_KEY]),
                         sorted(inv.findings, key=lambda f: f.id), strict=True):
        assert result["level"] == LEVEL[assessment.severity(f.id)]


def test_one_rule_per_class_with_help_tags_and_default_level(profiles):
    a, b = _code_finding(line=1), _code_finding(line=2, location="src/other.py")
    run = _render(_inventory(a, b), profiles)["runs"][0]
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["id"] == "pq/broken/key-generation/rsa"
    assert "ML-DSA" in rule["help"]["text"] or "ML-KEM" in rule["help"]["text"]
    assert "post-quantum" in rule["properties"]["tags"]
    assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert float(rule["properties"]["security-severity"]) >= 0
    assert [r["ruleIndex"] for r in run["results"]] == [0, 0]


def test_key_exchange_rule_help_names_the_hybrid_remediation(profiles):
    (rule,) = _render(_inventory(_tls_finding()), profiles)["runs"][0]["tool"]["driver"]["rules"]
    assert "X25519MLKEM768" in rule["help"]["text"] and "harvest-now-decrypt-later" in rule["properties"]["tags"]


def test_unknown_algorithm_message_keeps_the_raw_identifier(profiles):
    (result,) = _render(_inventory(_unknown_finding()), profiles)["runs"][0]["results"]
    assert "HIGH" in result["message"]["text"]


def test_scan_errors_become_tool_execution_notifications(profiles):
    inv = _inventory(errors=[ScanError("src/bad.py", "parse", ErrorKind.PARSE_ERROR, "syntax error", "code")])
    (notification,) = _render(inv, profiles)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "syntax error" in notification["message"]["text"]


def test_baseline_state_marks_new_and_unchanged(profiles):
    old, new = _code_finding(), _tls_finding()
    results = _render(_inventory(old, new), profiles, baseline_ids={old.id})["runs"][0]["results"]
    states = {r["partialFingerprints"][FINGERPRINT_KEY]: r["baselineState"] for r in results}
    assert states == {old.id: "unchanged", new.id: "new"}


def test_text_rendering_is_deterministic(profiles):
    inv = _inventory(_code_finding(), _tls_finding(), _unknown_finding())
    assessment = assess(inv, profiles, TODAY)
    assert render_sarif_text(inv, assessment) == render_sarif_text(inv, assessment)


def test_without_assessment_every_result_is_a_note():
    (result,) = render_sarif(_inventory(_code_finding()))["runs"][0]["results"]
    assert result["level"] == "note" and result["properties"]["severity"] == Severity.INFO.value


def test_hostile_snippet_stays_plain_json_text(profiles):
    f = replace(_code_finding(), evidence=replace(_code_finding().evidence, snippet='"]}<script>alert(1)</script>'))
    doc = json.loads(render_sarif_text(_inventory(f), assess(_inventory(f), profiles, TODAY)))
    _validate(doc)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].startswith('"]}')


def test_vendored_schema_really_rejects_an_invalid_log(profiles):
    doc = _render(_inventory(_code_finding()), profiles)
    del doc["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc)


def test_min_severity_leaves_out_lower_results(profiles):
    inv = _inventory(_code_finding(), _tls_finding())
    assessment = assess(inv, profiles, TODAY)
    doc = render_sarif(inv, assessment, min_severity=Severity.CRITICAL)
    kept = {r["partialFingerprints"][FINGERPRINT_KEY] for r in doc["runs"][0]["results"]}
    assert kept == {f.id for f in inv.findings if assessment.severity(f.id) is Severity.CRITICAL}
    _validate(doc)
