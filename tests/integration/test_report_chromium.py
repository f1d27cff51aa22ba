"""The HTML report in a real headless Chromium (Debian's package): it loads offline, its script
builds the tables, its charts are there, and a hostile certificate subject stays inert text."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from pqscan.report.build import prepare, render
from pqscan.report.formats import OutputFormat
from tests.report_fixtures import estate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]

# Flags that keep a headless Chromium off the network entirely (see .library env notes).
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND"]


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000", *args],
                          capture_output=True, text=True, timeout=90)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("html")
    page = tmp / "report.html"
    page.write_text(render(prepare(estate(), ["nist-ir-8547", "cnsa-2.0"], today=date(2026, 11, 25)),
                           OutputFormat.HTML), encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def dom(report_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    proc = _chromium(tmp_path_factory.mktemp("chrome"), "--dump-dom", report_file.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_report_script_runs_and_builds_the_findings_table(dom: str) -> None:
    assert 'data-report-ready="true"' in dom
    assert 'id="t-findings" data-ready="true"' in dom
    assert 'class="sev sev-critical"' in dom


def test_hostile_certificate_subject_renders_as_text_and_runs_no_script(dom: str) -> None:
    assert "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]
    assert "&lt;script&gt;document.body.setAttribute" in dom


def test_charts_are_inline_svg(dom: str) -> None:
    assert dom.count("<svg") >= 4  # gauge + three charts; dependencies are a table
    assert 'id="dependencies"' in dom
    assert 'aria-label="findings by asset kind and severity"' in dom


def test_screenshot_of_the_report(report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    proc = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2400", report_file.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
