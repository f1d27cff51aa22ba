"""Labels of the code corpus (tests/data/code_corpus): read from ``expect:`` comments in each file."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pqscan.collect.code import scan_source
from pqscan.collect.code.files import language_of
from pqscan.collect.code.names import canonical

CORPUS = Path(__file__).resolve().parents[1] / "data" / "code_corpus"
_MARK = re.compile(r"expect(?:@(?P<offset>[+-]\d+))?:\s*(?P<labels>[^\n*]+?)\s*(?:\*/)?\s*$")

Label = tuple[int, str, str]  # (line, algorithm id, usage)


@dataclass(frozen=True)
class Outcome:
    path: Path
    language: str
    expected: Counter[Label]
    found: Counter[Label]

    @property
    def missing(self) -> Counter[Label]:
        return self.expected - self.found

    @property
    def extra(self) -> Counter[Label]:
        return self.found - self.expected


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and language_of(str(p)) is not None)


def expected_labels(text: str) -> Counter[Label]:
    labels: Counter[Label] = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        m = _MARK.search(line)
        if not m:
            continue
        target = number + int(m.group("offset") or 0)
        for item in m.group("labels").split(","):
            algorithm, usage = item.split()
            labels[(target, canonical(algorithm), usage)] += 1
    return labels


def run(path: Path) -> Outcome:
    text = path.read_text(encoding="utf-8")
    language = language_of(str(path)) or ""
    result = scan_source(text, path.relative_to(CORPUS).as_posix(), language)
    assert not result.errors, result.errors
    found: Counter[Label] = Counter(
        (f.evidence.line or 0, f.algorithm, f.usage.value) for f in result.findings)
    return Outcome(path, language, expected_labels(text), found)
