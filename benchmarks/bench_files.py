"""Files scanning speed: files/s and MB/s over a large tree of real certificates and keys.

Usage: python benchmarks/bench_files.py [--copies 40] [--unique-certs 2000] [--keys 200] [--rounds 3]

Builds a temp tree of ``--copies`` copies of the system CA store (every .pem/.crt file in the
directory ``ssl.get_default_verify_paths()`` names, plus its bundle file), ``--unique-certs``
distinct ECDSA leaf certificates issued by one generated CA (so not everything is a duplicate), and
``--keys`` generated keys in PEM (PKCS#8), DER, OpenSSH public keys and PKCS#12, plus some non-key
text files. Then per round it times

* pqscan: ``scan_files(tree)`` (walk, pick, parse, classify, link);
* a baseline measured in the same run: read every file and parse it with ``cryptography`` alone
  (``load_pem_x509_certificates`` for PEM certificate files, nothing else), the floor for any
  Python scanner that parses each certificate once.

Printed: files, MB, files/s and MB/s for both, and the ratio pqscan time / baseline time. pqscan's
per-process cache of described certificates is cleared before each round, so each round is cold
(duplicates inside the tree still hit it, as they do in a real run).
"""

from __future__ import annotations

import argparse
import shutil
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.collect.x509 import clear_certificate_cache
from pqscan.lab import pki


def ca_files() -> list[Path]:
    paths = ssl.get_default_verify_paths()
    out: list[Path] = []
    if paths.capath and Path(paths.capath).is_dir():
        out += sorted(p for p in Path(paths.capath).iterdir() if p.is_file() and p.suffix in (".pem", ".crt"))
    if paths.cafile and Path(paths.cafile).is_file():
        out.append(Path(paths.cafile))
    return out


def build_tree(root: Path, copies: int, nkeys: int, unique: int) -> None:
    sources = ca_files()
    ud = root / "unique"
    ud.mkdir()
    ca = pki.issue("Bench CA", ec.generate_private_key(ec.SECP256R1()), ca=True)
    for i in range(unique):
        leaf = pki.issue(f"host{i}.example", ec.generate_private_key(ec.SECP256R1()), ca, serial=10_000 + i)
        (ud / f"host{i}.crt").write_bytes(leaf.cert.public_bytes(serialization.Encoding.PEM))
    for i in range(copies):
        d = root / f"ca-copy-{i:03d}"
        d.mkdir()
        for src in sources:
            shutil.copyfile(src, d / src.name)  # real copies: the walker scans each inode once
        (d / "README.txt").write_text("not key material\n" * 20)
    kd = root / "keys"
    kd.mkdir()
    pem, der = serialization.Encoding.PEM, serialization.Encoding.DER
    none = serialization.NoEncryption()
    for i in range(nkeys):
        kind = i % 3
        key = (rsa.generate_private_key(65537, 2048) if kind == 0 else
               ec.generate_private_key(ec.SECP256R1()) if kind == 1 else ed25519.Ed25519PrivateKey.generate())
        (kd / f"k{i}.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, none))
        (kd / f"k{i}.der").write_bytes(key.private_bytes(der, serialization.PrivateFormat.PKCS8, none))
        (kd / f"k{i}.pub").write_bytes(key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                                      serialization.PublicFormat.OpenSSH))
        if kind == 1:
            cert = pki.issue(f"k{i}.example", key).cert
            (kd / f"k{i}.crt").write_bytes(cert.public_bytes(pem))
            (kd / f"k{i}.p12").write_bytes(pkcs12.serialize_key_and_certificates(b"k", key, cert, None, none))


def baseline(root: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    files = nbytes = 0
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        files += 1
        nbytes += len(data)
        if path.suffix in (".pem", ".crt") and b"-----BEGIN CERTIFICATE-----" in data:
            x509.load_pem_x509_certificates(data)
    return time.perf_counter() - start, files, nbytes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=40)
    ap.add_argument("--keys", type=int, default=200)
    ap.add_argument("--unique-certs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not ca_files():
        print("no system CA store found", file=sys.stderr)
        return 2
    import warnings

    warnings.filterwarnings("ignore", message="Parsed a serial number")
    with tempfile.TemporaryDirectory(prefix="pqscan-bench-files-") as tmp:
        root = Path(tmp)
        build_tree(root, args.copies, args.keys, args.unique_certs)
        ours, base = [], []
        files = nbytes = 0
        assets = errors = 0
        for _ in range(args.rounds):
            clear_certificate_cache()  # every round cold, like a fresh `pqscan certs` process
            start = time.perf_counter()
            scan = scan_files([root], FilesOptions())
            ours.append(time.perf_counter() - start)
            assets = len({a.id for r in scan.results for a in r.assets})
            errors = sum(len(r.errors) for r in scan.results)
            t, files, nbytes = baseline(root)
            base.append(t)
    mb = nbytes / 1e6
    print(f"tree: {files} files, {mb:.1f} MB ({args.copies} copies of the system CA store, {args.unique_certs} "
          f"distinct generated certificates, {args.keys} generated keys in PEM/DER/OpenSSH/PKCS#12); "
          f"{args.rounds} rounds")
    print(f"  pqscan certs   {files / min(ours):8.0f} files/s  {mb / min(ours):6.1f} MB/s  best {min(ours):.2f}s, "
          f"median {statistics.median(ours):.2f}s; {assets} distinct assets, {errors} errors")
    print(f"  baseline       {files / min(base):8.0f} files/s  {mb / min(base):6.1f} MB/s  best {min(base):.2f}s "
          "(read + cryptography certificate parse only)")
    print(f"  pqscan time / baseline time: {min(ours) / min(base):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
