"""The program ends quickly (pqscan.cli.run): same exit codes, every byte written, exit handlers run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROFILES = [arg for name in ("nist-ir-8547", "cnsa-2.0", "bsi", "anssi", "uk-ncsc", "japan", "canada", "eu-pqc-roadmap",
                            "australia-ism", "us-federal-eo-2026") for arg in ("--profile", name)]


def _pqscan(*args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pqscan", *args], capture_output=True, timeout=120, **kw)  # type: ignore[call-overload]


def test_a_large_answer_reaches_a_pipe_whole() -> None:
    run = _pqscan("assess", "--sample", "--format", "json", *PROFILES)
    assert run.returncode in (0, 1), run.stderr
    assert len(run.stdout) > 100_000
    assert json.loads(run.stdout)


def test_exit_codes_are_the_commands() -> None:
    assert _pqscan("--version").returncode == 0
    bad = _pqscan("tls", "127.0.0.1:1", "--timeout", "nan")
    assert bad.returncode == 2
    assert bad.stderr.decode().count("\n") == 1
    assert _pqscan("assess", "/nonexistent/inventory.json").returncode == 2


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "pqscan", "assess", "--sample", "--format", "json", *PROFILES],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert b"Traceback" not in err and b"Exception ignored" not in err


def test_exit_handlers_still_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = ("import atexit, pathlib, sys; from pqscan.cli import run; "
            f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes'); "
            "sys.argv = ['pqscan', '--version']; run()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip()
    assert marker.read_text() == "yes"


def test_a_profiler_still_gets_to_write_its_results(tmp_path: Path) -> None:
    out = tmp_path / "profile.out"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "pqscan", "--version"],
                          capture_output=True, timeout=60)
    assert done.returncode == 0
    assert out.stat().st_size > 0
