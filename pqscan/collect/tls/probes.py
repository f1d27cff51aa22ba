"""Raw-ClientHello probes of one TLS endpoint, each an immutable result with its evidence.

* :func:`probe_group` — the HelloRetryRequest probe (shared/reference/network-probing.md §2.1,
  Probe A): offer one group with an empty key_share and classify the answer by the reference's
  table (HRR magic, supported_versions and selected_group all checked).
* :func:`confirm_key_share` — Probe B: a real key share (ML-KEM from ``cryptography``) and a check
  of the server share's length (1120 bytes for X25519MLKEM768).
* :func:`probe_hrr_upgrade` — whether a classical-only share is upgraded to PQ with a HRR (the
  group order itself comes from :mod:`~pqscan.collect.tls.elimination`).
* :func:`probe_legacy` — TLS 1.2 (chosen suite and its key exchange, RSA key transport) and TLS 1.0/1.1.
* :func:`converse` — one connection: a hello, its answer and, after a HelloRetryRequest, the second
  hello with a real share (:class:`Tls13Hello` repeats the first), so a PQ pick is confirmed in place.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from pqscan.algorithms import cipher_suite
from pqscan.collect.net.netscan import NetError, NetOptions
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls import clienthello as ch
from pqscan.collect.tls.groups import BY_CODE, X25519, X25519MLKEM768, TlsGroup, group_name
from pqscan.collect.tls.starttls import StarttlsError
from pqscan.collect.tls.warm import tls_stream
from pqscan.model import ErrorKind


class Verdict(StrEnum):
    SUPPORTED = "supported"
    REJECTED = "rejected"
    NO_TLS13 = "no-tls13"
    INCONCLUSIVE = "inconclusive"
    PROTOCOL_VIOLATION = "protocol-violation"


# Alerts that mean "not this group" (RFC 8446 §4.2.8: handshake_failure or insufficient_security).
REJECT_ALERTS = frozenset({40, 71, 47})
NO_TLS13_ALERTS = frozenset({70})  # protocol_version


@dataclass(frozen=True)
class Exchange:
    """One connection's outcome: the server's answer, or why there is none."""

    answer: ch.ServerAnswer | None = None
    error_kind: ErrorKind | None = None
    error: str = ""
    received: int = 0
    connected: bool = False  # the TCP connection (and STARTTLS) succeeded before the failure

    @property
    def ok(self) -> bool:
        return self.answer is not None

    def describe(self) -> str:
        if self.answer is None:
            return f"{self.error_kind}: {self.error}" if self.error_kind else self.error
        if self.answer.alert is not None:
            return f"alert {self.answer.alert.description} ({self.answer.alert.name})"
        sh = self.answer.server_hello
        assert sh is not None
        kind = "HelloRetryRequest" if sh.is_hrr else "ServerHello"
        version = ch.VERSION_NAMES.get(sh.selected_version, f"0x{sh.selected_version:04X}")
        group = sh.key_share_group
        chosen = f", key_share {group_name(group)}" if group is not None else ""
        return f"{kind} {version}, suite 0x{sh.cipher_suite:04X}{chosen}"


class Connected(asyncio.Event):
    """Set once a connection is ready for its hello; ``rtt``: the kernel's round-trip estimate for it."""

    rtt: float | None = None


async def exchange(endpoint: Endpoint, options: NetOptions, hello: bytes, *, connected: asyncio.Event | None = None,
                   **kw: int) -> Exchange:
    """Send one ClientHello on a fresh connection and read the answer; never raises for the peer's faults.
    ``connected`` is set once the connection is ready for the hello (TCP, and STARTTLS when configured)."""
    first, _second = await converse(endpoint, options, hello, connected=connected, **kw)
    return first


# What to send after the first answer on the same connection (None: nothing, close).
FollowUp = Callable[[ch.ServerAnswer], bytes | None]


async def converse(endpoint: Endpoint, options: NetOptions, hello: bytes, *, connected: asyncio.Event | None = None,
                   answered: asyncio.Future[Exchange] | None = None, follow_up: FollowUp | None = None,
                   **kw: int) -> tuple[Exchange, Exchange | None]:
    """One connection: a ClientHello and its answer, then, when ``follow_up`` returns a second hello for
    that answer (the one answering a HelloRetryRequest), that hello and its answer. The first answer also
    goes to ``answered`` as soon as it is read, so the caller can go on while the second is under way."""
    is_up = False
    first: Exchange | None = None
    try:
        async with tls_stream(endpoint, options) as conn:
            is_up = True
            if isinstance(connected, Connected):
                connected.rtt = conn.rtt()
            if connected is not None:
                connected.set()
            answer = await ch.exchange(conn, hello, **kw)
            first = Exchange(answer, received=conn.received, connected=True)
            if answered is not None:
                answered.set_result(first)
            second = follow_up(answer) if follow_up is not None else None
            if second is None:
                return first, None
            return first, Exchange(await ch.exchange(conn, second), received=conn.received, connected=True)
    except (NetError, ch.TlsParseError, StarttlsError) as exc:
        failed = Exchange(error_kind=exc.kind, connected=is_up or isinstance(exc, StarttlsError),
                          error=f"STARTTLS: {exc}" if isinstance(exc, StarttlsError) else str(exc))
    if first is None:
        if answered is not None:
            answered.set_result(failed)
        return failed, None
    return first, failed


