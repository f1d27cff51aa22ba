"""The files that let other repositories run pqscan: action.yml and .pre-commit-hooks.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent.parent


def test_action_is_composite_runs_pqscan_ci_and_uploads_sarif():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    assert any("pip install" in s.get("run", "") for s in steps)
    assert any('pqscan ci "${args[@]}"' in s.get("run", "") for s in steps)
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)


def test_action_never_splices_inputs_into_shell_scripts():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    for step in action["runs"]["steps"]:
        assert not re.search(r"\$\{\{\s*inputs\.", step.get("run", "")), step.get("name")


def test_pre_commit_hooks_run_pqscan_ci_on_text_files():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"pqscan", "pqscan-baseline"}
    for h in hooks:
        assert h["entry"] == "pqscan ci" and h["language"] == "python" and "--fail-on" in h["args"]
