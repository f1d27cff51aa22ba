"""Scanning commands write into the store (``--store``), on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pqscan.store import open_store

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_REPO = ROOT / "pqscan" / "lab" / "sample_repo"


def pqscan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PQSCAN_STORE", None)
    return subprocess.run([sys.executable, "-m", "pqscan", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def test_two_scans_into_the_store_are_listed_by_history_with_readiness_per_profile(store_url: str,
                                                                                    tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_REPO, tmp_path / "repo")
    for _ in range(2):
        run = pqscan("-q", "scan", "repo", "--store", store_url, "-o", "inv.jsonl", "-p", "nist-ir-8547",
                     "-p", "cnsa-2.0", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    history = pqscan("history", "--store", store_url, "--format", "json", cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    scans = json.loads(history.stdout)["scans"]
    assert [s["status"] for s in scans] == ["complete", "complete"]
    for s in scans:
        assert set(s["summary"]["readiness"]) == {"nist-ir-8547", "cnsa-2.0"}
        assert s["summary"]["findings"] == scans[0]["summary"]["findings"] > 0
    diff = pqscan("diff", "--store", store_url, "latest~1", "latest", "--format", "json", cwd=tmp_path)
    assert json.loads(diff.stdout)["verdict"] == "unchanged"


def test_a_code_only_scan_replaces_only_the_code_findings_of_the_estate(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_REPO, tmp_path / "repo")
    url = f"sqlite:///{tmp_path / 'estate.db'}"
    assert pqscan("-q", "scan", "repo", "--store", url, "-o", "a.jsonl", cwd=tmp_path).returncode == 0
    (tmp_path / "repo" / "web" / "auth.js").unlink()
    assert pqscan("-q", "code", "repo", "--store", url, "-f", "json", cwd=tmp_path).returncode == 0
    with open_store(url) as store:
        full, code_only = store.list_scans()
        before = store.scan_inventory(full.id, estate=True)
        after = store.scan_inventory(code_only.id, estate=True)
    gone = {f.id for f in before.findings} - {f.id for f in after.findings}
    assert gone and all(f.evidence.location.endswith("auth.js") for f in before.findings if f.id in gone)
    assert {f.collector for f in after.findings} >= {"deps", "config"}  # untouched by the code-only scan


def test_a_killed_tls_scan_is_resumed_from_the_store_with_every_endpoint_once(tmp_path: Path) -> None:
    listeners = []
    for _ in range(24):  # servers that accept and never answer: each endpoint costs its timeouts
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        listeners.append(s)
    ports = [s.getsockname()[1] for s in listeners]
    targets = tmp_path / "targets.txt"
    targets.write_text("".join(f"127.0.0.1:{port}\n" for port in ports))
    url = f"sqlite:///{tmp_path / 'estate.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "pqscan", "-q", "tls", f"@{targets}", "--store", url, "--concurrency", "1"]
    # Slow enough (24 x 0.5 s at least) that the kill lands mid-scan even on a loaded machine; the
    # resumed run may use a shorter timeout: a scan is resumed by its targets, not its options.
    proc = subprocess.Popen([*args, "--timeout", "0.5"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and done < 3:
            time.sleep(0.2)
            if (tmp_path / "estate.db").exists():
                with open_store(url) as store:
                    scans = store.list_scans()
                    done = scans[0].targets_done if scans else 0
        assert done >= 3, "the scan recorded no endpoint in time"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    with open_store(url) as store:
        (killed,) = store.list_scans()
        assert killed.status == "incomplete" and killed.targets_done < len(listeners)
    resumed = subprocess.run([*args, "--timeout", "0.1", "--resume"], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=120)
    for s in listeners:
        s.close()
    assert resumed.returncode == 4, resumed.stderr  # every endpoint is silent: none could be scanned (exit 4)
    with open_store(url) as store:
        (scan,) = store.list_scans()
        assert scan.status == "complete" and scan.targets_done == len(listeners)
        inventory = store.scan_inventory(scan.id)
    assert sorted(inventory.completed_targets) == sorted(f"tls://127.0.0.1:{port}" for port in ports)


def test_ci_records_its_scan_in_the_store(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_REPO, tmp_path / "repo")
    url = f"sqlite:///{tmp_path / 'estate.db'}"
    run = pqscan("ci", "repo", "--store", url, "--format", "json", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    with open_store(url) as store:
        (scan,) = store.list_scans()
        assert scan.status == "complete" and scan.summary["findings"] == len(json.loads(run.stdout)["inventory"]
                                                                               ["findings"])