@dataclass(frozen=True)
class GroupResult:
    group: TlsGroup
    verdict: Verdict
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.group.hex, "kind": self.group.kind.value, "verdict": self.verdict.value,
                "evidence": self.evidence}


def classify(group: TlsGroup, ex: Exchange) -> tuple[Verdict, str]:
    """The reference's table: how an answer to a one-group, empty-key_share hello reads."""
    evidence = ex.describe()
    if ex.answer is None:
        if ex.error_kind in (ErrorKind.PROTOCOL_VIOLATION, ErrorKind.MALFORMED, ErrorKind.TOO_LARGE):
            return Verdict.PROTOCOL_VIOLATION, evidence
        return Verdict.INCONCLUSIVE, evidence
    alert, sh = ex.answer.alert, ex.answer.server_hello
    if alert is not None:
        if alert.description in REJECT_ALERTS:
            return Verdict.REJECTED, evidence
        if alert.description in NO_TLS13_ALERTS:
            return Verdict.NO_TLS13, evidence
        return Verdict.INCONCLUSIVE, evidence + " (may mishandle an empty key_share)"
    assert sh is not None
    if sh.selected_version != ch.TLS13:
        return Verdict.NO_TLS13, evidence
    if sh.key_share_group == group.code:
        return Verdict.SUPPORTED, evidence
    return Verdict.PROTOCOL_VIOLATION, evidence + f"; only {group.name} was offered"


@dataclass(frozen=True)
class Tls13Hello:
    """A TLS 1.3 ClientHello kept as its parts, so that the hello answering a HelloRetryRequest can repeat it."""

    sni: str | None
    groups: tuple[int, ...]
    shares: tuple[tuple[int, bytes], ...] = ()
    random: bytes = field(default_factory=lambda: os.urandom(32))
    session_id: bytes = field(default_factory=lambda: os.urandom(32))

    def encode(self) -> bytes:
        return ch.build_client_hello(sni=self.sni, groups=self.groups, key_shares=self.shares, random=self.random,
                                     session_id=self.session_id)

    def answer_hrr(self, hrr: ch.ServerHello, share: bytes) -> bytes:
        """The second ClientHello: this one with a share for the group the HRR selected, and its cookie
        (RFC 8446 §4.1.2; record version 0x0303 as §5.1 asks of every record but the first hello)."""
        group = hrr.key_share_group
        assert group is not None
        return ch.build_client_hello(sni=self.sni, groups=self.groups, key_shares=[(group, share)], random=self.random,
                                     session_id=self.session_id, cookie=hrr.ext(ch.EXT_COOKIE),
                                     record_version=ch.TLS12)


def hrr_hello(endpoint: Endpoint, codes: Sequence[int], shares: Sequence[tuple[int, bytes]] = ()) -> bytes:
    return Tls13Hello(endpoint.sni, tuple(codes), tuple(shares)).encode()


_SHARES: dict[int, bytes] = {}


def key_share(group: TlsGroup) -> bytes:
    """A real client key share for ``group`` (it must have ``make_share``), made once per group per process.

    The raw probes that send shares never finish a handshake (they read the ServerHello and close),
    so the private half is never used and one share can serve every probe: no key generation per
    connection (an ML-KEM-1024 + P-384 share costs about a millisecond)."""
    share = _SHARES.get(group.code)
    if share is None:
        assert group.make_share is not None
        share = _SHARES[group.code] = group.make_share()
    return share


async def probe_group(endpoint: Endpoint, options: NetOptions, group: TlsGroup) -> GroupResult:
    ex = await exchange(endpoint, options, hrr_hello(endpoint, [group.code]))
    verdict, evidence = classify(group, ex)
    if verdict is Verdict.INCONCLUSIVE and ex.answer is not None and group.make_share is not None:
        # An odd alert to the empty key_share: ask again with a real share before concluding (Probe B).
        retry = await exchange(endpoint, options, hrr_hello(endpoint, [group.code], [(group.code, key_share(group))]))
        verdict2, evidence2 = classify(group, retry)
        if verdict2 in (Verdict.SUPPORTED, Verdict.REJECTED):
            return GroupResult(group, verdict2, f"{evidence}; with a real key share: {evidence2}")
    return GroupResult(group, verdict, evidence)


