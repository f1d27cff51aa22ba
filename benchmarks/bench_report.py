"""Report generation time and HTML size for inventories of 1k, 10k and 100k findings.

Target (issue 8): 100k findings in under 15 s, the page still responsive. The inventory is
synthetic (built through the model classes: endpoints, certificates, code files, a mix of
algorithms); the time covers assessment, migration plan and HTML rendering, each printed.
Baseline for the ratio: json.dumps of the same inventory (the cheapest possible "report").

Run: python benchmarks/bench_report.py [--sizes 1000,10000,100000] [--chromium]
With --chromium, the 100k page is also loaded in headless Chromium and the time until the
report's script has built its tables is printed (page responsiveness).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pqscan.inventory import Inventory  # noqa: E402
from pqscan.model import Asset, AssetKind, Evidence, Finding, Relation, RelationKind, Usage  # noqa: E402
from pqscan.report.build import prepare, render  # noqa: E402
from pqscan.report.formats import OutputFormat  # noqa: E402

ALGS = [("X25519", Usage.KEY_EXCHANGE), ("RSA", Usage.AUTHENTICATION), ("ECDSA-P256", Usage.SIGNATURE),
        ("MD5", Usage.HASHING), ("SHA-1", Usage.HASHING), ("X25519MLKEM768", Usage.KEY_EXCHANGE),
        ("AES-128-GCM", Usage.SYMMETRIC), ("RSA", Usage.KEY_GENERATION)]


def synthetic(n_findings: int) -> Inventory:
    inv = Inventory(targets=["synthetic"])
    roots = [Asset(f"cert:sha256:root{i:04d}", AssetKind.CERTIFICATE, "ca", name=f"Root {i}") for i in range(10)]
    for r in roots:
        inv.add_asset(r)
    per_asset = 4
    n_assets = max(1, n_findings // per_asset)
    for i in range(n_assets):
        if i % 3 == 0:
            cert = Asset(f"cert:sha256:leaf{i:08d}", AssetKind.CERTIFICATE, f"10.0.{i // 250 % 250}.{i % 250}:443",
                         name=f"host{i}.example", relations=(Relation(RelationKind.ISSUED_BY, roots[i % 10].id),))
            inv.add_asset(cert)
            asset = Asset(f"tls://host{i}.example:443", AssetKind.TLS_ENDPOINT, f"host{i}.example:443",
                          relations=(Relation(RelationKind.PRESENTS, cert.id),))
        else:
            asset = Asset(f"file:src/mod{i}.py", AssetKind.SOURCE_FILE, f"src/mod{i}.py")
        inv.add_asset(asset)
        for j in range(per_asset):
            alg, usage = ALGS[(i + j) % len(ALGS)]
            inv.add_finding(Finding(asset.id, alg, usage, "synthetic",
                                    parameters={"key_bits": 2048} if alg == "RSA" else {},
                                    evidence=Evidence(asset.location, j + 1, 1, f"sym{j}", f"call_{j}()")))
    return inv


def chromium_ready_seconds(page: Path) -> float | None:
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    with tempfile.TemporaryDirectory() as profile:
        t0 = time.perf_counter()
        proc = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               "--disable-background-networking", "--disable-component-update", "--disable-sync",
                               f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                              capture_output=True, text=True, timeout=300)
        elapsed = time.perf_counter() - t0
    return elapsed if 'data-report-ready="true"' in proc.stdout else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--chromium", action="store_true")
    args = ap.parse_args()
    print(f"{'findings':>9} {'assess+plan s':>13} {'html s':>7} {'total s':>8} {'html MiB':>9} "
          f"{'json.dumps s':>12} {'ratio':>6} {'peak RSS MiB':>12}")
    for n in (int(s) for s in args.sizes.split(",")):
        inv = synthetic(n)
        t0 = time.perf_counter()
        inputs = prepare(inv, ["nist-ir-8547", "cnsa-2.0"], today=date(2026, 11, 25))
        t1 = time.perf_counter()
        page = render(inputs, OutputFormat.HTML)
        t2 = time.perf_counter()
        json.dumps(inv.to_dict())
        t3 = time.perf_counter()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{len(inv.findings):>9} {t1 - t0:>13.2f} {t2 - t1:>7.2f} {t2 - t0:>8.2f} "
              f"{len(page.encode()) / 2**20:>9.1f} {t3 - t2:>12.2f} {(t2 - t0) / max(t3 - t2, 1e-9):>6.1f} {rss:>12.0f}")
        if args.chromium and n == max(int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "report.html"
                path.write_text(page, encoding="utf-8")
                ready = chromium_ready_seconds(path)
            print(f"chromium: {n} findings page loaded and tables built in "
                  (f"{ready:.1f} s" if ready is not None else "n/a (chromium absent or script did not finish)"))


if __name__ == "__main__":
    main()
