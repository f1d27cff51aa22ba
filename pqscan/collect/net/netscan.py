"""Shared machinery for network scanners (TLS, SSH): limits, timeouts, bounded reads, streaming.

A scanner supplies a *probe*: ``async def probe(endpoint, options) -> ScanResult`` that never
raises for a target's misbehaviour (it records :class:`~pqscan.model.ScanError` s). This module
runs probes over many endpoints with

* a global limit on endpoints in flight (``concurrency``) run by a fixed pool of workers, so a
  million-endpoint list never becomes a million tasks;
* a per-host limit on simultaneous connections and an optional global ``rate`` of new
  connections per second, both applied inside :func:`connect`, which every probe uses;
* connect and read timeouts, and an overall budget per endpoint, so a silent or dripping host
  costs at most its budget and never blocks the others (a /24 of silent hosts takes about one
  timeout when ``concurrency`` >= 256);
* bounded reads (:meth:`Connection.read_exact`, :meth:`Connection.read_line`, TLS records);
* streaming: each endpoint's result goes to ONE callback, ``on_result``, as soon as it finishes
  (the caller stores it, draws progress, ...: this layer knows neither files nor the screen), and
  ``skip_keys`` (an inventory's ``completed_targets``) lets ``--resume`` skip finished endpoints;
* lazy targets: ``endpoints`` may be any iterable (a generator over a million-line ``@file``); it
  is consumed as workers free up, never materialised, and ``keep_results=False`` keeps memory flat.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import logging
import os
import resource
import signal
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from pqscan.collect.net import predial
from pqscan.collect.net.targets import Endpoint, check_loopback_guard, is_loopback_host, loopback_only
from pqscan.errors import TargetSpecError
from pqscan.model import ErrorKind, ScanResult

log = logging.getLogger(__name__)

# Hard cap for any single read helper (a TLS record is at most 2^14 + 2048 bytes; see clienthello).
DEFAULT_MAX_READ = 1 << 20


@dataclass(frozen=True)
class NetOptions:
    connect_timeout: float = 5.0
    read_timeout: float = 5.0  # budget for one read operation (a whole record, a line), not per byte
    concurrency: int = 128  # endpoints in flight
    per_host: int = 8  # simultaneous connections to one host
    rate: float | None = None  # new connections per second, all hosts together
    endpoint_timeout: float | None = None  # overall budget per endpoint; None = derived
    collector: str = "tls"

    def budget(self) -> float:
        """Overall time allowed for one endpoint (probes run several connections, some in parallel)."""
        if self.endpoint_timeout is not None:
            return self.endpoint_timeout
        return 4 * (self.connect_timeout + 2 * self.read_timeout) + 5.0


ProbeFn = Callable[[Endpoint, NetOptions], Awaitable[ScanResult]]


class KindError(Exception):
    """A failure that carries the ErrorKind to record (network, STARTTLS, TLS parsing, handshake)."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class NetError(KindError):
    """A network failure of one connection."""

    def __init__(self, kind: ErrorKind, message: str, *, received: bytes = b"") -> None:
        super().__init__(kind, message)
        self.received = received  # bytes read before the failure (evidence)


# -- limits -------------------------------------------------------------------------------------


