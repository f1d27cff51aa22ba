"""Target specs -> network endpoints.

Accepted specs (one per argument or per line of an ``@file``)::

    example.com            host, default port (443 for TLS, 22 for SSH)
    example.com:8443       host:port
    192.0.2.7              IPv4 literal
    [2001:db8::1]:443      IPv6 literal with a port (brackets required with a port)
    2001:db8::1            bare IPv6 literal (default port)
    https://example.com/x  URL: the scheme gives the default port and STARTTLS protocol
    192.0.2.0/28           CIDR (IPv4 or IPv6); capped at MAX_CIDR_ADDRESSES unless allow_large
    @targets.txt           a file of specs, one per line, ``#`` starts a comment

A bad spec raises :class:`pqscan.errors.TargetSpecError` naming the spec (and the file and line).

:func:`parse_targets` validates everything up front and returns a list (a bad spec fails the run
before any traffic). :func:`iter_targets` streams: ``@file`` lines are read as they are needed and
CIDRs expanded address by address, so a million-line list starts scanning at once and never sits
in memory; duplicates are dropped by a set of key hashes (8 bytes of blake2b each).

Safety net: when ``PQSCAN_TEST_LOOPBACK_ONLY=1`` (set by the test suite) every target outside
127.0.0.0/8, ::1 and ``localhost`` is refused, so no test can send traffic off this machine.
:func:`check_loopback_guard` is also called by :mod:`pqscan.collect.net.netscan` before each connect.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack
from urllib.parse import urlsplit

from pqscan.errors import TargetSpecError

# Largest CIDR expansion (addresses over all specs) accepted without allow_large.
MAX_CIDR_ADDRESSES = 4096
# Largest endpoint list ever built, even with allow_large (memory bound: ~200 B per endpoint).
MAX_ENDPOINTS = 2_000_000
MAX_TARGET_FILE_BYTES = 256 * 1024 * 1024  # read line by line; the endpoint cap bounds the rest
MAX_TARGET_LINE = 4096
MAX_FILE_NESTING = 4
LOOPBACK_ENV = "PQSCAN_TEST_LOOPBACK_ONLY"


@dataclass(frozen=True)
class SchemeInfo:
    port: int
    starttls: str | None = None  # protocol to upgrade with before the TLS handshake


# URL scheme -> default port and STARTTLS protocol (IANA service names / well-known ports).
SCHEMES: dict[str, SchemeInfo] = {
    "https": SchemeInfo(443),
    "tls": SchemeInfo(443),
    "wss": SchemeInfo(443),
    "smtps": SchemeInfo(465),
    "submissions": SchemeInfo(465),
    "imaps": SchemeInfo(993),
    "pop3s": SchemeInfo(995),
    "ldaps": SchemeInfo(636),
    "ftps": SchemeInfo(990),
    "xmpps": SchemeInfo(5223),
    "rdp": SchemeInfo(3389),
    "smtp": SchemeInfo(25, "smtp"),
    "submission": SchemeInfo(587, "smtp"),
    "imap": SchemeInfo(143, "imap"),
    "pop3": SchemeInfo(110, "pop3"),
    "ftp": SchemeInfo(21, "ftp"),
    "ldap": SchemeInfo(389, "ldap"),
    "postgres": SchemeInfo(5432, "postgres"),
    "postgresql": SchemeInfo(5432, "postgres"),
    "xmpp": SchemeInfo(5222, "xmpp"),
    "ssh": SchemeInfo(22),
}

# Well-known plaintext ports that upgrade with STARTTLS (used by starttls="auto").
STARTTLS_PORTS: dict[int, str] = {
    25: "smtp",
    587: "smtp",
    143: "imap",
    110: "pop3",
    21: "ftp",
    389: "ldap",
    5432: "postgres",
    5222: "xmpp",
}
STARTTLS_PROTOCOLS = frozenset(STARTTLS_PORTS.values())

_HOSTNAME_RE = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9_-]{1,63}(?:\.(?!-)[A-Za-z0-9_-]{1,63})*\.?$")


@dataclass(frozen=True)
class Endpoint:
    """One network endpoint to probe. ``key`` is the stable id used for assets, ``done`` and resume."""

    host: str  # IP literal (no brackets) or host name
    port: int
    sni: str | None = None  # server name to send; None for IP literals unless overridden
    service: str = "tls"  # "https", "smtp", "ssh" ... (from the URL scheme or the port)
    starttls: str | None = None  # "smtp", "imap" ... or None for implicit TLS
    spec: str = ""  # the spec the user wrote (for error messages)
    scheme: str = "tls"  # key prefix: "tls" or "ssh"

    @property
    def hostport(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def key(self) -> str:
        return f"{self.scheme}://{self.hostport}"


def loopback_only() -> bool:
    return os.environ.get(LOOPBACK_ENV, "") == "1"


def is_loopback_host(host: str) -> bool:
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_loopback_guard(host: str, spec: str | None = None) -> None:
    """Refuse a non-loopback host while the test-suite guard is on."""
    if loopback_only() and not is_loopback_host(host):
        raise TargetSpecError(
            f"target {spec or host!r}: refused, {LOOPBACK_ENV}=1 allows only 127.0.0.0/8, ::1 and localhost"
        )


def parse_ports(text: str) -> tuple[int, ...]:
    """``"443,8443,9000-9002"`` -> (443, 8443, 9000, 9001, 9002)."""
    ports: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo_s, sep, hi_s = part.partition("-")
        lo, hi = _port(lo_s, text), _port(hi_s, text) if sep else None
        if hi is None:
            ports.append(lo)
        elif hi < lo or hi - lo >= 65536:
            raise TargetSpecError(f"port list {text!r}: bad range {part!r}")
        else:
            ports.extend(range(lo, hi + 1))
    if not ports:
        raise TargetSpecError(f"port list {text!r}: no port")
    return tuple(dict.fromkeys(ports))


def _port(text: str, spec: str) -> int:
    text = text.strip()
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise TargetSpecError(f"target {spec!r}: bad port {text!r} (expected 1-65535)")
    return int(text)


def _check_host(host: str, spec: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not _HOSTNAME_RE.match(host) or host.replace(".", "").isdigit():
        raise TargetSpecError(f"target {spec!r}: {host!r} is not a valid host name or IP address")
    return host.rstrip(".").lower()


@dataclass(frozen=True)
class _Parsed:
    hosts: Iterable[str]  # one host, or the (lazy) expansion of a CIDR
    port: int | None  # explicit port, None = use the defaults / --port list
    scheme: str | None  # URL scheme if given
    is_cidr: bool = False


def _split_host_port(rest: str, spec: str) -> tuple[str, int | None]:
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            raise TargetSpecError(f"target {spec!r}: unclosed '[' in IPv6 address")
        host, tail = rest[1:end], rest[end + 1 :]
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            raise TargetSpecError(f"target {spec!r}: {host!r} is not an IPv6 address") from None
        if not tail:
            return host, None
        if not tail.startswith(":"):
            raise TargetSpecError(f"target {spec!r}: unexpected {tail!r} after ']'")
        return host, _port(tail[1:], spec)
    if rest.count(":") > 1:  # bare IPv6 literal, no port possible without brackets
        return rest, None
    host, sep, port = rest.partition(":")
    return host, (_port(port, spec) if sep else None)


def _parse_spec(spec: str, allow_large: bool, budget: list[int]) -> _Parsed:
    text = spec.strip()
    if not text:
        raise TargetSpecError("empty target spec")
    scheme: str | None = None
    if "://" in text:
        try:
            url = urlsplit(text)
            url_port = url.port
        except ValueError as exc:
            raise TargetSpecError(f"target {spec!r}: bad URL ({exc})") from None
        scheme = url.scheme.lower()
        if scheme not in SCHEMES:
            known = ", ".join(sorted(SCHEMES))
            raise TargetSpecError(f"target {spec!r}: unknown URL scheme {scheme!r} (known: {known})")
        if not url.hostname:
            raise TargetSpecError(f"target {spec!r}: URL has no host")
        return _Parsed((_check_host(url.hostname, spec),), url_port, scheme)
    if "/" in text:
        return _parse_cidr(text, spec, allow_large, budget)
    host, port = _split_host_port(text, spec)
    return _Parsed((_check_host(host, spec),), port, None)


def _parse_cidr(text: str, spec: str, allow_large: bool, budget: list[int]) -> _Parsed:
    net_text, port = text, None
    if text.startswith("["):  # [2001:db8::/120]:443
        net_text, port = _split_host_port(text, spec)
    else:
        addr, slash, rest = text.partition("/")
        prefix, colon, port_s = rest.partition(":")
        if colon and "." in addr:  # 192.0.2.0/24:443
            net_text, port = f"{addr}/{prefix}", _port(port_s, spec)
    try:
        net = ipaddress.ip_network(net_text, strict=False)
    except ValueError as exc:
        raise TargetSpecError(f"target {spec!r}: not a valid CIDR range ({exc})") from None
    budget[0] += net.num_addresses
    if not allow_large and budget[0] > MAX_CIDR_ADDRESSES:
        raise TargetSpecError(
            f"target {spec!r}: {net.num_addresses} addresses ({budget[0]} in all ranges) exceeds the cap of "
            f"{MAX_CIDR_ADDRESSES}; pass --allow-large to scan it"
        )
    if net.num_addresses > MAX_ENDPOINTS:
        raise TargetSpecError(f"target {spec!r}: {net.num_addresses} addresses is more than pqscan scans in one run")
    if loopback_only() and not (net.network_address.is_loopback and net.broadcast_address.is_loopback):
        raise TargetSpecError(
            f"target {spec!r}: refused, {LOOPBACK_ENV}=1 allows only 127.0.0.0/8, ::1 and localhost"
        )
    hosts = (str(h) for h in (net.hosts() if net.num_addresses > 2 else net))
    return _Parsed(hosts, port, None, is_cidr=True)


def _iter_target_file(path: Path, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(spec, "file:line") from a file, read line by line; blank lines and ``#`` comments skipped, ``@file`` nests."""
    if depth >= MAX_FILE_NESTING:
        raise TargetSpecError(f"target file {path}: @file nesting deeper than {MAX_FILE_NESTING}")
    try:
        if path.stat().st_size > MAX_TARGET_FILE_BYTES:
            raise TargetSpecError(f"target file {path}: larger than {MAX_TARGET_FILE_BYTES // 2**20} MiB")
        fh = path.open("rb")
    except OSError as exc:
        raise TargetSpecError(f"target file {path}: {exc.strerror or exc}") from None
    with fh:
        for lineno, raw in enumerate(fh, 1):
            if b"\0" in raw:
                raise TargetSpecError(f"target file {path}: binary file, expected one target per line")
            if len(raw) > MAX_TARGET_LINE:
                raise TargetSpecError(f"target file {path}:{lineno}: line longer than {MAX_TARGET_LINE} bytes")
            body = raw.decode("utf-8", "replace").split("#", 1)[0].strip()
            for token in body.split():
                if token.startswith("@"):
                    yield from _iter_target_file(path.parent / token[1:], depth + 1)
                else:
                    yield token, f"{path}:{lineno}"


