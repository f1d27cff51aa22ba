"""Key-exchange groups by elimination: the supported set and the server's order in (supported + 1) connections.

Offer a set of groups, record the one the server chooses, remove it, offer the rest again, until
the server refuses (testssl's loop; shared/reference/network-probing.md §2.1, "Alternative
single-shot enumeration"):

* TLS 1.3 (:func:`eliminate_tls13`): supported_groups = the remaining groups, an *empty* key_share,
  so the server names its choice in a HelloRetryRequest (or, tolerating the empty share, a
  ServerHello). No PQ crypto is needed; PQ picks are confirmed afterwards with real key shares.
* TLS 1.2 (:func:`eliminate_tls12`): a TLS 1.2 hello with the ECDHE suites and the remaining
  curves; the curve is read from the ServerKeyExchange (RFC 8422 §5.4). The first step doubles as
  the TLS 1.2 version probe, and the step that ends the loop tells which non-ECDHE suite (RSA key
  transport, DHE) the server falls back to.

We offer the groups in an order servers rarely prefer (weakest / least common first), so the
picks of a server that follows its own preference differ from ours and prove it; only when the
picks follow our order does one more connection (the top two reversed) tell the server's order
from the client's. That check starts as soon as the first two picks follow our order, beside the
rest of the loop (its answer is used only if every pick does), so it adds no round trip at the end.
A server that chooses a group it was not offered, or contradicts an earlier step, stops the loop
``consistent=False``: the collector then falls back to one probe per group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from pqscan.collect.net.netscan import NetOptions
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls import clienthello as ch
from pqscan.collect.tls import probes as pr
from pqscan.collect.tls import warm
from pqscan.collect.tls.groups import BY_CODE, GROUPS, group_name
from pqscan.model import ErrorKind

# TLS 1.3 offer order: classical from the least to the most common, then the drafts, pure ML-KEM and
# the hybrids, the most deployed (X25519MLKEM768) last: the reverse of what servers prefer.
TLS13_OFFER: tuple[int, ...] = tuple(
    [0x0104, 0x0103, 0x0102, 0x0101, 0x0100, 0x001E, 0x0019, 0x0018, 0x0017, 0x001D]
    + [0x639A, 0x6399, 0x0200, 0x0202, 0x0201, 0x11EE, 0x11ED, 0x11EB, 0x11EC]
)
assert sorted(TLS13_OFFER) == sorted(g.code for g in GROUPS)
# TLS 1.2 ECDHE curves (no ffdhe: see probes.LEGACY_GROUPS), least common first.
TLS12_OFFER: tuple[int, ...] = (0x001E, 0x0019, 0x0018, 0x0017, 0x001D)
ECDHE_SUITES: tuple[int, ...] = tuple(s.code for s in ch.TLS12_SUITES if s.kx == "ECDHE")
ALL_TLS12_SUITES: tuple[int, ...] = tuple(s.code for s in ch.TLS12_SUITES)


@dataclass(frozen=True)
class Pick:
    code: int
    hrr: bool  # chosen in a HelloRetryRequest (True) or a full ServerHello
    evidence: str

    @property
    def name(self) -> str:
        return group_name(self.code)


@dataclass(frozen=True)
class Elimination:
    """One elimination loop: the server's picks in order, and how the loop ended."""

    protocol: str  # "TLS1.3" | "TLS1.2"
    first: pr.Exchange  # the first step: every group offered (the version probe)
    picks: tuple[Pick, ...]
    complete: bool  # ended on a refusal: every group not picked is unsupported
    consistent: bool  # False: the server chose something it was not offered (fall back per group)
    stop: str  # evidence of the end
    connections: int
    server_order: bool | None = None  # True: picks follow the server's preference; False: ours
    fallback_suite: pr.LegacyResult | None = None  # TLS 1.2: the non-ECDHE suite chosen at the end
    all_suites_refused: bool = False  # TLS 1.2: the last hello offered every suite and was refused
    error_kind: ErrorKind | None = None
    # TLS 1.3, ``confirm_pq``: (group, the answer to its real key share sent after the HRR that picked it)
    confirmations: tuple[tuple[int, pr.Exchange], ...] = ()

    @property
    def codes(self) -> list[int]:
        return [p.code for p in self.picks]

    def to_dict(self) -> dict[str, Any]:
        return {"order": [p.name for p in self.picks], "complete": self.complete, "consistent": self.consistent,
                "server_order": self.server_order, "connections": self.connections, "stop": self.stop}


