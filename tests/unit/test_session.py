"""The scan session: stream to sinks, resume, finish, save, keep results on interrupt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pqscan.errors import UsageError
from pqscan.inventory import Inventory, load
from pqscan.model import ErrorKind, ScanResult
from pqscan.pipeline.scan import ScanOptions, scan
from pqscan.pipeline.session import InventoryFileSink, ScanSession


def _result(target: str, failed: bool = False) -> ScanResult:
    r = ScanResult(target, "test")
    if failed:
        r.error("connect", ErrorKind.TIMEOUT, "no answer")
    return r


class RecordingSink:
    """A sink as a store would be one: it only sees the three calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def write(self, result: ScanResult, *, done: bool) -> None:
        self.calls.append(("write", (result.target, done)))

    def finish(self, inventory: Inventory) -> None:
        self.calls.append(("finish", len(inventory.completed_targets)))

    def close_unfinished(self, inventory: Inventory) -> None:
        self.calls.append(("close_unfinished", len(inventory.completed_targets)))


def test_any_sink_gets_each_result_then_finish() -> None:
    sink = RecordingSink()
    with ScanSession(["a", "b"], sinks=[sink]) as session:
        session.take(_result("a"))
        session.take(_result("b"), done=False)
    assert sink.calls == [("write", ("a", True)), ("write", ("b", False)), ("finish", 1)]
    assert session.inventory.completed_targets == ["a"] and session.inventory.finished


def test_an_interruption_closes_the_sinks_unfinished_and_propagates() -> None:
    sink = RecordingSink()
    with pytest.raises(KeyboardInterrupt), ScanSession(["a", "b"], sinks=[sink]) as session:
        session.take(_result("a"))
        raise KeyboardInterrupt
    assert sink.calls[-1] == ("close_unfinished", 1)


def test_jsonl_output_streams_done_markers_and_resume_skips_finished_targets(tmp_path: Path) -> None:
    out = tmp_path / "inv.jsonl"
    with pytest.raises(KeyboardInterrupt), ScanSession.to_file(out, ["a", "b"]) as session:
        session.take(_result("a"))
        raise KeyboardInterrupt
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["type"] for r in records] == ["header", "done"]  # no footer: unfinished
    resumed = ScanSession.to_file(out, ["a", "b"], resume=True)
    assert resumed.skip_keys == {"a"}
    resumed.take(_result("b", failed=True))
    inv = resumed.finish()
    assert inv.completed_targets == ["a", "b"] and load(out).completed_targets == ["a", "b"]


def test_json_output_interrupted_is_written_partial_and_resume_completes_it(tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    with pytest.raises(KeyboardInterrupt), ScanSession.to_file(out, ["a", "b"]) as session:
        session.take(_result("a", failed=True))
        raise KeyboardInterrupt
    partial = json.loads(out.read_text())
    assert partial["finished"] is None and partial["attachments"]["partial"] is True
    assert (tmp_path / "inv.json.partial.jsonl").exists()
    resumed = ScanSession.to_file(out, ["a", "b"], resume=True)
    assert resumed.skip_keys == {"a"}
    resumed.take(_result("b"))
    resumed.finish()
    done = json.loads(out.read_text())
    assert done["finished"] and "partial" not in done["attachments"]
    assert len(done["errors"]) == 1  # the interrupted document and its stream are not counted twice
    assert not (tmp_path / "inv.json.partial.jsonl").exists()


def test_output_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such directory"):
        InventoryFileSink(tmp_path / "no" / "such" / "x.jsonl")


def test_resume_with_nothing_to_resume_is_refused_when_required(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nothing to resume"):
        ScanSession.to_file(tmp_path / "x.jsonl", ["a"], resume=True, require_previous=True)


def test_scan_returns_the_sessions_inventory_without_reloading_it(tmp_path: Path) -> None:
    (tmp_path / "t" / "a.py").parent.mkdir()
    (tmp_path / "t" / "a.py").write_text("import hashlib\nhashlib.md5(b'x')\n")
    out = tmp_path / "inv.jsonl"
    session = ScanSession.to_file(out, [str(tmp_path / "t")])
    inv = scan([str(tmp_path / "t")], ScanOptions(path_collectors=("code",)), session=session)
    assert inv is session.inventory and inv.findings
    assert {f.id for f in load(out).findings} == {f.id for f in inv.findings}
    assert f"path:{tmp_path / 't'}" in load(out).completed_targets
