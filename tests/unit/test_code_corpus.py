"""The labelled corpus is matched exactly: every expected finding, and nothing else."""

from __future__ import annotations

import pytest

from tests.unit.code_corpus import corpus_files, run

FILES = corpus_files()


def test_corpus_covers_every_language() -> None:
    languages = {p.relative_to(p.parents[1]).parts[0] for p in FILES}
    assert {"python", "java", "go", "javascript", "c", "rust", "csharp"} <= languages


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file_findings_match_labels_exactly(path) -> None:  # type: ignore[no-untyped-def]
    outcome = run(path)
    assert not outcome.missing and not outcome.extra, (
        f"missing {sorted(outcome.missing.elements())}, extra {sorted(outcome.extra.elements())}")
