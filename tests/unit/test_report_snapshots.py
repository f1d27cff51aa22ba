"""Snapshot tests: the Markdown and JSON reports of a fixed estate, volatile fields masked.

A change to a verdict, a reason or the report layout shows up here as a readable diff. After an
intended change, regenerate with ``PQSCAN_UPDATE_SNAPSHOTS=1 pytest tests/unit/test_report_snapshots.py``
and review the diff of ``tests/data/snapshots/`` like code.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pqscan.report.build import prepare, render
from pqscan.report.formats import OutputFormat
from tests.report_fixtures import estate

SNAPSHOTS = Path(__file__).resolve().parents[1] / "data" / "snapshots"
VOLATILE_KEYS = {"generated", "started", "finished", "version", "today"}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<masked>" if k in VOLATILE_KEYS else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


@pytest.fixture(scope="module")
def inputs():
    return prepare(estate(), ["nist-ir-8547", "cnsa-2.0", "bsi"], today=date(2026, 11, 25))


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("PQSCAN_UPDATE_SNAPSHOTS") == "1":
        if os.environ.get("CI"):
            pytest.fail("PQSCAN_UPDATE_SNAPSHOTS is refused when CI is set: a snapshot is updated by hand, "
                        "reviewed, and committed")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"snapshot {name} rewritten (PQSCAN_UPDATE_SNAPSHOTS=1): review the diff; this run checked nothing")
    assert path.exists(), f"no snapshot {path}; run with PQSCAN_UPDATE_SNAPSHOTS=1 to create it"
    assert text == path.read_text(encoding="utf-8")


def test_markdown_report_matches_its_snapshot(inputs) -> None:
    _check("report.md", TIMESTAMP.sub("<timestamp>", render(inputs, OutputFormat.MARKDOWN)))


def test_json_report_matches_its_snapshot(inputs) -> None:
    doc = _mask(json.loads(render(inputs, OutputFormat.JSON)))
    _check("report.json", json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
