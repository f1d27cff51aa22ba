"""Connecting to a Dask cluster: ``tcp://host:port`` (a running ``dask scheduler``) or ``local:N``.

Every failure a user can meet here is one :class:`ClusterError` line (exit 2): the ``cluster`` extra
missing, a malformed address, an unreachable scheduler, no workers, a worker without pqscan or
with another version, no worker for a segment.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pqscan.errors import PqscanError

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
WORKER_WAIT = 10.0  # seconds to wait for the first worker (of the segment)
_LOCAL = re.compile(r"local:(\d{1,3})")


class ClusterError(PqscanError):
    """The cluster cannot run the scan (unreachable, no workers, wrong versions, lost connection)."""


@dataclass(frozen=True)
class ClusterAddress:
    scheduler: str | None  # tcp://host:port, or None for a LocalCluster
    local_workers: int = 0

    def __str__(self) -> str:
        return self.scheduler or f"local:{self.local_workers}"


def parse_address(text: str) -> ClusterAddress:
    """``tcp://host:port`` / ``tls://host:port`` or ``local:N`` (N worker processes on this machine)."""
    text = text.strip()
    if m := _LOCAL.fullmatch(text):
        n = int(m.group(1))
        if not 1 <= n <= 256:
            raise ClusterError(f"--cluster {text}: local:N needs 1 <= N <= 256 workers")
        return ClusterAddress(None, n)
    if re.fullmatch(r"(tcp|tls)://[^\s/]+:\d{1,5}", text):
        return ClusterAddress(text)
    raise ClusterError(f"--cluster {text!r}: expected tcp://HOST:PORT (a dask scheduler) or local:N")


@dataclass(frozen=True)
class WorkerInfo:
    address: str
    name: str
    threads: int
    resources: dict[str, float]


def segment_resource(segment: str) -> str:
    return f"segment-{segment}"


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError("--cluster needs Dask distributed: pip install 'pqscan[cluster]'") from None
    return distributed


@contextlib.contextmanager
def open_client(address: ClusterAddress, *, segment: str | None = None,
                timeout: float = CONNECT_TIMEOUT) -> Iterator[Any]:
    """A connected ``distributed.Client`` (and its LocalCluster, closed on exit)."""
    distributed = _import_distributed()
    cluster = None
    try:
        if address.scheduler is None:
            resources = {segment_resource(segment): 1} if segment else None
            cluster = distributed.LocalCluster(n_workers=address.local_workers, threads_per_worker=1,
                                               processes=True, dashboard_address=None,
                                               silence_logs=logging.ERROR, resources=resources)
            client = distributed.Client(cluster, timeout=timeout, set_as_default=False)
        else:
            try:
                client = distributed.Client(address.scheduler, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {address.scheduler}: "
                                   f"{_one_line(exc)}") from None
    except ClusterError:
        raise
    except Exception as exc:  # noqa: BLE001 - distributed raises many kinds; the user needs one line
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot start the Dask cluster {address}: {_one_line(exc)}") from None
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=5)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)


def workers(client: Any) -> list[WorkerInfo]:
    info = client.scheduler_info(n_workers=-1).get("workers", {})
    return [WorkerInfo(addr, str(w.get("name", addr)), int(w.get("nthreads", 1)),
                       {str(k): float(v) for k, v in (w.get("resources") or {}).items()})
            for addr, w in info.items()]


def eligible_workers(client: Any, segment: str | None, *, wait: float = WORKER_WAIT) -> list[WorkerInfo]:
    """The workers that may take this scan's batches (those with the segment's resource), waiting a
    little for them to register; a ClusterError when there are none."""
    import time

    deadline = time.monotonic() + wait
    resource = segment_resource(segment) if segment else None
    while True:
        found = [w for w in workers(client) if resource is None or w.resources.get(resource, 0) >= 1]
        if found or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    if not found:
        if resource is None:
            raise ClusterError(f"the Dask scheduler at {client.scheduler.address} has no workers "
                               f"(start some: dask worker {client.scheduler.address})")
        raise ClusterError(f"no worker of segment {segment!r} is connected "
                           f"(start one with: dask worker SCHEDULER --resources {resource}=1)")
    return found


def check_versions(client: Any, found: list[WorkerInfo], version: str) -> None:
    """Every eligible worker runs this pqscan version (a ClusterError naming the first that does not)."""
    from pqscan.cluster.tasks import worker_report

    try:
        reports = client.run(worker_report, workers=[w.address for w in found], on_error="return")
    except Exception as exc:  # noqa: BLE001 - the workers vanished or the call could not be sent
        raise ClusterError(f"cannot ask the Dask workers for their pqscan version: {_one_line(exc)}") from None
    names = {w.address: w.name for w in found}
    for addr, report in sorted(reports.items()):
        name = names.get(addr, addr)
        if isinstance(report, BaseException):
            raise ClusterError(worker_failure(name, report)) from None
        if report.get("pqscan") != version:
            raise ClusterError(f"Dask worker {name} runs pqscan {report.get('pqscan')}, this client {version}: "
                               "install the same version on every worker")


def worker_failure(name: str, exc: BaseException) -> str:
    """One line for an exception raised on (or while sending work to) a worker."""
    if "No module named 'pqscan" in str(exc):  # raw, or wrapped by distributed
        return f"Dask worker {name} has no pqscan installed (pip install 'pqscan[cluster]' on every worker)"
    return f"Dask worker {name} failed: {_one_line(exc)}"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
