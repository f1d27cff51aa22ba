"""Assessment time for a synthetic estate: findings x profiles, with and without the verdict cache.

The estate is built through the model classes: N TLS endpoints with 1 to 6 findings each (X25519,
X25519MLKEM768, RSA-2048 authentication, MD5, AES-128-GCM, ECDSA-P256), so uses repeat as they do in
real estates. Baseline for the ratio: judging every finding under every profile one by one
(``pqscan.assess.engine.judge``, no cache), measured in the same run.

Run: python benchmarks/bench_assess.py [--endpoints 20000]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pqscan.assess.engine import assess, judge  # noqa: E402
from pqscan.assess.profiles import list_profiles, load_profiles  # noqa: E402
from pqscan.inventory import Inventory  # noqa: E402
from pqscan.model import Asset, AssetKind, Evidence, Finding, Usage  # noqa: E402

USES = [("X25519", Usage.KEY_EXCHANGE), ("X25519MLKEM768", Usage.KEY_EXCHANGE), ("RSA", Usage.AUTHENTICATION),
        ("MD5", Usage.HASHING), ("AES-128-GCM", Usage.SYMMETRIC), ("ECDSA-P256", Usage.SIGNATURE)]
TODAY = datetime.date(2026, 11, 25)


def estate(endpoints: int) -> Inventory:
    inv = Inventory()
    for i in range(endpoints):
        aid = f"tls://h{i}.example.test:443"
        inv.add_asset(Asset(aid, AssetKind.TLS_ENDPOINT, aid[6:], f"h{i}"))
        for alg, usage in USES[: 1 + i % len(USES)]:
            inv.add_finding(Finding(aid, alg, usage, "bench", {"key_bits": 2048}, Evidence(aid[6:])))
    return inv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--endpoints", type=int, default=20000)
    args = parser.parse_args()
    inv = estate(args.endpoints)
    print(f"estate: {len(inv.assets)} endpoints, {len(inv.findings)} findings")
    for profiles in (load_profiles([]), list_profiles()):
        t0 = time.perf_counter()
        for f in inv.findings:
            asset = inv.assets[f.asset_id]
            for p in profiles:
                judge(f, p, TODAY, asset=asset)
        baseline = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = assess(inv, profiles, today=TODAY)
        cached = time.perf_counter() - t0
        t0 = time.perf_counter()
        result.matrix()
        result.counts_by_severity()
        summaries = time.perf_counter() - t0
        verdicts = len(inv.findings) * len(profiles)
        print(f"{len(profiles):2d} profiles: {verdicts} verdicts; uncached {baseline:.2f} s, assess {cached:.2f} s "
              f"({baseline / cached:.1f}x), {cached / verdicts * 1e6:.1f} us/verdict; matrix+counts {summaries:.2f} s")


if __name__ == "__main__":
    main()
