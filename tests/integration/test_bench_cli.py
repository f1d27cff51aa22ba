"""``pqscan bench`` end to end, in subprocesses: JSON output, schema, --attach, --list, and the
liboqs-absent path (no clone attempt, no stdout noise, a clear note, the other backends run)."""

from __future__ import annotations

import ctypes.util
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pqscan.bench.report import validate
from pqscan.inventory import Inventory, load

pytestmark = pytest.mark.integration

QUICK = ["--quick", "--min-time", "0.01", "--repeats", "2"]
SMALL = ["--algorithm", "ML-KEM-768", "--algorithm", "X25519", "--algorithm", "ML-DSA-44", "--algorithm", "Ed25519"]


def _pqscan(args: list[str], env: dict[str, str] | None = None, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pqscan", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, check=False)


@pytest.fixture()
def no_liboqs_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment where liboqs cannot be found, and a fake ``git`` first on PATH that records
    being called (the clone liboqs-python would attempt cannot be caused for real offline)."""
    if ctypes.util.find_library("oqs") or ctypes.util.find_library("liboqs"):
        pytest.skip("a system-wide liboqs is installed; the library-absent path cannot be set up")
    empty = tmp_path / "empty-oqs"
    empty.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    marker = tmp_path / "git-was-called"
    git = fakebin / "git"
    git.write_text(f"#!/bin/sh\necho \"$@\" >> '{marker}'\nexit 128\n")
    git.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "OQS_INSTALL_PATH")}
    env.update({"OQS_INSTALL_PATH": str(empty), "HOME": str(home),
                "PATH": f"{fakebin}{os.pathsep}{env.get('PATH', '')}"})
    return env, marker


def test_bench_json_validates_against_the_committed_schema_and_has_migration_costs(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = _pqscan(["bench", "--backend", "openssl", "--backend", "classical", *SMALL, *QUICK,
                    "--format", "json", "--output", str(out)])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert validate(doc) == []
    assert {(r["backend"], r["name"]) for r in doc["results"]} == {
        ("openssl", "ML-KEM-768"), ("openssl", "ML-DSA-44"), ("classical", "X25519"), ("classical", "Ed25519")}
    pairs = {(c["from"], c["to"], c["context"]) for c in doc["migration_costs"]}
    assert ("X25519", "ML-KEM-768", "tls-handshake") in pairs
    assert any(c["to"] == "X25519MLKEM768" and c["hybrid"] for c in doc["migration_costs"])
    assert doc["ok"] is True


def test_schema_rejects_a_document_without_migration_costs(tmp_path: Path) -> None:
    proc = _pqscan(["bench", "--backend", "classical", "--algorithm", "X25519", *QUICK, "--format", "json"])
    doc = json.loads(proc.stdout)
    del doc["migration_costs"]
    assert any("migration_costs" in e for e in validate(doc))


def test_library_absent_no_clone_no_stdout_noise_clear_note_and_other_backends_run(
    no_liboqs_env: tuple[dict[str, str], Path],
) -> None:
    env, git_marker = no_liboqs_env
    proc = _pqscan(["bench", *SMALL, *QUICK, "--format", "json"], env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # stdout is the JSON document and nothing else
    assert not git_marker.exists(), "liboqs-python tried to git clone liboqs"
    liboqs = next(b for b in doc["backends"] if b["name"] == "liboqs")
    assert liboqs["available"] is False
    assert "OQS_INSTALL_PATH" in liboqs["reason"]
    assert proc.stderr.count("liboqs backend is skipped") == 1
    assert "faulthandler" not in proc.stderr + proc.stdout
    assert {r["backend"] for r in doc["results"]} == {"openssl", "classical"}
    if importlib.util.find_spec("oqs") is not None:
        assert liboqs["reason"].startswith("liboqs is not installed (no shared library found")


def test_fake_git_trap_does_catch_the_clone_a_bare_import_of_oqs_attempts(
    no_liboqs_env: tuple[dict[str, str], Path],
) -> None:
    # Shows that the test above can fail: a bare `import oqs` in the same environment clones.
    if importlib.util.find_spec("oqs") is None:
        pytest.skip("liboqs-python is not installed; its clone-on-import cannot be shown")
    env, git_marker = no_liboqs_env
    proc = subprocess.run([sys.executable, "-c", "import oqs"], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert proc.returncode != 0
    assert git_marker.exists() and "clone" in git_marker.read_text()
    assert "liboqs" in proc.stdout  # and it writes to stdout


def test_list_says_why_liboqs_is_unavailable(no_liboqs_env: tuple[dict[str, str], Path]) -> None:
    env, git_marker = no_liboqs_env
    proc = _pqscan(["bench", "--list", "--format", "json"], env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    by_name = {b["name"]: b for b in doc["backends"]}
    assert by_name["liboqs"]["available"] is False and "liboqs" in by_name["liboqs"]["reason"]
    assert by_name["openssl"]["available"] and by_name["classical"]["available"]
    assert {"ML-KEM-768", "ML-DSA-65", "RSA-2048", "X25519"} <= {a["name"] for a in doc["algorithms"]}
    assert not git_marker.exists()


def test_attach_stores_the_result_in_the_inventory_for_the_reports(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.json"
    Inventory(targets=["example"]).save(inventory)
    proc = _pqscan(["bench", "--backend", "openssl", "--backend", "classical", *SMALL, *QUICK,
                    "--format", "json", "--output", str(tmp_path / "b.json"), "--attach", str(inventory)])
    assert proc.returncode == 0, proc.stderr
    bench = load(inventory).attachments["bench"]
    assert validate(bench) == []
    assert bench["migration_costs"] and load(inventory).targets == ["example"]


def test_algorithm_glob_that_matches_nothing_is_a_usage_error() -> None:
    proc = _pqscan(["bench", "--backend", "classical", "--algorithm", "NO-SUCH-*", *QUICK])
    assert proc.returncode == 2
    assert "no algorithm to benchmark" in proc.stderr


def test_family_sig_runs_only_signatures() -> None:
    proc = _pqscan(["bench", "--backend", "classical", "--family", "sig", "--algorithm", "Ed25519",
                    "--algorithm", "X25519", *QUICK, "--format", "json"])
    doc = json.loads(proc.stdout)
    assert [r["name"] for r in doc["results"]] == ["Ed25519"]


def test_table_output_shows_operations_sizes_and_the_cost_table() -> None:
    proc = _pqscan(["bench", "--backend", "openssl", "--backend", "classical", "--algorithm", "ML-KEM-768",
                    "--algorithm", "X25519", *QUICK], env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    for text in ("Operations", "Sizes in bytes", "Migration cost", "X25519MLKEM768", "keygen+derive"):
        assert text in proc.stdout


def test_attach_to_a_streamed_jsonl_inventory_appends_an_attachment_record(tmp_path: Path) -> None:
    from pqscan.inventory import JsonlWriter

    inventory = tmp_path / "scan.jsonl"
    JsonlWriter(inventory, targets=["example"]).close()
    proc = _pqscan(["bench", "--backend", "classical", "--algorithm", "X25519", *QUICK, "--format", "json",
                    "--output", str(tmp_path / "b.json"), "--attach", str(inventory)])
    assert proc.returncode == 0, proc.stderr
    assert load(inventory).attachments["bench"]["results"][0]["name"] == "X25519"


def test_attach_to_a_missing_inventory_is_an_input_error(tmp_path: Path) -> None:
    proc = _pqscan(["bench", "--backend", "classical", "--algorithm", "X25519", *QUICK,
                    "--attach", str(tmp_path / "nope.json")])
    assert proc.returncode == 2
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr
