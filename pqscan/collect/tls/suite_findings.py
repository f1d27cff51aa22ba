"""Findings from the accepted TLS <= 1.2 cipher suites of one endpoint.

Every accepted suite is split into its uses (:func:`pqscan.collect.suite_parts.suite_parts`):
key exchange (ECDHE with the curve the server used, DHE with its prime size as ``key_bits``,
RSA key transport as ``RSAES-PKCS1`` with the leaf key size), bulk cipher, record MAC / PRF hash.
Uses that are the same (algorithm, usage and parameters) across suites and protocol versions
become one finding listing the suites (``cipher_suites``, in the server's order) and versions, so
an endpoint accepting 3DES in four suites at TLS 1.0-1.2 has one 3DES finding, not twelve. The
authentication part is left out: the certificate the endpoint presents is its own finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pqscan.algorithms import cipher_suite
from pqscan.collect.suite_parts import suite_parts
from pqscan.collect.tls.groups import BY_CODE, group_algorithm
from pqscan.collect.tls.suites import AcceptedSuite, SuiteEnumeration
from pqscan.model import Evidence, Finding, Usage

MAX_LISTED = 64  # suites named in one finding
_ORDER = {"TLS1.2": 0, "TLS1.1": 1, "TLS1.0": 2, "SSLv3": 3}


def _kx_refinement(accepted: AcceptedSuite, algorithm: str) -> tuple[str, dict[str, Any]]:
    """The key exchange as this server ran it: the ECDHE curve, the DHE prime size, the RSA key size."""
    if algorithm == "ECDH" and accepted.kx_group is not None and accepted.kx_group in BY_CODE:
        return group_algorithm(BY_CODE[accepted.kx_group])
    if algorithm == "DH" and accepted.dh_bits:
        return algorithm, {"key_bits": accepted.dh_bits}
    if algorithm == "RSAES-PKCS1" and accepted.leaf_key == "RSA" and accepted.leaf_key_bits:
        return algorithm, {"key_bits": accepted.leaf_key_bits}
    return algorithm, {}


def suite_findings(asset_id: str, location: str, enumerations: Sequence[SuiteEnumeration]) -> list[Finding]:
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for enum in enumerations:
        for accepted in enum.accepted:
            suite = cipher_suite(accepted.code)
            if suite is None:
                continue
            for part in suite_parts(suite, with_authentication=False):
                if part.role == "authentication" and not part.parameters.get("anonymous"):
                    continue
                algorithm: str = part.algorithm
                extra: dict[str, Any] = {}
                if part.role == "key-exchange":
                    algorithm, extra = _kx_refinement(accepted, part.algorithm)
                params = {**part.parameters, **extra}
                key = (algorithm, part.usage.value, repr(sorted(params.items())))
                entry = groups.setdefault(key, {"algorithm": algorithm, "usage": part.usage, "params": params,
                                                "suites": [], "protocols": []})
                if suite.name not in entry["suites"]:
                    entry["suites"].append(suite.name)
                if enum.name not in entry["protocols"]:
                    entry["protocols"].append(enum.name)
    findings = []
    for entry in groups.values():
        protocols = sorted(entry["protocols"], key=lambda p: _ORDER.get(p, 9))
        suites: list[str] = entry["suites"]
        params = {**entry["params"], "protocol": protocols[0], "protocols": protocols,
                  "cipher_suite": suites[0], "cipher_suites": suites[:MAX_LISTED], "accepted": True}
        if len(suites) > MAX_LISTED:
            params["cipher_suites_total"] = len(suites)
        detail = f"accepted at {', '.join(protocols)} in {len(suites)} suite(s): {', '.join(suites[:4])}" + (
            ", ..." if len(suites) > 4 else "")
        usage: Usage = entry["usage"]
        findings.append(Finding(asset_id, entry["algorithm"], usage, "tls", params,
                                Evidence(location, symbol="accepted cipher suites", detail=detail)))
    return findings
