"""One walk for every path collector against one walk per collector, in the same run.

Usage: python benchmarks/bench_walk.py [TREE ...] [--rounds 3]

Default tree: the running Python's standard library (real code, manifests, test certificates and
keys nobody here wrote). Per round it times

* one walk: ``PathScan(tree)`` with certs, code, deps and config on one walk (each folder listed
  once, each file opened at most once);
* the peer: each collector run on its own walk, one after the other (how ``pqscan scan`` worked
  before the one walk: four listings of every folder, up to three opens of every source file).

Printed: results, seconds for each (median of the rounds), and the ratio peer / one walk. Both
sides must give the same findings (checked: finding ids compared).
"""

from __future__ import annotations

import argparse
import statistics
import sysconfig
import time
from pathlib import Path

from pqscan.collect.paths import ALL_PATH_COLLECTORS, PathScan, PathScanOptions


def _ids(results: list) -> set[str]:  # type: ignore[type-arg]
    return {f.id for r in results for f in r.findings}


def one_walk(trees: list[str]) -> tuple[float, set[str]]:
    start = time.perf_counter()
    results = list(PathScan(trees, PathScanOptions()).results())
    return time.perf_counter() - start, _ids(results)


def walk_per_collector(trees: list[str]) -> tuple[float, set[str]]:
    start = time.perf_counter()
    results = []
    for name in ALL_PATH_COLLECTORS:
        results += PathScan(trees, PathScanOptions(collectors=(name,))).results()
    return time.perf_counter() - start, _ids(results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*", default=[sysconfig.get_paths()["stdlib"]])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    trees = [str(Path(t)) for t in args.trees]
    ones, peers = [], []
    for _ in range(args.rounds):
        t1, ids1 = one_walk(trees)
        t2, ids2 = walk_per_collector(trees)
        assert ids1 == ids2, f"different findings: {len(ids1 ^ ids2)} differ"
        ones.append(t1)
        peers.append(t2)
    one, peer = statistics.median(ones), statistics.median(peers)
    print(f"tree: {', '.join(trees)}  ({len(ids1)} findings, same on both sides)")
    print(f"one walk, four collectors:      {one:7.2f} s")
    print(f"one walk per collector (peer):  {peer:7.2f} s")
    print(f"peer / one walk:                {peer / one:7.2f}x")


if __name__ == "__main__":
    main()
