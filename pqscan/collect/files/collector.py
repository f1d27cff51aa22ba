"""Walk trees, pick the files that hold keys or certificates, parse each, link across files.

A file is chosen by magic and name before anything else (DER, PKCS#12 and Java keystores are
binary), so the walker's text-only concerns do not hide them. Every file that is skipped or fails
leaves a :class:`~pqscan.model.ScanError`; one bad file never stops the scan. After all files are
read, certificates are linked to their issuers (``issued-by``) and private keys to certificates
with the same public key (``matches-key``) across the whole scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography import x509

from pqscan.collect.dispatch import Source, dispatch, run, skip_result
from pqscan.collect.files import binary, jwk, openssh, pem
from pqscan.collect.files.context import COLLECTOR, FileContext
from pqscan.collect.walk import FileEntry, Skipped, WalkOptions, looks_binary
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
    """Open and parse one file (see :func:`scan_source`)."""
    source = Source(entry)
    try:
        return scan_source(entry, source, options, certificates)
    finally:
        source.close()


def scan_source(entry: FileEntry, source: Source, options: FilesOptions,
                certificates: dict[str, x509.Certificate] | None = None) -> tuple[ScanResult | None, int]:
    """Parse one file; (None, bytes) when it is not key material and nothing went wrong.

    The first 8 KB decide (magic, PEM armour, name); only a candidate is read in full. The file is
    named by its root-relative path (:attr:`FileEntry.relpath`). Parsed certificates are also put in
    ``certificates`` (by asset id) for signature-checked linking.
    """
    ctx = FileContext(Path(entry.relpath), options.passwords)
    limit = options.walk.max_bytes
    try:
        head = source.read(HEAD_BYTES)[:HEAD_BYTES]
        data = source.read(limit) if _candidate(entry.path, head) else head
    except ValueError:
        ctx.error("read", ErrorKind.UNSUPPORTED, "not a regular file when opened (replaced after the walk?)")
        return ctx.result(), 0
    except OSError as exc:
        ctx.error("read", ErrorKind.PERMISSION, exc.strerror or str(exc))
        return ctx.result(), 0
    if len(data) > limit:
        ctx.error("read", ErrorKind.TOO_LARGE, f"file grew past the {limit}-byte limit")
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


class CertsCollector:
    """The walk's certificate/key collector: every file's first 8 KB, candidates in full.

    Results with certificates or private keys wait for :meth:`finish`, which links them across
    files (``issued-by``, ``matches-key``); everything else is handed on at once."""

    name = COLLECTOR
    prune_dirs: frozenset[str] = frozenset()

    def __init__(self, options: FilesOptions | None = None) -> None:
        self.options = options or FilesOptions()
        self.max_bytes = self.options.walk.max_bytes
        self.stats = FilesScan()
        self._certs: dict[str, x509.Certificate] = {}
        self._held: list[ScanResult] = []

    def wants(self, entry: FileEntry) -> bool:
        return True

    def skipped(self, item: Skipped) -> ScanResult | None:
        return skip_result(item, COLLECTOR)

    def take(self, entry: FileEntry, source: Source) -> Iterator[ScanResult]:
        self.stats.files_seen += 1
        try:
            result, nbytes = scan_source(entry, source, self.options, self._certs)
        except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not end the scan
            result, nbytes = ScanResult(entry.relpath, COLLECTOR), 0
            result.error("parse", ErrorKind.INTERNAL, f"{type(exc).__name__}: {exc}")
        self.stats.bytes_read += nbytes
        if result is None:
            return
        self.stats.files_parsed += 1
        if any(a.kind in _LINKED for a in result.assets):
            self._held.append(result)
        else:
            yield result

    def finish(self) -> list[ScanResult]:
        held, self._held = self._held, []
        return _link(held, self._certs)


_LINKED = (AssetKind.CERTIFICATE, AssetKind.PRIVATE_KEY)


def scan_files(paths: Iterable[str | Path], options: FilesOptions | None = None) -> FilesScan:
    """Scan files and trees for certificates, keys and keystores; link them across files."""
    collector = CertsCollector(options)
    results = list(run(dispatch(paths, collector.options.walk, [collector])))
    scan = collector.stats
    scan.results = results
    return scan


def _link(results: list[ScanResult], certs: dict[str, x509.Certificate]) -> list[ScanResult]:
    merged: dict[str, Asset] = {}
    for r in results:
        for a in r.assets:
            if a.kind in _LINKED:
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
