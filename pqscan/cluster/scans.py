"""The scans pqscan can run on a Dask cluster, with the same call shapes as the local ones.

``Cluster(address, segment)`` is opened once (a client, and a LocalCluster for ``local:N``) and
offers:

* :meth:`Cluster.run_scan` -- the signature of :func:`pqscan.collect.net.netscan.run_scan`
  (endpoints, probe, options, skip_keys, on_result): TLS and SSH endpoints;
* :meth:`Cluster.map_batches` -- the jobs of the one path walk (:mod:`pqscan.collect.dispatch`),
  through its ``run_batch`` on the workers; :class:`pqscan.collect.paths.PathScan` uses it when
  given a cluster. The walk and every result made on the spot (skips, certificates and keys,
  manifests, configs, cross-file links) stay on the client; the jobs (the code parser's) carry the
  bytes the client read, so the workers need not see the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pqscan.cluster.batching import network_slots, share_limits
from pqscan.cluster.connection import (
    CONNECT_TIMEOUT,
    WORKER_WAIT,
    ClusterAddress,
    ClusterError,
    WorkerInfo,
    check_versions,
    eligible_workers,
    open_client,
    parse_address,
)
from pqscan.cluster.runner import ClusterStats, iter_batches, run_batches
from pqscan.cluster.tasks import CallBatch, NetworkBatch
from pqscan.model import ScanResult

# Chosen from benchmarks/bench_cluster.py (see docs/cluster.md). A network batch runs its endpoints
# concurrently (its share of --concurrency) and holds its worker thread until its slowest endpoint
# ends: it is NETWORK_BATCH_ROUNDS times its concurrency, so the tail is a small part of its life.
NETWORK_BATCH_ROUNDS = 4
DEFAULT_FILES_BATCH = 128
PATH_IN_FLIGHT_PER_THREAD = 2  # CPU-bound batches queued per worker thread: no idle gap between batches


@dataclass
class Cluster:
    """A connection to a Dask cluster for the duration of one command (use as a context manager)."""

    address: ClusterAddress
    segment: str | None = None
    network_batch: int | None = None  # endpoints per batch; None: NETWORK_BATCH_ROUNDS x its concurrency
    files_batch: int = DEFAULT_FILES_BATCH
    connect_timeout: float = CONNECT_TIMEOUT
    worker_wait: float = WORKER_WAIT
    stats: list[ClusterStats] = field(default_factory=list)
    _client: Any = None
    _context: Any = None
    _workers: list[WorkerInfo] = field(default_factory=list)

    @classmethod
    def parse(cls, address: str, segment: str | None = None, **kw: Any) -> Cluster:
        if segment is not None and not _valid_segment(segment):
            raise ClusterError(f"--segment {segment!r}: use letters, digits, '.', '_' or '-'")
        return cls(parse_address(address), segment, **kw)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> Any:
        """The client, connected and checked (workers of the segment present, same pqscan version)."""
        if self._client is None:
            import pqscan

            self._context = open_client(self.address, segment=self.segment, timeout=self.connect_timeout)
            client = self._context.__enter__()
            try:
                self._workers = eligible_workers(client, self.segment, wait=self.worker_wait)
                check_versions(client, self._workers, pqscan.__version__)
            except BaseException:
                self._context.__exit__(None, None, None)
                self._context = None
                raise
            self._client = client
        return self._client

    @property
    def threads(self) -> int:
        return sum(w.threads for w in self._workers) or 1

    def close(self) -> None:
        if self._context is not None:
            self._context.__exit__(None, None, None)
        self._context = self._client = None

    def _run(self, items: Iterable[Any], scan: Any, on_result: Callable[[ScanResult], None], *, batch_size: int,
             in_flight: int, host_of: Any = None, on_output: Any = None) -> ClusterStats:
        import pqscan

        stats = run_batches(self.connect(), items, scan, on_result, version=pqscan.__version__,
                            batch_size=batch_size, in_flight=in_flight, host_of=host_of, segment=self.segment,
                            on_output=on_output)
        self.stats.append(stats)
        return stats

    # -- network ---------------------------------------------------------------------------------

    def run_scan(self, endpoints: Iterable[Any], probe: Any, options: Any, *,
                 skip_keys: frozenset[str] | set[str] = frozenset(), on_result: Callable[[ScanResult], None] | None = None,
                 keep_results: bool = True, writer: Any = None, progress: Any = None) -> list[ScanResult]:
        """:func:`~pqscan.collect.net.netscan.run_scan` on the cluster: the concurrency and rate are
        shared among the batches in flight; a host's endpoints are only ever in one running batch,
        so the per-host limit holds as it does locally. (``writer``/``progress`` keep the older
        call shape working: each result is written with its done marker, no bar is drawn.)"""
        self.connect()
        slots = network_slots(self.threads, options.concurrency)
        results: list[ScanResult] = []

        def take(result: ScanResult) -> None:
            if keep_results:
                results.append(result)
            if writer is not None:
                writer.write_result(result, done=True)
            if on_result is not None:
                on_result(result)

        todo = (e for e in endpoints if e.key not in skip_keys)
        shared = share_limits(options, slots)
        size = self.network_batch or shared.concurrency * NETWORK_BATCH_ROUNDS
        self._run(todo, NetworkBatch(probe, shared), take, batch_size=size, in_flight=slots, host_of=_host_of)
        return results

    # -- paths -----------------------------------------------------------------------------------

    def map_batches(self, work: Iterable[Any], run_batch: Callable[[list[Any]], list[ScanResult]], *,
                    passthrough: Callable[[Any], bool] | None = None) -> Iterator[ScanResult]:
        """Any collector's work items through a module-level ``run_batch(list) -> list[ScanResult]``
        on the workers (the seam local worker pools use); results yielded in the order of ``work``
        (``run_batch`` gives one result per item), as :func:`pqscan.collect.dispatch.run` does, items
        that ``passthrough`` says are results already without leaving the client."""
        import pqscan

        self.connect()
        stats = ClusterStats()
        self.stats.append(stats)
        yield from iter_batches(self._client, work, CallBatch(run_batch), stats, version=pqscan.__version__,
                                batch_size=self.files_batch, in_flight=self.threads * PATH_IN_FLIGHT_PER_THREAD,
                                segment=self.segment, passthrough=passthrough, ordered=True)


def _host_of(endpoint: Any) -> str:
    return str(endpoint.host)


def _valid_segment(name: str) -> bool:
    import re

    return re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}", name) is not None
