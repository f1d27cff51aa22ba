"""One TLS endpoint -> a ``tls-endpoint`` asset, findings and its certificate chain.

Order of work (connections run concurrently, bounded by netscan's per-host limit):

* the TLS 1.3 group elimination (:mod:`~pqscan.collect.tls.elimination`): its first step, every
  group offered, is the endpoint's baseline. A silent, refusing or non-TLS endpoint stops there;
* beside it, from the moment that first connection is up (so a refused or unreachable endpoint costs
  one connection attempt, a live one no round trip of waiting): the TLS 1.2 curve elimination (whose
  first step is the TLS 1.2 version probe and whose last tells the non-ECDHE fallback: RSA key
  transport, DHE), and, once the first hello is answered, one full pyOpenSSL handshake offering every
  group OpenSSL can make a share for, X25519MLKEM768 first (shares for it and X25519), its ClientHello
  sent in two TCP segments (the tldr.fail check). The handshake gives the chain, the negotiated
  parameters and a real key-share confirmation of the group it lands on;
* a PQ group the elimination picks later with a HelloRetryRequest is confirmed on that same
  connection: the second ClientHello carries a real share for it (RFC 8446 §4.1.2), while the loop
  goes on;
* when the round trip is long enough to matter (:mod:`~pqscan.collect.tls.warm`), each elimination
  step's successor is connected while the step is answered (one round trip per step, not two), and
  the probes that can wait take a loop's last spare when it ends instead of a connection of their own:
  the TLS 1.1/1.0 probe, the HRR-upgrade probe on the final candidates, a real key share on a
  connection of its own for any PQ group still unconfirmed (cryptography's shares, or OpenSSL's for
  MLKEM512 / curveSM2MLKEM768), the RSA key-transport probe, and the full handshake when the first
  pick is classical. With ``suites=True`` the TLS <= 1.2 accepted-suite enumeration too.

A PQ group counts as supported only once a real share is answered by a ServerHello selecting it.
A server that answers a share it asked for with another HelloRetryRequest (the HRR-forever
server) or that contradicts itself is recorded "inconclusive" with the evidence, never PQ. When
the elimination cannot finish (the server chose a group it was not offered), one probe per
group decides instead, and the result says so.

The collector observes; :mod:`pqscan.assess.engine` judges the findings.
"""

from __future__ import annotations

import asyncio
import importlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from pqscan.algorithms import cipher_suite
from pqscan.collect.net.netscan import NetError, NetOptions
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls import clienthello as ch
from pqscan.collect.tls import elimination as el
from pqscan.collect.tls import probes as pr
from pqscan.collect.tls import warm
from pqscan.collect.tls.groups import BY_CODE, GROUPS, TlsGroup, group_algorithm, group_name, openssl_group_code
from pqscan.collect.tls.handshake import HandshakeError, HandshakeInfo, client_groups, full_handshake
from pqscan.collect.tls.starttls import StarttlsError
from pqscan.collect.tls.suite_findings import suite_findings
from pqscan.collect.tls.suites import SuiteEnumeration, enumerate_suites
from pqscan.collect.tls.warm import tls_stream
from pqscan.model import Asset, AssetKind, ErrorKind, Evidence, Finding, Relation, RelationKind, ScanResult, Usage

COLLECTOR = "tls"

# Errors on the first connection after which the endpoint is not probed further.
_DEAD = frozenset({ErrorKind.REFUSED, ErrorKind.TIMEOUT, ErrorKind.UNREACHABLE, ErrorKind.DNS, ErrorKind.SKIPPED})


async def _handshake(endpoint: Endpoint, options: NetOptions, *, only_group: str | None = None,
                     split: bool = False) -> HandshakeInfo | pr.Exchange:
    try:
        async with tls_stream(endpoint, options) as conn:
            return await full_handshake(conn, endpoint.sni, options.read_timeout * 3, only_group=only_group,
                                        split=split)
    except (NetError, HandshakeError, StarttlsError) as exc:
        return pr.Exchange(error_kind=exc.kind, error=str(exc), connected=True)


