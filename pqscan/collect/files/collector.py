"""Walk trees, pick the files that hold keys or certificates, parse each, link across files.

A file is chosen by magic and name before anything else (DER, PKCS#12 and Java keystores are
binary), so the walker's text-only concerns do not hide them. Every file that is skipped or fails
leaves a :class:`~pqscan.model.ScanError`; one bad file never stops the scan. After all files are
read, certificates are linked to their issuers (``issued-by``) and private keys to certificates
with the same public key (``matches-key``) across the whole scan.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from cryptography import x509

from pqscan.collect.files import binary, jwk, openssh, pem
from pqscan.collect.files.context import COLLECTOR, FileContext
from pqscan.collect.walk import FileEntry, Skipped, WalkOptions, iter_files, looks_binary
from pqscan.collect.x509 import link_chain, link_keys
from pqscan.model import Asset, AssetKind, ErrorKind, ScanResult

HEAD_BYTES = 8192

# Extensions whose files are expected to hold key material: an unreadable one is an error.
KEY_EXTENSIONS = frozenset({".pem", ".crt", ".cer", ".cert", ".key", ".csr", ".req", ".crl", ".der", ".p7b",
                            ".p7c", ".p7s", ".pub", ".p12", ".pfx", ".jks", ".jceks", ".keystore", ".truststore",
                            ".jwk", ".jwks", ".ca-bundle"})
PKCS12_EXTENSIONS = frozenset({".p12", ".pfx"})
JSON_EXTENSIONS = frozenset({".json", ".jwk", ".jwks"})
SSH_PRIVATE_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"})


@dataclass(frozen=True)
class FilesOptions:
    walk: WalkOptions = field(default_factory=WalkOptions)
    passwords: tuple[bytes, ...] = ()  # tried after "no password" and the empty password


@dataclass
class FilesScan:
    """The finished scan: one result per file that held material or failed, plus counters."""

    results: list[ScanResult] = field(default_factory=list)
    files_seen: int = 0
    files_parsed: int = 0
    bytes_read: int = 0


def _expects_material(path: Path) -> bool:
    name = path.name.lower()
    return (path.suffix.lower() in KEY_EXTENSIONS or name in openssh.AUTHORIZED_KEYS_NAMES
            or name in openssh.KNOWN_HOSTS_NAMES or name in SSH_PRIVATE_NAMES)


def scan_file(entry: FileEntry, options: FilesOptions,
              certificates: dict[str, x509.Certificate] | None = None) -> tuple[ScanResult | None, int]:
    """Parse one file; (None, bytes) when it is not key material and nothing went wrong.

    Parsed certificates are also put in ``certificates`` (by asset id) for signature-checked linking.
    """
    ctx = FileContext(entry.path, options.passwords)
    try:
        with _open_regular(entry.path) as fh:
            head = fh.read(HEAD_BYTES)
            data = head + fh.read(max(0, options.walk.max_bytes - len(head)) + 1) if _candidate(entry.path, head) \
                else head
    except _NotRegularFile:
        ctx.error("read", ErrorKind.UNSUPPORTED, "not a regular file when opened (replaced after the walk?)")
        return ctx.result(), 0
    except OSError as exc:
        ctx.error("read", ErrorKind.PERMISSION, exc.strerror or str(exc))
        return ctx.result(), 0
    if len(data) > options.walk.max_bytes:
        ctx.error("read", ErrorKind.TOO_LARGE, f"file grew past the {options.walk.max_bytes}-byte limit")
        return ctx.result(), len(data)
    handled = _dispatch(ctx, entry.path, head, data)
    if certificates is not None:
        for cid, cert in ctx.certificates.items():
            certificates.setdefault(cid, cert)
    if not handled and not ctx.errors:
        if looks_binary(head):
            ctx.error("select", ErrorKind.BINARY, "binary file, not a certificate, key or keystore format")
        elif _expects_material(entry.path):
            ctx.error("select", ErrorKind.MALFORMED,
                      "empty file" if not data else "no certificate or key found in a key-material file")
        else:
            return None, len(data)
    return ctx.result(), len(data)


class _NotRegularFile(Exception):
    pass


def _open_regular(path: Path) -> BinaryIO:
    """Open for reading without blocking, and only if it is still a regular file.

    The walker checked the type with stat(), but the path can be swapped for a FIFO or a device
    before it is opened: O_NONBLOCK keeps open() on a FIFO from waiting for a writer, and fstat()
    on the opened descriptor is the check that cannot race.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegularFile(str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _candidate(path: Path, head: bytes) -> bool:
    return (_expects_material(path) or pem.has_pem(head) or head.startswith((binary.JKS_MAGIC, binary.JCEKS_MAGIC))
            or head[:1] == b"\x30" or openssh.looks_like_key_lines(head[:2048])
            or b"---- BEGIN SSH2" in head or (path.suffix.lower() in JSON_EXTENSIONS and jwk.looks_like_jwk(head)))


def _dispatch(ctx: FileContext, path: Path, head: bytes, data: bytes) -> bool:
    name, ext = path.name.lower(), path.suffix.lower()
    if not data:
        return False
    if data.startswith((binary.JKS_MAGIC, binary.JCEKS_MAGIC)):
        binary.read_java_keystore(ctx, data)
        return True
    if name in openssh.AUTHORIZED_KEYS_NAMES:
        return openssh.read_key_lines(ctx, data, "authorized_keys") > 0 or bool(ctx.errors)
    if name in openssh.KNOWN_HOSTS_NAMES:
        return openssh.read_key_lines(ctx, data, "known_hosts") > 0 or bool(ctx.errors)
    if ext in PKCS12_EXTENSIONS:
        return binary.read_pkcs12(ctx, data)
    if b"---- BEGIN SSH2 PUBLIC KEY" in head:
        return openssh.read_rfc4716(ctx, data) > 0 or bool(ctx.errors)
    if pem.has_pem(data if _expects_material(path) else head):
        if pem.read_pem(ctx, data) == 0:
            ctx.error("parse-pem", ErrorKind.MALFORMED, "PEM BEGIN line without a matching END line (truncated?)")
        return True
    if head[:1] == b"\x30" and binary.is_der_sequence(data):
        if binary.read_der(ctx, data):
            return True
        if _expects_material(path):
            ctx.error("parse-der", ErrorKind.MALFORMED, "DER structure is not a certificate, key, CRL or PKCS#7/#12")
            return True
        return False
    if looks_binary(head):
        if _expects_material(path):
            ctx.error("parse-der", ErrorKind.MALFORMED, "binary content is not a well-formed DER structure")
            return True
        return False
    if ext in JSON_EXTENSIONS and jwk.looks_like_jwk(head):
        return jwk.read_jwk(ctx, data) > 0 or bool(ctx.errors)
    if ext == ".pub" or openssh.looks_like_key_lines(head[:2048]):
        return openssh.read_key_lines(ctx, data, "pub") > 0 or bool(ctx.errors and ext == ".pub")
    return False


def _skipped(s: Skipped) -> ScanResult:
    res = ScanResult(str(s.path), COLLECTOR)
    res.error("walk", s.kind, s.reason)
    return res


def iter_file_results(paths: Iterable[str | Path], options: FilesOptions, scan: FilesScan,
                      certificates: dict[str, x509.Certificate] | None = None) -> Iterator[ScanResult]:
    """Per-file results, unlinked (see :func:`scan_files` for the cross-file links)."""
    for item in iter_files(paths, options.walk):
        if isinstance(item, Skipped):
            yield _skipped(item)
            continue
        scan.files_seen += 1
        try:
            result, nbytes = scan_file(item, options, certificates)
        except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not end the scan
            result, nbytes = ScanResult(str(item.path), COLLECTOR), 0
            result.error("parse", ErrorKind.INTERNAL, f"{type(exc).__name__}: {exc}")
        scan.bytes_read += nbytes
        if result is not None:
            scan.files_parsed += 1
            yield result


def scan_files(paths: Iterable[str | Path], options: FilesOptions | None = None) -> FilesScan:
    """Scan files and trees for certificates, keys and keystores; link them across files."""
    opts = options or FilesOptions()
    scan = FilesScan()
    certs: dict[str, x509.Certificate] = {}
    results = list(iter_file_results(paths, opts, scan, certs))
    scan.results = _link(results, certs)
    return scan


def _link(results: list[ScanResult], certs: dict[str, x509.Certificate]) -> list[ScanResult]:
    merged: dict[str, Asset] = {}
    for r in results:
        for a in r.assets:
            if a.kind in (AssetKind.CERTIFICATE, AssetKind.PRIVATE_KEY):
                merged[a.id] = merged[a.id].merged_with(a) if a.id in merged else a
    if not merged:
        return results
    linked = {a.id: a for a in link_keys(link_chain(list(merged.values()), certs))}
    out = []
    for r in results:
        assets = []
        for a in r.assets:
            new = linked.get(a.id)
            if new is not None and new.relations != a.relations:
                extra = tuple(rel for rel in new.relations if rel not in a.relations)
                a = replace(a, relations=a.relations + extra)
            assets.append(a)
        out.append(ScanResult(r.target, r.collector, assets, r.findings, r.errors))
    return out
