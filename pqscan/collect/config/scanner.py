"""Find configuration files under the paths, recognise their format, and parse them.

A file is recognised by its name first (``sshd_config``, ``nginx.conf``, ``main.cf``, ...), then by
content for generic names (``*.conf`` in ``sites-available/`` may be nginx or Apache). Each file
gives one :class:`ScanResult`; a file that fails to parse is recorded and the scan goes on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pqscan.collect.config import kubernetes, mail, openssl_java, postgresql, sshd, tls_servers
from pqscan.collect.config.common import COLLECTOR, Emitter
from pqscan.collect.config.openssh_versions import OpenSSH
from pqscan.collect.dispatch import Source, dispatch, run, skip_result
from pqscan.collect.walk import FileEntry, Skipped, WalkOptions, looks_binary
from pqscan.model import ErrorKind, ScanResult

MAX_CONFIG_BYTES = 4 * 1024 * 1024


class Format:
    SSHD = "sshd_config"
    SSH = "ssh_config"
    NGINX = "nginx"
    APACHE = "apache"
    HAPROXY = "haproxy"
    OPENSSL = "openssl.cnf"
    JAVA = "java.security"
    POSTFIX = "postfix"
    DOVECOT = "dovecot"
    KUBERNETES = "kubernetes"
    POSTGRESQL = "postgresql.conf"


_BY_NAME = {
    "sshd_config": Format.SSHD, "ssh_config": Format.SSH, "nginx.conf": Format.NGINX,
    "httpd.conf": Format.APACHE, "apache2.conf": Format.APACHE, "ssl.conf": None, "haproxy.cfg": Format.HAPROXY,
    "openssl.cnf": Format.OPENSSL, "java.security": Format.JAVA, "main.cf": Format.POSTFIX,
    "dovecot.conf": Format.DOVECOT, "10-ssl.conf": Format.DOVECOT,
    "postgresql.conf": Format.POSTGRESQL, "postgresql.auto.conf": Format.POSTGRESQL,
}
_SNIFF_SUFFIXES = (".conf", ".cfg", ".cnf", ".cf", ".security", ".properties", ".options", ".yaml", ".yml", ".inc",
                   ".vhost", ".site")
_SNIFF_DIRS = {"sites-available", "sites-enabled", "conf.d", "conf-available", "conf-enabled", "mods-available",
               "mods-enabled", "snippets", "sshd_config.d", "ssh_config.d", "nginx", "apache2", "httpd", "haproxy"}
_SNIFFERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (Format.KUBERNETES, re.compile(r"^apiVersion:\s*\S+.*^kind:\s*\w+|^kind:\s*\w+.*^apiVersion:", re.M | re.S)),
    (Format.APACHE, re.compile(r"^\s*(SSLProtocol|SSLCipherSuite|SSLEngine|SSLOpenSSLConfCmd|<VirtualHost)\b", re.M)),
    (Format.NGINX, re.compile(r"^\s*(ssl_protocols|ssl_ciphers|ssl_certificate|ssl_ecdh_curve|ssl_conf_command|"
                              r"proxy_ssl_\w+)\s", re.M)),
    (Format.HAPROXY, re.compile(r"^\s*(ssl-default-(bind|server)-\w+|bind\s.*\bssl\b)", re.M)),
    (Format.POSTFIX, re.compile(r"^\s*(smtpd?|lmtp)_tls_\w+\s*=", re.M)),
    (Format.DOVECOT, re.compile(r"^\s*ssl_(min_protocol|cipher_list|curve_list|cert)\s*=", re.M)),
    (Format.SSHD, re.compile(r"^\s*(KexAlgorithms|HostKeyAlgorithms|Ciphers|MACs|HostKey|PubkeyAcceptedAlgorithms)\s",
                             re.M | re.I)),
    (Format.JAVA, re.compile(r"jdk\.tls\.(disabledAlgorithms|namedGroups|client\.protocols)")),
    (Format.OPENSSL, re.compile(r"^\s*(CipherString|MinProtocol|Groups|Curves|SignatureAlgorithms)\s*=", re.M)),
)


@dataclass(frozen=True)
class ConfigOptions:
    walk: WalkOptions = field(default_factory=lambda: WalkOptions(max_bytes=MAX_CONFIG_BYTES))


def format_by_name(path: Path) -> str | None:
    name = path.name
    fmt = _BY_NAME.get(name)
    if fmt:
        return fmt
    if path.parent.name == "sshd_config.d":
        return Format.SSHD
    if path.parent.name == "ssh_config.d":
        return Format.SSH
    return None


def candidate(path: Path) -> bool:
    """Worth reading: a known name, a config-like suffix, or any file in a config directory."""
    return (path.name in _BY_NAME or path.suffix.lower() in _SNIFF_SUFFIXES
            or path.parent.name in _SNIFF_DIRS or path.parent.name.endswith("_config.d"))


def sniff(text: str) -> str | None:
    head = text[:256 * 1024]
    for fmt, rx in _SNIFFERS:
        if rx.search(head):
            return fmt
    return None


_PARSERS: dict[str, Callable[[Emitter, str, Path | None], None]] = {
    Format.SSHD: lambda em, t, root: sshd.parse_ssh_config(em, t, client=False, root=root),
    Format.SSH: lambda em, t, root: sshd.parse_ssh_config(em, t, client=True, root=root),
    Format.NGINX: lambda em, t, root: tls_servers.parse_nginx(em, t),
    Format.APACHE: lambda em, t, root: tls_servers.parse_apache(em, t),
    Format.HAPROXY: lambda em, t, root: tls_servers.parse_haproxy(em, t),
    Format.OPENSSL: lambda em, t, root: openssl_java.parse_openssl_cnf(em, t),
    Format.JAVA: lambda em, t, root: openssl_java.parse_java_security(em, t),
    Format.POSTFIX: lambda em, t, root: mail.parse_postfix(em, t),
    Format.DOVECOT: lambda em, t, root: mail.parse_dovecot(em, t),
    Format.KUBERNETES: lambda em, t, root: kubernetes.parse_kubernetes(em, t),
    Format.POSTGRESQL: lambda em, t, root: postgresql.parse_postgresql(em, t),
}


def scan_text(text: str, relpath: str, fmt: str, root: Path | None = None,
              openssh: OpenSSH | None = None) -> ScanResult:
    """Parse one config text of a known format (used by tests and by callers holding the text).

    ``root`` is the scanned tree ``relpath`` lies in; without it no other file is read (no
    ``Include``, no key file beside the config). ``openssh``: the OpenSSH release that reads an
    sshd_config / ssh_config (a user-given version); names it does not know make the file refused.
    """
    em = Emitter(relpath, fmt, text.splitlines())
    try:
        if openssh is not None and fmt in (Format.SSHD, Format.SSH):
            sshd.parse_ssh_config(em, text, client=fmt == Format.SSH, root=root, openssh=openssh)
        else:
            _PARSERS[fmt](em, text, root)
    except (RecursionError, ValueError, TypeError, KeyError, IndexError) as exc:
        em.result.error("parse", ErrorKind.PARSE_ERROR, f"{relpath}: {type(exc).__name__}: {exc}")
    return em.finish()


def scan_file(entry: FileEntry) -> ScanResult | None:
    """Open and parse one file; None when it is not a configuration pqscan understands."""
    source = Source(entry)
    try:
        return scan_source(entry, source)
    finally:
        source.close()


def scan_source(entry: FileEntry, source: Source, max_bytes: int = MAX_CONFIG_BYTES) -> ScanResult | None:
    """None when the file is not a configuration pqscan understands."""
    fmt = format_by_name(entry.path)
    if fmt is None and not candidate(entry.path):
        return None
    try:
        raw = source.read(max_bytes)
        if len(raw) > max_bytes:
            raise ValueError(f"file grew past the {max_bytes}-byte limit while being read")
    except (OSError, ValueError) as exc:
        if fmt is None:
            return None
        res = ScanResult(entry.relpath, COLLECTOR)
        res.error("read", ErrorKind.PERMISSION if isinstance(exc, OSError) else ErrorKind.TOO_LARGE, str(exc))
        return res
    if looks_binary(raw[:8192]):
        return None
    text = raw.decode("utf-8", "replace")
    fmt = fmt or sniff(text)
    if fmt is None:
        return None
    result = scan_text(text, entry.relpath, fmt, entry.root)
    if fmt == Format.KUBERNETES and not result.findings and not result.errors:
        return None  # a Deployment, Service ...: Kubernetes, but nothing about TLS
    return result


class ConfigCollector:
    """The walk's configuration collector: known names, config-like suffixes and config folders."""

    name = COLLECTOR
    prune_dirs: frozenset[str] = frozenset()

    def __init__(self, options: ConfigOptions | None = None) -> None:
        self.options = options or ConfigOptions()
        self.max_bytes = min(self.options.walk.max_bytes, MAX_CONFIG_BYTES)

    def wants(self, entry: FileEntry) -> bool:
        return format_by_name(entry.path) is not None or candidate(entry.path)

    def skipped(self, item: Skipped) -> ScanResult | None:
        return skip_result(item, COLLECTOR) if format_by_name(item.path) else None

    def take(self, entry: FileEntry, source: Source) -> Iterator[ScanResult]:
        result = scan_source(entry, source, self.max_bytes)
        if result is not None:
            yield result

    def finish(self) -> tuple[ScanResult, ...]:
        return ()


def scan_paths(paths: Iterable[str | Path], options: ConfigOptions | None = None) -> Iterator[ScanResult]:
    collector = ConfigCollector(options)
    return run(dispatch(paths, collector.options.walk, [collector]))
