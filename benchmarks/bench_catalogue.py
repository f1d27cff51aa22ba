"""Cost of the algorithm catalogue: import, first load, and one lookup.

Usage: python benchmarks/bench_catalogue.py [--runs 5] [--lookups 200000]

Each run is a fresh child process (the catalogue is cached per process). Printed: time to import
pqscan.algorithms, time of the first catalogue() call (read + parse the TOML data + index), and of
that a baseline measured in the same child: tomllib.loads of the same data files alone, so the
ratio says how much of the load is indexing rather than parsing. Then the cost of one
lookup(IdKind, identifier) against a baseline plain dict .get on a prebuilt key (the floor for any
table lookup in Python).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_CHILD = r"""
import json, sys, time, tomllib
t0 = time.perf_counter()
import pqscan.algorithms as a
t1 = time.perf_counter()
cat = a.catalogue()
t2 = time.perf_counter()
from importlib import resources
texts = [resources.files("pqscan").joinpath(n).read_text(encoding="utf-8") for n in a._DATA_FILES]
t3 = time.perf_counter()
for text in texts:
    tomllib.loads(text)
t4 = time.perf_counter()
n = int(sys.argv[1])
probes = [(a.IdKind.TLS_GROUP, 0x11EC), (a.IdKind.SSH_KEX, "mlkem768x25519-sha256"),
          (a.IdKind.OID, "1.2.840.113549.1.1.11"), (a.IdKind.NAME, "secp256r1")]
t5 = time.perf_counter()
for i in range(n):
    kind, ident = probes[i & 3]
    a.lookup(kind, ident)
t6 = time.perf_counter()
d = dict(cat.index)
keys = [(k, a._norm(k, v)) for k, v in probes]
t7 = time.perf_counter()
for i in range(n):
    d.get(keys[i & 3])
t8 = time.perf_counter()
print(json.dumps({"import_ms": 1e3 * (t1 - t0), "load_ms": 1e3 * (t2 - t1), "parse_only_ms": 1e3 * (t4 - t3),
                  "lookup_us": 1e6 * (t6 - t5) / n, "dict_get_us": 1e6 * (t8 - t7) / n,
                  "algorithms": len(cat.by_id), "identifiers": len(cat.index), "suites": len(cat.suites)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lookups", type=int, default=200_000)
    args = parser.parse_args()
    rows = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", _CHILD, str(args.lookups)], capture_output=True, text=True,
                             check=True, timeout=120).stdout
        rows.append(json.loads(out))
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"catalogue: {med['algorithms']:.0f} algorithms, {med['identifiers']:.0f} identifiers, "
          f"{med['suites']:.0f} cipher suites (median of {args.runs} fresh processes)")
    print(f"import pqscan.algorithms   {med['import_ms']:7.1f} ms")
    print(f"first catalogue() load     {med['load_ms']:7.1f} ms   "
          f"(tomllib parse alone {med['parse_only_ms']:.1f} ms: load/parse = {med['load_ms'] / med['parse_only_ms']:.2f}x)")
    print(f"lookup(kind, identifier)   {med['lookup_us']:7.2f} us   "
          f"(dict.get baseline {med['dict_get_us']:.3f} us: {med['lookup_us'] / med['dict_get_us']:.1f}x)")


if __name__ == "__main__":
    main()