def _follows_offer(picks: Sequence[int], offer: Sequence[int]) -> bool:
    return list(picks) == [c for c in offer if c in picks]


async def _tls13_step(endpoint: Endpoint, options: NetOptions, codes: Sequence[int]) -> pr.Exchange:
    return await pr.exchange(endpoint, options, pr.hrr_hello(endpoint, codes))


async def tls13_first_step(endpoint: Endpoint, options: NetOptions, offer: Sequence[int] = TLS13_OFFER, *,
                           connected: asyncio.Event | None = None) -> pr.Exchange:
    """The loop's first connection: every group offered (the endpoint's baseline). ``connected`` is set
    once its connection is ready for the hello."""
    return await pr.exchange(endpoint, options, pr.hrr_hello(endpoint, offer), connected=connected)


def _confirm_in_place(hello: pr.Tls13Hello) -> pr.FollowUp:
    """Answer a HelloRetryRequest that selects a PQ group with a real share for it, on the same connection."""

    def follow_up(answer: ch.ServerAnswer) -> bytes | None:
        sh = answer.server_hello
        group = BY_CODE.get(sh.key_share_group or -1) if sh is not None and sh.is_hrr else None
        if sh is None or group is None or not group.quantum_safe or group.make_share is None:
            return None
        if sh.selected_version != ch.TLS13 or group.code not in hello.groups:
            return None
        return hello.answer_hrr(sh, pr.key_share(group))

    return follow_up


class _Steps:
    """The loop's connections after the first: each step's first answer goes on at once; a PQ pick's
    key-share confirmation (the second hello on that connection) finishes beside the next steps."""

    def __init__(self, endpoint: Endpoint, options: NetOptions, confirm: bool) -> None:
        self.endpoint, self.options, self.confirm = endpoint, options, confirm
        self.tasks: list[asyncio.Task[tuple[pr.Exchange, pr.Exchange | None]]] = []

    async def step(self, codes: Sequence[int]) -> pr.Exchange:
        if not self.confirm:
            return await _tls13_step(self.endpoint, self.options, codes)
        hello = pr.Tls13Hello(self.endpoint.sni, tuple(codes))
        answered: asyncio.Future[pr.Exchange] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(pr.converse(self.endpoint, self.options, hello.encode(), answered=answered,
                                                 follow_up=_confirm_in_place(hello)))
        self.tasks.append(task)
        await asyncio.wait({answered, task}, return_when=asyncio.FIRST_COMPLETED)
        return answered.result() if answered.done() else task.result()[0]

    async def confirmations(self) -> tuple[tuple[int, pr.Exchange], ...]:
        """(group, answer to its share) for every HRR answered in place."""
        out = []
        for task in self.tasks:
            first, second = await task
            sh = first.answer.server_hello if first.answer else None
            if second is not None and sh is not None and sh.key_share_group is not None:
                out.append((sh.key_share_group, second))
        return tuple(out)

    def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()


async def eliminate_tls13(endpoint: Endpoint, options: NetOptions, offer: Sequence[int] = TLS13_OFFER, *,
                          first: pr.Exchange | None = None, confirm_pq: bool = False) -> Elimination:
    """The TLS 1.3 loop (module docstring), continuing from ``first`` when given. Bounded by len(offer) + 2
    connections. ``confirm_pq``: a PQ group picked after the first step (the first pick is what the
    collector's full handshake negotiates and confirms) is confirmed on its own connection, by answering
    the HelloRetryRequest with a real share (:attr:`Elimination.confirmations`)."""
    steps = _Steps(endpoint, options, confirm_pq)
    try:
        el = await _eliminate_tls13(endpoint, options, offer, first, steps)
        return replace(el, confirmations=await steps.confirmations())
    finally:
        steps.cancel()


async def _eliminate_tls13(endpoint: Endpoint, options: NetOptions, offer: Sequence[int], first: pr.Exchange | None,
                           steps: _Steps) -> Elimination:
    order = _OrderCheck(offer, partial(_tls13_pick, endpoint, options))
    try:
        return await _tls13_loop(endpoint, options, offer, first, steps, order)
    finally:
        order.cancel()


