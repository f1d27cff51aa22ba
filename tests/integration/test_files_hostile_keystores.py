"""Keystores that ask for absurd password-hashing work are recorded as encrypted, not decrypted for minutes."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.collect.files.keys import MAX_KDF_ITERATIONS
from pqscan.model import AssetKind, ErrorKind

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("keytool") is None, reason="keytool (OpenJDK) not installed")]


def test_jceks_key_protected_with_too_many_iterations_is_recorded_encrypted_without_decrypting(tmp_path: Path):
    # Java lets the JCEKS key-protection count be raised (jdk.jceks.iterationCount); pyjks would run
    # it in pure Python (about 0.7 s per million here), so a hostile store could stall the scan.
    store = tmp_path / "costly.jceks"
    subprocess.run(["keytool", "-genkeypair", "-keystore", str(store), "-storetype", "JCEKS", "-storepass", "changeit",
                    "-keypass", "changeit", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=costly.example", f"-J-Djdk.jceks.iterationCount={MAX_KDF_ITERATIONS + 1}"],
                   check=True, capture_output=True, timeout=120)
    started = time.monotonic()
    scan = scan_files([store], FilesOptions(passwords=(b"changeit",)))
    assert time.monotonic() - started < 10.0  # a hang guard: decrypting would take over a second
    errors = [e for r in scan.results for e in r.errors]
    assert [(e.kind, "iterations" in e.message) for e in errors] == [(ErrorKind.ENCRYPTED, True)]
    keys = [a for r in scan.results for a in r.assets if a.kind is AssetKind.PRIVATE_KEY]
    assert [k.attributes.get("encrypted") for k in keys] == [True]  # public half still known from the chain
