"""Score pqscan's code scanner on the labelled real corpus (shared/reference/code-findings.md, Scoring).

Usage: python benchmarks/real_corpus/score.py [--labels DIR] [--cache DIR] [--mirrors DIR] [--json]
                                              [--no-prefilter] [--misses N] [--fixtures]

A finding matches a label of a compatible family (families.py) in the same file within +-2 lines;
findings are de-duplicated on (file, line, families). ``never`` labels match nothing.
Precision = matched findings / findings in labelled files (a finding on an optional label is matched);
recall = matched required labels / required labels (labels de-duplicated on line and family; labels of the
families the reference does not score for recall -- SHA2, SHA3, ChaCha20, KDF, TLS, Other -- are left out);
operations-only recall counts required labels of category ``operation``. Also: wrong-family findings
(an unmatched finding on a line that holds a required/optional label), findings in clean files, and
findings whose algorithm is ``unknown``. Files not in the cache (git sources without a mirror) are
listed as skipped with the reason. ``--fixtures`` also prints the fixture corpus table
(benchmarks/code_precision_recall.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.real_corpus.corpus import (  # noqa: E402
    DEFAULT_CACHE,
    DEFAULT_MIRRORS,
    HERE,
    NEVER,
    REQUIRED,
    LabelledFile,
    available,
    load,
)
from pqscan.collect.code import scan_source  # noqa: E402
from pqscan.collect.code.families import SCORED, compatible, finding_families  # noqa: E402
from pqscan.collect.code.scanner import CodeScanOptions  # noqa: E402

WINDOW = 2
LANGUAGE_GROUP = {"typescript": "javascript", "cpp": "c"}


@dataclass(frozen=True)
class Unit:
    line: int
    families: frozenset[str]
    algorithm: str
    symbol: str


@dataclass
class FileScore:
    item: LabelledFile
    units: list[Unit]
    matched_units: list[bool] = field(default_factory=list)
    required: list[tuple[int, frozenset[str], str, str]] = field(default_factory=list)  # line, fams, category, note
    required_hit: list[bool] = field(default_factory=list)
    wrong_family: list[Unit] = field(default_factory=list)


def findings_of(item: LabelledFile, text: str, prefilter: bool = True) -> list[Unit]:
    opts = CodeScanOptions(parse_all=not prefilter)
    result = scan_source(text, item.path.rsplit("!/", 1)[-1], item.language if item.language != "cpp" else "c", opts)
    seen: dict[tuple[int, frozenset[str]], Unit] = {}
    for f in result.findings:
        line = f.evidence.line or 0
        fams = finding_families(f.algorithm, f.parameters)
        seen.setdefault((line, fams), Unit(line, fams, f.algorithm, f.evidence.symbol or ""))
    return list(seen.values())


def score_file(item: LabelledFile, units: list[Unit], by_line: bool = False) -> FileScore:
    """``by_line``: a finding matches any label within the window, whatever its family (peers' scoring)."""
    fs = FileScore(item, units)
    live = [lb for lb in item.labels if lb.kind != NEVER]
    for u in units:
        ok = any(abs(lb.line - u.line) <= WINDOW and (by_line or compatible(u.families, lb.families)) for lb in live)
        fs.matched_units.append(ok)
        if not ok and not by_line and any(lb.line == u.line for lb in live):
            fs.wrong_family.append(u)
    seen: set[tuple[int, str]] = set()
    for lb in item.labels:
        if lb.kind != REQUIRED or (lb.line, lb.family) in seen or not lb.families & SCORED:
            continue
        seen.add((lb.line, lb.family))
        fs.required.append((lb.line, lb.families, lb.category, lb.note))
        # an ``unknown`` finding is not a false positive next to a label, but it finds no family either
        fs.required_hit.append(any(abs(lb.line - u.line) <= WINDOW
                                   and (by_line or compatible(u.families, lb.families, False)) for u in units))
    return fs


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def aggregate(scores: list[FileScore], key) -> dict[str, dict[str, float | int | None]]:  # type: ignore[no-untyped-def]
    c: dict[str, Counter[str]] = defaultdict(Counter)
    for fs in scores:
        for k in key(fs):
            cc = c[k]
            cc["files"] += 1
            cc["findings"] += len(fs.units)
            cc["matched"] += sum(fs.matched_units)
            cc["required"] += len(fs.required)
            cc["required_hit"] += sum(fs.required_hit)
            ops = [hit for (_, _, cat, _), hit in zip(fs.required, fs.required_hit, strict=True) if cat == "operation"]
            cc["ops"] += len(ops)
            cc["ops_hit"] += sum(ops)
            cc["wrong_family"] += len(fs.wrong_family)
            cc["clean_findings"] += len(fs.units) if fs.item.clean else 0
            cc["unknown"] += sum(1 for u in fs.units if u.algorithm == "unknown")
    out: dict[str, dict[str, float | int | None]] = {}
    for k, cc in sorted(c.items()):
        out[k] = {**cc, "precision": _ratio(cc["matched"], cc["findings"]),
                  "recall": _ratio(cc["required_hit"], cc["required"]), "ops_recall": _ratio(cc["ops_hit"], cc["ops"])}
    return out


def per_family(scores: list[FileScore]) -> dict[str, dict[str, float | int | None]]:
    c: dict[str, Counter[str]] = defaultdict(Counter)
    for fs in scores:
        for (_, fams, _, _), hit in zip(fs.required, fs.required_hit, strict=True):
            for fam in fams:
                c[fam]["required"] += 1
                c[fam]["required_hit"] += hit
        for u, ok in zip(fs.units, fs.matched_units, strict=True):
            for fam in u.families:
                c[fam]["findings"] += 1
                c[fam]["matched"] += ok
    return {k: {**cc, "precision": _ratio(cc["matched"], cc["findings"]),
                "recall": _ratio(cc["required_hit"], cc["required"])} for k, cc in sorted(c.items())}


def _fmt(x: float | int | None) -> str:
    return "   n/a" if x is None else f"{x:6.1%}"


def print_table(title: str, rows: dict[str, dict[str, float | int | None]], first: str = "language") -> None:
    print(f"\n{title}")
    print(f"{first:12} {'files':>5} {'finds':>6} {'prec':>7} {'req':>5} {'recall':>7} {'ops':>5} {'opsrec':>7} "
          f"{'wrongfam':>8} {'clean':>5} {'unknown':>7}")
    for k, r in rows.items():
        print(f"{k:12} {r.get('files', 0):5} {r.get('findings', 0):6} {_fmt(r['precision']):>7} {r.get('required', 0):5} "
              f"{_fmt(r['recall']):>7} {r.get('ops', 0):5} {_fmt(r.get('ops_recall')):>7} {r.get('wrong_family', 0):8} "
              f"{r.get('clean_findings', 0):5} {r.get('unknown', 0):7}")


def run(labels: Path, cache: Path, mirrors: Path, prefilter: bool = True
        ) -> tuple[list[FileScore], list[tuple[LabelledFile, str]]]:
    _, files = load(labels)
    scores: list[FileScore] = []
    skipped: list[tuple[LabelledFile, str]] = []
    for item, data in available(files, cache, mirrors):
        if isinstance(data, str):
            skipped.append((item, data))
            continue
        text = data.decode("utf-8", "replace")
        scores.append(score_file(item, findings_of(item, text, prefilter)))
    return scores, skipped


def peer_scores(peer: object, files: list[tuple[LabelledFile, str]], work: Path, timeout: float
                ) -> tuple[list[FileScore], str]:
    """``peer`` (benchmarks/code_peers.py) run once on a tree of the labelled files, scored by line only: a
    peer names no family pqscan's scorer understands, so any of its findings within the window of a label
    counts (the most lenient score it can get); an empty error string when it ran."""
    from benchmarks.code_peers import run_peer

    tree = work / "tree"
    where: dict[str, LabelledFile] = {}
    for i, (item, text) in enumerate(files):
        rel = f"{i:04d}/{item.path.rsplit('!/', 1)[-1].rsplit('/', 1)[-1]}"
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text, encoding="utf-8")
        where[rel] = item
    result = run_peer(peer, tree, work / "out.json", timeout)  # type: ignore[arg-type]
    if result.error:
        return [], result.error
    lines: dict[str, set[int]] = defaultdict(set)
    for rel, line in result.locations:
        lines[rel].add(line)
    scores = []
    for rel, item in where.items():
        units = [Unit(line, frozenset(), "?", "") for line in sorted(lines.get(rel, ()))]
        scores.append(score_file(item, units, by_line=True))
    return scores, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=HERE, help="folder of label groups (default: here)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-prefilter", action="store_true")
    parser.add_argument("--misses", type=int, default=0, help="print up to N missed labels and false positives")
    parser.add_argument("--fixtures", action="store_true", help="also print the fixture corpus table")
    parser.add_argument("--peers", action="store_true",
                        help="also run the installed PyPI peers (benchmarks/code_peers.py) on the same files, by line")
    args = parser.parse_args()
    scores, skipped = run(args.labels, args.cache, args.mirrors, not args.no_prefilter)
    by_language = aggregate(scores, lambda fs: [LANGUAGE_GROUP.get(fs.item.language, fs.item.language), "all"])
    by_source = aggregate(scores, lambda fs: [fs.item.source.id])
    families = per_family(scores)
    if args.json:
        print(json.dumps({"languages": by_language, "sources": by_source, "families": families,
                          "skipped": [{"file": i.key, "reason": r} for i, r in skipped]}, indent=2))
        return 0
    print(f"labels: {args.labels}  cache: {args.cache}  mirrors: {args.mirrors}")
    print(f"{len(scores)} labelled files scored, {len(skipped)} skipped")
    for reason, n in Counter(r for _, r in skipped).most_common():
        print(f"  skipped {n}: {reason}")
    print_table("per language", by_language)
    print_table("per source", by_source, "source")
    print("\nper family (required labels / findings)")
    print(f"{'family':12} {'req':>5} {'recall':>7} {'finds':>6} {'prec':>7}")
    for k, r in families.items():
        print(f"{k:12} {r.get('required', 0):5} {_fmt(r['recall']):>7} {r.get('findings', 0):6} {_fmt(r['precision']):>7}")
    if args.misses:
        _print_misses(scores, args.misses)
    if args.peers:
        _print_peers(args, scores)
    if args.fixtures:
        from benchmarks.code_precision_recall import pqscan_scores
        from benchmarks.code_precision_recall import print_table as fixture_table

        strict, _, _ = pqscan_scores()
        fixture_table("fixture corpus (tests/data/code_corpus), strict:", strict)
    return 0