async def _tls13_loop(endpoint: Endpoint, options: NetOptions, offer: Sequence[int], first: pr.Exchange | None,
                      steps: _Steps, order: _OrderCheck) -> Elimination:
    remaining = list(offer)
    if first is None:
        first = await _tls13_step(endpoint, options, remaining)
    ex = first
    connections = 1
    picks: list[Pick] = []

    async def refused(why: str) -> Elimination:
        return await order.result(Elimination("TLS1.3", first, tuple(picks), True, True, why, connections))

    while True:
        sh = ex.answer.server_hello if ex.answer else None
        if ex.answer is None:
            if picks and ex.connected and ex.error_kind is ErrorKind.RESET:
                # Closed without a byte (dovecot, slapd behind STARTTLS): their way of refusing.
                return await refused(f"{len(remaining)} other group(s) refused (connection closed without an alert)")
            return Elimination("TLS1.3", first, tuple(picks), False, True, ex.describe(), connections,
                               error_kind=ex.error_kind)
        if ex.answer.alert is not None:
            alert = ex.answer.alert.description
            if alert in pr.REJECT_ALERTS or (picks and alert not in pr.NO_TLS13_ALERTS):
                return await refused(f"{len(remaining)} other group(s) refused: {ex.describe()}")
            no13 = alert in pr.NO_TLS13_ALERTS and not picks
            return Elimination("TLS1.3", first, tuple(picks), no13, True, ex.describe(), connections,
                               error_kind=None if no13 else ErrorKind.UNSUPPORTED)
        assert sh is not None
        if sh.selected_version != ch.TLS13:
            consistent = not picks  # a TLS 1.2 answer after TLS 1.3 ones contradicts them
            return Elimination("TLS1.3", first, tuple(picks), consistent, consistent, ex.describe(), connections,
                               error_kind=None if consistent else ErrorKind.PROTOCOL_VIOLATION)
        group = sh.key_share_group
        if group is None or group not in remaining:
            offered = "was already chosen and removed" if group in picks_codes(picks) else "was not offered"
            return Elimination("TLS1.3", first, tuple(picks), False, False,
                               f"{ex.describe()}: {group_name(group) if group is not None else 'no group'} {offered}",
                               connections, error_kind=ErrorKind.PROTOCOL_VIOLATION)
        picks.append(Pick(group, sh.is_hrr, ex.describe()))
        order.picked(picks)
        remaining.remove(group)
        if not remaining:
            return await refused("every offered group was chosen")
        ex = await steps.step(remaining)
        connections += 1


def picks_codes(picks: Sequence[Pick]) -> list[int]:
    return [p.code for p in picks]


PickOf = Callable[[list[int]], Awaitable[int | None]]


class _OrderCheck:
    """Server order or ours? Proven by the picks when they differ from our offer order; else one more
    step: the top two offered in reverse (``pick_of`` sends it and reads the group chosen). Started as
    soon as the first two picks follow the offer, on a connection of its own beside the loop."""

    def __init__(self, offer: Sequence[int], pick_of: PickOf) -> None:
        self.offer, self.pick_of = offer, pick_of
        self.task: asyncio.Future[int | None] | None = None

    def picked(self, picks: Sequence[Pick]) -> None:
        if self.task is None and len(picks) == 2 and _follows_offer(picks_codes(picks), self.offer):
            with warm.own():
                self.task = asyncio.ensure_future(self.pick_of([picks[1].code, picks[0].code]))

    async def result(self, el: Elimination) -> Elimination:
        if len(el.picks) < 2:
            return el
        codes = el.codes
        if not _follows_offer(codes, self.offer):
            return replace(el, server_order=True, connections=el.connections + (self.task is not None))
        top, second = codes[0], codes[1]
        chosen = await (self.task if self.task is not None else self.pick_of([second, top]))
        order = chosen == top if chosen in (top, second) else None
        return replace(el, server_order=order, connections=el.connections + 1)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()


async def _tls13_pick(endpoint: Endpoint, options: NetOptions, codes: list[int]) -> int | None:
    ex = await _tls13_step(endpoint, options, codes)
    sh = ex.answer.server_hello if ex.answer else None
    return sh.key_share_group if sh is not None and sh.selected_version == ch.TLS13 else None


async def _tls12_pick(endpoint: Endpoint, options: NetOptions, codes: list[int]) -> int | None:
    _ex, check = await _tls12_step(endpoint, options, ECDHE_SUITES, codes)
    return check.kx_group if check.supported else None


