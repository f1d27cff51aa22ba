"""liboqs detection mirrors liboqs-python's own search, without importing it."""

from __future__ import annotations

import ctypes.util
import json
from pathlib import Path

import pytest

from pqscan.bench.oqs_detect import INSTALL_HINT, candidate_paths, locate_liboqs
from pqscan.bench.report import bench_schema


def test_candidates_follow_liboqs_python_order_lib_then_lib64_under_oqs_install_path(tmp_path: Path) -> None:
    paths = candidate_paths({"OQS_INSTALL_PATH": str(tmp_path)})
    assert paths[-2:] == [str(tmp_path / "lib" / "liboqs.so"), str(tmp_path / "lib64" / "liboqs.so")]


def test_without_oqs_install_path_the_default_is_home_oqs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert str(tmp_path / "_oqs" / "lib" / "liboqs.so") in candidate_paths({})


def test_an_empty_install_dir_finds_no_library(tmp_path: Path) -> None:
    if ctypes.util.find_library("oqs") or ctypes.util.find_library("liboqs"):
        pytest.skip("a system-wide liboqs is installed")
    found, searched = locate_liboqs({"OQS_INSTALL_PATH": str(tmp_path)})
    assert found is None
    assert str(tmp_path / "lib" / "liboqs.so") in searched


def test_a_file_that_is_not_a_loadable_library_is_not_taken_for_liboqs(tmp_path: Path) -> None:
    if ctypes.util.find_library("oqs") or ctypes.util.find_library("liboqs"):
        pytest.skip("a system-wide liboqs is installed")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "liboqs.so").write_bytes(b"not an ELF file")
    assert locate_liboqs({"OQS_INSTALL_PATH": str(tmp_path)})[0] is None


def test_install_hint_names_the_build_the_extra_and_the_variable() -> None:
    for text in ("BUILD_SHARED_LIBS=ON", "pqscan[oqs]", "OQS_INSTALL_PATH", "LD_LIBRARY_PATH"):
        assert text in INSTALL_HINT


def test_the_committed_bench_schema_is_a_valid_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = bench_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "migration_costs" in schema["required"]
    assert json.dumps(schema)  # serialisable as committed