def _iter_specs(specs: Iterable[str]) -> Iterator[tuple[str, str]]:
    for spec in specs:
        spec = spec.strip()
        if spec.startswith("@"):
            yield from _iter_target_file(Path(spec[1:]))
        elif spec:
            yield spec, ""


def read_target_file(path: str | Path, _depth: int = 0) -> list[str]:
    """Specs from a file (each as ``spec\0file:line``, the origin kept for error messages)."""
    return [f"{spec}\0{origin}" for spec, origin in _iter_target_file(Path(path), _depth)]


def expand_specs(specs: Iterable[str]) -> list[str]:
    return [f"{spec}\0{origin}" if origin else spec for spec, origin in _iter_specs(specs)]


def _check_starttls(starttls: str | None) -> None:
    if starttls not in (None, "auto", "none") and starttls not in STARTTLS_PROTOCOLS:
        raise TargetSpecError(
            f"unknown STARTTLS protocol {starttls!r} (choose auto, none, {', '.join(sorted(STARTTLS_PROTOCOLS))})"
        )


def iter_targets(
    specs: Iterable[str],
    *,
    default_port: int = 443,
    ports: Sequence[int] | None = None,
    sni: str | None = None,
    starttls: str | None = "auto",
    allow_large: bool = False,
    scheme: str = "tls",
    on_error: Callable[[TargetSpecError], None] | None = None,
) -> Iterator[Endpoint]:
    """Endpoints one at a time, in the order given, without duplicates (see the module docstring).

    A bad spec raises :class:`TargetSpecError`, or, with ``on_error``, is handed to it and skipped,
    so one bad line in a million does not stop a scan already under way.
    """
    _check_starttls(starttls)
    budget = [0]
    seen: set[bytes] = set()
    for spec, origin in _iter_specs(specs):
        try:
            parsed = _parse_spec(spec, allow_large, budget)
            if parsed.port is not None:
                port_list: Sequence[int] = (parsed.port,)
            elif parsed.scheme is not None:
                port_list = (SCHEMES[parsed.scheme].port,)
            else:
                port_list = ports or (default_port,)
            for host in parsed.hosts:
                check_loopback_guard(host, spec)
                is_ip = _is_ip(host)
                for port in port_list:
                    ep = Endpoint(
                        host=host,
                        port=port,
                        sni=sni or (None if is_ip or host == "localhost" else host),
                        service=_service(parsed.scheme, port, scheme, starttls),
                        starttls=_starttls(starttls, parsed.scheme, port),
                        spec=spec,
                        scheme=scheme,
                    )
                    digest = hashlib.blake2b(ep.key.encode(), digest_size=8).digest()
                    if digest in seen:
                        continue
                    if len(seen) >= MAX_ENDPOINTS:
                        raise TargetSpecError(f"more than {MAX_ENDPOINTS} endpoints; split the scan")
                    seen.add(digest)
                    yield ep
        except TargetSpecError as exc:
            err = TargetSpecError(f"{origin}: {exc}" if origin else str(exc))
            if on_error is None:
                raise err from None
            on_error(err)


