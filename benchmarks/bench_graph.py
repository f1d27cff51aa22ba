"""Scale benchmark of the migration graph: build, score and order a synthetic inventory.

Usage: python benchmarks/bench_graph.py [--sizes 10000,30000,100000] [--relations-per-asset 3]

Each size runs in a fresh child process so its peak memory (ru_maxrss) is its own. Printed per
size: assets, relations, findings, seconds to build the graph (networkx), to score and order it
(make_plan), the total (wall clock and CPU time of the process), the peak resident memory of the process and the memory the inventory
alone took; then how time and memory grow from the smallest to the largest size against linear
growth. Target (issue 7): 100k assets and 300k relations in under 10 s and 1 GiB.

The synthetic inventory is shaped like a real estate: TLS endpoints presenting leaf certificates
issued by a few hundred intermediates under ten roots, running one of 50 server builds with their
own configs; source files using several libraries each. No assessment is run (that is
pqscan.assess.engine's cost); findings are judged from the catalogue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time


def synthetic_inventory(n: int, relations_per_asset: float = 3.0, seed: int = 7):  # noqa: ANN201
    from pqscan.inventory import Inventory
    from pqscan.model import Asset, AssetKind, Finding, Relation, RelationKind, Usage

    rnd = random.Random(seed)
    inv = Inventory()
    roots = [f"cert:root:{i}" for i in range(10)]
    inters = [f"cert:int:{i}" for i in range(200)]
    n_end = n_leaf = n_conf = int(n * 0.2)
    n_dep = max(10, int(n * 0.1) - 260)
    n_code = n - len(roots) - len(inters) - n_end - n_leaf - n_conf - n_dep - 50
    budget = int(n * relations_per_asset)
    uses_per_code = max(1, -(-(budget - 3 * n_end - n_leaf - len(inters)) // max(1, n_code)))  # ceiling
    rsa = {"key_bits": 2048}
    for r in roots:
        inv.add_asset(Asset(r, AssetKind.CERTIFICATE, r, attributes={"is_ca": True, "self_signed": True}))
        inv.add_finding(Finding(r, "RSA", Usage.SIGNATURE, "bench", {"key_bits": 4096}))
    for i, c in enumerate(inters):
        inv.add_asset(Asset(c, AssetKind.CERTIFICATE, c, attributes={"is_ca": True},
                            relations=(Relation(RelationKind.ISSUED_BY, roots[i % len(roots)]),)))
        inv.add_finding(Finding(c, "RSA", Usage.SIGNATURE, "bench", rsa))
    for i in range(50):
        inv.add_asset(Asset(f"sw:nginx-{i}", AssetKind.SOFTWARE, "banner", name=f"nginx/1.{i}"))
    for i in range(n_end):
        leaf, conf, ep = f"cert:leaf:{i}", f"file:/etc/nginx/{i}.conf", f"tls://h{i}.example.com:443"
        inv.add_asset(Asset(leaf, AssetKind.CERTIFICATE, leaf, relations=(Relation(RelationKind.ISSUED_BY,
                                                                                   rnd.choice(inters)),)))
        inv.add_asset(Asset(conf, AssetKind.CONFIG, conf))
        inv.add_asset(Asset(ep, AssetKind.TLS_ENDPOINT, ep, relations=(
            Relation(RelationKind.PRESENTS, leaf), Relation(RelationKind.RUNS, f"sw:nginx-{i % 50}"),
            Relation(RelationKind.CONFIGURED_BY, conf))))
        inv.add_finding(Finding(leaf, "RSA", Usage.SIGNATURE, "bench", rsa))
        inv.add_finding(Finding(ep, "X25519" if i % 3 else "X25519MLKEM768", Usage.KEY_EXCHANGE, "bench"))
    deps = [f"dep:pypi/lib{i}@1.0" for i in range(n_dep)]
    for d in deps:
        inv.add_asset(Asset(d, AssetKind.DEPENDENCY, "requirements.txt"))
    for i in range(n_code):
        f = f"file:src/m{i}.py"
        used = rnd.sample(deps, min(uses_per_code, len(deps)))
        inv.add_asset(Asset(f, AssetKind.SOURCE_FILE, f, relations=tuple(Relation(RelationKind.USES, d) for d in used)))
        if i % 2:
            inv.add_finding(Finding(f, "RSA", Usage.KEY_GENERATION, "bench", rsa))
    return inv


def run_one(n: int, rpa: float) -> dict[str, float]:
    t0 = time.perf_counter()
    inv = synthetic_inventory(n, rpa)
    gen_s = time.perf_counter() - t0
    rss_inv = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from pqscan.graph import build_graph, make_plan

    c1, t1 = time.process_time(), time.perf_counter()
    graph = build_graph(inv)
    t2 = time.perf_counter()
    plan = make_plan(graph, today=dt.date(2026, 11, 25))
    c3, t3 = time.process_time(), time.perf_counter()
    rels = sum(len(a.relations) for a in inv.assets.values())
    return {"assets": len(inv.assets), "relations": rels, "findings": len(inv.findings), "nodes": len(graph.nodes),
            "edges": graph.graph.number_of_edges(), "steps": len(plan.steps), "generate_s": gen_s,
            "build_s": t2 - t1, "plan_s": t3 - t2, "total_s": t3 - t1, "cpu_s": c3 - c1,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "inventory_rss_mib": rss_inv}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,30000,100000")
    ap.add_argument("--relations-per-asset", type=float, default=3.0)
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args.child, args.relations_per_asset)))
        return
    rows = []
    print(f"{'assets':>8} {'relations':>9} {'findings':>8} {'steps':>7} {'build s':>8} {'plan s':>7} {'total s':>8} "
          f"{'cpu s':>6} {'peak MiB':>9} {'inventory MiB':>13}")
    for n in (int(x) for x in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--child", str(n), "--relations-per-asset",
                              str(args.relations_per_asset)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(f"{r['assets']:>8} {r['relations']:>9} {r['findings']:>8} {r['steps']:>7} {r['build_s']:>8.2f} "
              f"{r['plan_s']:>7.2f} {r['total_s']:>8.2f} {r['cpu_s']:>6.2f} {r['peak_rss_mib']:>9.0f} "
              f"{r['inventory_rss_mib']:>13.0f}")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        size = b["assets"] / a["assets"]
        print(f"growth {a['assets']} -> {b['assets']} assets ({size:.1f}x): wall time {b['total_s'] / a['total_s']:.1f}x, "
              f"CPU time {b['cpu_s'] / a['cpu_s']:.1f}x, "
              f"peak memory {b['peak_rss_mib'] / a['peak_rss_mib']:.1f}x "
              f"(graph memory beyond the inventory {(b['peak_rss_mib'] - b['inventory_rss_mib']) / max(1.0, a['peak_rss_mib'] - a['inventory_rss_mib']):.1f}x)")
    print(f"load average while running: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs (wall time suffers when others share the machine; cpu s does less)")
    last = rows[-1]
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(f"target at {last['assets']} assets: < 10 s wall {met(last['total_s'] < 10)} ({last['total_s']:.2f} s), "
          f"< 10 s CPU {met(last['cpu_s'] < 10)} ({last['cpu_s']:.2f} s), "
          f"< 1 GiB {met(last['peak_rss_mib'] < 1024)} ({last['peak_rss_mib']:.0f} MiB)")


if __name__ == "__main__":
    main()
