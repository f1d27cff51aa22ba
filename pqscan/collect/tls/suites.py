"""TLS 1.2 / 1.1 / 1.0 accepted cipher suites by elimination, with raw ClientHellos.

Offer every suite pqscan knows (the catalogue's TLS <= 1.2 suites), record the server's pick,
remove it and offer the rest again, until the server refuses (an alert: nothing left it accepts).
N accepted suites cost N + 1 connections and give the accepted set *in the order the server
picks them*; one more connection (the top two offered in reverse) tells whether that order is the
server's preference or merely ours. Each pick's flight is read up to ServerHelloDone, so every
accepted DHE suite records its prime size and every ECDHE suite its curve (ServerKeyExchange,
RFC 5246 §7.4.3, RFC 8422 §5.4), and RSA key transport the leaf key size (Certificate, §7.4.2).

The loop is bounded by the number of suites offered, by ``max_steps`` and by a deadline inside
the endpoint's budget; an enumeration that stops early says so (``complete: False``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from typing import Any

from pqscan.algorithms import catalogue, cipher_suite
from pqscan.collect.net.netscan import NetOptions
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls import clienthello as ch
from pqscan.collect.tls import probes as pr
from pqscan.collect.tls import warm
from pqscan.collect.tls.groups import group_name
from pqscan.model import ErrorKind


@cache
def offer_order() -> tuple[int, ...]:
    """The probe's strong suites first (so a client-order server picks as a modern client sees it),
    then every other TLS <= 1.2 suite of the catalogue; never TLS_NULL_WITH_NULL_NULL. Built on first
    use: the catalogue is not needed before the first connection."""
    first = [s.code for s in ch.TLS12_SUITES]
    rest = sorted(c for c, s in catalogue().suites.items() if s.protocol != "TLS1.3" and c != 0x0000 and c not in first)
    return tuple(first + rest)


def suite_label(code: int) -> str:
    suite = cipher_suite(code)
    return suite.name if suite is not None else f"0x{code:04X}"


@dataclass(frozen=True)
class AcceptedSuite:
    """One suite the server picked, with what its flight showed."""

    code: int
    kx_group: int | None = None  # ECDHE named curve
    dh_bits: int | None = None  # DHE prime size
    leaf_key: str | None = None
    leaf_key_bits: int | None = None

    @property
    def name(self) -> str:
        return suite_label(self.code)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"suite": self.name, "code": f"0x{self.code:04X}"}
        if self.kx_group is not None:
            d["group"] = group_name(self.kx_group)
        if self.dh_bits is not None:
            d["dh_bits"] = self.dh_bits
        if self.leaf_key is not None:
            d["leaf_key"] = self.leaf_key
            d["leaf_key_bits"] = self.leaf_key_bits
        return d


@dataclass(frozen=True)
class SuiteEnumeration:
    version: int
    first: pr.LegacyResult  # the first pick: the version probe itself
    accepted: tuple[AcceptedSuite, ...]  # in the order the server picked them
    complete: bool
    connections: int
    server_order: bool | None  # True: the order is the server's preference; False: it follows ours
    stop: str  # how the loop ended (evidence)
    error_kind: ErrorKind | None = None  # set when it ended on a fault rather than a refusal

    @property
    def name(self) -> str:
        return ch.VERSION_NAMES.get(self.version, f"0x{self.version:04X}")

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": [a.name for a in self.accepted], "details": [a.to_dict() for a in self.accepted],
                "complete": self.complete, "server_order": self.server_order, "connections": self.connections,
                "stop": self.stop}


def _accepted(result: pr.LegacyResult) -> AcceptedSuite:
    assert result.suite_code is not None
    return AcceptedSuite(result.suite_code, result.kx_group, result.dh_bits, result.leaf_key, result.leaf_key_bits)


async def enumerate_suites(
    endpoint: Endpoint,
    options: NetOptions,
    version: int,
    *,
    deadline: float | None = None,
    max_steps: int | None = None,
    offered: tuple[int, ...] | None = None,
) -> SuiteEnumeration:
    """The elimination loop for one protocol version (see the module docstring); ``offered``: the suites
    to offer (default :func:`offer_order`)."""
    offered = offer_order() if offered is None else offered
    limit = len(offered) + 1 if max_steps is None else min(max_steps, len(offered) + 1)
    remaining = list(offered)
    ex = await pr.legacy_exchange(endpoint, options, version, remaining)
    first = pr.legacy_result(version, ex)
    if not first.supported:
        return SuiteEnumeration(version, first, (), first.supported is False, 1, None, first.evidence,
                                None if first.supported is False else ex.error_kind)
    with warm.chain():  # the version is spoken: each next step's connection is opened ahead
        return await _eliminate(endpoint, options, version, first, remaining, limit, deadline)


async def _eliminate(endpoint: Endpoint, options: NetOptions, version: int, first: pr.LegacyResult,
                     remaining: list[int], limit: int, deadline: float | None) -> SuiteEnumeration:
    loop = asyncio.get_running_loop()
    connections = 1
    accepted: list[AcceptedSuite] = []
    current, stop, kind, complete = first, "", None, False
    while True:
        code = current.suite_code
        if code not in remaining:
            stop = f"{current.evidence}: the server chose a suite that was not offered"
            kind = ErrorKind.PROTOCOL_VIOLATION
            break
        accepted.append(_accepted(current))
        remaining.remove(code)
        if not remaining:
            stop, complete = "every offered suite was accepted", True
            break
        if connections >= limit or (deadline is not None and loop.time() >= deadline):
            stop = f"stopped after {connections} connections (limit or time budget reached)"
            kind = ErrorKind.TIMEOUT
            break
        ex = await pr.legacy_exchange(endpoint, options, version, remaining)
        connections += 1
        current = pr.legacy_result(version, ex)
        if current.supported is None and ex.error_kind is ErrorKind.RESET and ex.connected:
            # Closed without a byte: some stacks (Python's asyncio TLS) refuse a hello with no shared
            # suite that way instead of an alert; the first pick proved the version is spoken.
            stop, complete = f"{len(remaining)} other suites refused (connection closed without an alert)", True
            break
        if current.supported is None:
            stop, kind = current.evidence, ex.error_kind or ErrorKind.INTERNAL
            break
        if not current.supported:
            stop, complete = f"{len(remaining)} other suites refused: {current.evidence}", True
            break
    server_order = None
    if complete and len(accepted) >= 2 and (deadline is None or loop.time() < deadline):
        top, second = accepted[0].code, accepted[1].code
        check = pr.legacy_result(version, await pr.legacy_exchange(endpoint, options, version, [second, top]))
        connections += 1
        if check.supported and check.suite_code in (top, second):
            server_order = check.suite_code == top
    return SuiteEnumeration(version, first, tuple(accepted), complete, connections, server_order, stop, kind)