async def _split_handshake(endpoint: Endpoint, options: NetOptions) -> tuple[HandshakeInfo | pr.Exchange,
                                                                             pr.SplitHello | None]:
    """The full handshake with a split ClientHello; on failure once more in one piece (tldr.fail)."""
    split = await _handshake(endpoint, options, split=True)
    if isinstance(split, HandshakeInfo):
        return split, pr.SplitHello(True, f"split ClientHello ({split.client_hello_len} bytes): "
                                          f"handshake completed ({split.group})")
    whole = await _handshake(endpoint, options)
    if isinstance(whole, HandshakeInfo):
        return whole, pr.SplitHello(False, f"split ClientHello: {split.error}; in one segment: completed")
    return whole, None


async def _handshake_branch(endpoint: Endpoint, options: NetOptions, first_task: asyncio.Future[pr.Exchange]
                            ) -> tuple[HandshakeInfo | pr.Exchange, pr.SplitHello | None]:
    """The full handshake, once the first hello is answered. When the server's first choice is a classical
    group it waits for an elimination loop to end and takes its leftover connection: such a server often
    has no PQ group, so no HRR-upgrade probe to take it, and the TLS 1.1/1.0 probe takes the other loop's."""
    first = await asyncio.shield(first_task)
    sh = first.answer.server_hello if first.answer else None
    top = BY_CODE.get(sh.key_share_group or -1) if sh is not None and sh.selected_version == ch.TLS13 else None
    if top is None or top.quantum_safe:
        return await _split_handshake(endpoint, options)
    await warm.chain_ended()
    with warm.leftover():
        return await _split_handshake(endpoint, options)


# Share of the endpoint's budget the (sequential) suite enumerations may use before they stop early.
SUITE_BUDGET_SHARE = 0.5
LEGACY_VERSIONS = (ch.TLS12, ch.TLS11, ch.TLS10)


async def _old_versions(endpoint: Endpoint, options: NetOptions) -> list[pr.LegacyResult]:
    """TLS 1.1 and 1.0: one hello at TLS 1.1 (a server without 1.1 answers 1.0 or refuses); a second only
    when 1.1 is accepted. Once an elimination loop has ended, on its leftover connection."""
    await warm.chain_ended()
    with warm.leftover():
        return await _old_versions_now(endpoint, options)


async def _old_versions_now(endpoint: Endpoint, options: NetOptions) -> list[pr.LegacyResult]:
    ex = await pr.legacy_exchange(endpoint, options, ch.TLS11, pr.OLD_SUITES)
    t11 = pr.legacy_result(ch.TLS11, ex)
    if t11.supported:
        return [t11, await pr.probe_legacy(endpoint, options, ch.TLS10)]
    sh = ex.answer.server_hello if ex.answer else None
    if sh is not None and sh.selected_version == ch.TLS10:
        return [t11, pr.legacy_result(ch.TLS10, ex)]
    return [t11, pr.LegacyResult(ch.TLS10, t11.supported, None, None, None, None, f"asked for TLS 1.1: {t11.evidence}")]


async def _suite_enumerations(endpoint: Endpoint, options: NetOptions) -> list[SuiteEnumeration]:
    deadline = asyncio.get_running_loop().time() + options.budget() * SUITE_BUDGET_SHARE
    return list(await asyncio.gather(*(enumerate_suites(endpoint, options, v, deadline=deadline)
                                       for v in LEGACY_VERSIONS)))


@dataclass(frozen=True)
class Confirmation(pr.KeyShareCheck):
    """A key-share check, by our own share or OpenSSL's; ``contradiction``: the server answered the share
    with a HelloRetryRequest for that very group."""

    contradiction: bool = False


async def _confirm(endpoint: Endpoint, options: NetOptions, group: TlsGroup) -> Confirmation:
    """One real key share for ``group``: cryptography's, else OpenSSL's (a one-group full handshake)."""
    if group.make_share is not None:
        check = await pr.confirm_key_share(endpoint, options, group)
        assert check is not None
        return Confirmation(group, check.confirmed, check.server_share_len, check.evidence,
                            contradiction="HelloRetryRequest" in check.evidence
                            and f"key_share {group.name}" in check.evidence)
    if group.openssl_name is None:
        return Confirmation(group, False, None, "no key share can be built for this group here")
    hs = await _handshake(endpoint, options, only_group=group.openssl_name)
    if isinstance(hs, HandshakeInfo):
        ok = openssl_group_code(hs.group) == group.code
        return Confirmation(group, ok, None, f"full handshake offering only {group.name}: "
                                             f"{hs.protocol} {hs.group} {hs.cipher}")
    return Confirmation(group, False, None, f"full handshake offering only {group.name}: {hs.error}",
                        contradiction="unexpected message" in hs.error.lower())


