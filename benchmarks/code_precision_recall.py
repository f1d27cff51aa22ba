"""Precision and recall of the code scanner on the labelled corpus (tests/data/code_corpus).

Usage: python benchmarks/code_precision_recall.py [--peers] [--real]

With ``--real`` the labelled real-code corpus (benchmarks/real_corpus, scored by
benchmarks/real_corpus/score.py per shared/reference/code-findings.md) is scored too, per language.

pqscan is scored strictly: a finding counts only with the labelled line, algorithm id *and* usage.
With ``--peers`` the PyPI peers (see benchmarks/code_peers.py) run on the same corpus and are scored
by line only (their algorithm names differ from pqscan's ids), which is the most lenient scoring
they can get; pqscan's line-only score is printed beside them for comparison.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.code_peers import PEERS, run_peer  # noqa: E402
from tests.unit.code_corpus import CORPUS, corpus_files, run  # noqa: E402


def _ratio(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "   n/a"


def pqscan_scores() -> tuple[dict[str, Counter[str]], set[tuple[str, int]], set[tuple[str, int]]]:
    per_language: dict[str, Counter[str]] = defaultdict(Counter)
    labelled_lines: set[tuple[str, int]] = set()
    found_lines: set[tuple[str, int]] = set()
    for path in corpus_files():
        outcome = run(path)
        language = path.relative_to(CORPUS).parts[0]
        expected, found = outcome.expected, outcome.found
        c = per_language[language]
        c["tp"] += sum((expected & found).values())
        c["fp"] += sum((found - expected).values())
        c["fn"] += sum((expected - found).values())
        rel = path.relative_to(CORPUS).as_posix()
        labelled_lines |= {(rel, line) for line, _, _ in expected}
        found_lines |= {(rel, line) for line, _, _ in found}
    return per_language, labelled_lines, found_lines


def line_scores(found: set[tuple[str, int]], labelled: set[tuple[str, int]]) -> dict[str, Counter[str]]:
    per_language: dict[str, Counter[str]] = defaultdict(Counter)
    for rel, line in found:
        per_language[rel.split("/")[0]]["tp" if (rel, line) in labelled else "fp"] += 1
    for rel, line in labelled:
        if (rel, line) not in found:
            per_language[rel.split("/")[0]]["fn"] += 1
    return per_language


def print_table(title: str, scores: dict[str, Counter[str]]) -> None:
    print(f"\n{title}")
    print(f"{'language':12} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    total: Counter[str] = Counter()
    for language in sorted(scores):
        c = scores[language]
        total.update(c)
        print(f"{language:12} {c['tp']:4} {c['fp']:4} {c['fn']:4} {_ratio(c['tp'], c['tp'] + c['fp']):>10} "
              f"{_ratio(c['tp'], c['tp'] + c['fn']):>8}")
    print(f"{'all':12} {total['tp']:4} {total['fp']:4} {total['fn']:4} "
          f"{_ratio(total['tp'], total['tp'] + total['fp']):>10} {_ratio(total['tp'], total['tp'] + total['fn']):>8}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", action="store_true", help="also run the PyPI peers on the corpus")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--real", action="store_true", help="also score the labelled real-code corpus")
    args = parser.parse_args()
    if args.real:
        from benchmarks.real_corpus.corpus import DEFAULT_CACHE, DEFAULT_MIRRORS, HERE
        from benchmarks.real_corpus.score import LANGUAGE_GROUP, aggregate
        from benchmarks.real_corpus.score import print_table as real_table
        from benchmarks.real_corpus.score import run as real_run

        scores, skipped = real_run(HERE, DEFAULT_CACHE, DEFAULT_MIRRORS)
        print(f"real corpus: {len(scores)} labelled files scored, {len(skipped)} skipped (not in the cache)")
        real_table("real corpus, per language (benchmarks/real_corpus/score.py for the rest):",
                   aggregate(scores, lambda fs: [LANGUAGE_GROUP.get(fs.item.language, fs.item.language), "all"]))
    strict, labelled, found = pqscan_scores()
    print(f"corpus: {CORPUS} ({len(corpus_files())} files, {len(labelled)} labelled lines)")
    print_table("pqscan, strict (line + algorithm id + usage):", strict)
    if not args.peers:
        return 0
    print_table("pqscan, by line only:", line_scores(found, labelled))
    with tempfile.TemporaryDirectory() as tmp:
        for peer in PEERS:
            if not peer.available():
                print(f"\n{peer.name}: not installed at {peer.executable} (see benchmarks/code_peers.py)")
                continue
            result = run_peer(peer, CORPUS, Path(tmp) / f"{peer.name}.json", args.timeout)
            if result.error:
                print(f"\n{peer.name}: {result.error}")
                continue
            print_table(f"{peer.name} ({peer.languages}), by line only:", line_scores(set(result.locations), labelled))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
