"""Parallel code scanning (worker processes): same results, same order; summary output with -o."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from pqscan.cli import cli
from pqscan.collect.code import CodeScanOptions, scan_paths
from pqscan.collect.parallel import BATCH_FILES, ordered_scan
from pqscan.model import ErrorKind, ScanResult


def _tree(root: Path, files: int) -> None:
    for i in range(files):
        sub = root / f"pkg{i % 7}"
        sub.mkdir(exist_ok=True)
        if i % 3 == 0:
            (sub / f"m{i}.py").write_text(f"import hashlib\nh = hashlib.md5(b'{i}')\n")
        elif i % 3 == 1:
            (sub / f"K{i}.java").write_text(
                'class K { void f() throws Exception { KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");'
                f" g.initialize({1024 + i}); }} }}\n")
        else:
            (sub / f"plain{i}.go").write_text("package p\nfunc f() int { return 1 }\n")
    (root / "bin.py").write_bytes(b"\x00\x01binary")
    (root / "bad.py").write_text("def f(:\n  hashlib.md5()\n")


def _comparable(results: list[ScanResult]) -> list[tuple[object, ...]]:
    return [(r.target, [(f.id, f.evidence.line, f.parameters.get("key_bits")) for f in r.findings],
             [(e.kind, e.message) for e in r.errors]) for r in results]


def test_scan_in_worker_processes_gives_the_serial_results_in_the_same_order(tmp_path: Path) -> None:
    _tree(tmp_path, BATCH_FILES * 3 + 5)  # several batches, the last one partial
    serial = list(scan_paths([tmp_path], CodeScanOptions(jobs=1)))
    parallel = list(scan_paths([tmp_path], CodeScanOptions(jobs=2)))
    assert len(serial) == BATCH_FILES * 3 + 7
    assert _comparable(parallel) == _comparable(serial)


def test_tree_smaller_than_one_batch_is_scanned_without_workers(tmp_path: Path) -> None:
    seen: list[int] = []
    results = list(ordered_scan(range(5), lambda batch: _pid_results(batch, seen), lambda _: 1, str, jobs=2))
    assert [r.target for r in results] == ["0", "1", "2", "3", "4"] and set(seen) == {os.getpid()}


def _pid_results(batch: list[int], seen: list[int]) -> list[ScanResult]:
    seen.append(os.getpid())
    return [ScanResult(target=str(i), collector="code") for i in batch]


def _die_on_seven(batch: list[int]) -> list[ScanResult]:
    if 7 in batch:
        os._exit(3)  # a real worker death, as a crashing parser would cause
    return [ScanResult(target=str(i), collector="code") for i in batch]


def test_batch_that_kills_its_worker_is_recorded_per_file_and_the_others_are_kept() -> None:
    items = list(range(BATCH_FILES * 4))
    results = list(ordered_scan(items, _die_on_seven, lambda _: 1, str, jobs=2))
    assert [r.target for r in results] == [str(i) for i in items]
    died = [r.target for r in results if r.errors]
    assert died == [str(i) for i in range(BATCH_FILES)]  # 7 is in the first batch
    assert results[0].errors[0].kind is ErrorKind.INTERNAL


def test_code_command_with_output_file_prints_a_summary_per_algorithm(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.py").write_text("import hashlib\nhashlib.md5(b'x')\nhashlib.md5(b'y')\nhashlib.sha1(b'z')\n")
    out = tmp_path / "code.json"
    res = CliRunner().invoke(cli, ["code", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "3 finding(s) in 1 file(s)" in res.output and "hashlib.md5" not in res.output
    md5_row = next(line for line in res.output.splitlines() if "MD5" in line)
    assert md5_row.split("\t") == ["MD5", "hashing", "2", "1"]  # on a pipe: one record a line
    assert len(json.loads(out.read_text())["findings"]) == 3


_PREPARED: list[list[int]] = []


def _prepare(batch: list[int]) -> None:
    _PREPARED.append(list(batch))


def _seen_prepared(batch: list[int]) -> list[ScanResult]:
    return [ScanResult(target=f"{i}:{len(_PREPARED)}:{os.getpid()}", collector="code") for i in batch]


def test_workers_are_forked_after_the_first_batch_is_prepared_here() -> None:
    _PREPARED.clear()
    items = list(range(BATCH_FILES * 3))
    results = list(ordered_scan(items, _seen_prepared, lambda _: 1, str, jobs=2, prepare=_prepare))
    assert [list(b) for b in _PREPARED] == [items[:BATCH_FILES]]  # once, in this process, with the first batch
    index, prepared, pids = zip(*(r.target.split(":") for r in results), strict=True)
    assert list(map(int, index)) == items
    assert set(prepared) == {"1"} and str(os.getpid()) not in pids  # the workers inherited it


def test_scan_goes_on_when_preparing_fails() -> None:
    def fail(batch: list[int]) -> None:
        raise RuntimeError("cannot warm up")

    results = list(ordered_scan(list(range(BATCH_FILES * 2)), _pid_results_module, lambda _: 1, str, jobs=2,
                                prepare=fail))
    assert [r.target for r in results] == [str(i) for i in range(BATCH_FILES * 2)]


def _pid_results_module(batch: list[int]) -> list[ScanResult]:
    return [ScanResult(target=str(i), collector="code") for i in batch]