# What the answers need and the first hellos do not (about 60 ms of imports): pyOpenSSL for the full
# handshake, cryptography for certificates and key shares.
PRELOAD = ("cryptography.x509", "cryptography.hazmat.primitives.asymmetric.mlkem",
           "cryptography.hazmat.primitives.asymmetric.x25519", "cryptography.hazmat.primitives.asymmetric.ec",
           "OpenSSL.SSL", "pqscan.collect.x509")


def _import_all() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - the first real use imports it again and reports the failure
            continue


@cache
def preload() -> threading.Thread:
    """Import :data:`PRELOAD` on a thread of its own, once per process, as soon as an endpoint's first
    connection is up: while the first hellos are under way (the event loop waits on the network then),
    instead of before any connection (nor at all when no endpoint answers)."""
    thread = threading.Thread(target=_import_all, name="pqscan-tls-preload", daemon=True)
    thread.start()
    return thread


async def scan_tls_endpoint(endpoint: Endpoint, options: NetOptions, *, suites: bool = True) -> ScanResult:
    """Probe one endpoint; ``suites=False`` skips the accepted-suite enumeration (fewer connections)."""
    with warm.warm_connections(endpoint, options) as pool:
        return await _scan(endpoint, options, suites, pool)


async def _scan(endpoint: Endpoint, options: NetOptions, suites: bool, pool: warm.WarmPool) -> ScanResult:
    result = ScanResult(endpoint.key, COLLECTOR)
    connected = pr.Connected()
    first_task = asyncio.ensure_future(el.tls13_first_step(endpoint, options, connected=connected))
    side: list[asyncio.Future[Any]] = []
    try:
        # The branches that need no answer from the first hello start once its connection is up: a
        # refused or unreachable endpoint costs one connection attempt, a live one no extra round trip.
        # From then on the elimination loops open each step's successor ahead (warm), the TLS 1.3 loop's
        # second step beside its first.
        up = asyncio.ensure_future(connected.wait())
        side.append(up)
        await asyncio.wait({first_task, up}, return_when=asyncio.FIRST_COMPLETED)
        t13_chain = pool.chain()
        if connected.is_set():
            preload()
            pool.start(connected.rtt)
            t13_chain.prefetch()
            side += _start_side_branches(endpoint, options, suites, first_task)
        first = await first_task
        dead = _dead(first)
        if dead is not None:
            result.error(*dead)
            return result
        if len(side) == 1:
            side += _start_side_branches(endpoint, options, suites, first_task)
        handshake_task, tls12_task, old_task = side[1:4]
        t13 = await _tls13_branch(endpoint, options, first, handshake_task, t13_chain)
        elim12, rsa_kx = await tls12_task
        old: list[pr.LegacyResult] = await old_task
        enums: list[SuiteEnumeration] | None = await side[4] if suites else None
        handshake, split = await handshake_task
    finally:
        first_task.cancel()
        for task in side:
            task.cancel()
    elim13 = t13.elim
    tls12 = el.first_legacy(elim12)
    tls13 = t13.tls13
    if rsa_kx is None:
        with warm.leftover():
            rsa_kx = await _rsa_kx_probe(endpoint, options, tls12, elim12, enums)
    legacy = [tls12, *old]
    if not tls13 and not any(lr.supported for lr in legacy) and not isinstance(handshake, HandshakeInfo):
        # Alert-only, or TLS-looking answers to nothing: a failed endpoint, not an empty row.
        kind = elim13.first.error_kind or ErrorKind.PROTOCOL_VIOLATION
        result.error("tls-hello", kind, f"no TLS version accepted: TLS 1.3 hello: {elim13.first.describe()}; "
                                        f"TLS 1.2 hello: {tls12.evidence}; handshake: {_hs_error(handshake)}")
        return result
    _record(result, endpoint, _Facts(t13, elim12, legacy, rsa_kx, handshake, split, enums))
    return result


def _start_side_branches(endpoint: Endpoint, options: NetOptions, suites: bool,
                         first_task: asyncio.Future[pr.Exchange]) -> list[asyncio.Future[Any]]:
    """The full handshake, the TLS 1.2 branch, TLS 1.1/1.0 and (``suites``) the suite enumerations."""
    work: list[Any] = [_handshake_branch(endpoint, options, first_task),
                       _tls12_branch(endpoint, options, rsa_probe=not suites), _old_versions(endpoint, options)]
    if suites:
        work.append(_suite_enumerations(endpoint, options))
    return [asyncio.ensure_future(w) for w in work]


