"""Run sslyze (in its own venv: it pins its own cryptography) over a list of endpoints; print JSON.

Used by bench_tls.py as the peer: ``/tmp/sslyze-venv/bin/python sslyze_runner.py TIMEOUT host:port...``.
Scan commands: elliptic curves (group support) and certificate info, as the issue asks. Scanner() at its
defaults (10 servers at once, 5 connections per server) unless ``SSLYZE_SERVERS`` is set.
"""

from __future__ import annotations

import json
import os
import sys
import time

from sslyze import ScanCommand, Scanner, ServerNetworkConfiguration, ServerNetworkLocation, ServerScanRequest


def main() -> None:
    timeout = int(sys.argv[1])
    targets = sys.argv[2:]
    start = time.monotonic()
    requests = []
    for t in targets:
        host, port = t.rsplit(":", 1)
        requests.append(ServerScanRequest(
            server_location=ServerNetworkLocation(hostname=host, port=int(port), ip_address=host),
            network_configuration=ServerNetworkConfiguration(tls_server_name_indication=host, network_timeout=timeout),
            scan_commands={ScanCommand.ELLIPTIC_CURVES, ScanCommand.CERTIFICATE_INFO},
        ))
    servers = int(os.environ.get("SSLYZE_SERVERS") or 0)  # bench_tls.py --sslyze-servers; default: sslyze's own
    scanner = Scanner(concurrent_server_scans_limit=servers) if servers else Scanner()
    scanner.queue_scans(requests)
    out = {}
    for result in scanner.get_results():
        key = f"{result.server_location.hostname}:{result.server_location.port}"
        entry: dict = {"status": result.scan_status.name}
        if result.scan_result is not None:
            curves = result.scan_result.elliptic_curves
            if curves.result is not None:
                entry["curves"] = [c.name for c in curves.result.supported_curves or []]
            elif curves.error_reason is not None:
                entry["curves_error"] = str(curves.error_reason)
            certinfo = result.scan_result.certificate_info
            if certinfo.result is not None:
                deps = certinfo.result.certificate_deployments
                if deps:
                    leaf = deps[0].received_certificate_chain[0]
                    entry["cert_key"] = type(leaf.public_key()).__name__
            elif certinfo.error_reason is not None:
                entry["cert_error"] = str(certinfo.error_reason)[:200]
        else:
            entry["error"] = str(result.connectivity_error_trace)[-200:] if result.connectivity_error_trace else ""
        out[key] = entry
    print(json.dumps({"elapsed": time.monotonic() - start, "results": out}))


if __name__ == "__main__":
    main()
