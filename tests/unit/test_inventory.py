"""The inventory document: JSON and JSONL round-trips, resume markers, merge, schema, bad input."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pqscan import model
from pqscan.errors import InputError
from pqscan.inventory import Inventory, JsonlWriter, load, load_many
from pqscan.model import Asset, AssetKind, ErrorKind, Evidence, Finding, ScanError, ScanResult, Usage

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "pqscan" / "data" / "sample-inventory.json"


def schema() -> dict[str, Any]:
    return json.loads(resources.files("pqscan").joinpath("schemas/inventory.schema.json").read_text())


def validate(doc: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema()).validate(doc)


def result(target: str, n: int = 1) -> ScanResult:
    r = ScanResult(target, "tls")
    asset_id = f"tls://{target}"
    r.assets.append(Asset(asset_id, AssetKind.TLS_ENDPOINT, target, target.split(":")[0]))
    for i in range(n):
        r.findings.append(Finding(asset_id, "X25519", Usage.KEY_EXCHANGE, "tls", {"tls_group": f"0x{i:04X}"}, Evidence(target)))
    return r


def inventory() -> Inventory:
    inv = Inventory(targets=["a.example.test:443", "b.example.test:443"])
    inv.add_result(result("a.example.test:443", 2))
    inv.add_result(result("b.example.test:443"))
    inv.add_error(ScanError("c.example.test:443", "connect", ErrorKind.TIMEOUT, "no answer", "tls"))
    inv.mark_done("a.example.test:443")
    inv.finished = "2026-11-25T10:00:00Z"
    return inv


def test_json_inventory_round_trips(tmp_path: Path) -> None:
    inv = inventory()
    inv.save(tmp_path / "inv.json")
    assert load(tmp_path / "inv.json").to_dict() == inv.to_dict()


def test_saved_inventory_validates_against_the_schema(tmp_path: Path) -> None:
    inventory().save(tmp_path / "inv.json")
    validate(json.loads((tmp_path / "inv.json").read_text()))


def test_jsonl_stream_round_trips_to_the_same_inventory(tmp_path: Path) -> None:
    path = tmp_path / "scan.jsonl"
    with JsonlWriter(path, targets=["a.example.test:443", "b.example.test:443"]) as w:
        w.write_result(result("a.example.test:443", 2))
        w.write_result(result("b.example.test:443"))
        w.write_attachment("bench", {"ratio": 1.5})
    inv = load(path)
    assert len(inv.assets) == 2 and len(inv.findings) == 3
    assert inv.completed_targets == ["a.example.test:443", "b.example.test:443"]
    assert inv.attachments == {"bench": {"ratio": 1.5}}
    assert inv.finished is not None
    validate(inv.to_dict())


def test_partial_last_line_of_a_jsonl_stream_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "scan.jsonl"
    with JsonlWriter(path, targets=["a.example.test:443"]) as w:
        w.write_result(result("a.example.test:443"))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"type": "finding", "asset_id": "tls://b.exa')  # the crash happened here
    inv = load(path)
    assert len(inv.findings) == 1


def test_interrupted_stream_has_no_finish_time_and_keeps_completed_targets(tmp_path: Path) -> None:
    path = tmp_path / "scan.jsonl"
    w = JsonlWriter(path, targets=["a.example.test:443", "b.example.test:443"])
    w.write_result(result("a.example.test:443"))
    w.write_result(result("b.example.test:443"), done=False)  # in flight when interrupted
    w.close(finished=False)
    inv = load(path)
    assert inv.finished is None
    assert inv.completed_targets == ["a.example.test:443"]


def test_resumed_stream_cuts_the_partial_line_and_stays_loadable(tmp_path: Path) -> None:
    path = tmp_path / "scan.jsonl"
    w = JsonlWriter(path, targets=["a.example.test:443", "b.example.test:443"])
    w.write_result(result("a.example.test:443"))
    w.close(finished=False)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"type": "asset", "id"')  # the crash happened here
    with JsonlWriter(path, append=True) as resumed:
        resumed.write_result(result("b.example.test:443"))
    inv = load(path)
    assert inv.completed_targets == ["a.example.test:443", "b.example.test:443"]
    assert inv.finished is not None
    assert '"id"\n' not in path.read_text()


def test_resuming_a_stream_cut_inside_its_header_starts_a_new_header(tmp_path: Path) -> None:
    path = tmp_path / "scan.jsonl"
    path.write_text('{"type": "header", "sche')
    with JsonlWriter(path, append=True, targets=["a.example.test:443"]) as w:
        w.write_result(result("a.example.test:443"))
    assert load(path).completed_targets == ["a.example.test:443"]


def test_jsonl_of_a_newer_major_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    path.write_text('{"type": "header", "schema_version": "2.0"}\n')
    with pytest.raises(InputError, match="schema 2.0 is not supported"):
        load(path)


def test_malformed_line_in_the_middle_of_a_stream_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "scan.jsonl"
    with JsonlWriter(path) as w:
        w.write_result(result("a.example.test:443"))
    lines = path.read_text().splitlines()
    lines.insert(2, "{not json")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"line\(s\) 3"):
        load(path)


def test_jsonl_without_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"type": "header_missing"}\n{"type": "asset"}\n')
    with pytest.raises(InputError):
        load(path)


def test_merge_dedupes_assets_by_id_and_findings_by_id() -> None:
    a, b = inventory(), inventory()
    b.add_result(result("d.example.test:443"))
    a.merge(b)
    assert sorted(a.assets) == ["tls://a.example.test:443", "tls://b.example.test:443", "tls://d.example.test:443"]
    assert len(a.findings) == 4
    assert len({f.id for f in a.findings}) == 4
    assert len(a.errors) == 2  # errors are observations of two runs: both kept


def test_load_many_merges_json_and_jsonl(tmp_path: Path) -> None:
    inventory().save(tmp_path / "a.json")
    with JsonlWriter(tmp_path / "b.jsonl", targets=["e.example.test:443"]) as w:
        w.write_result(result("e.example.test:443"))
    merged = load_many([tmp_path / "a.json", tmp_path / "b.jsonl"])
    assert "tls://e.example.test:443" in merged.assets and "tls://a.example.test:443" in merged.assets
    assert "e.example.test:443" in merged.targets


def test_load_many_of_nothing_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no inventory"):
        load_many([])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "top level is not an object"),
        ('{"assets": []}', "no schema_version"),
        ('{"schema_version": "2.0"}', "schema 2.0 is not supported"),
        ('{"schema_version": "1.0", "assets": [{"id": "x", "kind": "spaceship", "location": ""}]}', "malformed"),
        ('{"schema_version": "1.0", "findings": [{"asset_id": "x"}]}', "malformed"),
        ('{"schema_version": "1.0", "findings": ["x"]}', "malformed"),
    ],
)
def test_malformed_inventory_is_an_input_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load(path)


def test_missing_file_binary_file_and_directory_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "bin.json").write_bytes(b"\x00\x01\x02")
    for path, message in ((tmp_path / "absent.json", "no such file"), (tmp_path / "bin.json", "binary"),
                          (tmp_path, "is a directory")):
        with pytest.raises(InputError, match=message):
            load(path)


def test_schema_enums_match_the_model() -> None:
    defs = schema()["$defs"]
    assert defs["asset"]["properties"]["kind"]["enum"] == [k.value for k in model.AssetKind]
    assert defs["relation"]["properties"]["kind"]["enum"] == [k.value for k in model.RelationKind]
    assert defs["finding"]["properties"]["usage"]["enum"] == [u.value for u in model.Usage]
    assert defs["finding"]["properties"]["confidence"]["enum"] == [c.value for c in model.Confidence]
    assert defs["scan_error"]["properties"]["kind"]["enum"] == [k.value for k in model.ErrorKind]


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_schema_rejects_a_finding_with_an_unknown_usage() -> None:
    doc = inventory().to_dict()
    doc["findings"][0]["usage"] = "teleportation"
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_sample_inventory_is_schema_valid() -> None:
    validate(json.loads(SAMPLE.read_text()))
    assert load(SAMPLE).findings


def test_sample_inventory_is_what_the_committed_script_builds() -> None:
    spec = importlib.util.spec_from_file_location("make_sample_inventory", ROOT / "scripts" / "make_sample_inventory.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert SAMPLE.read_text(encoding="utf-8") == script.render(), "run scripts/make_sample_inventory.py"