@dataclass(frozen=True)
class _Tls13:
    elim: el.Elimination
    tls13: bool
    groups: list[pr.GroupResult]
    note: str | None
    confirmations: dict[int, Confirmation]
    contradiction: Confirmation | None
    hrr_upgrade: pr.HrrUpgrade | None


def _upgrade_pair(codes: Iterable[int]) -> tuple[TlsGroup, TlsGroup] | None:
    """(classical, PQ) for the HRR-upgrade probe: the first of each, in ``codes`` order, we can make a share for."""
    usable = [BY_CODE[c] for c in codes if BY_CODE[c].make_share is not None]
    classical = next((g for g in usable if not g.quantum_safe), None)
    pq = next((g for g in usable if g.quantum_safe), None)
    return (classical, pq) if classical is not None and pq is not None else None


def _start_upgrade(endpoint: Endpoint, options: NetOptions, pair: tuple[TlsGroup, TlsGroup] | None
                   ) -> asyncio.Future[pr.HrrUpgrade] | None:
    """The HRR-upgrade probe on the final (classical, PQ) candidates, on a leftover connection if one is free."""
    if pair is None:
        return None
    with warm.leftover():
        return asyncio.ensure_future(pr.probe_hrr_upgrade(endpoint, options, *pair))


async def _tls13_branch(endpoint: Endpoint, options: NetOptions, first: pr.Exchange,
                        handshake_task: asyncio.Future[tuple[HandshakeInfo | pr.Exchange, pr.SplitHello | None]],
                        t13_chain: warm.Chain) -> _Tls13:
    """Elimination (PQ picks confirmed on their own connections), then the remaining key-share
    confirmations; the HRR-upgrade probe beside them."""
    upgrade_task: asyncio.Future[pr.HrrUpgrade] | None = None
    try:
        with warm.chain(t13_chain):
            elim13 = await el.eliminate_tls13(endpoint, options, first=first, confirm_pq=True)
        alert = first.answer.alert if first.answer else None
        if alert is not None and alert.description not in pr.REJECT_ALERTS | pr.NO_TLS13_ALERTS:
            # An odd alert (missing_extension, decode_error ...) may come from a TLS 1.3 server that
            # mishandles an empty key_share: one hello with a real X25519 share tells; if it speaks TLS
            # 1.3, the per-group probes (which retry with real shares) decide instead of the loop.
            x25519 = BY_CODE[0x001D]
            with warm.leftover():
                retry = await pr.exchange(endpoint, options, pr.hrr_hello(endpoint, [g.code for g in GROUPS],
                                                                          [(x25519.code, pr.key_share(x25519))]))
            if _is_tls13(retry):
                elim13 = replace(elim13, complete=False, consistent=False,
                                 stop=f"{elim13.stop} to an empty key_share, {retry.describe()} with an X25519 share")
        tls13 = bool(elim13.picks) or _is_tls13(elim13.first) or not elim13.consistent
        chosen, others, note = await _candidates(endpoint, options, elim13, tls13)
        pair = _upgrade_pair(chosen)
        upgrade_task = _start_upgrade(endpoint, options, pair)
        handshake, _split = await asyncio.shield(handshake_task)
        negotiated = openssl_group_code(handshake.group) if isinstance(handshake, HandshakeInfo) else None
        confirmations: dict[int, Confirmation] = {}
        if negotiated in chosen and isinstance(handshake, HandshakeInfo) and handshake.protocol == "TLSv1.3":
            confirmations[negotiated] = Confirmation(BY_CODE[negotiated], True, None,
                                                     f"full handshake negotiated {handshake.group}")
        for code, answer in elim13.confirmations:
            conf = _in_place(BY_CODE[code], answer)
            if code in chosen and code not in confirmations and conf is not None:
                confirmations[code] = conf
        # Real key shares for the PQ candidates not confirmed yet; the ones we can build ourselves first
        # (their answer shows a contradiction precisely); one at a time, so a contradicting server is
        # caught after one connection.
        to_confirm = sorted((BY_CODE[c] for c in chosen if BY_CODE[c].quantum_safe and c not in confirmations),
                            key=lambda g: g.make_share is None)
        for group in to_confirm:
            if any(c.contradiction for c in confirmations.values()):
                break
            with warm.leftover():
                confirmations[group.code] = await _confirm(endpoint, options, group)
        contradiction = next((c for c in confirmations.values() if c.contradiction), None)
        groups = _verdicts(chosen, others, confirmations, contradiction)
        upgrade = await upgrade_task if upgrade_task is not None else None
    finally:
        if upgrade_task is not None:
            upgrade_task.cancel()
    supported = {r.group.code for r in groups if r.verdict is pr.Verdict.SUPPORTED}
    if pair is not None and not (pair[0].code in supported and pair[1].code in supported):
        upgrade = None  # probed on candidates that did not all hold up
    return _Tls13(elim13, tls13, groups, note, confirmations, contradiction, upgrade)