# -- TLS 1.2 ------------------------------------------------------------------------------------


async def _tls12_step(endpoint: Endpoint, options: NetOptions, suites: Sequence[int], curves: Sequence[int]
                      ) -> tuple[pr.Exchange, pr.LegacyResult]:
    hello = ch.build_client_hello(sni=endpoint.sni, groups=curves, tls13=False, suites=suites, legacy_version=ch.TLS12)
    ex = await pr.exchange(endpoint, options, hello, until=ch.HS_SERVER_HELLO_DONE, max_bytes=ch.MAX_TLS12_FLIGHT)
    return ex, pr.legacy_result(ch.TLS12, ex)


async def eliminate_tls12(endpoint: Endpoint, options: NetOptions, offer: Sequence[int] = TLS12_OFFER) -> Elimination:
    """The TLS 1.2 loop: every suite pqscan's probe knows, the remaining curves; ECDHE picks name a curve."""
    order = _OrderCheck(offer, partial(_tls12_pick, endpoint, options))
    try:
        return await _tls12_loop(endpoint, options, offer, order)
    finally:
        order.cancel()


async def _tls12_loop(endpoint: Endpoint, options: NetOptions, offer: Sequence[int], order: _OrderCheck
                      ) -> Elimination:
    remaining = list(offer)
    suites: Sequence[int] = ALL_TLS12_SUITES
    first, result = await _tls12_step(endpoint, options, suites, remaining)
    ex = first
    connections = 1
    picks: list[Pick] = []
    tried_ecdhe_only = False
    first_result = result
    while True:
        if result.supported is None:
            if picks and ex.connected and ex.error_kind is ErrorKind.RESET:
                return Elimination("TLS1.2", first, tuple(picks), True, True,
                                   "other curves refused (connection closed without an alert)", connections)
            return Elimination("TLS1.2", first, tuple(picks), False, True, result.evidence, connections,
                               error_kind=ex.error_kind)
        if not result.supported:
            done = bool(picks) or first_result.supported is False
            note = ""
            if first_result.leaf_key == "EC":
                note = (" (the certificate is ECDSA: its curve must be offered, RFC 8422 §5.1, so curves the"
                        " server ranks below it are never negotiated in TLS 1.2)")
            return await order.result(Elimination(
                "TLS1.2", first, tuple(picks), done, True,
                f"{len(remaining)} other curve(s) refused: {result.evidence}{note}", connections,
                fallback_suite=first_result if first_result.supported and first_result.suite
                and first_result.suite.kx != "ECDHE" else None,
                all_suites_refused=suites is ALL_TLS12_SUITES))
        is_ecdhe = result.suite is not None and result.suite.kx == "ECDHE"
        if not is_ecdhe:
            if not picks and not tried_ecdhe_only:
                # The server prefers a non-ECDHE suite: ask again with ECDHE suites only.
                tried_ecdhe_only, suites = True, ECDHE_SUITES
                ex, result = await _tls12_step(endpoint, options, suites, remaining)
                connections += 1
                continue
            fallback = result if not tried_ecdhe_only else first_result
            return await order.result(Elimination(
                "TLS1.2", first, tuple(picks), True, True,
                f"no other curve accepted: {result.evidence}", connections, fallback_suite=fallback))
        group = result.kx_group
        if group is None or group not in remaining:
            return Elimination("TLS1.2", first, tuple(picks), False, False,
                               f"{result.evidence}: ServerKeyExchange curve "
                               f"{group_name(group) if group is not None else '?'} was not offered",
                               connections, error_kind=ErrorKind.PROTOCOL_VIOLATION)
        picks.append(Pick(group, False, result.evidence))
        order.picked(picks)
        remaining.remove(group)
        if not remaining:
            return await order.result(Elimination(
                "TLS1.2", first, tuple(picks), True, True, "every offered curve was chosen", connections))
        ex, result = await _tls12_step(endpoint, options, suites, remaining)
        connections += 1


def first_legacy(el: Elimination) -> pr.LegacyResult:
    """The TLS 1.2 version probe's reading (the first step of the TLS 1.2 loop)."""
    return pr.legacy_result(ch.TLS12, el.first)


__all__ = ["Elimination", "Pick", "eliminate_tls13", "eliminate_tls12", "first_legacy", "BY_CODE"]
