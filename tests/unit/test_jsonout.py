"""Readable JSON written fast: the same value json.dumps gives, the outline indented, one record per line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pqscan import jsonout
from pqscan.commands.assess import sample_inventory_path
from pqscan.inventory import load

VALUES = [
    {}, [], "text", 3, None, {"a": []}, {"a": {}},
    {"schema_version": "1.0", "assets": [{"id": "a", "tags": ["x", "ü"], "n": 1.5}, {"id": "b"}], "errors": []},
    [[1, [2, [3]]], {"k": {"deep": {"deeper": [1, 2]}}}],
    {2: "int key", None: "null key", True: "bool key"},
    {"quote\"and\\backslash": "line\nbreak\u2028", "emoji": "\U0001f512"},
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("depth", [0, 1, 2, 3, 5])
def test_the_text_is_the_value_json_dumps_gives(value: object, depth: int) -> None:
    assert json.loads(jsonout.dumps(value, depth=depth)) == json.loads(json.dumps(value))


def test_each_record_below_the_outline_is_one_line() -> None:
    doc = {"assets": [{"id": "a", "names": ["x", "y"]}, {"id": "b", "meta": {"k": 1}}], "findings": []}
    assert jsonout.dumps(doc) == (
        '{\n "assets": [\n  {"id": "a", "names": ["x", "y"]},\n  {"id": "b", "meta": {"k": 1}}\n ],\n'
        ' "findings": []\n}')


def test_text_is_kept_as_written_and_unknown_types_go_through_default() -> None:
    text = jsonout.dumps({"when": [date(2030, 1, 1)], "who": "Zoë"}, default=str)
    assert '"2030-01-01"' in text and "Zoë" in text
    with pytest.raises(TypeError):
        jsonout.dumps({"when": [date(2030, 1, 1)]})


def test_a_saved_inventory_reads_back_the_same(tmp_path: Path) -> None:
    inv = load(sample_inventory_path())
    path = tmp_path / "inv.json"
    inv.save(path)
    assert load(path).to_dict() == inv.to_dict()
    assert path.read_text().count("\n") > len(inv.findings) + len(inv.assets)