def _in_place(group: TlsGroup, answer: pr.Exchange) -> Confirmation | None:
    """The answer to the share sent on the connection whose HelloRetryRequest picked ``group``: a
    confirmation, or a second HRR for the same group (a contradiction); None otherwise (e.g. the
    connection closed), and a connection of its own decides."""
    check = pr.read_key_share(group, answer, "second ClientHello with a real share, on the HelloRetryRequest's "
                                             "connection: ")
    sh = answer.answer.server_hello if answer.answer else None
    again = sh is not None and sh.is_hrr and sh.key_share_group == group.code
    if not (check.confirmed or again):
        return None
    return Confirmation(group, check.confirmed, check.server_share_len, check.evidence, contradiction=again)


async def _tls12_branch(endpoint: Endpoint, options: NetOptions, *, rsa_probe: bool
                        ) -> tuple[el.Elimination, pr.LegacyResult | None]:
    """The TLS 1.2 curve loop, then (without the suite enumeration) the RSA key-transport answer."""
    with warm.chain():
        elim12 = await el.eliminate_tls12(endpoint, options)
    if not rsa_probe:
        return elim12, None
    with warm.leftover():
        return elim12, await _rsa_kx_probe(endpoint, options, el.first_legacy(elim12), elim12, None)


def _hs_error(handshake: HandshakeInfo | pr.Exchange) -> str:
    return handshake.error if isinstance(handshake, pr.Exchange) else "completed"


def _is_tls13(ex: pr.Exchange) -> bool:
    sh = ex.answer.server_hello if ex.answer else None
    return sh is not None and sh.selected_version == ch.TLS13


def _dead(ex: pr.Exchange) -> tuple[str, ErrorKind, str] | None:
    """(stage, kind, message) when the first answer shows an endpoint not worth more connections."""
    if ex.answer is None:
        if ex.error_kind in _DEAD or ex.error.startswith("STARTTLS"):
            stage = "connect" if not ex.connected else "starttls" if ex.error.startswith("STARTTLS") else "tls-hello"
            return stage, ex.error_kind or ErrorKind.INTERNAL, ex.error
        if ex.error_kind in (ErrorKind.PROTOCOL_VIOLATION, ErrorKind.MALFORMED, ErrorKind.TOO_LARGE):
            return "tls-hello", ex.error_kind or ErrorKind.MALFORMED, f"not TLS: {ex.error}"
    return None


async def _candidates(endpoint: Endpoint, options: NetOptions, elim13: el.Elimination, tls13: bool
                      ) -> tuple[dict[int, str], dict[int, pr.GroupResult], str | None]:
    """(groups the server chose, with evidence; verdicts of the others; a note when we fell back per group)."""
    if not tls13:
        why = f"TLS 1.3 hello: {elim13.first.describe()}"
        return {}, {g.code: pr.GroupResult(g, pr.Verdict.NO_TLS13, why) for g in GROUPS}, None
    if elim13.complete and elim13.consistent:
        chosen = {p.code: f"chosen at elimination step {i + 1}: {p.evidence}" for i, p in enumerate(elim13.picks)}
        others = {g.code: pr.GroupResult(g, pr.Verdict.REJECTED, f"never chosen; {elim13.stop}")
                  for g in GROUPS if g.code not in chosen}
        return chosen, others, None
    # The loop could not finish: decide each group with its own probe and say so.
    note = f"elimination stopped ({elim13.stop}); one probe per group instead"
    probed = await asyncio.gather(*(pr.probe_group(endpoint, options, g) for g in GROUPS))
    chosen = {r.group.code: f"per-group probe: {r.evidence}" for r in probed if r.verdict is pr.Verdict.SUPPORTED}
    others = {r.group.code: r for r in probed if r.verdict is not pr.Verdict.SUPPORTED}
    return chosen, others, note


