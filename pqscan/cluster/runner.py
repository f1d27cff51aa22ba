"""The client loop: batches out to Dask workers, results back to the caller's callback as batches finish.

* bounded: at most ``in_flight`` batches exist at once (a million targets never become a million
  futures), and targets are read lazily (:class:`~pqscan.cluster.batching.Batcher`);
* nothing lost: a batch whose worker dies is re-run elsewhere by the scheduler (Dask reschedules
  tasks of a lost worker, up to ``distributed.scheduler.allowed-failures`` times); a batch returns
  all its results at once, so a killed batch delivered nothing;
* nothing twice: results whose target was already delivered are dropped (counted in the stats);
* every failure of the cluster itself is a :class:`~pqscan.cluster.connection.ClusterError` raised
  after the results already handed to ``on_result`` -- the caller keeps them (its sink streams them).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import Any

from pqscan.cluster.batching import Batch, Batcher
from pqscan.cluster.connection import ClusterError, segment_resource, worker_failure
from pqscan.cluster.tasks import BatchOutput, WorkerVersionMismatch, run_batch
from pqscan.model import ScanResult

LOST_CONNECTION_GRACE = 10.0  # seconds the client may spend reconnecting before the run is declared lost
POLL = 0.5


@dataclass
class ClusterStats:
    batches: int = 0
    results: int = 0
    duplicates: int = 0  # results dropped because their target was already delivered
    by_worker: Counter[str] = field(default_factory=Counter)  # batches per worker
    seconds: float = 0.0
    submit_seconds: float = 0.0  # client time spent submitting and collecting (the scheduler overhead seen here)


def run_batches(client: Any, items: Iterable[Any], scan: Callable[[Any], Any],
                on_result: Callable[[ScanResult], None], *, version: str, batch_size: int, in_flight: int,
                host_of: Callable[[Any], Hashable] | None = None, segment: str | None = None,
                on_output: Callable[[BatchOutput], None] | None = None) -> ClusterStats:
    """Run ``scan`` over ``items`` in batches on the cluster; each result to ``on_result`` once."""
    stats = ClusterStats()
    for result in iter_batches(client, items, scan, stats, version=version, batch_size=batch_size,
                               in_flight=in_flight, host_of=host_of, segment=segment, on_output=on_output):
        on_result(result)
    return stats


def iter_batches(client: Any, items: Iterable[Any], scan: Callable[[Any], Any], stats: ClusterStats, *,
                 version: str, batch_size: int, in_flight: int, host_of: Callable[[Any], Hashable] | None = None,
                 segment: str | None = None, on_output: Callable[[BatchOutput], None] | None = None,
                 passthrough: Callable[[Any], bool] | None = None, ordered: bool = False) -> Iterator[ScanResult]:
    """Run ``scan`` over ``items`` in batches on the cluster; yield each result once, as batches finish.

    ``host_of`` ties each item to a host: a host's items are only ever in one running batch.
    ``on_output`` also receives each batch's :class:`BatchOutput` (for per-collector extras).
    ``passthrough`` marks items that already are results (a walk's skip records): yielded here,
    never shipped. ``ordered``: results in the order of ``items`` (``scan`` gives one result per item,
    in order), as a local run gives them -- the inventory then merges each asset seen by several
    collectors in the same order, so it is the same; out-of-order results wait (at most ``in_flight``
    batches of them, and the passthrough items read meanwhile).
    """
    from distributed import wait

    started = time.monotonic()
    in_flight = max(1, in_flight)
    ready: deque[ScanResult] = deque()
    sequence = _Sequence() if ordered else None
    if sequence is not None:
        items = sequence.number(items, passthrough)
    elif passthrough is not None:
        items = _divert(items, passthrough, ready)
    batcher: Batcher[Any] = Batcher(items, batch_size, host_of=host_of, shards=in_flight * 4,
                                    max_buffered=batch_size * in_flight * 4, spread=in_flight)
    resources = {segment_resource(segment): 1} if segment else None
    run_id = uuid.uuid4().hex[:12]
    running: dict[Any, Batch[Any]] = {}
    delivered: set[tuple[str, str]] = set()  # (collector, target): one file may have a result per collector
    lost_since: float | None = None

    def submit() -> None:
        busy = {s for b in running.values() for s in b.shards}
        while len(running) < in_flight:
            batch = batcher.next_batch(busy)
            if batch is None:
                return
            shipped = tuple(item for _, item in batch.items) if sequence is not None else batch.items
            fut = client.submit(run_batch, scan, shipped, version, segment, resources=resources,
                                pure=False, key=f"pqscan-batch-{run_id}-{batch.number}")
            running[fut] = batch
            busy |= batch.shards

    def collect(fut: Any) -> list[ScanResult]:
        batch = running.pop(fut)
        if fut.status == "error":
            raise _batch_error(fut, batch, stats)
        if fut.status != "finished":
            raise ClusterError(f"lost batch {batch.number} ({fut.status}): the Dask scheduler cancelled it; "
                               f"{stats.results} result(s) kept")
        out: BatchOutput = fut.result()
        fut.release()
        stats.batches += 1
        stats.by_worker[out.worker] += 1
        fresh = [r for r in out.results if (r.collector, r.target) not in delivered]
        stats.duplicates += len(out.results) - len(fresh)
        delivered.update((r.collector, r.target) for r in fresh)
        stats.results += len(fresh)
        if on_output is not None:
            on_output(out)
        if sequence is not None:
            sequence.place([seq for seq, _ in batch.items], out.results, set(map(id, fresh)))
            return sequence.release()
        return fresh

    current = client.as_current()  # distributed.wait() looks up the client as the current one
    current.__enter__()
    try:
        while True:
            t0 = time.monotonic()
            submit()
            stats.submit_seconds += time.monotonic() - t0
            while ready:
                yield ready.popleft()
            if sequence is not None:
                yield from sequence.release()
            if not running:
                if batcher.done:
                    break
                raise AssertionError("batcher has items but hands out no batch with nothing running")
            try:
                done, _ = wait(list(running), timeout=POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            except CancelledError:  # FuturesCancelledError: the client lost the scheduler
                raise ClusterError(f"lost the connection to the Dask scheduler at {client.scheduler.address}; "
                                   f"{stats.results} result(s) kept (re-run with --resume to finish)") from None
            if not done:
                lost_since = _check_connection(client, lost_since, stats)
                continue
            lost_since = None
            t0 = time.monotonic()
            fresh = [r for fut in done for r in collect(fut)]
            stats.submit_seconds += time.monotonic() - t0
            yield from fresh
    finally:
        for fut in running:
            fut.cancel()
        current.__exit__(None, None, None)
        stats.seconds = time.monotonic() - started


class _Sequence:
    """Results back in the order of their items: each item numbered as it is read; a result (or a
    passthrough item) waits until every earlier one was released."""

    def __init__(self) -> None:
        self.next = 0
        self.waiting: dict[int, list[ScanResult]] = {}

    def number(self, items: Iterable[Any], passthrough: Callable[[Any], bool] | None) -> Iterator[tuple[int, Any]]:
        for seq, item in enumerate(items):
            if passthrough is not None and passthrough(item):
                self.waiting[seq] = [item]
            else:
                yield seq, item

    def place(self, seqs: list[int], results: list[ScanResult], keep: set[int]) -> None:
        if len(results) != len(seqs):
            raise AssertionError(f"an ordered batch of {len(seqs)} items gave {len(results)} results")
        for seq, result in zip(seqs, results, strict=True):
            self.waiting[seq] = [result] if id(result) in keep else []  # [] : a duplicate, dropped

    def release(self) -> list[ScanResult]:
        out: list[ScanResult] = []
        while self.next in self.waiting:
            out.extend(self.waiting.pop(self.next))
            self.next += 1
        return out


def _divert(items: Iterable[Any], passthrough: Callable[[Any], bool], ready: deque[ScanResult]) -> Iterator[Any]:
    for item in items:
        if passthrough(item):
            ready.append(item)
        else:
            yield item


def _check_connection(client: Any, lost_since: float | None, stats: ClusterStats) -> float | None:
    if client.status == "running":
        return None
    now = time.monotonic()
    if client.status in ("closed", "closing", "failed") or (lost_since is not None
                                                            and now - lost_since > LOST_CONNECTION_GRACE):
        raise ClusterError(f"lost the connection to the Dask scheduler at {client.scheduler.address}; "
                           f"{stats.results} result(s) kept (re-run with --resume to finish)")
    return lost_since if lost_since is not None else now


def _batch_error(fut: Any, batch: Batch[Any], stats: ClusterStats) -> ClusterError:
    from distributed import KilledWorker

    try:
        exc = fut.exception(timeout=5)
    except Exception as err:  # noqa: BLE001 - the scheduler may be gone too
        exc = err
    kept = f"{stats.results} result(s) kept"
    if isinstance(exc, WorkerVersionMismatch):
        return ClusterError(f"{exc}: install the same pqscan on every worker; {kept}")
    if isinstance(exc, KilledWorker):
        return ClusterError(f"batch {batch.number} ({len(batch.items)} targets) killed every worker that "
                            f"ran it; {kept} (re-run with --resume)")
    return ClusterError(f"{worker_failure('running batch ' + str(batch.number), exc)}; {kept}")