class Limiter:
    """Per-host connection semaphores and a global new-connection rate."""

    def __init__(self, per_host: int, rate: float | None) -> None:
        self.per_host = max(1, per_host)
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self._next_slot = 0.0
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        # Connections opened ahead of need and idle now, per host: closed (oldest first) when a probe
        # would otherwise wait for a slot they hold.
        self._idle: dict[str, dict[Callable[[], None], None]] = {}
        self.connections = 0  # connections opened (for benchmarks: connections per endpoint)

    @asynccontextmanager
    async def host_slot(self, host: str) -> AsyncIterator[None]:
        entry = self._hosts.get(host)
        if entry is None:
            entry = self._hosts[host] = (asyncio.Semaphore(self.per_host), [0])
        sem, users = entry
        users[0] += 1
        idle = self._idle.get(host)
        if sem.locked() and idle:
            evict = next(iter(idle))
            del idle[evict]
            evict()
        try:
            async with sem:
                await self._pace()
                self.connections += 1
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._hosts.pop(host, None)

    def has_room(self, host: str, keep_free: int = 1) -> bool:
        """More than ``keep_free`` of ``host``'s connection slots free, nobody waiting: room for a
        connection opened ahead of need (pqscan.collect.tls.warm), which must never make a probe wait."""
        entry = self._hosts.get(host)
        return (entry[1][0] if entry is not None else 0) + keep_free < self.per_host

    def park(self, host: str, evict: Callable[[], None]) -> None:
        """An idle connection opened ahead of need: ``evict`` closes it when a probe needs its slot."""
        self._idle.setdefault(host, {})[evict] = None

    def unpark(self, host: str, evict: Callable[[], None]) -> None:
        idle = self._idle.get(host)
        if idle is not None:
            idle.pop(evict, None)
            if not idle:
                del self._idle[host]

    async def _pace(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


_LIMITER: contextvars.ContextVar[Limiter | None] = contextvars.ContextVar("pqscan_limiter", default=None)


def current_limiter() -> Limiter | None:
    return _LIMITER.get()


# -- connections --------------------------------------------------------------------------------

# struct tcp_info (linux/tcp.h): eight one-byte fields, then u32s; tcpi_rtt (microseconds) is the 16th.
_TCPI_RTT_OFFSET = 8 + 15 * 4


class Connection:
    """A TCP stream with bounded, deadline-based reads. Every read raises :class:`NetError` on failure."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, options: NetOptions) -> None:
        self.reader = reader
        self.writer = writer
        self.options = options
        self.received = 0

    async def send(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            async with asyncio.timeout(self.options.read_timeout):  # (inline: no task per send, as wait_for makes)
                await self.writer.drain()
        except TimeoutError:
            raise NetError(ErrorKind.TIMEOUT, "timed out sending") from None
        except OSError as exc:
            raise _os_error(exc, "send") from None

    async def _guard(self, coro: Awaitable[bytes], what: str, timeout: float | None) -> bytes:
        try:
            async with asyncio.timeout(self.options.read_timeout if timeout is None else timeout):
                data = await coro
        except TimeoutError:
            raise NetError(ErrorKind.TIMEOUT, f"no complete {what} within {self.options.read_timeout:g}s") from None
        except asyncio.IncompleteReadError as exc:
            got = exc.partial
            kind = ErrorKind.RESET if not got else ErrorKind.MALFORMED
            raise NetError(kind, f"connection closed after {len(got)} byte(s) of {what}", received=got) from None
        except asyncio.LimitOverrunError:
            raise NetError(ErrorKind.TOO_LARGE, f"{what} longer than the read limit") from None
        except OSError as exc:
            raise _os_error(exc, f"read {what}") from None
        self.received += len(data)
        return data

    async def read_exact(self, n: int, what: str = "data", *, timeout: float | None = None) -> bytes:
        if n > DEFAULT_MAX_READ:
            raise NetError(ErrorKind.TOO_LARGE, f"{what}: refusing to read {n} bytes")
        return await self._guard(self.reader.readexactly(n), what, timeout)

    async def read_some(self, max_bytes: int = 4096, what: str = "data", *, timeout: float | None = None) -> bytes:
        """One read of up to ``max_bytes``; b"" means the peer closed."""
        return await self._guard(self.reader.read(max_bytes), what, timeout)

    async def read_line(self, max_bytes: int = 8192, what: str = "line", *, timeout: float | None = None) -> bytes:
        """A line ending in LF, at most ``max_bytes`` (the stream limit is set from it in connect)."""

        async def _line() -> bytes:
            line = await self.reader.readuntil(b"\n")
            if len(line) > max_bytes:
                raise asyncio.LimitOverrunError("line too long", len(line))
            return line

        return await self._guard(_line(), what, timeout)

    def rtt(self) -> float | None:
        """The kernel's round-trip estimate for this connection, in seconds (Linux TCP_INFO ``tcpi_rtt``,
        from the handshake's SYN / SYN-ACK at least); None where the kernel does not say."""
        sock = self.writer.get_extra_info("socket")
        try:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
            return float(struct.unpack_from("=I", info, _TCPI_RTT_OFFSET)[0]) / 1e6
        except (AttributeError, OSError, struct.error):
            return None

    def close(self) -> None:
        transport = self.writer.transport
        try:
            transport.abort()  # RST-free fast close is not needed: abort frees the socket now
        except Exception:  # noqa: BLE001 - closing a broken transport must never fail the probe
            pass


def _os_error(exc: OSError, stage: str) -> NetError:
    if isinstance(exc, ConnectionRefusedError):
        return NetError(ErrorKind.REFUSED, f"{stage}: connection refused")
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return NetError(ErrorKind.RESET, f"{stage}: connection reset by peer")
    if isinstance(exc, socket.gaierror):
        return NetError(ErrorKind.DNS, f"{stage}: name resolution failed ({exc.strerror or exc})")
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL):
        return NetError(ErrorKind.UNREACHABLE, f"{stage}: {exc.strerror or exc}")
    if exc.errno == errno.ETIMEDOUT:
        return NetError(ErrorKind.TIMEOUT, f"{stage}: {exc.strerror or exc}")
    return NetError(ErrorKind.UNREACHABLE, f"{stage}: {exc.strerror or exc}")