def _verdicts(chosen: dict[int, str], others: dict[int, pr.GroupResult], confirmations: dict[int, Confirmation],
              contradiction: Confirmation | None) -> list[pr.GroupResult]:
    """Chosen groups become supported once confirmed (PQ: a real share answered by a ServerHello)."""
    out: list[pr.GroupResult] = []
    for g in GROUPS:
        if g.code in others:
            out.append(others[g.code])
            continue
        evidence = chosen[g.code]
        conf = confirmations.get(g.code)
        if conf is not None and conf.confirmed:
            out.append(pr.GroupResult(g, pr.Verdict.SUPPORTED, f"{evidence}; confirmed: {conf.evidence}"))
        elif contradiction is not None:
            out.append(pr.GroupResult(g, pr.Verdict.INCONCLUSIVE,
                                      f"{evidence}; but the server contradicts itself: {contradiction.evidence}"))
        elif g.quantum_safe:
            why = conf.evidence if conf is not None else "not tried (the server contradicted itself first)"
            out.append(pr.GroupResult(g, pr.Verdict.INCONCLUSIVE, f"{evidence}; key share not confirmed: {why}"))
        else:
            out.append(pr.GroupResult(g, pr.Verdict.SUPPORTED, evidence))
    return out


async def _rsa_kx_probe(endpoint: Endpoint, options: NetOptions, tls12: pr.LegacyResult,
                        elim12: el.Elimination, enums: list[SuiteEnumeration] | None) -> pr.LegacyResult:
    """Does the server accept TLS_RSA_* (key transport)? From the enumerations, the curve loop's end, or one probe."""
    no = pr.LegacyResult(ch.TLS12, False, None, None, None, None, "no RSA key-transport suite accepted")
    if enums is not None:
        for enum in enums:
            hit = next((a for a in enum.accepted
                        if (cs := cipher_suite(a.code)) and cs.key_exchange == "RSAES-PKCS1"), None)
            if hit is not None:
                return pr.LegacyResult(enum.version, True, ch.TLS12_SUITES_BY_CODE.get(hit.code), hit.code, None,
                                       None, f"{enum.name} accepts {hit.name}", hit.leaf_key, hit.leaf_key_bits)
        return no
    if not tls12.supported:
        return no
    fb = elim12.fallback_suite
    if fb is not None and fb.suite is not None and fb.suite.kx == "RSA":
        return fb
    if elim12.all_suites_refused:
        return pr.LegacyResult(ch.TLS12, False, None, None, None, None,
                               f"every suite refused once the curves ran out: {elim12.stop}")
    return await pr.probe_legacy(endpoint, options, ch.TLS12, suites=ch.RSA_KX_SUITES)


@dataclass(frozen=True)
class _Facts:
    t13: _Tls13
    elim12: el.Elimination
    legacy: list[pr.LegacyResult]
    rsa_kx: pr.LegacyResult
    handshake: HandshakeInfo | pr.Exchange
    split: pr.SplitHello | None
    enums: list[SuiteEnumeration] | None


def _preference(f: _Facts) -> dict[str, Any] | None:
    """The server's TLS 1.3 group order from the elimination; verdict 'pq' when a PQ group comes first."""
    supported = {r.group.code for r in f.t13.groups if r.verdict is pr.Verdict.SUPPORTED}
    order = [c for c in f.t13.elim.codes if c in supported]
    if not order or f.t13.note is not None:
        return None
    top = BY_CODE[order[0]]
    if f.t13.elim.server_order is False:
        verdict = "client-order"
    elif f.t13.elim.server_order is None and len(order) > 1:
        verdict = "unknown"
    else:
        verdict = "pq" if top.quantum_safe else "classical"
    return {"verdict": verdict, "order": [group_name(c) for c in order], "server_order": f.t13.elim.server_order,
            "evidence": f"elimination order over {f.t13.elim.connections} connection(s)"}


