"""How close is ``pqscan bench`` to liboqs' own C benchmarks, and liboqs to OpenSSL?

1. Harness vs liboqs' ``speed_kem`` / ``speed_sig`` (built with liboqs when
   ``-DOQS_BUILD_ONLY_LIB=OFF``) on ML-KEM-768 and ML-DSA-65. Both sides measure the mean time
   per call over windows of the same length (``--window`` s), alternately, for ``--rounds``
   rounds; the best window of each side is compared (other processes only ever add time, so the
   minimum is the least disturbed figure). Target: harness within 1.3x of the C tool on
   ML-KEM-768 and 1.1x on ML-DSA-65 (sum of keygen + encaps/sign + decaps/verify).
2. liboqs vs OpenSSL (bundled with cryptography) for the algorithms both have, measured the same
   way (alternating windows, best of each).

Usage::

    OQS_INSTALL_PATH=/path/to/liboqs-install \\
    python benchmarks/bench_pqc.py --speed-dir /path/to/liboqs/build/tests [--window 1] [--rounds 5]

``--speed-dir`` defaults to ``$PQSCAN_LIBOQS_SPEED_DIR``. Without liboqs it prints the OpenSSL
figures and says what is missing.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from pqscan.bench.backends import Operation
from pqscan.bench.oqs_detect import load_oqs
from pqscan.bench.runner import CaseResult, Settings, cpu_model, run_case
from pqscan.bench.session import plan

TARGETS = {"ML-KEM-768": 1.3, "ML-DSA-65": 1.1}
# speed_kem / speed_sig row names for our operations.
C_OPS = {
    "ML-KEM-768": ("speed_kem", {"keygen": Operation.KEYGEN, "encaps": Operation.ENCAPS, "decaps": Operation.DECAPS}),
    "ML-DSA-65": ("speed_sig", {"keypair": Operation.KEYGEN, "sign": Operation.SIGN, "verify": Operation.VERIFY}),
}
_ROW = re.compile(r"^(\w+)\s*\|\s*(\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|")


def run_c_tool(tool: Path, algorithm: str, window: int, names: dict[str, Operation]) -> dict[Operation, float]:
    """Mean µs per operation over one window, as the liboqs tool reports it."""
    proc = subprocess.run([str(tool), "-d", str(window), algorithm], capture_output=True, text=True,
                          timeout=60 + 10 * window, check=True)
    out: dict[Operation, float] = {}
    for line in proc.stdout.splitlines():
        m = _ROW.match(line.strip())
        if m and m.group(1) in names:
            out[names[m.group(1)]] = float(m.group(4))
    if len(out) != len(names):
        raise RuntimeError(f"could not parse {tool.name} output for {algorithm}:\n{proc.stdout}")
    return out


def run_harness(backend: str, algorithm: str, settings: Settings) -> CaseResult:
    p = plan([backend], [algorithm])
    case = next(c for c in p.cases if c.name == algorithm)
    result = run_case(case, settings)
    if not result.ok:
        raise RuntimeError(f"{backend} {algorithm}: {result.errors}")
    return result


def harness_vs_c(speed_dir: Path, window: int, rounds: int) -> bool:
    print(f"\n== harness (pqscan bench, liboqs backend) vs liboqs C tools: best {window}-s window "
          f"of {rounds} alternating rounds ==")
    all_ok = True
    for algorithm, limit in TARGETS.items():
        tool_name, names = C_OPS[algorithm]
        tool = speed_dir / tool_name
        best_c: dict[Operation, float] = {}
        best_h: dict[Operation, float] = {}
        for _ in range(rounds):
            for op, us in run_c_tool(tool, algorithm, window, names).items():
                best_c[op] = min(us, best_c.get(op, us))
            # One sample = one window of the same length as the C tool's.
            result = run_harness("liboqs", algorithm, Settings(min_time=float(window), repeats=1))
            for t in result.timings:
                best_h[t.operation] = min(t.samples_us[0], best_h.get(t.operation, t.samples_us[0]))
        print(f"{algorithm}:")
        for op in names.values():
            print(f"  {op.value:7s} C {best_c[op]:9.2f} µs   harness {best_h[op]:9.2f} µs   "
                  f"ratio {best_h[op] / best_c[op]:.2f}x")
        total = sum(best_h[op] for op in names.values()) / sum(best_c[op] for op in names.values())
        ok = total <= limit
        all_ok &= ok
        print(f"  total   ratio {total:.2f}x (target <= {limit}x): {'OK' if ok else 'OVER TARGET'}")
    return all_ok


def liboqs_vs_openssl(window: int, rounds: int, have_liboqs: bool) -> None:
    names = ["ML-KEM-768", "ML-KEM-1024", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"]
    print(f"\n== OpenSSL (cryptography) vs liboqs: best {window}-s window of {rounds} alternating rounds, "
          "µs/op and the OpenSSL/liboqs ratio ==")
    settings = Settings(min_time=float(window), repeats=1)
    for algorithm in names:
        best: dict[str, dict[Operation, float]] = {"openssl": {}, "liboqs": {}}
        for _ in range(rounds):
            for backend in ("openssl", "liboqs") if have_liboqs else ("openssl",):
                for t in run_harness(backend, algorithm, settings).timings:
                    us = t.samples_us[0]
                    best[backend][t.operation] = min(us, best[backend].get(t.operation, us))
        for op, us in best["openssl"].items():
            oqs = best["liboqs"].get(op)
            tail = f"liboqs {oqs:9.2f}  openssl/liboqs {us / oqs:5.2f}x" if oqs else "liboqs        -"
            print(f"  {algorithm:12s} {op.value:7s} openssl {us:9.2f}  {tail}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speed-dir", type=Path, default=os.environ.get("PQSCAN_LIBOQS_SPEED_DIR"),
                    help="directory holding liboqs' speed_kem and speed_sig (env PQSCAN_LIBOQS_SPEED_DIR)")
    ap.add_argument("--window", type=int, default=1, help="seconds per timing window, both sides (default 1)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds; the best window is kept (default 5)")
    args = ap.parse_args(argv)
    oqs, status = load_oqs()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores; liboqs: {status.reason}")
    ok = True
    if oqs is None:
        print("liboqs absent: harness-vs-C comparison skipped.")
    elif args.speed_dir is None or not (Path(args.speed_dir) / "speed_kem").exists():
        print("speed_kem/speed_sig not given (--speed-dir or PQSCAN_LIBOQS_SPEED_DIR): harness-vs-C skipped.")
    else:
        ok = harness_vs_c(Path(args.speed_dir), max(1, args.window), max(1, args.rounds))
    liboqs_vs_openssl(max(1, args.window), max(1, args.rounds), oqs is not None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