@dataclass(frozen=True)
class KeyShareCheck:
    """A real key share for ``group``: did a ServerHello select it, with a share of the right length?"""

    group: TlsGroup
    confirmed: bool
    server_share_len: int | None
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"confirmed": self.confirmed, "server_share_len": self.server_share_len,
                "expected_len": self.group.server_share_len, "evidence": self.evidence}


async def confirm_key_share(endpoint: Endpoint, options: NetOptions, group: TlsGroup) -> KeyShareCheck | None:
    """Probe B: a real client share; the server must answer a ServerHello with a share of the right length."""
    if group.make_share is None:
        return None
    ex = await exchange(endpoint, options, hrr_hello(endpoint, [group.code], [(group.code, key_share(group))]))
    return read_key_share(group, ex)


def read_key_share(group: TlsGroup, ex: Exchange, how: str = "") -> KeyShareCheck:
    """How the answer to a real ``group`` share reads: confirmed when a TLS 1.3 ServerHello selects
    ``group`` with a share of the right length."""
    sh = ex.answer.server_hello if ex.answer else None
    if sh is None or sh.is_hrr:
        return KeyShareCheck(group, False, None, how + ex.describe())
    length = sh.key_share_length
    ok = sh.selected_version == ch.TLS13 and sh.key_share_group == group.code and length == group.server_share_len
    detail = f"{how}{ex.describe()}, server share {length} bytes (expected {group.server_share_len})"
    return KeyShareCheck(group, ok, length, detail)


