"""Options shared by the path commands mean the same everywhere; global options work after the subcommand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pqscan.commands.common import parse_size
from pqscan.errors import UsageError

PATH_COMMANDS = (["scan"], ["ci", "--format", "json"], ["certs"], ["code"])


def _pqscan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pqscan", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd, check=False)


@pytest.mark.parametrize("text,expected", [("5M", 5 * 1024**2), ("512k", 512 * 1024), ("1.5m", 1572864),
                                           ("100000", 100000), ("2MiB", 2 * 1024**2), ("1g", 1024**3)])
def test_one_size_parser(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "-5M", "0", "nan", "inf"])
def test_a_bad_size_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_size(text)


@pytest.mark.parametrize("command", PATH_COMMANDS)
def test_max_size_with_a_unit_works_in_every_path_command(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "big.py").write_text("import hashlib\nhashlib.md5(b'x')\n" + "#" * 3000 + "\n")
    (tmp_path / "small.py").write_text("import hashlib\nhashlib.md5(b'x')\n")
    out = tmp_path / "out.json"
    run = _pqscan(*command, str(tmp_path), "--max-size", "2k", "-o", str(out), "-q")
    assert run.returncode in (0, 1), run.stderr
    assert run.stderr == ""  # -q after the subcommand silences notes
    assert "big.py" in out.read_text() and "over the 2048-byte limit" in out.read_text()


@pytest.mark.parametrize("command", PATH_COMMANDS)
def test_a_bad_size_exits_2_with_one_line(tmp_path: Path, command: list[str]) -> None:
    run = _pqscan(*command, str(tmp_path), "--max-size", "lots")
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "--max-size" in run.stderr


def test_quiet_and_verbose_are_accepted_after_the_subcommand(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = _pqscan("-q", "certs", str(tmp_path), "-o", str(tmp_path / "a.json"))
    after = _pqscan("certs", str(tmp_path), "-o", str(tmp_path / "b.json"), "-q")
    loud = _pqscan("certs", str(tmp_path), "-o", str(tmp_path / "c.json"))
    assert before.returncode == after.returncode == loud.returncode == 0
    assert before.stderr == after.stderr == "" and "inventory written" in loud.stderr
    assert _pqscan("profiles", "list", "-v").returncode == 0


def _option_names(command: object, among: list[str]) -> list[str]:
    """The command's options that are ``among`` these, in --help order (pqscan.cli adds its global ones)."""
    return [p.opts[-1] for p in command.params if p.opts[-1] in among]  # type: ignore[attr-defined]


NETWORK = ["--timeout", "--concurrency", "--per-host", "--rate", "--allow-large"]
TAIL = ["--output", "--resume", "--format", "--store", "--profile", "--all", "--cluster", "--segment"]


def test_the_endpoint_commands_share_one_set_of_network_and_inventory_options_in_one_order() -> None:
    from pqscan.commands import ssh, tls

    tls_own, ssh_own = ["--port", "--sni", "--starttls", "--no-suites"], ["--port", "--no-host-keys", "--no-gex-probe"]
    assert _option_names(tls.command, tls_own + NETWORK + TAIL) == ["--port", "--sni", "--starttls", *NETWORK,
                                                                    "--no-suites", *TAIL]
    assert _option_names(ssh.command, ssh_own + NETWORK + TAIL) == ["--port", *NETWORK, "--no-host-keys",
                                                                    "--no-gex-probe", *TAIL]


def test_the_path_commands_end_with_the_same_inventory_options_without_resume() -> None:
    from pqscan.commands import certs, code

    for command, own in ((certs.command, "--password-file"), (code.command, "--jobs")):
        assert _option_names(command, TAIL) == [name for name in TAIL if name != "--resume"]
        assert _option_names(command, [own, "--output"]) == [own, "--output"]  # after the command's own options
