"""Cutting targets into cluster batches: lazily, a host's targets never in two running batches, limits shared."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from pqscan.cluster.batching import Batcher, network_slots, share_limits
from pqscan.collect.net.netscan import NetOptions


def drain(batcher: Batcher[tuple[str, int]], max_running: int) -> list[list[tuple[str, int]]]:
    """Hand out batches as the runner does: up to max_running at once, oldest finishing first."""
    running: list[tuple[frozenset[int], list[tuple[str, int]]]] = []
    done: list[list[tuple[str, int]]] = []
    while not batcher.done or running:
        busy = {s for shards, _ in running for s in shards}
        batch = batcher.next_batch(busy) if len(running) < max_running else None
        if batch is not None:
            hosts_running = {h for _, items in running for h, _ in items}
            assert not hosts_running & {h for h, _ in batch.items}, "a host in two running batches"
            running.append((batch.shards, list(batch.items)))
            continue
        if not running:
            assert batcher.done, "nothing running and no batch handed out"
            break
        done.append(running.pop(0)[1])
    return done


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(1, 65535)), max_size=200),
       st.integers(1, 9), st.integers(1, 5))
def test_every_target_is_in_exactly_one_batch_and_no_host_runs_twice_at_once(
        targets: list[tuple[str, int]], size: int, running: int) -> None:
    batches = drain(Batcher(targets, size, host_of=lambda t: t[0], shards=running * 4), running)
    assert sorted(itertools.chain.from_iterable(batches)) == sorted(targets)
    assert all(1 <= len(b) <= size for b in batches)


def test_targets_are_read_lazily_never_more_than_the_buffer() -> None:
    read = 0

    def million() -> Iterator[tuple[str, int]]:
        nonlocal read
        for i in range(1_000_000):
            read += 1
            yield (f"10.0.{i // 256 % 256}.{i % 256}", 443)

    batcher = Batcher(million(), 16, host_of=lambda t: t[0], shards=8, max_buffered=256)
    first = batcher.next_batch()
    assert first is not None and len(first.items) == 16
    assert read <= 256


def test_small_scans_are_not_cut_into_one_batch_per_host() -> None:
    targets = [(f"127.0.0.{i}", 443) for i in range(1, 7)]
    batches = drain(Batcher(targets, 2, host_of=lambda t: t[0], shards=8), 2)
    assert sorted(len(b) for b in batches) == [2, 2, 2]


def test_a_short_list_is_shared_among_the_workers_not_put_in_one_large_batch() -> None:
    targets = [(f"127.0.0.{i}", 443) for i in range(1, 65)]
    batcher = Batcher(targets, 128, host_of=lambda t: t[0], shards=16, spread=2)
    first = batcher.next_batch()
    second = batcher.next_batch(first.shards if first else frozenset())
    assert first is not None and second is not None
    assert (len(first.items), len(second.items)) == (32, 32)


def test_without_hosts_batches_are_cut_in_order() -> None:
    batcher = Batcher(range(10), 4)
    batches = []
    while (batch := batcher.next_batch({0})) is not None:  # buckets do not matter without hosts
        batches.append(list(batch.items))
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and batcher.done


def test_concurrency_and_rate_are_shared_among_the_batches_in_flight() -> None:
    opts = NetOptions(concurrency=128, rate=100.0, per_host=8)
    shared = share_limits(opts, 4)
    assert (shared.concurrency, shared.rate, shared.per_host) == (32, 25.0, 8)
    assert share_limits(NetOptions(concurrency=3), 4).concurrency == 1
    assert network_slots(threads=8, concurrency=2) == 2  # two one-endpoint batches: never more than 2 at once
    assert network_slots(threads=2, concurrency=128) == 2