@dataclass(frozen=True)
class _Observation:
    """A yes / no / unknown observation with its evidence; ``to_dict`` names the answer as the field does."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SplitHello(_Observation):
    """tldr.fail check: does the server still answer when the (large, PQ) ClientHello arrives in two pieces?"""

    tolerant: bool | None
    evidence: str


async def _pick(endpoint: Endpoint, options: NetOptions, order: Sequence[TlsGroup], shares: Sequence[TlsGroup]) -> Exchange:
    made = [(g.code, key_share(g)) for g in shares if g.make_share is not None]
    return await exchange(endpoint, options, hrr_hello(endpoint, [g.code for g in order], made))


@dataclass(frozen=True)
class HrrUpgrade(_Observation):
    """Does a server that could take our classical share ask for the PQ group instead (HelloRetryRequest)?"""

    forces_pq: bool | None
    evidence: str


async def probe_hrr_upgrade(endpoint: Endpoint, options: NetOptions, classical: TlsGroup = X25519,
                            pq: TlsGroup = X25519MLKEM768) -> HrrUpgrade:
    """supported_groups [classical, pq] with a share for ``classical`` only: a HRR to ``pq`` = PQ enforced
    (the Cloudflare "supported" origin mode; shared/reference/network-probing.md §2.1, test 3)."""
    ex = await _pick(endpoint, options, (classical, pq), (classical,))
    sh = ex.answer.server_hello if ex.answer else None
    if sh is None or sh.selected_version != ch.TLS13:
        return HrrUpgrade(None, ex.describe())
    if sh.is_hrr and sh.key_share_group == pq.code:
        return HrrUpgrade(True, ex.describe())
    return HrrUpgrade(False, ex.describe())


@dataclass(frozen=True)
class LegacyResult:
    """A TLS <= 1.2 probe: is the version accepted, with which suite and key exchange."""

    version: int
    supported: bool | None  # None = inconclusive
    suite: ch.Tls12Suite | None
    suite_code: int | None
    kx_group: int | None  # ECDHE named curve from the ServerKeyExchange
    dh_bits: int | None
    evidence: str
    leaf_key: str | None = None  # the leaf certificate's key ("RSA", "EC", ...) from the Certificate message
    leaf_key_bits: int | None = None

    @property
    def name(self) -> str:
        return ch.VERSION_NAMES.get(self.version, f"0x{self.version:04X}")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"supported": self.supported, "evidence": self.evidence}
        if self.suite_code is not None:
            d["suite"] = self.suite.name if self.suite else f"0x{self.suite_code:04X}"
            d["suite_code"] = f"0x{self.suite_code:04X}"
        if self.suite is not None:
            d["key_exchange"] = self.suite.kx
            d["forward_secret"] = self.suite.kx != "RSA"
        if self.kx_group is not None:
            d["group"] = group_name(self.kx_group)
        if self.dh_bits is not None:
            d["dh_bits"] = self.dh_bits
        return d


# Groups offered in TLS <= 1.2 hellos: elliptic curves only. No ffdhe*: a client listing them makes
# an RFC 7919 server (OpenSSL >= 3) refuse every DHE suite unless it has one of those groups
# configured (RFC 7919 §4), which would hide the server's own (possibly 1024-bit) DH parameters.
LEGACY_GROUPS = (0x001D, 0x0017, 0x0018, 0x0019, 0x001E)
OLD_SUITES = (0xC013, 0xC014, 0xC009, 0xC00A, 0x0033, 0x0039, 0x002F, 0x0035, 0x000A)


def legacy_hello(endpoint: Endpoint, version: int, suites: Sequence[int]) -> bytes:
    return ch.build_client_hello(sni=endpoint.sni, groups=LEGACY_GROUPS, tls13=False, suites=suites,
                                 legacy_version=version)


async def legacy_exchange(endpoint: Endpoint, options: NetOptions, version: int, suites: Sequence[int]) -> Exchange:
    """One TLS <= 1.2 hello, read up to ServerHelloDone (the whole first flight: chain, key exchange)."""
    return await exchange(endpoint, options, legacy_hello(endpoint, version, suites),
                          until=ch.HS_SERVER_HELLO_DONE, max_bytes=ch.MAX_TLS12_FLIGHT)


def leaf_key(answer: ch.ServerAnswer) -> tuple[str | None, int | None]:
    """(key type, bits) of the leaf certificate in a TLS <= 1.2 flight; (None, None) when absent or unreadable."""
    body = answer.message(ch.HS_CERTIFICATE)
    if body is None:
        return None, None
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    try:
        der = ch.leaf_certificate(body)
        if der is None:
            return None, None
        key = x509.load_der_x509_certificate(der).public_key()
    except (ch.TlsParseError, ValueError, TypeError):
        return None, None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    return type(key).__name__.removesuffix("PublicKey").lstrip("_") or None, None


def legacy_result(version: int, ex: Exchange) -> LegacyResult:
    """How one TLS <= 1.2 exchange reads: version accepted or not, suite, key-exchange group, leaf key."""
    if ex.answer is None:
        return LegacyResult(version, None, None, None, None, None, ex.describe())
    sh = ex.answer.server_hello
    if ex.answer.alert is not None or sh is None:
        return LegacyResult(version, False, None, None, None, None, ex.describe())
    if sh.selected_version != version:
        return LegacyResult(version, False, None, None, None, None, ex.describe() + " (other version chosen)")
    suite = ch.TLS12_SUITES_BY_CODE.get(sh.cipher_suite)
    kx = suite.kx if suite is not None else _catalogue_kx(sh.cipher_suite)
    group = bits = None
    ske = ex.answer.message(ch.HS_SERVER_KEY_EXCHANGE)
    if ske is not None and kx in ("ECDHE", "DHE"):
        try:
            info = ch.parse_server_key_exchange(ske, kx)
        except ch.TlsParseError:
            info = {}
        group, bits = info.get("group"), info.get("dh_bits")
    key, key_bits = leaf_key(ex.answer)
    return LegacyResult(version, True, suite, sh.cipher_suite, group, bits, ex.describe(), key, key_bits)


def _catalogue_kx(code: int) -> str | None:
    """'ECDHE' / 'DHE' for an ephemeral (EC)DH suite of the catalogue (their ServerKeyExchange names a group)."""
    suite = cipher_suite(code)
    if suite is None or not suite.forward_secret or suite.key_exchange not in ("ECDH", "DH"):
        return None
    return "ECDHE" if suite.key_exchange == "ECDH" else "DHE"


async def probe_legacy(
    endpoint: Endpoint, options: NetOptions, version: int, suites: Sequence[int] | None = None
) -> LegacyResult:
    """A TLS 1.2 (or 1.1 / 1.0) hello without supported_versions, read up to ServerHelloDone."""
    if suites is None:
        suites = [s.code for s in ch.TLS12_SUITES] if version == ch.TLS12 else list(OLD_SUITES)
    return legacy_result(version, await legacy_exchange(endpoint, options, version, suites))


def group_table(results: Sequence[GroupResult]) -> dict[str, dict[str, Any]]:
    return {r.group.name: r.to_dict() for r in results}


def supported(results: Sequence[GroupResult]) -> list[TlsGroup]:
    return [r.group for r in results if r.verdict is Verdict.SUPPORTED]


__all__ = ["BY_CODE", "Verdict", "GroupResult", "probe_group", "confirm_key_share", "probe_hrr_upgrade", "probe_legacy", "Exchange", "classify"]