def _record(result: ScanResult, endpoint: Endpoint, f: _Facts) -> None:
    aid, loc = endpoint.key, endpoint.hostport
    groups, legacy, enums, handshake = f.t13.groups, f.legacy, f.enums, f.handshake
    first_sh = f.t13.elim.first.answer.server_hello if f.t13.elim.first.answer else None
    protocols: dict[str, bool | None] = {"TLS1.3": f.t13.tls13}
    for lr in legacy:
        protocols[lr.name] = lr.supported
    tls12_groups = f.elim12.codes if legacy[0].supported else []
    tls12_order = f.elim12.server_order
    attrs: dict[str, Any] = {
        "host": endpoint.host, "port": endpoint.port, "sni": endpoint.sni, "service": endpoint.service,
        "starttls": endpoint.starttls, "protocols": protocols,
        "baseline": {"evidence": f.t13.elim.first.describe(),
                     "selected_group": group_name(first_sh.key_share_group)
                     if first_sh and first_sh.key_share_group else None},
        "groups": pr.group_table(groups),
        "supported_groups": [r.group.name for r in groups if r.verdict is pr.Verdict.SUPPORTED],
        "group_enumeration": {"TLS1.3": f.t13.elim.to_dict(), "TLS1.2": f.elim12.to_dict(),
                              "method": "per-group probes" if f.t13.note else "elimination", "note": f.t13.note},
        "tls12_groups": [group_name(c) for c in tls12_groups],
        "tls12_group_preference": ("server" if tls12_order else "client" if tls12_order is False else None),
        "key_share_checks": {c.group.name: c.to_dict() for c in f.t13.confirmations.values()},
        "inconclusive": f.t13.contradiction.evidence if f.t13.contradiction else None,
        "preference": _preference(f),
        "hrr_upgrade": f.t13.hrr_upgrade.to_dict() if f.t13.hrr_upgrade else None,
        "tls12": legacy[0].to_dict(),
        "tls12_rsa_key_transport": f.rsa_kx.supported,
        "split_client_hello": f.split.to_dict() if f.split else None,
        "tls_suites": {e.name: e.to_dict() for e in enums if e.first.supported} if enums is not None else None,
        "suite_enumeration_connections": sum(e.connections for e in enums) if enums is not None else 0,
    }
    for e in enums or ():
        if e.error_kind is not None and e.first.supported:
            result.error(f"tls-suites:{e.name}", e.error_kind,
                         f"cipher-suite enumeration incomplete after {len(e.accepted)} suite(s): {e.stop}")
    if f.t13.note is not None:
        result.error("tls-group-enumeration", ErrorKind.PROTOCOL_VIOLATION, f.t13.note)
    if f.t13.contradiction is not None:
        result.error("tls-group-confirmation", ErrorKind.PROTOCOL_VIOLATION,
                     f"inconclusive: the server contradicts itself: {f.t13.contradiction.evidence}")
    for r in groups:
        if r.verdict is pr.Verdict.PROTOCOL_VIOLATION:
            result.error(f"tls-group-probe:{r.group.name}", ErrorKind.PROTOCOL_VIOLATION, r.evidence)
        elif r.verdict is pr.Verdict.INCONCLUSIVE and f.t13.contradiction is None:
            result.error(f"tls-group-probe:{r.group.name}", ErrorKind.UNSUPPORTED, f"inconclusive: {r.evidence}")
    findings: list[Finding] = []
    for r in groups:
        if r.verdict is pr.Verdict.SUPPORTED:
            alg, params = group_algorithm(r.group)
            params["protocol"] = "TLS1.3"
            findings.append(Finding(aid, alg, Usage.KEY_EXCHANGE, COLLECTOR, params,
                                    Evidence(loc, symbol="supported_groups", detail=r.evidence)))
    if enums is not None:
        findings += suite_findings(aid, loc, enums)
    else:
        findings += _single_probe_findings(aid, loc, legacy[0], f.rsa_kx)
    seen = {(x.algorithm, x.parameters.get("protocol")) for x in findings if x.usage is Usage.KEY_EXCHANGE}
    for pick in f.elim12.picks if tls12_groups else ():
        alg, params = group_algorithm(BY_CODE[pick.code])
        params["protocol"] = "TLS1.2"
        if (alg, "TLS1.2") not in seen:
            findings.append(Finding(aid, alg, Usage.KEY_EXCHANGE, COLLECTOR, params,
                                    Evidence(loc, symbol="ServerKeyExchange", detail=pick.evidence)))
    for lr in legacy[1:]:
        if lr.supported:
            findings.append(Finding(aid, lr.name, Usage.PROTOCOL, COLLECTOR, {"protocol": lr.name},
                                    Evidence(loc, symbol="ServerHello.version", detail=lr.evidence)))
    relations: list[Relation] = []
    if isinstance(handshake, HandshakeInfo):
        attrs["negotiated"] = {"protocol": handshake.protocol, "cipher": handshake.cipher, "group": handshake.group,
                               "cipher_bits": handshake.cipher_bits, "chain_length": len(handshake.chain)}
        cipher_alg = _cipher_algorithm(handshake.cipher)
        findings.append(Finding(aid, cipher_alg, Usage.SYMMETRIC, COLLECTOR,
                                {"cipher_suite": handshake.cipher, "protocol": handshake.protocol,
                                 "key_bits": handshake.cipher_bits},
                                Evidence(loc, symbol="negotiated cipher", detail=handshake.cipher)))
        from pqscan.collect.x509 import CertificateSet

        certs = CertificateSet()
        leaf_id = None
        for i, cert in enumerate(handshake.chain):
            asset = certs.add(cert, loc, COLLECTOR, source=f"TLS handshake, chain position {i}")
            leaf_id = leaf_id or asset.id
        result.assets.extend(certs.linked())
        result.findings.extend(certs.findings)
        if leaf_id:
            relations.append(Relation(RelationKind.PRESENTS, leaf_id))
    else:
        attrs["negotiated"] = None
        result.error("tls-handshake", handshake.error_kind or ErrorKind.INTERNAL,
                     f"no certificate chain: the full handshake (offering every group this OpenSSL can make a "
                     f"share for: {client_groups().replace('*', '')}) failed: {handshake.error}")
    result.assets.insert(0, Asset(aid, AssetKind.TLS_ENDPOINT, loc, endpoint.sni or endpoint.host, attrs,
                                  tuple(relations)))
    result.findings[:0] = findings


