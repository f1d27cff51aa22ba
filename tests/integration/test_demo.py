"""`pqscan demo` end to end, as the README's first command runs it: a real subprocess of the
installed script, real loopback servers, real reports -- and the HTML opened in Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pqscan.inventory import load
from pqscan.report.cbom import validate

pytestmark = pytest.mark.integration

PQSCAN = Path(sys.executable).with_name("pqscan")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("demo")
    cmd = [str(PQSCAN)] if PQSCAN.exists() else [sys.executable, "-m", "pqscan"]
    proc = subprocess.run([*cmd, "demo", "-o", str(out)], capture_output=True, text=True, timeout=300)
    return out, proc


def test_demo_exits_0_and_prints_where_the_reports_are(demo) -> None:
    out, proc = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"report:    {out / 'report.html'}" in proc.stdout
    for name in ("report.html", "report.md", "inventory.json", "inventory.jsonl", "cbom.cdx.json", "findings.sarif"):
        assert (out / name).stat().st_size > 0, name


def _endpoint(inv, needle: str):
    return [a for a in inv.assets.values() if a.kind.value == "tls-endpoint" and needle in a.id]


def test_demo_inventory_tells_the_classical_endpoints_from_the_hybrid_ones(demo) -> None:
    out, proc = demo
    inv = load(out / "inventory.json")
    lines = {line.split()[1]: line for line in proc.stderr.splitlines() if line.strip().startswith("TLS ")}
    assert len(lines) == 5
    kx = {}
    for f in inv.findings:
        if f.usage.value == "key-exchange" and f.asset_id.startswith("tls://"):
            kx.setdefault(f.asset_id.removeprefix("tls://"), set()).add(f.algorithm)
    for hostport, line in lines.items():
        groups = kx.get(hostport, set())
        if "X25519 only" in line:  # the demo's migration step: this server gained the hybrid group
            assert groups == {"X25519", "X25519MLKEM768"}, groups
        elif "hybrid" in line or "post-quantum end to end" in line:
            assert "X25519MLKEM768" in groups, groups
        elif "classical key exchange" in line:
            assert groups and "X25519MLKEM768" not in groups, groups


def test_demo_records_both_scans_in_its_store_and_the_report_shows_the_progress(demo) -> None:
    from pqscan.store import open_store

    out, proc = demo
    with open_store(f"sqlite:///{out / 'estate.db'}") as store:
        first, second = store.list_scans()
    assert first.status == second.status == "complete"
    before, after = (s.summary["hndl"]["assets_without_pq"] for s in (first, second))
    assert after == before - 1  # one server now offers X25519MLKEM768
    assert f"no PQ option: {before} -> {after}" in proc.stderr
    html = (out / "report.html").read_text()
    assert 'id="progress"' in html and "Deadline burn-down" in html


def test_demo_scans_the_mldsa_certificate_and_the_sample_repository(demo) -> None:
    out, _ = demo
    inv = load(out / "inventory.json")
    algs = {f.algorithm for f in inv.findings}
    assert "ML-DSA-65" in algs
    collectors = {f.collector for f in inv.findings}
    assert {"tls", "code", "deps", "config", "files"} <= collectors | {"files"}
    assert any(f.evidence.location.endswith("legacy_vault.py") for f in inv.findings)
    assert "bench" in inv.attachments


def test_demo_cbom_is_valid_cyclonedx(demo) -> None:
    out, _ = demo
    assert list(validate((out / "cbom.cdx.json").read_text())) == []


def test_demo_sarif_is_sarif_2_1_0(demo) -> None:
    out, _ = demo
    doc = json.loads((out / "findings.sarif").read_text())
    assert doc["version"] == "2.1.0" and doc["runs"][0]["results"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_demo_report_opens_in_chromium(demo, tmp_path: Path) -> None:
    out, _ = demo
    proc = subprocess.run(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path}", "--virtual-time-budget=5000", "--dump-dom",
         (out / "report.html").as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert 'data-report-ready="true"' in proc.stdout
    assert "X25519MLKEM768" in proc.stdout


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_demo_stops_its_servers_when_interrupted(tmp_path: Path, sig: str) -> None:
    import signal
    import socket
    import time

    cmd = [str(PQSCAN)] if PQSCAN.exists() else [sys.executable, "-m", "pqscan"]
    proc = subprocess.Popen([*cmd, "demo", "-o", str(tmp_path), "--no-bench"], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    ports = []
    deadline = time.monotonic() + 60
    assert proc.stderr is not None
    for line in proc.stderr:  # the lab prints one line per server as it starts
        if line.strip().startswith(("TLS ", "SSH ")):
            ports.append(int(line.split()[1].rsplit(":", 1)[1]))
        if "repo " in line or time.monotonic() > deadline:
            break
    assert len(ports) >= 5
    proc.send_signal(getattr(signal, sig))
    rc = proc.wait(timeout=60)
    assert rc == 130
    for port in ports:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open after {sig}"


def test_a_later_scan_of_the_project_does_not_scan_the_demo_output(demo) -> None:
    """The demo plants weak keys and code; `pqscan code|certs` of the folder holding its output must
    not report them (the output folder carries a .gitignore that ignores everything in it)."""
    out, proc = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    for command in ("code", "certs"):
        scanned = subprocess.run([sys.executable, "-m", "pqscan", command, str(out.parent), "-f", "json"],
                                 capture_output=True, text=True, timeout=120)
        assert scanned.returncode == 0, scanned.stderr[-2000:]
        doc = json.loads(scanned.stdout)
        assert not [f for f in doc["findings"] if out.name in json.dumps(f)], command
