"""`pqscan scan` as the one front door, and `pqscan diff` between two real scans of one estate."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from OpenSSL import SSL

from pqscan.assess.profiles import load_profiles
from pqscan.collect.net.netscan import NetOptions
from pqscan.inventory import load
from pqscan.lab.demo import sample_repo_source
from pqscan.lab.tls_servers import CLASSICAL_GROUPS, ServerConfig, TlsServer
from pqscan.pipeline.diff import diff_inventories
from pqscan.pipeline.scan import ScanOptions, scan, split_targets

pytestmark = pytest.mark.integration

FAST = ScanOptions(net=NetOptions(connect_timeout=1.0, read_timeout=1.0, concurrency=16))
CLASSICAL = ServerConfig("before", CLASSICAL_GROUPS)
UPGRADED = ServerConfig("after", ("X25519MLKEM768",), min_version=SSL.TLS1_3_VERSION)


def test_targets_are_routed_to_the_collectors_that_understand_them(tmp_path: Path) -> None:
    split = split_targets([str(tmp_path), "ssh://127.0.0.1", "127.0.0.1:22", "127.0.0.1:443",
                           "https://localhost", "127.0.0.0/30"])
    assert split.paths == [tmp_path]
    assert split.ssh == ["ssh://127.0.0.1", "127.0.0.1:22"]
    assert split.tls == ["127.0.0.1:443", "https://localhost", "127.0.0.0/30"]


def test_one_scan_of_an_endpoint_and_a_directory_gives_one_inventory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(sample_repo_source(), repo)
    with TlsServer(CLASSICAL, tmp_path) as server:
        inv = scan([f"127.0.0.1:{server.port}", str(repo)], FAST)
    kinds = {a.kind.value for a in inv.assets.values()}
    assert {"tls-endpoint", "certificate", "source-file", "dependency", "config"} <= kinds
    assert f"tls://127.0.0.1:{server.port}" in inv.completed_targets
    assert f"path:{repo}" in inv.completed_targets


def test_a_silent_endpoint_is_a_recorded_error_and_the_rest_of_the_scan_completes(tmp_path: Path) -> None:
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts at the TCP level, never answers
    silent_port = silent.getsockname()[1]
    try:
        with TlsServer(CLASSICAL, tmp_path) as server:
            inv = scan([f"127.0.0.1:{silent_port}", f"127.0.0.1:{server.port}"],
                       ScanOptions(net=NetOptions(connect_timeout=0.5, read_timeout=0.5, endpoint_timeout=3)))
    finally:
        silent.close()
    assert any(e.target == f"tls://127.0.0.1:{silent_port}" for e in inv.errors)
    assert any(a.id == f"tls://127.0.0.1:{server.port}" for a in inv.assets.values())


def test_diff_of_two_real_scans_shows_the_endpoint_upgrade_as_better(tmp_path: Path) -> None:
    with TlsServer(CLASSICAL, tmp_path) as server:
        port = server.port
        before = scan([f"127.0.0.1:{port}"], FAST)
    # The same endpoint, reconfigured: hybrid key exchange only.
    with TlsServer(UPGRADED, tmp_path, port=port) as server:
        after = scan([f"127.0.0.1:{port}"], FAST)
    d = diff_inventories(before, after, load_profiles(["nist-ir-8547"]))
    assert d.verdict == "better"
    assert d.hndl_before > 0 and d.hndl_after == 0
    assert any(c.finding.algorithm == "X25519MLKEM768" for c in d.new_findings)
    assert any(c.finding.algorithm == "ECDH-P256" for c in d.resolved_findings)


def test_scan_cli_streams_jsonl_resumes_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "estate.jsonl"
    report = tmp_path / "report.html"
    with TlsServer(CLASSICAL, tmp_path) as server:
        target = f"127.0.0.1:{server.port}"
        cmd = [sys.executable, "-m", "pqscan", "scan", target, "-o", str(out), "--timeout", "1",
               "--report", str(report)]
        first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        again = subprocess.run([*cmd[:-2], "--resume"], capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
    assert "1 target(s) already done" in again.stderr
    inv = load(out)
    assert f"tls://{target}" in inv.completed_targets
    assert "<!DOCTYPE html>" in report.read_text()
    diff = subprocess.run([sys.executable, "-m", "pqscan", "diff", str(out), str(out), "-f", "json"],
                          capture_output=True, text=True, timeout=60)
    assert diff.returncode == 0 and json.loads(diff.stdout)["verdict"] == "unchanged"
