"""Warm connections: the next step of an elimination loop finds its connection already open.

Every probe of an endpoint sends one ClientHello on a connection of its own, and the elimination
loops (TLS 1.3 groups, TLS 1.2 curves, accepted suites) are chains: step k + 1 goes out only once
step k's answer is read. On a fresh connection a step costs two round trips (TCP, then the hello);
so a chain opens its next connection (TCP and, when configured, STARTTLS) as it sends each step,
and the next step goes out the moment the answer is read: one round trip per step.

A chain's last spare (opened beside the step that turned out to be its last) is handed to the
endpoint's *leftovers*: the probes that can wait for a chain to end (TLS 1.1/1.0, the HRR-upgrade
probe, key-share confirmations on a connection of their own, the RSA key-transport probe) take it
instead of opening one, so the chains cost no extra connection when such a probe follows.

Nothing is opened ahead before the endpoint's first connection is up (:meth:`WarmPool.start`), nor when its
round trip is under :data:`MIN_RTT` (loopback, a LAN: little to save, CPU to spend on both sides). A
refused or silent endpoint still costs one connection attempt. A spare the server closed or wrote
to while it waited, or that waited longer than :data:`MAX_IDLE` (or four round trips), is not used: a fresh connection is
opened instead, so that "closed without an answer" stays the server's reaction to the hello sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar

from pqscan.collect.net.netscan import Connection, KindError, NetOptions, current_limiter
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls.starttls import open_tls_stream

MAX_IDLE = 1.0  # seconds a spare may wait before it is no longer trusted to be fresh
# Below this round trip (loopback, a LAN) a connection opened ahead saves almost nothing and costs CPU on
# both sides: connections are opened when needed, and the probes that could wait for a leftover do not.
MIN_RTT = 0.002


class _Spare:
    """One connection opened ahead, held open until taken and released (or the pool closes)."""

    def __init__(self, endpoint: Endpoint, options: NetOptions) -> None:
        self.conn: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
        self.ready_at = 0.0
        self.host = endpoint.host
        self.limiter = current_limiter()
        self._release = asyncio.Event()
        self.task = asyncio.ensure_future(self._hold(endpoint, options))

    async def _hold(self, endpoint: Endpoint, options: NetOptions) -> None:
        try:
            async with open_tls_stream(endpoint, options) as conn:
                if self.conn.done():  # given up before it was up
                    return
                self.ready_at = asyncio.get_running_loop().time()
                self.conn.set_result(conn)
                if self.limiter is not None:  # idle until taken: its host slot goes to a probe that needs one
                    self.limiter.park(self.host, self.release)
                await self._release.wait()
        except KindError as exc:
            if not self.conn.done():
                self.conn.set_exception(exc)

    def taken(self) -> None:
        if self.limiter is not None:
            self.limiter.unpark(self.host, self.release)

    def release(self) -> None:
        """Close it (used or not) and let its holder go."""
        self.taken()
        self._release.set()
        if not self.conn.done():
            self.conn.cancel()
            self.task.cancel()
        elif not self.conn.cancelled() and self.conn.exception() is None:  # (retrieved: no warning)
            self.conn.result().close()

    def fresh(self, conn: Connection, max_idle: float = MAX_IDLE) -> bool:
        """Not closed, not written to, not idle too long: safe to send a hello on."""
        reader, transport = conn.reader, conn.writer.transport
        idle = asyncio.get_running_loop().time() - self.ready_at
        return not (transport.is_closing() or reader.at_eof() or reader.exception() is not None
                    or len(getattr(reader, "_buffer", b"")) or idle > max_idle)


class Chain:
    """One elimination loop's next connection, opened as each step goes out."""

    def __init__(self, pool: WarmPool) -> None:
        self.pool = pool
        self.spare: _Spare | None = None
        self.running = True
        pool.running += 1

    def prefetch(self) -> None:
        if self.spare is None:
            self.spare = self.pool.open_spare()

    def take(self) -> _Spare | None:
        spare, self.spare = self.spare, None
        return spare

    def end(self) -> None:
        """The loop is over: its spare, if any, goes to the leftovers."""
        if self.spare is not None:
            self.pool.leftovers.append(self.spare)
            self.spare = None
        if self.running:
            self.running = False
            self.pool.running -= 1
        self.pool.chain_ended.set()
        self.pool.chain_ended = asyncio.Event()


