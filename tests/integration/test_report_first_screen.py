"""The HTML report's first screen and its print, measured in a real Chromium (DevTools over a pipe).

At 1366x768 the readiness score, the top five steps and the next deadlines lie inside the first
viewport; no table cell wraps a number; printed to PDF, every finding of the inventory is in it
(a real scan of the system's CA bundle: hundreds of findings, several screen pages of the table).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pqscan.inventory import Inventory
from pqscan.report.build import prepare, render
from pqscan.report.formats import OutputFormat
from tests.integration.cdp import Browser
from tests.report_fixtures import estate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
CA_DIR = Path("/etc/ssl/certs")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]

# Where each element's box lies, and whether a cell's text runs over more than one line.
_BOXES = """JSON.stringify({
  vh: innerHeight, vw: innerWidth,
  score: document.getElementById('readiness-score').getBoundingClientRect().toJSON(),
  steps: Array.from(document.querySelectorAll('#what-first li')).map(e => e.getBoundingClientRect().toJSON()),
  deadlines: Array.from(document.querySelectorAll('#by-when tbody tr')).map(e => e.getBoundingClientRect().toJSON()),
  scrollX: document.documentElement.scrollWidth
})"""
_WRAPPED_NUMBERS = r"""JSON.stringify(Array.from(document.querySelectorAll('td')).filter(td => {
  const t = td.textContent.trim();
  if (!/^[\d.,:%×\-–\/ ]+$/.test(t) && !/^\d{4}-\d{2}-\d{2}$/.test(t)) return false;
  if (td.offsetParent === null) return false;
  const r = document.createRange(); r.selectNodeContents(td);
  const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)));
  return tops.size > 1;
}).map(td => td.textContent))"""


def _page(tmp: Path, inventory: Inventory, profiles: list[str], *, with_plan: bool = True) -> Path:
    page = tmp / "report.html"
    inputs = prepare(inventory, profiles, today=date(2026, 11, 25), with_plan=with_plan)
    page.write_text(render(inputs, OutputFormat.HTML), encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    b = Browser(str(CHROMIUM), tmp_path_factory.mktemp("chrome-profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def estate_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _page(tmp_path_factory.mktemp("estate"), estate(), ["nist-ir-8547", "cnsa-2.0"])


@pytest.fixture(scope="module")
def ca_inventory(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    if not CA_DIR.is_dir() or not any(CA_DIR.glob("*.pem")):
        pytest.skip(f"no CA certificates in {CA_DIR} (apt-get install ca-certificates)")
    out = tmp_path_factory.mktemp("ca") / "ca.json"
    proc = subprocess.run([sys.executable, "-m", "pqscan", "-q", "certs", str(CA_DIR), "-o", str(out),
                           "-f", "json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Inventory.from_dict(json.loads(out.read_text(encoding="utf-8")))


def _inside(box: dict[str, float], vw: int, vh: int) -> bool:
    return box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= vh and box["right"] <= vw


def test_first_viewport_shows_the_score_the_top_five_steps_and_the_next_deadlines(
        browser: Browser, estate_page: Path, tmp_path: Path) -> None:
    browser.open(estate_page.as_uri(), 1366, 768)
    boxes = json.loads(browser.evaluate(_BOXES))
    vw, vh = boxes["vw"], boxes["vh"]
    assert (vw, vh) == (1366, 768)
    assert _inside(boxes["score"], vw, vh)
    assert len(boxes["steps"]) == 5
    assert all(_inside(b, vw, vh) for b in boxes["steps"]), boxes["steps"]
    assert len(boxes["deadlines"]) == 2  # one row per selected profile with an upcoming deadline
    assert all(_inside(b, vw, vh) for b in boxes["deadlines"]), boxes["deadlines"]
    assert boxes["scrollX"] <= vw  # nothing pushes the page sideways
    browser.screenshot(tmp_path / "first-screen.png")


def test_each_top_step_names_its_asset_and_its_deadline(browser: Browser, estate_page: Path) -> None:
    browser.open(estate_page.as_uri(), 1366, 768)
    items = json.loads(browser.evaluate(
        "JSON.stringify(Array.from(document.querySelectorAll('#what-first li')).map(e => e.innerText))"))
    assert any("Example Root CA" in t and "127.0.0.1:8443" in t for t in items), items  # CN and where deployed
    assert any("repo/app.py" in t for t in items), items  # repository path
    assert all("due " in t for t in items), items
    assert sum("due now (CNSA 2.0)" in t for t in items) >= 2, items


@pytest.mark.parametrize("width", [1366, 1024])
def test_no_table_cell_wraps_a_number(browser: Browser, ca_inventory: Inventory, estate_page: Path,
                                      tmp_path: Path, width: int) -> None:
    browser.open(estate_page.as_uri(), width, 768)  # the plan's tables
    assert json.loads(browser.evaluate(_WRAPPED_NUMBERS)) == []
    page = _page(tmp_path, ca_inventory, ["nist-ir-8547", "cnsa-2.0"], with_plan=False)
    browser.open(page.as_uri(), width, 768)
    assert json.loads(browser.evaluate(_WRAPPED_NUMBERS)) == []


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed (apt-get install poppler-utils)")
def test_print_to_pdf_holds_every_finding(browser: Browser, ca_inventory: Inventory, tmp_path: Path) -> None:
    assert len(ca_inventory.findings) > 100  # more than one screen page of the findings table
    page = _page(tmp_path, ca_inventory, ["nist-ir-8547"], with_plan=False)
    browser.open(page.as_uri(), 1366, 768)
    pdf = tmp_path / "report.pdf"
    browser.pdf(pdf)
    text = subprocess.run([str(PDFTOTEXT), str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    printed = {int(n) for n in re.findall(r"\bF-(\d+)\b", text)}
    assert printed == set(range(1, len(ca_inventory.findings) + 1))
    assert f"Printed: all {len(ca_inventory.findings)} findings rows." in text
