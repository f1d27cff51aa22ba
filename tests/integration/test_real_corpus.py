"""The code scanner on the labelled real corpus (benchmarks/real_corpus): code nobody here wrote.

The third-party files are never in the repository: these tests read them from the corpus cache
(``benchmarks/real_corpus/fetch.py`` fills it; ``$PQSCAN_CORPUS_CACHE``, git sources from
``$PQSCAN_CORPUS_MIRRORS``) and skip, saying why, where they are absent (CI has no network).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath

import pytest

from benchmarks.real_corpus.corpus import DEFAULT_CACHE, DEFAULT_MIRRORS, HERE, available, load
from benchmarks.real_corpus.score import LANGUAGE_GROUP, aggregate, findings_of, score_file
from pqscan.collect.code import scan_paths, scan_source
from pqscan.collect.code.scanner import CodeScanOptions


def _present() -> list[tuple[object, str]]:
    if not list(HERE.glob("*/sources.toml")):
        pytest.skip(f"no labels under {HERE} (the labelled corpus is copied there when final)")
    _, files = load(HERE)
    out = [(item, data.decode("utf-8", "replace")) for item, data in available(files, DEFAULT_CACHE, DEFAULT_MIRRORS)
           if not isinstance(data, str)]
    if not out:
        pytest.skip(f"no labelled file in the corpus cache {DEFAULT_CACHE} (run benchmarks/real_corpus/fetch.py)")
    return out


def test_prefilters_never_hide_a_finding_on_real_code() -> None:
    differing = []
    for item, text in _present():
        language = item.language if item.language != "cpp" else "c"  # type: ignore[attr-defined]

        def key(opts: CodeScanOptions) -> list[tuple[int, str, str, str]]:
            r = scan_source(text, item.path, language, opts)  # type: ignore[attr-defined]  # noqa: B023
            return sorted((f.evidence.line or 0, f.algorithm, f.usage.value, f.evidence.symbol or "")
                          for f in r.findings)

        if key(CodeScanOptions()) != key(CodeScanOptions(parse_all=True)):
            differing.append(item.key)  # type: ignore[attr-defined]
    assert differing == []


def test_worker_processes_give_the_serial_findings_on_real_code(tmp_path: Path) -> None:
    """``-j 2`` (workers forked after the parent loaded the first batch's languages) against ``-j 1``, file by file."""
    for n, (item, text) in enumerate(_present()):
        name = PurePosixPath(item.path.replace("!/", "/")).name  # type: ignore[attr-defined]
        dest = tmp_path / f"{n:03d}-{item.source.id}" / name  # type: ignore[attr-defined]
        dest.parent.mkdir(parents=True)
        dest.write_text(text, encoding="utf-8")

    def run(jobs: int) -> list[tuple[object, ...]]:
        return [(r.target, [(f.id, f.evidence.line, f.evidence.column, f.parameters) for f in r.findings],
                 [(e.kind, e.message) for e in r.errors]) for r in scan_paths([tmp_path], CodeScanOptions(jobs=jobs))]

    serial = run(1)
    assert sum(len(r[1]) for r in serial) > 1000  # type: ignore[arg-type]  # real findings, not an empty tree
    assert run(2) == serial


def test_precision_and_clean_files_on_real_code() -> None:
    scores = [score_file(item, findings_of(item, text)) for item, text in _present()]  # type: ignore[arg-type]
    rows = aggregate(scores, lambda fs: [LANGUAGE_GROUP.get(fs.item.language, fs.item.language)])
    low = {lang: r["precision"] for lang, r in rows.items() if r["precision"] is not None and r["precision"] < 0.95}
    assert low == {}, "precision below 0.95 (issue #12 target)"
    in_clean: dict[str, int] = defaultdict(int)
    for fs in scores:
        if fs.item.clean and fs.units:
            in_clean[fs.item.key] += len(fs.units)
    assert dict(in_clean) == {}, "findings in files labelled clean"
    total = aggregate(scores, lambda fs: ["all"])["all"]
    # a floor against regressions, not the target: issue #12 asks 0.90 per language (see the README table)
    assert total["recall"] is not None and total["recall"] >= 0.75
