"""First connections dialled while pqscan is still loading: the TCP handshake overlaps the imports.

``pqscan tls`` / ``ssh`` need about a tenth of a second of imports (the probes, asyncio, the session)
between parsing their targets and opening the first connection. On a 50 ms path that is two round
trips spent waiting for nothing. :func:`dial` starts a non-blocking ``connect()`` to each of the first
endpoints as soon as the targets are parsed; :func:`take` hands the socket to the first connection the
scan opens to that address and port (:func:`pqscan.collect.net.netscan.connect`), which then only waits
for the handshake to finish, usually already done. Nothing else changes: it is the connection the scan
would have opened first, within the same per-host limit and loopback guard, and a socket nobody took
is closed by :func:`close_all`.

Only literal addresses are dialled (no DNS lookup before the scan's own), only as many endpoints as
the scan runs at once and ``per_host`` per host, and never with a connection ``rate`` (which paces
every connection) or on a resumed scan (whose finished endpoints are known only later).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections import Counter
from collections.abc import Iterable

from pqscan.collect.net.targets import Endpoint, check_loopback_guard
from pqscan.errors import TargetSpecError

_DIALLED: dict[tuple[str, int], socket.socket] = {}


def dial(endpoints: Iterable[Endpoint], *, limit: int, per_host: int) -> int:
    """Start connecting to the first ``limit`` endpoints with a literal address (``per_host`` at most per
    host); how many are under way."""
    per: Counter[str] = Counter()
    for e in endpoints:
        if len(_DIALLED) >= limit:
            break
        try:
            addr = ipaddress.ip_address(e.host)
            check_loopback_guard(e.host)
        except (ValueError, TargetSpecError):
            continue
        key = (addr.compressed, e.port)
        if key in _DIALLED or per[key[0]] >= per_host:
            continue
        sock = socket.socket(socket.AF_INET6 if addr.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            code = sock.connect_ex(key)
        except OSError:
            sock.close()
            continue
        if code not in (0, errno.EINPROGRESS):
            sock.close()  # the scan's own connect reports it
            continue
        _DIALLED[key] = sock
        per[key[0]] += 1
    return len(_DIALLED)


def take(addr: str, port: int) -> socket.socket | None:
    """The socket dialled to ``addr``:``port`` (once), or None."""
    if not _DIALLED:
        return None
    try:
        key = (ipaddress.ip_address(addr).compressed, port)
    except ValueError:
        return None
    return _DIALLED.pop(key, None)


def close_all() -> None:
    """Close every dialled socket the scan did not take."""
    while _DIALLED:
        _, sock = _DIALLED.popitem()
        sock.close()