async def _resolve(host: str, port: int, timeout: float) -> str:
    """One address for ``host``; under the loopback guard every resolved address must be loopback."""
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        return host
    except OSError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
    except TimeoutError:
        raise NetError(ErrorKind.DNS, f"resolving {host!r} timed out") from None
    except OSError as exc:
        raise _os_error(exc, f"resolve {host!r}") from None
    addrs = [str(info[4][0]) for info in infos]
    if not addrs:
        raise NetError(ErrorKind.DNS, f"{host!r} has no address")
    if loopback_only() and not all(is_loopback_host(a) for a in addrs):
        raise NetError(ErrorKind.SKIPPED, f"{host!r} resolves outside loopback; refused by the test guard")
    return addrs[0]


@asynccontextmanager
async def connect(
    host: str, port: int, options: NetOptions, *, stream_limit: int = 65536
) -> AsyncIterator[Connection]:
    """Open a TCP connection within the scan's per-host limit and rate; abort it on exit."""
    try:
        check_loopback_guard(host)
    except TargetSpecError as exc:
        raise NetError(ErrorKind.SKIPPED, str(exc)) from None
    limiter = current_limiter()
    slot = limiter.host_slot(host) if limiter is not None else _no_slot()
    async with slot:
        addr = await _resolve(host, port, options.connect_timeout)
        try:
            async with asyncio.timeout(options.connect_timeout):
                dialled = predial.take(addr, port)
                adopted = await _adopt(dialled, stream_limit) if dialled is not None else None
                if adopted is None:
                    reader, writer = await asyncio.open_connection(addr, port, limit=stream_limit)
                else:
                    reader, writer = adopted
        except TimeoutError:
            raise NetError(ErrorKind.TIMEOUT, f"connect timed out after {options.connect_timeout:g}s") from None
        except OSError as exc:
            raise _os_error(exc, "connect") from None
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        conn = Connection(reader, writer, options)
        try:
            yield conn
        finally:
            conn.close()


async def _adopt(sock: socket.socket, stream_limit: int
                 ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    """A connection :mod:`pqscan.collect.net.predial` started: wait until its TCP handshake is done (it
    usually is), then use it as :func:`asyncio.open_connection` would have. None when the server has
    closed it meanwhile: a fresh connection is opened instead, so that a close stays the server's
    answer to what the probe sends, not to the wait."""
    try:
        if not _connected(sock):
            loop = asyncio.get_running_loop()
            writable = loop.create_future()
            loop.add_writer(sock.fileno(), lambda: writable.done() or writable.set_result(None))
            try:
                await writable
            finally:
                loop.remove_writer(sock.fileno())
            if not _connected(sock):
                raise OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN))
        if _closed_by_peer(sock):
            sock.close()
            return None
        return await asyncio.open_connection(sock=sock, limit=stream_limit)
    except BaseException:
        sock.close()
        raise


def _closed_by_peer(sock: socket.socket) -> bool:
    """End of stream or a reset already waiting (a banner the server sent first is not a close)."""
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


def _connected(sock: socket.socket) -> bool:
    """True once a non-blocking connect has finished; raises the OSError it failed with."""
    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if error:
        raise OSError(error, os.strerror(error))
    try:
        sock.getpeername()
    except OSError as exc:
        if exc.errno == errno.ENOTCONN:
            return False
        raise
    return True


@asynccontextmanager
async def _no_slot() -> AsyncIterator[None]:
    yield


# -- running a scan -----------------------------------------------------------------------------


def _failed(endpoint: Endpoint, options: NetOptions, kind: ErrorKind, message: str) -> ScanResult:
    result = ScanResult(endpoint.key, options.collector)
    result.error("endpoint", kind, message)
    return result


ResultCallback = Callable[[ScanResult], None]


