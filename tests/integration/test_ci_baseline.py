"""Baseline flow in a real git repository: write a baseline, add a new weak call, only that one fails."""

from __future__ import annotations

import pytest

from tests.integration.ci_fixtures import WEAK_MD5, WEAK_RSA, make_repo, pqscan_ci


@pytest.fixture
def repo_with_baseline(tmp_path):
    repo = make_repo(tmp_path)
    repo.write("app/keys.py", WEAK_RSA)
    repo.commit("initial")
    run = pqscan_ci(repo.path, ".", "--write-baseline", ".pqscan-baseline.json")
    assert run.code == 0, run.stderr
    return repo


def test_write_baseline_is_one_command_and_exits_0(repo_with_baseline):
    doc = (repo_with_baseline.path / ".pqscan-baseline.json").read_text()
    assert '"finding_ids"' in doc


def test_unchanged_tree_passes_against_its_baseline(repo_with_baseline):
    run = pqscan_ci(repo_with_baseline.path, ".", "--baseline", ".pqscan-baseline.json", "--fail-on", "low")
    assert run.code == 0, run.stdout + run.stderr


def test_same_tree_without_baseline_fails(repo_with_baseline):
    assert pqscan_ci(repo_with_baseline.path, ".", "--fail-on", "low").code == 1


def test_moving_old_code_down_does_not_make_it_new(repo_with_baseline):
    repo_with_baseline.write("app/keys.py", "# header\n\n\n" + WEAK_RSA)
    run = pqscan_ci(repo_with_baseline.path, ".", "--baseline", ".pqscan-baseline.json", "--fail-on", "low")
    assert run.code == 0, run.stdout


def test_only_the_new_weak_call_fails(repo_with_baseline):
    repo_with_baseline.write("app/digest.py", WEAK_MD5)
    run = pqscan_ci(repo_with_baseline.path, ".", "--baseline", ".pqscan-baseline.json", "--fail-on", "low",
                    "--format", "json")
    assert run.code == 1
    doc = run.json()
    by_id = {f["id"]: f for f in doc["inventory"]["findings"]}
    new_locations = {by_id[i]["evidence"]["location"] for i in doc["new_finding_ids"]}
    assert new_locations == {"app/digest.py"}
    assert doc["ci"]["failing"] >= 1


def test_inventory_json_works_as_a_baseline(repo_with_baseline):
    run = pqscan_ci(repo_with_baseline.path, ".", "--format", "json")
    import json
    (repo_with_baseline.path / "inv.json").write_text(json.dumps(run.json()["inventory"]))
    again = pqscan_ci(repo_with_baseline.path, ".", "--baseline", "inv.json", "--fail-on", "low")
    assert again.code == 0


def test_missing_baseline_file_is_a_usage_error_exit_2(repo_with_baseline):
    run = pqscan_ci(repo_with_baseline.path, ".", "--baseline", "nope.json")
    assert run.code == 2 and "write-baseline" in run.stderr
