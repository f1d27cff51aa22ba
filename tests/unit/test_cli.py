"""The foundation commands through click's runner: profiles, assess, merge (and their exit codes)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from pqscan.cli import cli, main
from pqscan.errors import ExitCode, InputError, ProfileError, UsageError
from pqscan.inventory import Inventory, JsonlWriter, load
from pqscan.model import Asset, AssetKind, Evidence, Finding, ScanResult, Usage

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "pqscan" / "data" / "sample-inventory.json")


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)
    return result


def assessment_schema() -> dict[str, Any]:
    return json.loads(resources.files("pqscan").joinpath("schemas/assessment.schema.json").read_text())


def small_inventory(path: Path, algorithm: str = "X25519MLKEM768", name: str = "svc") -> Path:
    inv = Inventory(targets=[f"{name}.example.test:443"])
    inv.add_asset(Asset(f"tls://{name}.example.test:443", AssetKind.TLS_ENDPOINT, f"{name}.example.test:443", name))
    inv.add_finding(Finding(f"tls://{name}.example.test:443", algorithm, Usage.KEY_EXCHANGE, "tls", {},
                            Evidence(f"{name}.example.test:443")))
    inv.save(path)
    return path


# -- profiles ----------------------------------------------------------------------------------


def test_profiles_list_shows_every_shipped_profile() -> None:
    result = run("profiles", "list")
    assert result.exception is None, result.output
    for pid in ("nist-ir-8547", "cnsa-2.0", "eu-pqc-roadmap", "uk-ncsc", "japan", "australia-ism", "canada", "bsi"):
        assert pid in result.output
    assert "(default)" in result.output


def test_profiles_list_as_json_is_a_list_of_profiles_with_sources() -> None:
    data = json.loads(run("profiles", "list", "--format", "json").output)
    assert {"nist-ir-8547", "cnsa-2.0"} <= {p["id"] for p in data}
    assert all(p["sources"] for p in data)


def test_profiles_show_prints_rules_dates_and_sources() -> None:
    out = run("profiles", "show", "nist-ir-8547").output
    assert "NIST IR 8547" in out and "source:" in out and "uncertain:" in out
    assert "2030" in out and "2035" in out


def test_profiles_show_as_json_has_categories() -> None:
    data = json.loads(run("profiles", "show", "cnsa-2.0", "-f", "json").output)
    assert data["id"] == "cnsa-2.0"
    assert {"key-establishment", "signature", "code-signing", "symmetric", "hash"} <= set(data["categories"])


def test_profiles_show_accepts_a_user_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[profile]\nid = "mine"\nname = "Mine"\nsources = ["us"]\n[signature]\ndefault = "disallowed"\n')
    assert "Mine (mine)" in run("profiles", "show", str(path)).output


def test_profiles_show_of_an_unknown_name_is_a_profile_error() -> None:
    assert isinstance(run("profiles", "show", "nope").exception, ProfileError)


# -- assess ------------------------------------------------------------------------------------


def test_assess_sample_prints_findings_and_a_compliance_matrix() -> None:
    result = run("assess", SAMPLE, "-p", "nist-ir-8547", "-p", "cnsa-2.0", "--as-of", "2026-11-25")
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.OK
    for text in ("Findings", "Compliance matrix", "X25519MLKEM768", "MD5", "NIST IR 8547 (nist-ir-8547)",
                 "CNSA 2.0 (cnsa-2.0)", "harvest-now-decrypt-later", "0xFE30", "down.example.test"):
        assert text in result.output, text


def test_assess_json_is_valid_against_the_assessment_schema() -> None:
    result = run("assess", SAMPLE, "--format", "json", "-p", "bsi", "-p", "nist-ir-8547")
    doc = json.loads(result.output)
    jsonschema.Draft202012Validator(assessment_schema()).validate(doc)
    assert [p["id"] for p in doc["profiles"]] == ["bsi", "nist-ir-8547"]
    assert len(doc["findings"]) == len(load(SAMPLE).findings)


def test_assess_defaults_to_the_nist_profile() -> None:
    doc = json.loads(run("assess", SAMPLE, "-f", "json").output)
    assert [p["id"] for p in doc["profiles"]] == ["nist-ir-8547"]


def test_assess_fail_on_returns_findings_exit_code_when_reached() -> None:
    assert run("assess", SAMPLE, "--fail-on", "critical").return_value == ExitCode.FINDINGS


def test_assess_fail_on_returns_ok_when_nothing_reaches_it(tmp_path: Path) -> None:
    inv = small_inventory(tmp_path / "ok.json")
    assert run("assess", str(inv), "--fail-on", "medium").return_value == ExitCode.OK


def test_assess_writes_to_the_output_file(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    result = run("assess", SAMPLE, "-f", "json", "-o", str(out))
    assert result.exception is None
    assert json.loads(out.read_text())["kind"] == "pqscan-assessment"


def test_assess_merges_several_inventories(tmp_path: Path) -> None:
    a = small_inventory(tmp_path / "a.json", name="a")
    b = small_inventory(tmp_path / "b.json", "X25519", name="b")
    doc = json.loads(run("assess", str(a), str(b), "-f", "json").output)
    assert doc["inventory"]["assets"] == 2 and doc["summary"]["hndl"] == 1


def test_assess_as_of_a_later_date_changes_the_verdict() -> None:
    before = json.loads(run("assess", SAMPLE, "-f", "json", "--as-of", "2026-11-25").output)
    after = json.loads(run("assess", SAMPLE, "-f", "json", "--as-of", "2036-01-01").output)
    assert before["matrix"][0]["disallowed"] < after["matrix"][0]["disallowed"]


def test_assess_sample_flag_assesses_the_shipped_sample() -> None:
    doc = json.loads(run("assess", "--sample", "-f", "json").output)
    assert doc["inventory"]["findings"] == len(load(SAMPLE).findings)


def test_assess_without_an_inventory_is_a_usage_error() -> None:
    assert isinstance(run("assess").exception, UsageError)


def test_assess_bad_as_of_is_a_usage_error() -> None:
    assert isinstance(run("assess", SAMPLE, "--as-of", "someday").exception, UsageError)


def test_assess_of_a_malformed_inventory_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert isinstance(run("assess", str(bad)).exception, InputError)


def test_assess_table_shows_target_text_literally_without_rich_markup(tmp_path: Path) -> None:
    path = small_inventory(tmp_path / "evil.json", name="[red]x[/red]")
    out = run("assess", str(path)).output
    assert "[red]x[/red]" in out


# -- merge -------------------------------------------------------------------------------------


def test_merge_writes_one_inventory_from_json_and_jsonl(tmp_path: Path) -> None:
    a = small_inventory(tmp_path / "a.json", name="a")
    r = ScanResult("b.example.test:443", "tls")
    r.assets.append(Asset("tls://b.example.test:443", AssetKind.TLS_ENDPOINT, "b.example.test:443", "b"))
    with JsonlWriter(tmp_path / "b.jsonl", targets=["b.example.test:443"]) as w:
        w.write_result(r)
    out = tmp_path / "merged.json"
    result = run("merge", str(a), str(tmp_path / "b.jsonl"), "-o", str(out))
    assert result.exception is None and result.return_value == ExitCode.OK
    merged = load(out)
    assert sorted(merged.assets) == ["tls://a.example.test:443", "tls://b.example.test:443"]
    assert merged.completed_targets == ["b.example.test:443"]


def test_merge_of_the_same_inventory_twice_dedupes(tmp_path: Path) -> None:
    a = small_inventory(tmp_path / "a.json")
    data = json.loads(run("merge", str(a), str(a)).output)
    assert len(data["assets"]) == 1 and len(data["findings"]) == 1


# -- exit codes through the real entry point ----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", "/nonexistent/inventory.json"],
        ["profiles", "show", "nope"],
        ["assess", SAMPLE, "--profile", "nope"],
        ["assess", SAMPLE, "--as-of", "someday"],
        ["merge", "/nonexistent/a.json"],
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("pqscan: error: ") and err.count("\n") == 1, err


@pytest.mark.parametrize("argv", [["assess", SAMPLE, "--fail-on", "severe"], ["merge"], ["assess", "-f", "xml", SAMPLE]])
def test_bad_option_exits_2_with_one_line_pointing_at_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("pqscan: error: ") and err.count("\n") == 1 and "--help" in err, err
