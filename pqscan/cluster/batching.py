"""Lazy batches for the cluster, and the share of the limits each batch gets.

Pure functions and small classes, no Dask: the runner (:mod:`pqscan.cluster.runner`) drives them.

* Targets are read from an iterator only as batches are needed, so a million-line ``@file`` is
  never held in memory: at most ``max_buffered`` targets wait in buffers.
* With ``host_of`` (network scans) every target belongs to one of ``shards`` buckets by a hash of
  its host, and a bucket has at most one batch in flight: all connections to one host come from
  one batch, so the per-host limit of that batch's scan holds cluster-wide, undivided.
* :func:`share_limits` divides the global concurrency and rate among the batches that can run at
  once, so the whole cluster never exceeds them.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from pqscan.collect.net.netscan import NetOptions

T = TypeVar("T")


@dataclass(frozen=True)
class Batch(Generic[T]):
    number: int
    shards: frozenset[int]  # the host buckets in this batch (empty when batches are not tied to hosts)
    items: tuple[T, ...]


def shard_of(host: Hashable, shards: int) -> int:
    """A stable bucket for a host (crc32: the same in every process, unlike hash())."""
    return zlib.crc32(str(host).lower().encode("utf-8", "surrogatepass")) % shards


class Batcher(Generic[T]):
    """Cut a lazy stream of targets into batches, at most one in flight per host bucket.

    ``next_batch(busy)`` returns the next batch none of whose buckets is in ``busy`` (or None when none
    can be formed now); ``done`` says the stream is exhausted and every batch was handed out.
    """

    def __init__(self, items: Iterable[T], batch_size: int, *, host_of: Callable[[T], Hashable] | None = None,
                 shards: int = 1, max_buffered: int | None = None, spread: int = 1) -> None:
        self._items: Iterator[T] = iter(items)
        self.batch_size = max(1, batch_size)
        self.host_of = host_of
        self.shards = max(1, shards) if host_of is not None else 1
        self.max_buffered = max(self.batch_size, max_buffered or self.batch_size * self.shards * 2)
        self._buffers: list[list[T]] = [[] for _ in range(self.shards)]
        self._full: deque[tuple[int, list[T]]] = deque()
        self._buffered = 0
        self._exhausted = False
        self._number = 0
        self.spread = max(1, spread)  # at the end of the stream, what is left is shared by this many batches
        self._tail_limit = self.batch_size

    @property
    def done(self) -> bool:
        return self._exhausted and not self._full and self._buffered == 0

    def next_batch(self, busy: set[int] | frozenset[int] = frozenset()) -> Batch[T] | None:
        exclusive = self.host_of is not None
        while True:
            for i, (shard, items) in enumerate(self._full):
                if not (exclusive and shard in busy):
                    del self._full[i]
                    self._buffered -= len(items)
                    return self._batch({shard}, items)
            if self._exhausted or self._buffered >= self.max_buffered:
                # No full batch can go: fill one from the partial buffers of free buckets, largest first.
                free = sorted((s for s in range(self.shards) if self._buffers[s] and not (exclusive and s in busy)),
                              key=lambda s: -len(self._buffers[s]))
                if not free:
                    return None
                taken: set[int] = set()
                items = []
                limit = min(self.batch_size, self._tail_limit)
                for s in free:
                    if items and len(items) + len(self._buffers[s]) > limit:
                        continue
                    items.extend(self._buffers[s])
                    self._buffers[s] = []
                    taken.add(s)
                self._buffered -= len(items)
                return self._batch(taken, items)
            self._read_one()

    def _read_one(self) -> None:
        try:
            item = next(self._items)
        except StopIteration:
            self._exhausted = True
            # the last targets: one batch for each of `spread` workers rather than one for all
            self._tail_limit = max(1, -(-self._buffered // self.spread))
            return
        shard = shard_of(self.host_of(item), self.shards) if self.host_of is not None else 0
        buf = self._buffers[shard]
        buf.append(item)
        self._buffered += 1
        if len(buf) >= self.batch_size:
            self._full.append((shard, buf))
            self._buffers[shard] = []

    def _batch(self, shards: set[int], items: list[T]) -> Batch[T]:
        self._number += 1
        return Batch(self._number, frozenset(shards) if self.host_of is not None else frozenset(), tuple(items))


def share_limits(options: NetOptions, slots: int) -> NetOptions:
    """Each of ``slots`` simultaneous batches gets 1/slots of the concurrency and of the rate.

    The per-host limit is not divided: a host's targets are only ever in one running batch.
    """
    slots = max(1, slots)
    return replace(options, concurrency=max(1, options.concurrency // slots),
                   rate=None if options.rate is None else options.rate / slots)


def network_slots(threads: int, concurrency: int) -> int:
    """Batches in flight for a network scan: one per worker thread, never more than the concurrency
    (with concurrency 2 on 4 threads, two batches of one endpoint at a time hold the limit)."""
    return max(1, min(threads, concurrency))