class WarmPool:
    """One endpoint's chains and leftovers (see the module docstring)."""

    def __init__(self, endpoint: Endpoint, options: NetOptions) -> None:
        self.endpoint, self.options = endpoint, options
        self.live = False
        self.max_idle = MAX_IDLE
        self.closed = False
        self.leftovers: deque[_Spare] = deque()
        self.chain_ended = asyncio.Event()  # set (and replaced) each time a loop ends
        self.running = 0  # loops not ended yet
        self.opened = 0  # connections opened ahead (used or not), for tests and benchmarks
        self.used = 0  # of those, the ones a probe sent its hello on
        self._spares: list[_Spare] = []

    def start(self, rtt: float | None) -> None:
        """The endpoint's first connection is up, ``rtt`` its round trip (None: unknown): from now on
        chains open their next connection ahead, unless the round trip is too short to matter."""
        self.live = rtt is None or rtt >= MIN_RTT
        self.max_idle = max(MAX_IDLE, 4 * (rtt or 0.0))

    def open_spare(self) -> _Spare | None:
        """A connection opened ahead, when the host has room for it beside the probes' own."""
        limiter = current_limiter()
        if not self.live or self.closed or (limiter is not None and not limiter.has_room(self.endpoint.host)):
            return None
        self.opened += 1
        spare = _Spare(self.endpoint, self.options)
        self._spares.append(spare)
        return spare

    def chain(self) -> Chain:
        return Chain(self)

    def close(self) -> None:
        self.closed = True
        self.running = 0
        self.chain_ended.set()
        self.leftovers.clear()
        for spare in self._spares:  # chains that never ended (a dead endpoint) hold one too
            spare.release()


_POOL: ContextVar[WarmPool | None] = ContextVar("pqscan_tls_warm_pool", default=None)
_LEFTOVER = "leftover"
_ROLE: ContextVar[Chain | str | None] = ContextVar("pqscan_tls_warm_role", default=None)


@contextlib.contextmanager
def warm_connections(endpoint: Endpoint, options: NetOptions) -> Iterator[WarmPool]:
    """The pool of ``endpoint`` for the probes run within this block (and the tasks started in it);
    closed, with any unused spare, at the end."""
    pool = WarmPool(endpoint, options)
    token = _POOL.set(pool)
    try:
        yield pool
    finally:
        _POOL.reset(token)
        pool.close()


@contextlib.contextmanager
def chain(existing: Chain | None = None) -> Iterator[Chain | None]:
    """Run an elimination loop: each connection it opens opens the next one ahead. ``existing``: a
    chain whose first spare was opened already (the TLS 1.3 loop's, when the first hello's connection came up)."""
    pool = _POOL.get()
    link = existing if existing is not None else pool.chain() if pool is not None else None
    token = _ROLE.set(link)
    try:
        yield link
    finally:
        _ROLE.reset(token)
        if link is not None:
            link.end()


@contextlib.contextmanager
def leftover() -> Iterator[None]:
    """Probes that take a chain's last spare when there is one (else a new connection)."""
    token = _ROLE.set(_LEFTOVER)
    try:
        yield
    finally:
        _ROLE.reset(token)


@contextlib.contextmanager
def own() -> Iterator[None]:
    """Probes (and the tasks started here) that run beside a chain on a connection of their own: they
    neither take the chain's spare nor wait for a leftover (a leftover already there is still used)."""
    token = _ROLE.set(None)
    try:
        yield
    finally:
        _ROLE.reset(token)


async def chain_ended() -> None:
    """Until some elimination loop of this endpoint has ended (its spare may be a leftover)."""
    pool = _POOL.get()
    if pool is not None and pool.live and pool.running and not pool.leftovers:
        await pool.chain_ended.wait()


async def _spare_for(endpoint: Endpoint) -> _Spare | None:
    """Any probe takes a leftover when there is one (an idle spare never holds one of the host's
    connection slots while a probe of its own endpoint waits for another). Else a chain step takes its
    own spare, and opens the next; a leftover probe waits for a loop still running to end (at most about
    one round trip more than a new connection, and no connection more)."""
    pool, role = _POOL.get(), _ROLE.get()
    if pool is None or pool.endpoint is not endpoint or pool.closed:
        return None
    chain = role if isinstance(role, Chain) and role.pool is pool else None
    if role == _LEFTOVER:
        while not pool.leftovers and pool.running and pool.live and not pool.closed:
            await pool.chain_ended.wait()
    spare = pool.leftovers.popleft() if pool.leftovers else chain.take() if chain is not None else None
    if chain is not None:
        chain.prefetch()
    return spare


@contextlib.asynccontextmanager
async def tls_stream(endpoint: Endpoint, options: NetOptions) -> AsyncIterator[Connection]:
    """A connection ready for a ClientHello: a spare opened ahead for this step when there is a fresh
    one, else a new one (connected, and upgraded with STARTTLS when configured)."""
    pool = _POOL.get()
    spare = await _spare_for(endpoint)
    if spare is not None and pool is not None:
        try:
            conn = await asyncio.shield(spare.conn)
            spare.taken()
            if spare.fresh(conn, pool.max_idle):
                pool.used += 1
                yield conn
                return
        finally:
            spare.release()
    async with open_tls_stream(endpoint, options) as conn:
        yield conn


__all__ = ["Chain", "WarmPool", "chain", "chain_ended", "leftover", "own", "tls_stream", "warm_connections"]
