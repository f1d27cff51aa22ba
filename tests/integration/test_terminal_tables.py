"""The scanner commands' tables in a real pseudo-terminal at 80 and 120 columns, and on a pipe.

On a terminal no line is wider than the terminal and the tokens people read (addresses with their
port, algorithm names, file:line) appear whole; on a pipe every record is one tab-separated line
under a '#' header, whatever the width.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pqscan.lab.demo import DEMO_SERVERS, sample_repo_source
from pqscan.lab.tls_servers import TlsServer
from tests.integration.ssh_fixtures import fixture_default_sshd, fixture_host_keys, fixture_lab_dir  # noqa: F401

pytestmark = pytest.mark.integration
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_in_pty(args: list[str], columns: int, timeout: float = 60.0) -> str:
    """Run ``pqscan ARGS`` with its stdout and stderr on a pseudo-terminal ``columns`` wide."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm"
    proc = subprocess.Popen([sys.executable, "-m", "pqscan", *args], stdin=child, stdout=child, stderr=child,
                            env=env, close_fds=True)
    os.close(child)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(main)
    assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
    return ANSI.sub("", out.decode("utf-8", errors="replace")).replace("\r\n", "\n")


def run_piped(args: list[str]) -> str:
    proc = subprocess.run([sys.executable, "-m", "pqscan", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def table_lines(text: str) -> list[str]:
    """The lines of the output after the progress counter (which rewrites its own line with \\r)."""
    return [line.rsplit("\r", 1)[-1] for line in text.split("\n")]


@pytest.fixture(scope="module")
def tls_endpoints() -> Iterator[list[str]]:
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = [stack.enter_context(TlsServer(config, Path(tmp))) for config, _ in DEMO_SERVERS]
        yield [f"127.0.0.1:{s.port}" for s in servers]


@pytest.mark.parametrize("columns", [80, 120])
def test_tls_table_fits_the_terminal_and_keeps_addresses_and_groups_whole(tls_endpoints: list[str],
                                                                          columns: int) -> None:
    out = run_in_pty(["tls", *tls_endpoints, "--no-suites"], columns)
    lines = table_lines(out)
    assert max(len(line) for line in lines) <= columns, out
    for endpoint in tls_endpoints:
        assert f"tls://{endpoint}" in out  # the address and port in one piece
    assert "X25519MLKEM768" in out and "SecP384r1MLKEM1024" in out  # algorithm names in full
    assert "verdict" in out and "EXPOSED" in out and ("HIGH" in out or "CRITICAL" in out)


def test_tls_on_a_pipe_is_one_record_per_line(tls_endpoints: list[str]) -> None:
    out = run_piped(["tls", *tls_endpoints, "--no-suites"])
    lines = out.splitlines()
    assert lines[0].startswith("#endpoint\t") and lines[0].endswith("\tverdict")
    assert len(lines) == 1 + len(tls_endpoints)
    assert {line.split("\t")[0] for line in lines[1:]} == {f"tls://{e}" for e in tls_endpoints}
    assert all(line.count("\t") == lines[0].count("\t") for line in lines)


@pytest.mark.parametrize("columns", [80, 120])
def test_ssh_lists_kex_host_keys_ciphers_and_macs_within_the_terminal(default_sshd, columns: int) -> None:  # noqa: ANN001, F811
    target = f"{default_sshd.host}:{default_sshd.port}"
    out = run_in_pty(["ssh", target, "--no-gex-probe"], columns)
    assert max(len(line) for line in table_lines(out)) <= columns, out
    assert f"ssh://{target}" in out
    for token in ("curve25519-sha256", "aes256-ctr", "hmac-sha2-256-etm@openssh.com", "Ed25519", "verdict"):
        assert token in out, (token, out)


@pytest.mark.parametrize("columns", [80, 120])
def test_code_shows_the_most_severe_findings_with_file_and_line(columns: int, tmp_path: Path) -> None:
    out = run_in_pty(["code", str(sample_repo_source())], columns)
    lines = table_lines(out)
    assert max(len(line) for line in lines) <= columns, out
    rows = [line for line in lines if re.match(r"^\S+:\d+\s", line)]
    assert rows, out
    assert rows[0].split()[-2] == "CRITICAL" or "CRITICAL" in rows[0]  # worst first
    assert "app/legacy_vault.py:12" in out  # file:line whole


@pytest.mark.parametrize("columns", [80, 120])
def test_certs_lists_weak_items_with_subject_key_signature_expiry(columns: int, tmp_path: Path) -> None:
    from pqscan.lab.demo import write_key_material

    repo = tmp_path / "repo"
    repo.mkdir()
    write_key_material(repo)
    out = run_in_pty(["certs", str(repo), "--all"], columns)
    lines = table_lines(out)
    assert max(len(line) for line in lines) <= columns, out
    # at 120 columns the subject is a column; at 80 it moves to a detail line under its row
    header = r"^path\s+subject\s+key" if columns >= 120 else r"^path\s+key"
    assert re.search(header + r"\s+signature\s+expires\s+verdict", out, re.M), out
    assert "Test Intermediate CA" in out and "RSASSA-PKCS1-SHA256" in out
    assert re.search(r"RSA 2048|RSA 3072|RSA 4096|ECDSA-P256", out), out
    assert re.search(r"\d{4}-\d{2}-\d{2}", out)


def test_library_warnings_never_reach_the_screen(tmp_path: Path) -> None:
    """A real CA certificate with a non-positive serial number (Debian's Go Daddy Class 2 CA): cryptography
    warns when it parses it; pqscan records the warning in the inventory instead of printing it, and
    the certificate parser notes the serial number on the certificate."""
    import json
    import shutil

    source = Path("/etc/ssl/certs/Go_Daddy_Class_2_CA.pem")
    if not source.is_file():
        pytest.skip(f"{source} is not installed (ca-certificates)")
    shutil.copyfile(source, tmp_path / "godaddy.pem")
    proc = subprocess.run([sys.executable, "-m", "pqscan", "certs", str(tmp_path), "-f", "json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "Warning" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    errors = doc["errors"]
    assert [e["stage"] for e in errors] == ["library-warning"]
    assert "serial number" in errors[0]["message"]
    cert = next(a for a in doc["assets"] if a["kind"] == "certificate")
    assert "serial number is not positive" in json.dumps(cert)
    screen = run_in_pty(["certs", str(tmp_path)], 80)
    assert "CryptographyDeprecationWarning" not in screen and "site-packages" not in screen
    assert re.search(r"recorded: \d+ library warning\(s\)", screen), screen
    assert max(len(line) for line in table_lines(screen)) <= 80


def test_json_with_output_file_prints_nothing_to_stdout(tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    proc = subprocess.run([sys.executable, "-m", "pqscan", "code", str(sample_repo_source()), "-f", "json",
                           "-o", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["findings"]
