"""TLS endpoint collector: raw ClientHello group probes, a full handshake for the chain, STARTTLS.

Library use::

    from pqscan.collect.tls import scan_tls
    from pqscan.collect.net.targets import parse_targets
    results = scan_tls(parse_targets(["example.com", "smtp://mx.example.com"]))

Modules: ``clienthello`` (bytes on the wire), ``groups`` (codepoints, share sizes; quantum status
from the catalogue), ``elimination`` (TLS 1.3 groups and TLS 1.2 curves, with the server's order,
in supported + 1 connections), ``probes`` (per-group HRR fallback, key-share confirmation, HRR
upgrade, TLS <= 1.2 probes), ``suites`` (TLS <= 1.2 accepted-suite enumeration) and
``suite_findings``, ``handshake`` (pyOpenSSL: chain, negotiated group, split-hello check),
``starttls``, ``collector`` (one endpoint -> ScanResult; ``suites=False`` skips the enumeration).
Results reach the caller through ``on_result`` (netscan); this package knows no file or screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pqscan.collect.net.netscan import NetOptions, run_scan
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.model import ScanResult


def scan_tls(
    endpoints: Iterable[Endpoint],
    options: NetOptions | None = None,
    *,
    skip_keys: frozenset[str] = frozenset(),
    on_result: Callable[[ScanResult], None] | None = None,
) -> list[ScanResult]:
    """Scan TLS endpoints (synchronously); each result also goes to ``on_result`` as it finishes."""
    return run_scan(endpoints, scan_tls_endpoint, options or NetOptions(), skip_keys=skip_keys, on_result=on_result)


__all__ = ["scan_tls", "scan_tls_endpoint"]
