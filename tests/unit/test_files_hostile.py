"""Malformed and hostile inputs to the files scanner are recorded errors; the scan goes on."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import serialization

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.collect.walk import WalkOptions
from pqscan.lab import pki
from pqscan.model import AssetKind, ErrorKind

PEM = serialization.Encoding.PEM


def _errors(scan):
    return {e.target: e for r in scan.results for e in r.errors}


def _cert_count(scan) -> int:
    return len({a.id for r in scan.results for a in r.assets if a.kind is AssetKind.CERTIFICATE})


def test_zero_byte_pem_is_a_recorded_error(tmp_path):
    (tmp_path / "empty.pem").write_bytes(b"")
    err = _errors(scan_files([tmp_path]))["empty.pem"]
    assert (err.kind, err.message) == (ErrorKind.MALFORMED, "empty file")


def test_file_over_the_size_limit_is_skipped_with_a_reason(tmp_path):
    big = tmp_path / "huge.pem"
    big.write_bytes(b"-----BEGIN CERTIFICATE-----\n" + b"A" * 200_000)
    scan = scan_files([tmp_path], FilesOptions(walk=WalkOptions(max_bytes=100_000)))
    err = _errors(scan)["huge.pem"]
    assert err.kind is ErrorKind.TOO_LARGE


def test_symlink_loop_is_recorded_and_does_not_hang(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "ok.pem").write_bytes(pki.ecdsa_cert().cert.public_bytes(PEM))
    scan = scan_files([tmp_path])
    errors = _errors(scan)
    assert errors["loop"].kind is ErrorKind.NOT_FOUND
    assert errors["sub/up"].kind is ErrorKind.SKIPPED
    assert _cert_count(scan) == 1


def test_unknown_binary_file_is_skipped_with_a_recorded_reason(tmp_path):
    (tmp_path / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(100))
    err = _errors(scan_files([tmp_path]))["image.bin"]
    assert err.kind is ErrorKind.BINARY


def test_plain_text_without_key_material_records_nothing(tmp_path):
    (tmp_path / "README.md").write_text("nothing to see here\n")
    assert scan_files([tmp_path]).results == []


def test_one_malformed_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "a_bad.crt").write_bytes(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
    (tmp_path / "b_good.crt").write_bytes(pki.ecdsa_cert().cert.public_bytes(PEM))
    scan = scan_files([tmp_path])
    assert _cert_count(scan) == 1
    assert _errors(scan)["a_bad.crt"].kind is ErrorKind.MALFORMED


def test_exclude_pattern_keeps_files_out(tmp_path):
    (tmp_path / "testdata").mkdir()
    (tmp_path / "testdata" / "x.pem").write_bytes(pki.ecdsa_cert().cert.public_bytes(PEM))
    scan = scan_files([tmp_path], FilesOptions(walk=WalkOptions(excludes=("testdata/",))))
    assert scan.results == []


def test_gitignored_key_is_not_scanned(tmp_path):
    (tmp_path / ".gitignore").write_text("*.key\n")
    (tmp_path / "secret.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    assert scan_files([tmp_path]).results == []


def test_missing_path_is_a_recorded_error(tmp_path):
    scan = scan_files([tmp_path / "nope"])
    assert [e.kind for r in scan.results for e in r.errors] == [ErrorKind.NOT_FOUND]


def test_truncated_java_keystore_is_a_recorded_error(tmp_path):
    path = tmp_path / "broken.jks"
    path.write_bytes(b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x05" + os.urandom(40))
    err = _errors(scan_files([tmp_path]))[path.name]
    assert (err.stage, err.kind) == ("parse-keystore", ErrorKind.MALFORMED)


def test_garbage_pkcs12_is_a_recorded_error(tmp_path):
    path = tmp_path / "broken.p12"
    path.write_bytes(os.urandom(300))
    err = _errors(scan_files([tmp_path]))[path.name]
    assert err.kind is ErrorKind.MALFORMED
