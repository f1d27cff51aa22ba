"""The system CA store as a large real corpus: pqscan's counts must equal cryptography's own parsing.

The expected side uses only ``cryptography`` (and ``openssl x509`` for a cross-check), never pqscan.
"""

from __future__ import annotations

import hashlib
import shutil
import ssl
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.model import AssetKind

pytestmark = pytest.mark.integration


def _corpus() -> list[Path]:
    paths = ssl.get_default_verify_paths()
    files: list[Path] = []
    if paths.capath and Path(paths.capath).is_dir():
        files += sorted(p for p in Path(paths.capath).iterdir() if p.is_file() and p.suffix in (".pem", ".crt"))
    if paths.cafile and Path(paths.cafile).is_file():
        files.append(Path(paths.cafile))
    if len(files) < 10:
        pytest.skip(f"no system CA store found at {paths.capath!r} / {paths.cafile!r}")
    return files


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    return _corpus()


@pytest.fixture(scope="module")
def expected(corpus) -> dict[str, x509.Certificate]:
    """Every distinct certificate in the corpus, by SHA-256 of its DER, parsed by cryptography."""
    certs: dict[str, x509.Certificate] = {}
    for path in corpus:
        for cert in x509.load_pem_x509_certificates(path.read_bytes()):
            certs[hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()] = cert
    return certs


@pytest.fixture(scope="module")
def observed(corpus):
    scan = scan_files(corpus, FilesOptions())
    assets = {}
    for r in scan.results:
        for a in r.assets:
            if a.kind is AssetKind.CERTIFICATE:
                assets[a.id] = a
    return assets, [e for r in scan.results for e in r.errors]


def test_ca_bundle_parses_without_errors(observed):
    assert observed[1] == []


def test_same_certificates_as_cryptography(expected, observed):
    assert {a.attributes["sha256_fingerprint"] for a in observed[0].values()} == set(expected)


def test_public_key_algorithm_and_size_counts_match_cryptography(expected, observed):
    def size(cert: x509.Certificate) -> int | None:
        key = cert.public_key()
        return getattr(key, "key_size", None) or getattr(getattr(key, "curve", None), "key_size", None)

    want = Counter((c.public_key_algorithm_oid.dotted_string, size(c)) for c in expected.values())
    got = Counter((a.attributes["public_key_oid"], a.attributes.get("key_bits")) for a in observed[0].values())
    assert got == want


def test_signature_algorithm_counts_match_cryptography(expected, observed):
    want = Counter(c.signature_algorithm_oid.dotted_string for c in expected.values())
    got = Counter(a.attributes["signature_algorithm_oid"] for a in observed[0].values())
    assert got == want


def test_self_signed_roots_agree_with_cryptography(expected, observed):
    def self_signed(c: x509.Certificate) -> bool:
        try:
            c.verify_directly_issued_by(c)
            return True
        except Exception:  # noqa: BLE001 - any failure means not self-signed
            return False

    want = sum(self_signed(c) for c in expected.values())
    assert sum(bool(a.attributes["self_signed"]) for a in observed[0].values()) == want


def test_rsa_key_sizes_agree_with_openssl_cli_on_a_sample(corpus, observed):
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not installed")
    by_fp = {a.attributes["sha256_fingerprint"]: a for a in observed[0].values()}
    checked = 0
    for path in corpus[:25]:
        out = subprocess.run(["openssl", "x509", "-in", str(path), "-noout", "-fingerprint", "-sha256", "-text"],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            continue
        fp = out.stdout.split("Fingerprint=", 1)[1].split()[0].replace(":", "").lower()
        for line in out.stdout.splitlines():
            if "Public-Key: (" in line:
                bits = int(line.split("(")[1].split()[0])
                assert by_fp[fp].attributes["key_bits"] == bits
                checked += 1
    assert checked > 0