async def scan_endpoints(
    endpoints: Iterable[Endpoint],
    probe: ProbeFn,
    options: NetOptions,
    *,
    skip_keys: frozenset[str] | set[str] = frozenset(),
    on_result: ResultCallback | None = None,
    limiter: Limiter | None = None,
    keep_results: bool = True,
) -> list[ScanResult]:
    """Probe every endpoint (minus ``skip_keys``); hand each result to ``on_result`` when it finishes.

    ``endpoints`` is consumed lazily by ``options.concurrency`` workers. The returned list holds the
    results unless ``keep_results`` is False (then it is empty: the callback is the only channel).
    """
    limiter = limiter or Limiter(options.per_host, options.rate)
    token = _LIMITER.set(limiter)
    results: list[ScanResult] = []
    queue = (e for e in endpoints if e.key not in skip_keys)

    async def run_one(endpoint: Endpoint) -> ScanResult:
        budget = options.budget()
        try:
            return await asyncio.wait_for(probe(endpoint, options), budget)
        except TimeoutError:
            return _failed(endpoint, options, ErrorKind.TIMEOUT, f"endpoint not finished within {budget:g}s")
        except NetError as exc:
            return _failed(endpoint, options, exc.kind, str(exc))
        except Exception as exc:  # noqa: BLE001 - a probe bug must not stop the other endpoints
            log.debug("probe crashed on %s", endpoint.key, exc_info=True)
            return _failed(endpoint, options, ErrorKind.INTERNAL, f"{type(exc).__name__}: {exc}")

    async def worker() -> None:
        me = asyncio.current_task()
        for endpoint in queue:  # the shared iterator hands each endpoint to exactly one worker
            result = await run_one(endpoint)
            if keep_results:
                results.append(result)
            if on_result is not None:
                on_result(result)
            if me is not None and me.cancelling():
                # Python 3.11's wait_for drops a cancel that lands as the probe finishes (Ctrl-C at
                # that instant): stop here rather than start the next endpoint.
                raise asyncio.CancelledError

    try:
        workers = [asyncio.create_task(worker()) for _ in range(max(1, options.concurrency))]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
    finally:
        _LIMITER.reset(token)
    return results


def raise_fd_limit(wanted: int) -> None:
    """Lift the soft open-files limit towards ``wanted`` (never above the hard limit)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = min(hard, max(soft, wanted)) if hard != resource.RLIM_INFINITY else max(soft, wanted)
        if target > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        pass


def run_scan(
    endpoints: Iterable[Endpoint],
    probe: ProbeFn,
    options: NetOptions,
    *,
    skip_keys: frozenset[str] | set[str] = frozenset(),
    on_result: ResultCallback | None = None,
    keep_results: bool = True,
) -> list[ScanResult]:
    """Synchronous wrapper (see :func:`scan_endpoints`). Ctrl-C propagates as KeyboardInterrupt; what
    ``on_result`` already received is the caller's to keep."""
    raise_fd_limit(options.concurrency * options.per_host + 256)
    outer = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}  # before asyncio's own
    return asyncio.run(_interruptible(scan_endpoints(endpoints, probe, options, skip_keys=skip_keys,
                                                     on_result=on_result, keep_results=keep_results), outer))


async def _interruptible(scan: Awaitable[list[ScanResult]], outer: dict[int, Any]) -> list[ScanResult]:
    """Run ``scan`` so that SIGINT / SIGTERM end it at once, whichever thread the kernel hands the signal to.

    A Python signal handler runs only in the main thread, when it next executes bytecode: a signal
    delivered to another thread (getaddrinfo's executor) left the loop asleep in epoll until its next
    timer, up to a read timeout later, and a cancel landing as a probe finished was dropped by
    ``wait_for``. The loop's own handler wakes it through its self-pipe; the scan is cancelled and the
    handler that was in place before ``asyncio.run`` (``outer``: Ctrl-C's KeyboardInterrupt, the CLI's
    SIGTERM) is then run, so callers see the same exception as before and keep what ``on_result``
    received."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    received: list[int] = []
    installed: dict[int, Any] = {}

    def on_signal(signum: int) -> None:
        received.append(signum)
        if task is not None:
            task.cancel()

    for signum, handler in outer.items():
        if callable(handler):
            previous = signal.getsignal(signum)  # asyncio.run's own SIGINT handler: put back after
            try:
                loop.add_signal_handler(signum, on_signal, signum)
            except (ValueError, RuntimeError):  # not the main thread (a cluster worker, an embedding app)
                continue
            installed[signum] = previous
    try:
        return await scan
    except asyncio.CancelledError:
        if received:
            outer[received[0]](received[0], None)  # raises KeyboardInterrupt / the CLI's Terminated
        raise
    finally:
        for signum, previous in installed.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, previous)
