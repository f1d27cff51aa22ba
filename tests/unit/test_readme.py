"""The README and CI agree: CI runs exactly the test command the README shows."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ci_test_command() -> str:
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")][-1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = ci_test_command()
    assert "pytest" in command
    assert command in (ROOT / "README.md").read_text()


def test_readme_opens_with_the_setup_commands() -> None:
    head = (ROOT / "README.md").read_text().split("\n## ", 1)[0]
    assert ci_test_command() in head
    assert "pip install" in head
