"""Default parameters of the risk model and the plan, all overridable in the services file.

These are design defaults, not sourced facts (docs/risk-model.md says so): a starting point that an
organisation replaces with its own figures. Keys are a node's *role* (``root-ca``,
``intermediate-ca``, ``leaf-certificate``, ``code-signing``) or its asset kind (``tls-endpoint``,
``dependency`` ...). Lookups try the role, then the kind, then ``default``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pqscan.graph.build import Node
from pqscan.graph.services import Services

# X for signatures: how long what the signature protects stays trusted (years). Long-lived trust
# anchors first (standards.md §5B: roots, firmware and code signing are exposed "effectively now").
SIGNATURE_LIFETIME_YEARS: Mapping[str, float] = {
    "root-ca": 20.0,
    "intermediate-ca": 10.0,
    "code-signing": 10.0,
    "leaf-certificate": 1.0,  # replaced by the certificate's own notAfter when known
    "host-key": 5.0,  # SSH host keys are rarely rotated
    "ssh-endpoint": 5.0,
    "private-key": 3.0,
    "public-key": 3.0,
    "key-file": 3.0,
    "keystore": 3.0,
    "source-file": 2.0,
    "default": 2.0,
}

# Y: calendar time to migrate the item itself, once what it depends on has moved (years).
LEAD_TIME_YEARS: Mapping[str, float] = {
    "root-ca": 2.0,  # new PQ root, cross-signing, distribution to every relying party
    "intermediate-ca": 0.5,
    "leaf-certificate": 0.1,
    "tls-endpoint": 0.25,
    "ssh-endpoint": 0.25,
    "host-key": 0.25,
    "software": 0.5,
    "config": 0.1,
    "dependency": 0.5,
    "source-file": 0.5,
    "private-key": 0.25,
    "public-key": 0.25,
    "key-file": 0.25,
    "keystore": 0.25,
    "service": 0.0,
    "missing": 0.0,
    "default": 0.5,
}

# Effort of one step (person-days).
EFFORT_DAYS: Mapping[str, float] = {
    "root-ca": 30.0,
    "intermediate-ca": 10.0,
    "leaf-certificate": 0.5,
    "tls-endpoint": 1.0,
    "ssh-endpoint": 0.5,
    "host-key": 0.5,
    "software": 3.0,
    "config": 0.5,
    "dependency": 2.0,
    "source-file": 2.0,
    "private-key": 0.5,
    "public-key": 0.5,
    "key-file": 0.5,
    "keystore": 1.0,
    "service": 0.0,
    "missing": 0.5,  # find it and scan it
    "default": 1.0,
}


def _lookup(node: Node, built_in: Mapping[str, float], user: Mapping[str, float],
            per_service: Mapping[str, float]) -> float:
    for table in (per_service, user, built_in):
        for key in (node.role, node.kind, "default"):
            if key in table:
                return float(table[key])
    return float(built_in["default"])


def lead_time_years(node: Node, services: Services) -> float:
    svc = node.service.lead_time if node.service else {}
    return _lookup(node, LEAD_TIME_YEARS, services.lead_time, svc)


def effort_days(node: Node, services: Services) -> float:
    svc = node.service.effort if node.service else {}
    return _lookup(node, EFFORT_DAYS, services.effort, svc)
