"""Misuse of the command line ends with exit 2 and one line on stderr, never a crash or a silent success.

Issue #17 causes 3 (hostile inventories crashed the loader), 4 (output into a missing folder crashed)
and 8 (bad input accepted). Each case was checked against c15dbd4, where it exited 0 or 3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.helpers import SAMPLE, pqscan, pqscan_process, refused

pytestmark = pytest.mark.integration


# -- cause 8: a path that does not exist, in every command that takes one ---------------------------

@pytest.mark.parametrize("argv", [
    ["certs", "nope"],                       # c15dbd4: exit 0, the error only recorded
    ["code", "nope"],                        # c15dbd4: exit 0
    ["scan", "./nope", "-o", "{tmp}/x.jsonl"],  # c15dbd4: exit 2 "not a valid CIDR range"
    ["scan", "src/nope", "-o", "{tmp}/x.jsonl"],
    ["ci", "nope"],
    ["report", "nope.json"],
    ["assess", "nope.json"],
    ["graph", "nope.json"],
    ["merge", "nope.json"],
    ["diff", "nope.json", str(SAMPLE)],
], ids=lambda a: " ".join(a[:2]))
def test_a_missing_path_is_no_such_file_or_directory(tmp_path: Path, argv: list[str]) -> None:
    proc = pqscan(*(a.replace("{tmp}", str(tmp_path)) for a in argv), cwd=tmp_path)
    refused(proc, "nope", "no such file or directory")


def test_a_bad_cidr_is_still_called_a_bad_cidr_not_a_missing_path(tmp_path: Path) -> None:
    refused(pqscan("scan", "10.0.0.0/33", "-o", tmp_path / "x.jsonl"), "CIDR")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "1e999"])
@pytest.mark.parametrize("command", ["tls", "ssh", "scan"])
def test_timeout_must_be_a_finite_positive_number(command: str, value: str) -> None:
    # c15dbd4: --timeout nan exited 0 and every endpoint "failed" at once
    refused(pqscan(command, "127.0.0.1:9", "--timeout", value), "--timeout")


def test_rate_nan_is_refused() -> None:
    refused(pqscan("tls", "127.0.0.1:9", "--rate", "nan"), "--rate", "finite")


@pytest.mark.parametrize("year", ["1900", "1999", "2201", "-5"])
@pytest.mark.parametrize("command", ["report", "graph"])
def test_crqc_year_outside_2000_to_2200_is_refused(command: str, year: str) -> None:
    refused(pqscan(command, SAMPLE, "--crqc-year", year), "--crqc-year")  # c15dbd4: 1900 accepted by report


def test_a_report_json_given_to_report_or_assess_is_not_taken_for_an_empty_inventory(tmp_path: Path) -> None:
    report_json = tmp_path / "report.json"
    assert pqscan("report", SAMPLE, "-f", "json", "-o", report_json).returncode == 0
    assessment = tmp_path / "assessment.json"
    assert pqscan("assess", SAMPLE, "-f", "json", "-o", assessment).returncode == 0
    for doc in (report_json, assessment):
        for command in ("report", "assess", "graph"):
            refused(pqscan(command, doc), "not an inventory")  # c15dbd4: exit 0, empty output


@pytest.mark.parametrize("text", ['{"a": 1}', "[1, 2]", '"inventory"', "{}", '{"schema_version": "1.0"}'])
def test_json_that_is_not_an_inventory_is_refused(tmp_path: Path, text: str) -> None:
    doc = tmp_path / "other.json"
    doc.write_text(text)
    refused(pqscan("report", doc), "not a pqscan inventory")


# -- cause 3: the inventory loader has limits ----------------------------------------------------

def _inventory_with(value: str) -> str:
    return '{"schema_version": "1.0", "targets": [], "assets": [], "findings": [], "errors": [], "attachments": ' \
           '{"x": ' + value + "}}"


@pytest.mark.parametrize(("name", "value", "phrase"), [
    ("5000-digit integer", "1" * 5000, "unacceptable JSON value"),  # c15dbd4: exit 3 ValueError
    ("100k-deep nesting", "[" * 100_000 + "]" * 100_000, "nested too deeply"),  # c15dbd4: exit 3 RecursionError
    ("200-deep nesting", "[" * 200 + "]" * 200, "nested too deeply"),
    ("NaN", "NaN", "unacceptable JSON value"),
    ("truncated", "[1, 2", "not valid JSON"),
])
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_hostile_inventory_is_a_one_line_input_error(tmp_path: Path, name: str, value: str, phrase: str,
                                                      suffix: str) -> None:
    doc = tmp_path / f"hostile{suffix}"
    if suffix == ".json":
        doc.write_text(_inventory_with(value))
    else:  # a JSONL stream with the hostile record in the middle (not the tolerated partial last line)
        doc.write_text('{"type": "header", "schema_version": "1.0"}\n{"type": "attachment", "name": "x", "value": '
                       + value + '}\n{"type": "footer", "finished": null}\n')
        phrase = "malformed JSONL"
    for command in ("report", "assess"):
        refused(pqscan(command, doc), phrase)


def test_a_binary_file_and_a_directory_are_not_inventories(tmp_path: Path) -> None:
    blob = tmp_path / "blob.json"
    blob.write_bytes(b"\x00\x01\x02" * 100)
    refused(pqscan("report", blob), "binary file")
    refused(pqscan("report", tmp_path), "is a directory")


def test_an_unreadable_inventory_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    import os
    import shutil

    doc = tmp_path / "locked.json"
    doc.write_text(SAMPLE.read_text())
    doc.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv: cannot make a file unreadable")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    refused(pqscan_process("report", doc, prefix=tuple(prefix)), "locked.json", "not readable")


def test_the_sample_still_loads(tmp_path: Path) -> None:
    """The limits refuse nothing pqscan itself writes: a real scan's inventory round-trips."""
    out = tmp_path / "inv.json"
    tree = Path(__file__).resolve().parents[2] / "pqscan" / "lab"
    assert pqscan("scan", tree, "-o", out, "-q").returncode in (0, 1)
    assert pqscan("report", out, "-f", "sarif").returncode == 0
    assert json.loads(pqscan("assess", out, "-f", "json").stdout)["inventory"]["findings"]
