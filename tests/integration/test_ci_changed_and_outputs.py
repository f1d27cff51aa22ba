"""--changed-since, exit codes, GitHub annotations and SARIF from `pqscan ci` on a real git repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.integration.ci_fixtures import WEAK_MD5, WEAK_RSA, make_repo, pqscan_ci

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "schemas" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def two_commits(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("ci"))
    repo.write("old/keys.py", WEAK_RSA)
    repo.write("old/nginx.conf", "server {\n    ssl_protocols TLSv1 TLSv1.2;\n}\n")
    repo.commit("first")
    repo.write("new/digest.py", WEAK_MD5)
    repo.commit("second")
    repo.write("scratch/untracked.py", WEAK_MD5)
    return repo


def _locations(run):
    return {f["evidence"]["location"] for f in run.json()["inventory"]["findings"]}


def test_changed_since_scans_only_changed_and_untracked_files(two_commits):
    run = pqscan_ci(two_commits.path, ".", "--changed-since", "HEAD~1", "--format", "json")
    assert run.code == 0, run.stderr
    assert _locations(run) == {"new/digest.py", "scratch/untracked.py"}
    assert run.json()["ci"]["changed_files"] == ["new/digest.py", "scratch/untracked.py"]


def test_changed_since_head_sees_only_untracked_work(two_commits):
    run = pqscan_ci(two_commits.path, ".", "--changed-since", "HEAD", "--format", "json")
    assert _locations(run) == {"scratch/untracked.py"}


def test_full_scan_sees_every_file(two_commits):
    assert {"old/keys.py", "old/nginx.conf", "new/digest.py"} <= _locations(pqscan_ci(two_commits.path, ".",
                                                                                   "--format", "json"))


def test_exit_0_without_fail_on_even_with_findings(two_commits):
    assert pqscan_ci(two_commits.path, ".").code == 0


def test_exit_1_with_findings_at_or_above_fail_on(two_commits):
    assert pqscan_ci(two_commits.path, ".", "--fail-on", "high").code == 1


@pytest.mark.parametrize("args", [(".", "--changed-since", "no-such-ref"), (".", "--profile", "no-such-profile"),
                                  ("does-not-exist",), (".", "--fail-on", "severe")])
def test_exit_2_on_usage_and_input_errors(two_commits, args):
    run = pqscan_ci(two_commits.path, *args)
    assert run.code == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_changed_since_outside_a_git_repo_is_exit_2(tmp_path):
    (tmp_path / "a.py").write_text(WEAK_MD5)
    run = pqscan_ci(tmp_path, ".", "--changed-since", "HEAD")
    assert run.code == 2 and "git" in run.stderr


_ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,:]+(,line=\d+)?(,col=\d+)?,title=[^:]*::.+$")


def test_github_format_prints_one_workflow_command_per_new_finding(two_commits):
    run = pqscan_ci(two_commits.path, ".", "--format", "github")
    lines = run.stdout.splitlines()
    assert lines and all(_ANNOTATION.match(line) for line in lines), lines
    assert any(line.startswith("::error file=new/digest.py,line=5") for line in lines)


def test_github_annotation_paths_are_relative_to_the_srcroot(two_commits):
    run = pqscan_ci(two_commits.path, "new", "--format", "github")
    assert all("file=new/digest.py" in line for line in run.stdout.splitlines())


def test_sarif_file_is_schema_valid_and_points_at_repo_paths(two_commits, tmp_path):
    out = tmp_path / "pqscan.sarif"
    run = pqscan_ci(two_commits.path, ".", "--sarif", str(out), "--format", "table")
    assert run.code == 0
    doc = json.loads(out.read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]
            if "physicalLocation" in r["locations"][0]}
    assert {"old/keys.py", "new/digest.py", "old/nginx.conf"} <= uris


def test_sarif_fingerprints_match_between_full_and_changed_scans(two_commits):
    full = json.loads(pqscan_ci(two_commits.path, ".", "--format", "sarif").stdout)
    part = json.loads(pqscan_ci(two_commits.path, ".", "--format", "sarif", "--changed-since", "HEAD~1").stdout)
    fp = lambda doc: {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],  # noqa: E731
                       r["partialFingerprints"]["pqscanFindingId/v1"]) for r in doc["runs"][0]["results"]}
    assert fp(part) <= fp(full)


def test_pre_commit_style_file_arguments_scan_only_those_files_with_repo_paths(two_commits):
    run = pqscan_ci(two_commits.path, "--format", "json", "new/digest.py")
    assert run.code == 0, run.stderr
    assert _locations(run) == {"new/digest.py"}


def test_pre_commit_style_run_fails_on_a_staged_weak_file(two_commits):
    assert pqscan_ci(two_commits.path, "--fail-on", "high", "new/digest.py", "old/nginx.conf").code == 1
