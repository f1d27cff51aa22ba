"""Keys and certificates embedded in source as PEM text, parsed for their real algorithm and size.

PEM in code is split across string literals (``"-----BEGIN ...\\n" + "MIIB..."``), escaped
(``\\n``) or in a raw block; the base64 body is rebuilt line by line from what sits inside the
quotes, then parsed with ``cryptography`` through :mod:`pqscan.collect.x509` (no guessing from
the label: a "PRIVATE KEY" block says nothing about its algorithm until it is parsed).
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization

from pqscan.collect.x509 import cert_spki, describe_spki, key_usage_for, spki_of
from pqscan.model import Confidence, Usage

MAX_BLOCKS = 64
# Smallest real objects: an Ed25519 PKCS#8 key is 48 bytes, its SPKI 44; no X.509 certificate is under
# 128 bytes. Shorter bodies are examples in comments and docs, not key material.
_MIN_KEY_DER = 40
_MIN_CERT_DER = 128
MAX_BLOCK_CHARS = 65536
_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----")
_QUOTED = re.compile(r"""["'`]([^"'`]*)["'`]""")
_READ_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE", "PUBLIC KEY", "PRIVATE KEY",
                          "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY"})
_QUOTE_CHARS = re.compile(r"""["'`]""")
_B64 = re.compile(r"[^A-Za-z0-9+/=]")


@dataclass(frozen=True)
class PemHit:
    line: int
    column: int
    label: str
    algorithm: str
    usage: Usage
    confidence: Confidence
    params: dict[str, Any] = field(default_factory=dict)


def _body(block: str) -> bytes | None:
    """Base64 body of a PEM block as written in source (quotes, escapes, concatenation stripped)."""
    chunks: list[str] = []
    lines = block.splitlines()
    for i, raw_line in enumerate(lines):
        if i == 0 and _QUOTE_CHARS.search(raw_line):
            raw_line = _QUOTE_CHARS.split(raw_line)[0]  # the rest of the BEGIN literal: `\n" +`
        elif i == len(lines) - 1 and i > 0 and _QUOTE_CHARS.search(raw_line):
            raw_line = _QUOTE_CHARS.split(raw_line)[-1]  # the start of the END literal: `  "`
        quoted = _QUOTED.findall(raw_line)
        segment = "".join(quoted) if quoted else raw_line
        chunks.append(_B64.sub("", segment.replace("\\n", "").replace("\\r", "")))
    data = "".join(chunks)
    if len(data) < 16:
        return None
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None


def _describe(label: str, der: bytes) -> tuple[str, Usage, dict[str, Any]] | str:
    """(algorithm id, usage, parameters) of one DER object, or why it could not be read."""
    try:
        if label in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"):
            with warnings.catch_warnings():  # test certificates with negative serials are still read
                warnings.simplefilter("ignore")
                cert = cx509.load_der_x509_certificate(der)
            info = describe_spki(cert_spki(cert))
            params = {**info.parameters(), "object": "certificate", "subject": cert.subject.rfc4514_string()[:120]}
            return info.algorithm.id, key_usage_for(info.algorithm, Usage.AUTHENTICATION), params
        if label == "PUBLIC KEY":
            info = describe_spki(der)
            return info.algorithm.id, key_usage_for(info.algorithm, Usage.SIGNATURE), {**info.parameters(),
                                                                                     "object": "public key"}
        if label.endswith("PRIVATE KEY") and "ENCRYPTED" not in label:
            key: Any
            if label == "OPENSSH PRIVATE KEY":
                key = serialization.load_ssh_private_key(b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                                         + base64.encodebytes(der)
                                                         + b"-----END OPENSSH PRIVATE KEY-----\n", password=None)
            else:
                key = serialization.load_der_private_key(der, password=None)
            info = describe_spki(spki_of(key))
            return info.algorithm.id, key_usage_for(info.algorithm, Usage.SIGNATURE), {**info.parameters(),
                                                                                     "object": "private key"}
    except (ValueError, TypeError) as exc:
        return f"{label} block could not be parsed: {exc}"[:200]
    except Exception as exc:  # cryptography raises a few others (UnsupportedAlgorithm ...)
        return f"{label} block could not be parsed: {type(exc).__name__}"
    return f"{label} block is not a key or certificate pqscan reads"


def find_pem(text: str) -> Iterator[PemHit | str]:
    """Every PEM block in ``text``: a hit, or a message saying why a block was not read."""
    count = 0
    for m in _BEGIN.finditer(text):
        if count >= MAX_BLOCKS:
            yield f"more than {MAX_BLOCKS} PEM blocks; the rest were not read"
            return
        count += 1
        label = m.group(1).strip()
        if label not in _READ_LABELS and "ENCRYPTED" not in label:
            continue  # CSRs, CRLs, "RSA TESTING KEY" (Go's disguised test keys): not key material read here
        end = text.find(f"-----END {label}-----", m.end(), m.end() + MAX_BLOCK_CHARS)
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        if end < 0:
            continue  # a marker in a message or a parser, not a block
        block = text[m.end():end]
        if "ENCRYPTED" in label or "Proc-Type: 4,ENCRYPTED" in block:
            yield PemHit(line, column, label, "unknown", Usage.UNKNOWN, Confidence.LOW,
                         {"object": "encrypted private key", "unknown_reason": "the key is encrypted"})
            continue
        der = _body(block)
        if der is None or len(der) < (_MIN_CERT_DER if "CERTIFICATE" in label else _MIN_KEY_DER):
            continue  # a placeholder in documentation ("-----BEGIN CERTIFICATE----- ... -----END"), not a block
        described = _describe(label, der)
        if isinstance(described, str):
            yield described
            continue
        algorithm, usage, params = described
        yield PemHit(line, column, label, algorithm, usage, Confidence.HIGH, params)