class TargetOptions(TypedDict, total=False):
    """The keyword arguments :func:`parse_targets` hands to :func:`iter_targets` (defaults there)."""

    default_port: int
    ports: Sequence[int] | None
    sni: str | None
    starttls: str | None
    allow_large: bool
    scheme: str


def parse_targets(specs: Iterable[str], **options: Unpack[TargetOptions]) -> list[Endpoint]:
    """Expand specs into unique endpoints, in the order given, all validated before any traffic.

    ``ports`` applies to specs without an explicit port (or URL scheme); ``starttls`` is ``"auto"``
    (by well-known port), ``None``/``"none"`` or a protocol name forced on every endpoint.
    """
    out = list(iter_targets(specs, **options))
    if not out:
        raise TargetSpecError("no targets given")
    return out


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _service(url_scheme: str | None, port: int, scan_scheme: str, starttls: str | None = None) -> str:
    if url_scheme is not None:
        return url_scheme
    if scan_scheme == "ssh":
        return "ssh"
    if starttls not in (None, "auto", "none"):
        return str(starttls)  # the protocol asked for names the service, whatever the port
    for name, info in SCHEMES.items():
        if info.port == port and name != "tls":
            return name
    return "tls"


def _starttls(mode: str | None, url_scheme: str | None, port: int) -> str | None:
    if mode in (None, "none"):
        return None
    if mode != "auto":
        return mode
    if url_scheme is not None:
        return SCHEMES[url_scheme].starttls
    return STARTTLS_PORTS.get(port)
