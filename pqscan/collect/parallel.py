"""Scan files in worker processes, results in walk order.

Files are sent in batches (16 files or 256 KB: a batch costs far more than shipping it, and the last
batches are small enough to keep every worker busy to the end); a tree smaller than one batch is
scanned in this process, without starting any worker. Workers are forked once what the first batch's
languages need is loaded here (``prepare``), so they do not each load it again. Results come
back in exactly the order the walk produced the files, whatever the number of workers, so output is
the same as a serial scan's. When a worker dies (a crash in a parser) the pool is replaced and the
oldest unfinished batch runs again alone; if it kills a worker alone, each of its files gets an
error and the other batches carry on.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from pqscan.model import ErrorKind, ScanResult

BATCH_FILES = 16
BATCH_BYTES = 256 * 1024
IN_FLIGHT_PER_WORKER = 3  # batches queued per worker: enough to keep it busy, bounded memory

Item = TypeVar("Item")


def _context() -> multiprocessing.context.BaseContext:
    # fork: workers inherit the loaded rules and grammars (no start-up per worker). Elsewhere the
    # platform default (spawn; fork is unsafe on macOS).
    return multiprocessing.get_context("fork") if sys.platform.startswith("linux") else multiprocessing.get_context()


def ordered_scan(items: Iterable[Item], scan_batch: Callable[[list[Item]], list[ScanResult]],
                 size_of: Callable[[Item], int], target_of: Callable[[Item], str], jobs: int,
                 prepare: Callable[[list[Item]], None] | None = None) -> Iterator[ScanResult]:
    """``scan_batch`` over ``items`` in batches on ``jobs`` processes; one result per item, in order.

    ``scan_batch`` must be a module-level function (it is pickled) that never raises for one file.
    ``prepare`` is called here with the first batch before the workers are forked (they inherit what it
    loads: without it each worker loads the rules and grammars again); never with items' own bytes parsed
    here, so a file that crashes a parser still only kills a worker."""
    queue: deque[list] = deque()  # [batch, attempt, future or None], in walk order  # type: ignore[type-arg]
    pool: ProcessPoolExecutor | None = None
    alone = False  # after a worker died: the oldest batch runs by itself
    batch: list[Item] = []
    batch_bytes = 0

    def start() -> None:
        nonlocal pool
        if pool is None:
            context = _context()
            if prepare is not None and context.get_start_method() == "fork" and queue:
                try:
                    prepare(queue[0][0])
                except Exception:  # noqa: BLE001 - only a saving: the workers load what they need themselves
                    pass
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
        for entry in ([queue[0]] if alone else queue):
            if entry[2] is None:
                try:
                    entry[2] = pool.submit(scan_batch, entry[0])
                except BrokenProcessPool as exc:  # a worker died since the last look: seen at collection
                    failed: Future[list[ScanResult]] = Future()
                    failed.set_exception(exc)
                    entry[2] = failed

    def head_results() -> list[ScanResult]:
        nonlocal pool, alone
        start()
        entry = queue[0]
        try:
            results: list[ScanResult] = entry[2].result()
        except BrokenProcessPool:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            pool = None
            for e in queue:
                e[2] = None
            if entry[1] == 0:  # which batch killed the worker is unknown: run this one alone
                entry[1], alone = 1, True
                return []
            results = [_died(target_of(item)) for item in entry[0]]
        queue.popleft()
        alone = False
        return results

    try:
        for item in items:
            batch.append(item)
            batch_bytes += size_of(item)
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                queue.append([batch, 0, None])
                batch, batch_bytes = [], 0
                start()
            while len(queue) > jobs * IN_FLIGHT_PER_WORKER:
                yield from head_results()
        if not queue and pool is None:  # the tree fits in one batch: no worker is worth starting
            yield from scan_batch(batch)
            return
        if batch:
            queue.append([batch, 0, None])
        while queue:
            yield from head_results()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _died(target: str) -> ScanResult:
    result = ScanResult(target=target, collector="code")
    result.error("scan", ErrorKind.INTERNAL, "the worker process scanning this file's batch died twice")
    return result
