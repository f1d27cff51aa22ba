"""The installed ``pqscan`` script and ``python -m pqscan`` as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "pqscan" / "data" / "sample-inventory.json")
SCRIPT = Path(sys.executable).parent / "pqscan"

ENTRY_POINTS = {
    "script": [str(SCRIPT)],
    "module": [sys.executable, "-m", "pqscan"],
}


def pqscan(entry: str, *args: str) -> subprocess.CompletedProcess[str]:
    if entry == "script" and not SCRIPT.exists():
        pytest.skip(f"the pqscan console script is not installed beside {sys.executable} (pip install -e .)")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160"}
    return subprocess.run([*ENTRY_POINTS[entry], *args], capture_output=True, text=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_version_prints_the_package_version(entry: str) -> None:
    from pqscan import __version__

    proc = pqscan(entry, "--version")
    assert proc.returncode == 0
    assert __version__ in proc.stdout


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_profiles_list_shows_the_shipped_profiles(entry: str) -> None:
    proc = pqscan(entry, "profiles", "list")
    assert proc.returncode == 0, proc.stderr
    for pid in ("nist-ir-8547", "cnsa-2.0", "eu-pqc-roadmap", "uk-ncsc", "japan", "australia-ism", "canada", "bsi"):
        assert pid in proc.stdout


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_assess_sample_prints_a_table(entry: str) -> None:
    proc = pqscan(entry, "assess", SAMPLE, "--profile", "nist-ir-8547", "--profile", "cnsa-2.0")
    assert proc.returncode == 0, proc.stderr
    assert "Compliance matrix" in proc.stdout and "X25519MLKEM768" in proc.stdout


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_assess_sample_json_is_schema_valid(entry: str) -> None:
    proc = pqscan(entry, "assess", SAMPLE, "--format", "json", "-p", "nist-ir-8547", "-p", "bsi")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(resources.files("pqscan").joinpath("schemas/assessment.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(proc.stdout))


def test_assess_fail_on_critical_exits_1_on_the_sample() -> None:
    assert pqscan("module", "assess", SAMPLE, "--fail-on", "critical").returncode == 1


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_malformed_inventory_exits_2_with_exactly_one_line_and_no_traceback(entry: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": "1.0", "assets": [{"id": 1}]}')
    proc = pqscan(entry, "assess", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("pqscan: error: ") and "Traceback" not in proc.stderr


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_missing_inventory_exits_2_with_exactly_one_line(entry: str, tmp_path: Path) -> None:
    proc = pqscan(entry, "assess", str(tmp_path / "absent.json"))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "no such file" in proc.stderr


def test_bad_profile_file_exits_2_naming_the_file_and_key(tmp_path: Path) -> None:
    prof = tmp_path / "p.toml"
    prof.write_text('[profile]\nid = "p"\nname = "P"\nsources = ["x"]\n[signature]\nrule = [{colour = "red"}]\n')
    proc = pqscan("module", "assess", SAMPLE, "--profile", str(prof))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert str(prof) in proc.stderr and "signature.rule[1].colour" in proc.stderr
