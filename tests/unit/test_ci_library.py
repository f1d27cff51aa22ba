"""pqscan.pipeline.ci helpers and GitHub annotation escaping (no git, no subprocess)."""

from __future__ import annotations

import json

import pytest

from pqscan.collect.walk import WalkOptions, iter_files
from pqscan.errors import InputError
from pqscan.inventory import Inventory
from pqscan.model import Evidence, Finding, Severity, Usage
from pqscan.pipeline.ci import baseline_document, load_baseline, only_these_files
from pqscan.report.github_annotations import annotation, escape_property


def _finding(location="a.py", line=3):
    return Finding("file:" + location, "MD5", Usage.HASHING, "code", {}, Evidence(location, line, 5, "hashlib.md5"))


def test_baseline_document_round_trips_through_load_baseline(tmp_path):
    inv = Inventory()
    inv.add_finding(_finding())
    path = tmp_path / "b.json"
    path.write_text(json.dumps(baseline_document(inv)))
    assert load_baseline(path) == {_finding().id}


def test_plain_list_of_ids_is_a_baseline(tmp_path):
    (tmp_path / "b.json").write_text('["abc", "def"]')
    assert load_baseline(tmp_path / "b.json") == {"abc", "def"}


def test_sarif_log_is_a_baseline(tmp_path):
    doc = {"version": "2.1.0", "runs": [{"results": [{"partialFingerprints": {"pqscanFindingId/v1": "x1"}}]}]}
    (tmp_path / "b.sarif").write_text(json.dumps(doc))
    assert load_baseline(tmp_path / "b.sarif") == {"x1"}


def test_unrecognised_baseline_is_an_input_error(tmp_path):
    (tmp_path / "b.json").write_text('{"hello": 1}')
    with pytest.raises(InputError):
        load_baseline(tmp_path / "b.json")


def test_only_these_files_walks_just_the_listed_paths(tmp_path):
    for rel in ("a/x.py", "a/y.py", "b/z[1].py", "top.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    walked = [e.relpath for e in iter_files([tmp_path], WalkOptions(excludes=only_these_files(["a/y.py", "b/z[1].py"])))]
    assert walked == ["a/y.py", "b/z[1].py"]


def test_annotation_escapes_newlines_and_property_separators():
    f = _finding(location="we,ird:na%me.py")
    line = annotation(f, Severity.CRITICAL, "line one\nline two")
    assert line == ("::error file=we%2Cird%3Ana%25me.py,line=3,col=5,title=pqscan critical%3A MD5 (hashing)"
                    "::line one%0Aline two")


def test_info_findings_get_no_annotation():
    assert annotation(_finding(), Severity.INFO, "fine") is None


def test_escape_property_percent_first():
    assert escape_property("%3A") == "%253A"
