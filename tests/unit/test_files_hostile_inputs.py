"""Hostile key-material files found by fuzzing: each is one clear recorded error, in bounded time."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from cryptography.x509.oid import NameOID

from pqscan.collect import der
from pqscan.collect.files import FilesOptions, scan_files
from pqscan.collect.files.collector import scan_file
from pqscan.collect.files.keys import MAX_KDF_ITERATIONS
from pqscan.collect.files.pem import iter_blocks
from pqscan.collect.walk import FileEntry
from pqscan.lab import pki
from pqscan.model import AssetKind, ErrorKind

PEM = serialization.Encoding.PEM
# A hang guard, not a benchmark: the fixed inputs take well under a second; the bugs took minutes.
HANG_GUARD_S = 10.0


def _scan(path, passwords: tuple[bytes, ...] = ()):
    scan = scan_files([path], FilesOptions(passwords=passwords))
    errors = [e for r in scan.results for e in r.errors]
    assets = [a for r in scan.results for a in r.assets]
    return errors, assets


def test_pem_with_100k_begin_lines_and_no_end_is_one_error_in_linear_time(tmp_path):
    path = tmp_path / "truncated.pem"
    path.write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n" * 100_000)
    started = time.monotonic()
    errors, _ = _scan(path)
    assert time.monotonic() - started < HANG_GUARD_S
    assert [(e.stage, e.kind) for e in errors] == [("parse-pem", ErrorKind.MALFORMED)]


def test_truncated_pem_block_does_not_hide_the_complete_block_after_it():
    cert = pki.ecdsa_cert().cert.public_bytes(PEM)
    data = b"-----BEGIN CERTIFICATE-----\nMIIB\n" + cert
    assert [label for label, *_ in iter_blocks(data)] == ["CERTIFICATE"]


def test_pem_end_line_of_another_label_closes_nothing():
    data = b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END CERTIFICATE-----\nBBBB\n-----END PUBLIC KEY-----\n"
    (label, start, body, end), = iter_blocks(data)
    assert (label, start, end) == ("PUBLIC KEY", 0, len(data) - 1)
    assert data[body:].startswith(b"AAAA")


def test_jwks_with_a_million_digit_integer_is_malformed_not_internal(tmp_path):
    path = tmp_path / "keys.jwks"
    path.write_bytes(b'{"keys":[{"kty":"RSA","e":"AQAB","n":1' + b"1" * 1_000_000 + b"}]}")
    errors, _ = _scan(path)
    assert [(e.stage, e.kind) for e in errors] == [("parse-jwk", ErrorKind.MALFORMED)]


def test_deeply_nested_jwk_is_malformed_not_internal(tmp_path):
    path = tmp_path / "deep.jwk"
    path.write_bytes(b'{"kty":"EC","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    errors, _ = _scan(path)
    assert [(e.stage, e.kind) for e in errors] == [("parse-jwk", ErrorKind.MALFORMED)]


def test_known_hosts_line_of_one_megabyte_is_a_recorded_error(tmp_path):
    path = tmp_path / "known_hosts"
    path.write_bytes(b"host ssh-ed25519 " + b"A" * 1_048_576 + b"\n")
    errors, _ = _scan(path)
    assert [(e.stage, e.kind) for e in errors] == [("parse-known_hosts", ErrorKind.MALFORMED)]


def _p12_with_rounds(rounds: int) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    enc = PrivateFormat.PKCS12.encryption_builder().kdf_rounds(rounds).hmac_hash(hashes.SHA256()).build(b"pw")
    return pkcs12.serialize_key_and_certificates(b"k", key, None, None, enc)


def test_pkcs12_asking_for_more_kdf_iterations_than_the_limit_is_not_opened(tmp_path):
    path = tmp_path / "costly.p12"
    path.write_bytes(_p12_with_rounds(MAX_KDF_ITERATIONS + 1))
    started = time.monotonic()
    errors, assets = _scan(path, passwords=(b"pw",))
    assert time.monotonic() - started < HANG_GUARD_S
    assert [(e.stage, e.kind) for e in errors] == [("parse-pkcs12", ErrorKind.ENCRYPTED)]
    assert f"{MAX_KDF_ITERATIONS + 1} iterations" in errors[0].message
    assert [a.kind for a in assets] == [AssetKind.KEYSTORE]


def test_max_iteration_count_reads_the_pkcs12_key_bag_count():
    assert der.max_iteration_count(_p12_with_rounds(123_457)) == 123_457


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI (Debian package openssl) writes the key")
def test_encrypted_pkcs8_asking_for_too_many_iterations_is_not_tried_with_the_password(tmp_path):
    # cryptography cannot choose PKCS#8 PBKDF2 rounds; the openssl CLI can.
    plain = tmp_path / "plain.key"
    plain.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        PEM, PrivateFormat.PKCS8, serialization.NoEncryption()))
    path = tmp_path / "costly.key"
    subprocess.run(["openssl", "pkcs8", "-topk8", "-in", str(plain), "-out", str(path), "-v2", "aes-256-cbc",
                    "-iter", str(MAX_KDF_ITERATIONS + 1), "-passout", "pass:pw"], check=True, timeout=60)
    plain.unlink()
    errors, assets = _scan(path, passwords=(b"pw",))
    assert [(e.kind, "iterations" in e.message) for e in errors] == [(ErrorKind.ENCRYPTED, True)]
    assert any(a.kind is AssetKind.PRIVATE_KEY and a.attributes.get("encrypted") for a in assets)


def _cert_der(cn: str = "alpha", org: str = "bravo") -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])
    now = datetime.datetime(2025, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def test_certificate_whose_subject_cannot_be_parsed_is_still_an_asset_with_a_note(tmp_path):
    # cryptography loads the certificate and parses names only when asked: an attribute value with
    # tag 0 (not a string type) makes ``subject`` raise later. Found by fuzzing.
    data = _cert_der().replace(b"\x0c\x05bravo", b"\x00\x05bravo")
    path = tmp_path / "odd-subject.der"
    path.write_bytes(data)
    errors, assets = _scan(path)
    (cert,) = [a for a in assets if a.kind is AssetKind.CERTIFICATE]
    assert errors == []
    assert cert.attributes["subject"] == ""
    assert any(n.startswith("subject unreadable") for n in cert.attributes["parse_notes"])


def test_certificate_with_an_invalid_version_is_malformed_not_internal(tmp_path):
    data = _cert_der().replace(b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x07", 1)
    path = tmp_path / "bad-version.pem"
    path.write_bytes(b"-----BEGIN CERTIFICATE-----\n" + __import__("base64").encodebytes(data)
                     + b"-----END CERTIFICATE-----\n")
    errors, _ = _scan(path)
    assert [(e.stage, e.kind) for e in errors] == [("parse-pem:CERTIFICATE", ErrorKind.MALFORMED)]
    assert "InvalidVersion" in errors[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX mkfifo")
def test_a_path_swapped_for_a_named_pipe_after_the_walk_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "server.pem"
    os.mkfifo(fifo)  # nobody ever writes to it: a blocking open() would wait forever
    result, nbytes = scan_file(FileEntry(fifo, tmp_path, 0), FilesOptions())
    assert result is not None and nbytes == 0
    assert [(e.stage, e.kind) for e in result.errors] == [("read", ErrorKind.UNSUPPORTED)]


def test_known_hosts_comment_and_host_patterns_keep_no_raw_control_characters(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    pub = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    path = tmp_path / "known_hosts"
    path.write_bytes(b"h\x1b[2Jost " + pub + b" c\x1b]0;x\x07omment\n")
    errors, assets = _scan(path)
    (key,) = [a for a in assets if a.kind is AssetKind.HOST_KEY]
    assert errors == []
    assert (key.attributes["hosts"], key.attributes["comment"]) == (["h\\x1b[2Jost"], "c\\x1b]0;x\\x07omment")