def _print_peers(args: argparse.Namespace, scores: list[FileScore]) -> None:
    import tempfile

    from benchmarks.code_peers import PEERS

    files = []
    for item, data in available(load(args.labels)[1], args.cache, args.mirrors):
        if not isinstance(data, str):
            files.append((item, data.decode("utf-8", "replace")))

    def language(fs: FileScore) -> list[str]:
        return [LANGUAGE_GROUP.get(fs.item.language, fs.item.language), "all"]

    per_tool = {"pqscan": aggregate([score_file(fs.item, fs.units, by_line=True) for fs in scores], language)}
    for peer in PEERS:
        if not peer.available():
            print(f"\n{peer.name}: not installed at {peer.executable}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            peer_score, error = peer_scores(peer, files, Path(tmp), 600.0)
        if error:
            print(f"\n{peer.name}: {error}")
            continue
        per_tool[peer.name] = aggregate(peer_score, language)
    print_table("by line only, every tool the same way (a finding within 2 lines of a label matches it, "
                "whatever its algorithm)", {tool: rows["all"] for tool, rows in per_tool.items()}, "tool")
    languages = sorted(per_tool["pqscan"])
    print("\nrecall by line only, per language")
    print(f"{'tool':12} " + " ".join(f"{k:>10}" for k in languages))
    for tool, rows in per_tool.items():
        print(f"{tool:12} " + " ".join(f"{_fmt(rows.get(k, {}).get('recall')):>10}" for k in languages))


def _print_misses(scores: list[FileScore], limit: int) -> None:
    misses = [(fs.item, line, fams, cat, note) for fs in scores
              for (line, fams, cat, note), hit in zip(fs.required, fs.required_hit, strict=True) if not hit]
    print(f"\nmissed required labels ({len(misses)}):")
    for item, line, fams, cat, note in misses[:limit]:
        print(f"  {item.language:10} {item.path.rsplit('/', 1)[-1]}:{line} {'|'.join(sorted(fams))} [{cat}] {note[:90]}")
    fps = [(fs.item, u) for fs in scores for u, ok in zip(fs.units, fs.matched_units, strict=True) if not ok]
    print(f"\nunmatched findings ({len(fps)}):")
    for item, u in fps[:limit]:
        print(f"  {item.language:10} {item.path.rsplit('/', 1)[-1]}:{u.line} {u.algorithm} ({u.symbol[:40]})")


if __name__ == "__main__":
    raise SystemExit(main())
