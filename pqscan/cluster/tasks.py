"""What runs on a Dask worker: the same library scans pqscan runs locally, one batch at a time.

Everything here is module-level and picklable (frozen dataclasses holding module-level functions),
so a worker needs pqscan installed -- the same version as the client, checked in every batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pqscan.model import Asset, ScanResult

WORKER_ATTRIBUTE = "scan_worker"
SEGMENT_ATTRIBUTE = "scan_segment"


class WorkerVersionMismatch(Exception):
    """Raised on a worker whose pqscan differs from the client's (the client turns it into a ClusterError)."""


@dataclass(frozen=True)
class BatchOutput:
    results: list[ScanResult]
    worker: str
    extra: dict[str, Any] = field(default_factory=dict)  # per-collector data the client needs (certs: DER)


def worker_report() -> dict[str, str]:
    """Run on each worker by ``Client.run``: which pqscan and Python it has."""
    import platform

    import pqscan

    return {"pqscan": pqscan.__version__, "python": platform.python_version()}


def _worker_name() -> str:
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return "local"
    return str(worker.name if worker.name is not None else worker.address)


def tag_provenance(result: ScanResult, worker: str, segment: str | None) -> ScanResult:
    """Record which worker (and segment) produced the result on its main asset.

    The main asset is the one named like the target (``tls://h:p``, ``ssh://h:p``, ``file:<path>``),
    else the result's first asset. Ids and findings are untouched, so the inventory equals a local one's.
    """
    if not result.assets:
        return result
    ids = (result.target, f"file:{result.target}")
    index = next((i for i, a in enumerate(result.assets) if a.id in ids), 0)
    main: Asset = result.assets[index]
    attrs = {**main.attributes, WORKER_ATTRIBUTE: worker}
    if segment is not None:
        attrs[SEGMENT_ATTRIBUTE] = segment
    assets = list(result.assets)
    assets[index] = replace(main, attributes=attrs)
    return ScanResult(result.target, result.collector, assets, result.findings, result.errors)


def run_batch(scan: Callable[[Sequence[Any]], BatchOutput | list[ScanResult]], items: Sequence[Any],
              version: str, segment: str | None) -> BatchOutput:
    """The Dask task: check the version, scan the batch, tag each result with this worker."""
    import pqscan

    if pqscan.__version__ != version:
        raise WorkerVersionMismatch(f"worker {_worker_name()} runs pqscan {pqscan.__version__}, "
                                    f"the client {version}")
    out = scan(items)
    worker = _worker_name()
    if isinstance(out, list):
        out = BatchOutput(out, worker)
    return BatchOutput([tag_provenance(r, worker, segment) for r in out.results], worker, out.extra)


# -- the scans a batch can run ---------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkBatch:
    """Probe a batch of endpoints with the local network scanner (its own limiter: this batch's share)."""

    probe: Callable[..., Any]
    options: Any  # NetOptions, already divided by share_limits

    def __call__(self, endpoints: Sequence[Any]) -> list[ScanResult]:
        from pqscan.collect.net.netscan import raise_fd_limit, scan_endpoints

        raise_fd_limit(self.options.concurrency * self.options.per_host + 256)
        return asyncio.run(scan_endpoints(list(endpoints), self.probe, self.options))


@dataclass(frozen=True)
class CallBatch:
    """A collector's own module-level batch function (``run_batch(list) -> list[ScanResult]``)."""

    run_batch: Callable[[list[Any]], list[ScanResult]]

    def __call__(self, work: Sequence[Any]) -> list[ScanResult]:
        return self.run_batch(list(work))