def _single_probe_findings(aid: str, loc: str, t12: pr.LegacyResult, rsa_kx: pr.LegacyResult) -> list[Finding]:
    """Without the enumeration: the TLS 1.2 probe's key exchange, and RSA key transport when accepted."""
    findings: list[Finding] = []
    if t12.supported and t12.kx_group is not None:
        g = BY_CODE.get(t12.kx_group)
        if g is not None:
            alg, params = group_algorithm(g)
            params["protocol"] = "TLS1.2"
            findings.append(Finding(aid, alg, Usage.KEY_EXCHANGE, COLLECTOR, params,
                                    Evidence(loc, symbol="ServerKeyExchange", detail=t12.evidence)))
    if t12.supported and t12.dh_bits:
        findings.append(Finding(aid, "DH", Usage.KEY_EXCHANGE, COLLECTOR,
                                {"key_bits": t12.dh_bits, "protocol": "TLS1.2"},
                                Evidence(loc, symbol="ServerKeyExchange", detail=t12.evidence)))
    rsa_supported = rsa_kx.supported or (t12.suite is not None and t12.suite.kx == "RSA")
    if rsa_supported:
        src = rsa_kx if rsa_kx.supported else t12
        findings.append(_rsa_key_transport(aid, loc, src))
    return findings


def _rsa_key_transport(aid: str, loc: str, src: pr.LegacyResult) -> Finding:
    """TLS_RSA_*: the client encrypts the premaster secret to the leaf's RSA key (RSAES-PKCS1-v1_5)."""
    params: dict[str, Any] = {"key_transport": True, "forward_secret": False, "protocol": src.name,
                              "cipher_suite": src.suite.name if src.suite else None}
    if src.leaf_key == "RSA" and src.leaf_key_bits:
        params["key_bits"] = src.leaf_key_bits
    return Finding(aid, "RSAES-PKCS1", Usage.ENCRYPTION, COLLECTOR, params,
                   Evidence(loc, symbol="cipher_suite", detail=src.evidence))


def _cipher_algorithm(name: str) -> str:
    """Catalogue id of a suite's bulk cipher (catalogue first, then the suite's own name)."""
    suite = cipher_suite(name)
    if suite is not None:
        return suite.cipher
    upper = name.upper().replace("-", "_")
    m = re.search(r"AES_?(128|256)_?(GCM|CCM|CBC|SHA)", upper)
    if m:
        mode = "CBC" if m.group(2) == "SHA" else m.group(2)
        return f"AES-{m.group(1)}-{mode}"
    if "CHACHA20" in upper:
        return "ChaCha20-Poly1305"
    if "3DES" in upper or "DES_CBC3" in upper:
        return "3DES"
    return name
