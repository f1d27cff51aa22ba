"""PEM files (RFC 7468): certificates, chains, CSRs, CRLs, public and private keys, PKCS#7.

Each ``-----BEGIN <label>-----`` block is decoded on its own, so one bad block is one recorded
error and the others are still read. Encrypted legacy keys (``Proc-Type: 4,ENCRYPTED``) and
PKCS#8 ``ENCRYPTED PRIVATE KEY`` blocks are opened with the given passwords, otherwise recorded
as encrypted with what the block shows. ``OPENSSH PRIVATE KEY`` blocks go to the OpenSSH reader.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from pqscan.collect import der
from pqscan.collect.files import keys
from pqscan.collect.files.context import FileContext
from pqscan.collect.files.openssh import read_openssh_private_key
from pqscan.model import ErrorKind

MAX_BLOCKS = 20000  # a CA bundle has a few hundred; more is not a certificate file
# BEGIN and END markers are found in one linear pass and paired up afterwards: a single regex with
# a lazy body and a back-reference rescans the rest of the file for every BEGIN that has no END
# (quadratic: 100k unmatched BEGIN lines took minutes).
_MARKER_RE = re.compile(rb"-----(BEGIN|END) ([A-Z0-9 #._-]{1,64})-----")

_CERT_LABELS = {"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"}
_CSR_LABELS = {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"}
_PUBLIC_LABELS = {"PUBLIC KEY", "RSA PUBLIC KEY"}
_PRIVATE_LABELS = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"}
_PKCS7_LABELS = {"PKCS7", "CMS", "PKCS #7 SIGNED DATA"}
_IGNORED_LABELS = {"EC PARAMETERS", "DH PARAMETERS", "X9.42 DH PARAMETERS", "DSA PARAMETERS", "PARAMETERS"}


def has_pem(head: bytes) -> bool:
    return b"-----BEGIN " in head


def _split_headers(body: bytes) -> tuple[dict[str, str], bytes]:
    """RFC 1421 headers (``Proc-Type``, ``DEK-Info``) before a blank line, then the base64."""
    headers: dict[str, str] = {}
    lines = body.splitlines()
    if lines and b":" in lines[0]:
        for i, line in enumerate(lines):
            if not line.strip():
                return headers, b"".join(lines[i + 1 :])
            name, _, value = line.partition(b":")
            headers[name.strip().decode("ascii", "replace")] = value.strip().decode("ascii", "replace")
    return headers, b"".join(lines)


def iter_blocks(data: bytes) -> Iterator[tuple[str, int, int, int]]:
    """(label, block start, body start, block end) of each BEGIN/END pair with the same label.

    A BEGIN line is followed by a line break; a second BEGIN before the END replaces the first
    (the first was truncated); an END with another label closes nothing.
    """
    open_label: bytes | None = None
    start = body = 0
    for m in _MARKER_RE.finditer(data):
        if m.group(1) == b"BEGIN":
            nl = m.end() + (1 if data[m.end() : m.end() + 1] == b"\r" else 0)
            if data[nl : nl + 1] == b"\n":
                open_label, start, body = m.group(2), m.start(), nl + 1
            else:
                open_label = None
        elif open_label is not None and m.group(2) == open_label:
            yield open_label.decode("ascii"), start, body, m.end()
            open_label = None


def read_pem(ctx: FileContext, data: bytes) -> int:
    """Parse every PEM block; returns how many blocks were seen."""
    count = 0
    line = 1
    last_pos = 0
    for label, start, body, end in iter_blocks(data):
        if count >= MAX_BLOCKS:
            ctx.error("parse-pem", ErrorKind.TOO_LARGE, f"more than {MAX_BLOCKS} PEM blocks; the rest were not read")
            break
        line += data.count(b"\n", last_pos, start)
        last_pos = start
        count += 1
        _read_block(ctx, label, data[start:end], data[body : end - len(label) - 14], line, count)
    return count


def _read_block(ctx: FileContext, label: str, block: bytes, body: bytes, line: int, index: int) -> None:
    stage = f"parse-pem:{label}"
    if label in _IGNORED_LABELS:
        return
    if label == "OPENSSH PRIVATE KEY":
        ctx.formats.append("openssh-private-key")
        read_openssh_private_key(ctx, block, line)
        return
    headers, b64 = _split_headers(body)
    try:
        raw = base64.b64decode(b64, validate=False)
    except (binascii.Error, ValueError) as exc:
        ctx.error(stage, ErrorKind.MALFORMED, f"line {line}: bad base64 ({exc})")
        return
    if not raw:
        ctx.error(stage, ErrorKind.MALFORMED, f"line {line}: empty PEM block")
        return
    try:
        if label in _CERT_LABELS:
            ctx.formats.append("pem-certificate")
            cert_der = keys.first_tlv(raw) if label == "TRUSTED CERTIFICATE" else raw
            ctx.add_certificate(x509.load_der_x509_certificate(cert_der), "pem", line, der_bytes=cert_der)
        elif label in _CSR_LABELS:
            ctx.formats.append("pem-csr")
            ctx.add_csr(x509.load_der_x509_csr(raw), "pem", line)
        elif label == "X509 CRL":
            ctx.formats.append("pem-crl")
            ctx.add_crl(x509.load_der_x509_crl(raw), "pem", line)
        elif label in _PUBLIC_LABELS:
            ctx.formats.append("pem-public-key")
            _public_key(ctx, label, block, raw, line)
        elif label in _PRIVATE_LABELS:
            ctx.formats.append("pem-private-key")
            _private_key(ctx, label, block, raw, headers, line, index)
        elif label in _PKCS7_LABELS:
            ctx.formats.append("pkcs7")
            for cert in keys.load_pkcs7_der(raw):
                ctx.add_certificate(cert, "pkcs7", line)
        else:
            ctx.error(stage, ErrorKind.UNSUPPORTED, f"line {line}: PEM block type {label!r} is not read by pqscan")
    except (ValueError, der.DerError, UnsupportedAlgorithm, TypeError, x509.InvalidVersion) as exc:
        ctx.error(stage, ErrorKind.MALFORMED, f"line {line}: {type(exc).__name__}: {exc}")


def _public_key(ctx: FileContext, label: str, block: bytes, raw: bytes, line: int) -> None:
    if label == "PUBLIC KEY":
        der.spki_algorithm_oid(raw)  # raises DerError on garbage; unknown algorithms still recorded
        ctx.add_spki(raw, private=False, source="pem", line=line)
        return
    ctx.add_key(serialization.load_pem_public_key(block), private=False, source="pem", line=line)


def _private_key(ctx: FileContext, label: str, block: bytes, raw: bytes, headers: dict[str, str], line: int,
                 index: int) -> None:
    encrypted = label == "ENCRYPTED PRIVATE KEY" or "ENCRYPTED" in headers.get("Proc-Type", "")
    if not encrypted:
        if not keys.record_private_key_der(ctx, raw, source="pem", line=line, index=index,
                                           hint=keys.PEM_KEY_HINTS.get(label, "")):
            raise ValueError("not a private key structure cryptography or pqscan can read")
        return
    key, status = keys.load_private_key(ctx, serialization.load_pem_private_key, block, der_data=raw)
    if key is not None:
        ctx.add_key(key, private=True, source="pem", line=line, extra={"encrypted": True})
        return
    if status != "encrypted" and not status.startswith("costly"):
        raise ValueError(status)
    extra: dict[str, str] = {}
    if "DEK-Info" in headers:
        extra["encryption_scheme"] = headers["DEK-Info"].split(",", 1)[0]
    else:
        try:
            oid = der.encrypted_private_key_info_oid(raw)
            extra["encryption_scheme"] = keys.PBE_SCHEMES.get(oid, oid)
        except der.DerError:
            pass
    ctx.add_opaque_key(index, algorithm_hint=keys.PEM_KEY_HINTS.get(label, ""), source="pem", line=line, extra=extra)
    ctx.error(f"parse-pem:{label}", ErrorKind.ENCRYPTED,
              f"line {line}: " + (status.removeprefix("costly: ") if status.startswith("costly")
                                  else "private key is encrypted and no given password opened it (use --password)"))
