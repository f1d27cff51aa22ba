"""Dependency scanning speed on big lock files.

The lock files are **synthetic** (generated here with the real formats' structure: npm
package-lock.json v3, yarn.lock v1, Cargo.lock, poetry.lock) because no multi-MB lock file is
available offline; a handful of real crypto libraries are mixed in so the capability lookup runs.
For each format the script prints absolute figures (MB/s, packages/s) and the ratio against the
raw decoder of the same bytes measured in the same run (``json.loads`` / ``tomllib.loads`` /
``str.splitlines``): how much pqscan's parsing costs on top of merely reading the format.
Then a full ``pqscan.collect.deps.scan_paths`` over a directory holding all four (walk, parse,
lock preference, assets, crypto-library findings) with peak Python memory (tracemalloc).

Run: python benchmarks/bench_deps.py [--packages 30000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tomllib
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pqscan.collect.deps import go_rust, javascript, python, scan_paths  # noqa: E402

CRYPTO = {"npm": ["jsonwebtoken", "node-forge", "@noble/post-quantum"], "cargo": ["rustls", "ring", "rsa"],
          "pypi": ["cryptography", "pyopenssl", "paramiko"]}


def package_lock(n: int) -> str:
    pkgs: dict[str, dict[str, object]] = {"": {"name": "big-app", "version": "1.0.0"}}
    names = CRYPTO["npm"] + [f"pkg-{i}" if i % 7 else f"@scope{i % 50}/lib-{i}" for i in range(n)]
    for i, name in enumerate(names):
        pkgs[f"node_modules/{name}"] = {"version": f"{i % 9}.{i % 13}.{i % 5}",
                                        "resolved": f"https://registry.npmjs.org/{name}/-/x-{i}.tgz",
                                        "integrity": "sha512-" + "A" * 86, "dev": i % 3 == 0}
    return json.dumps({"name": "big-app", "lockfileVersion": 3, "requires": True, "packages": pkgs}, indent=2)


def yarn_lock(n: int) -> str:
    out = ["# yarn lockfile v1", ""]
    for i, name in enumerate(CRYPTO["npm"] + [f"pkg-{i}" for i in range(n)]):
        out += [f'"{name}@^{i % 9}.0.0", "{name}@~{i % 9}.1.0":', f'  version "{i % 9}.{i % 13}.{i % 5}"',
                f'  resolved "https://registry.yarnpkg.com/{name}/-/{name}-1.0.0.tgz"', '  integrity sha512-AAAA', ""]
    return "\n".join(out)


def cargo_lock(n: int) -> str:
    out = ["version = 3", ""]
    for i, name in enumerate(CRYPTO["cargo"] + [f"crate_{i}" for i in range(n)]):
        out += ["[[package]]", f'name = "{name}"', f'version = "0.{i % 30}.{i % 11}"',
                'source = "registry+https://github.com/rust-lang/crates.io-index"', f'checksum = "{"0" * 64}"', ""]
    return "\n".join(out)


def poetry_lock(n: int) -> str:
    out = []
    for i, name in enumerate(CRYPTO["pypi"] + [f"dist-{i}" for i in range(n)]):
        out += ["[[package]]", f'name = "{name}"', f'version = "{40 + i % 10}.0.{i % 7}"', 'description = "x"',
                "optional = false", 'python-versions = ">=3.8"', "files = []", ""]
    return "\n".join(out)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--packages", type=int, default=30000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = args.packages
    cases = [
        ("package-lock.json", package_lock(n), javascript.parse_package_lock, json.loads),
        ("yarn.lock", yarn_lock(n), javascript.parse_yarn_lock, str.splitlines),
        ("Cargo.lock", cargo_lock(n), go_rust.parse_cargo_lock, tomllib.loads),
        ("poetry.lock", poetry_lock(n), python.parse_poetry_lock, tomllib.loads),
    ]
    print(f"synthetic lock files, {n} packages each (+ real crypto library names), best of {args.repeat}")
    print(f"{'file':<18} {'MB':>6} {'pqscan s':>9} {'MB/s':>7} {'pkgs/s':>9} {'raw decode s':>13} {'ratio':>6}")
    for name, text, parse, raw in cases:
        mb = len(text.encode()) / 1e6
        count = len(parse(text, name))
        t = best(lambda text=text, parse=parse, name=name: parse(text, name), args.repeat)
        r = best(lambda text=text, raw=raw: raw(text), args.repeat)
        print(f"{name:<18} {mb:6.1f} {t:9.3f} {mb / t:7.1f} {count / t:9.0f} {r:13.3f} {t / r:6.2f}x")
    with tempfile.TemporaryDirectory() as tmp:
        total = 0
        for name, text, _, _ in cases:
            d = Path(tmp) / name.replace(".", "_")
            d.mkdir()
            (d / name).write_text(text)
            total += len(text.encode())
        t = time.perf_counter()
        results = list(scan_paths([tmp]))
        elapsed = time.perf_counter() - t
        tracemalloc.start()  # a second run for memory: tracemalloc slows Python several-fold
        list(scan_paths([tmp]))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assets = sum(len(r.assets) for r in results)
    findings = sum(len(r.findings) for r in results)
    print(f"\nfull scan_paths over the four files: {total / 1e6:.1f} MB in {elapsed:.2f} s "
          f"({total / 1e6 / elapsed:.1f} MB/s, {assets / elapsed:.0f} packages/s), {assets} dependency assets, "
          f"{findings} crypto-library findings; peak traced Python memory {peak / 1e6:.0f} MB (separate run)")


if __name__ == "__main__":
    main()
