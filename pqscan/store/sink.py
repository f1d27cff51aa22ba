"""A scan session's results into the store, as they stream.

Results are buffered briefly (``batch`` targets or ``max_delay`` seconds, whichever comes first) and
written in one transaction per batch with their targets marked done, so a killed scan loses at most
the batch in flight — those targets are simply scanned again on ``--resume``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from pqscan.inventory import Inventory
from pqscan.model import ScanResult
from pqscan.store.store import OpenScan, Store


class StoreSink:
    """Write a scan into ``store``; ``completed_targets`` are the targets a resumed scan already has."""

    def __init__(self, store: Store, targets: Sequence[str], profiles: Sequence[str] = (), *,
                 resume: bool = False, batch: int = 200, max_delay: float = 1.0) -> None:
        self.store = store
        self.profiles = tuple(profiles)
        self.scan: OpenScan = store.begin_scan(list(targets), self.profiles, resume=resume)
        self.batch = batch
        self.max_delay = max_delay
        self._pending: list[ScanResult] = []
        self._since = time.monotonic()
        self.closed = False
        self._written = Inventory(targets=list(targets))  # this run's results, for the summary

    @property
    def scan_id(self) -> int:
        return self.scan.id

    @property
    def completed_targets(self) -> frozenset[str]:
        return self.scan.completed_targets

    def write(self, result: ScanResult) -> None:
        self._pending.append(result)
        self._written.add_result(result)
        self._written.mark_done(result.target)
        if len(self._pending) >= self.batch or time.monotonic() - self._since >= self.max_delay:
            self.flush()

    def attach(self, name: str, value: Any) -> None:
        self.flush()
        self.store.attach(self.scan.id, name, value)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            self.store.record(self.scan.id, pending)
        self._since = time.monotonic()

    def finish(self) -> int:
        """Everything written: mark the scan complete with its summary over the estate."""
        from pqscan.store.history import scan_summary

        self.flush()
        if self.scan.resumed or self.store.targets_outside(self.scan.id):
            estate = self.store.scan_inventory(self.scan.id, estate=True)  # other targets' latest state too
        else:
            estate = self._written  # this scan covered the whole estate: no need to read it back
        self.store.finish(self.scan.id, scan_summary(estate, self.profiles))
        self.closed = True
        return self.scan.id

    def close_unfinished(self) -> None:
        """Interrupted: keep what is written; the scan stays incomplete for ``--resume``."""
        if self.closed:
            return
        try:
            self.flush()
        finally:
            self.store.finish(self.scan.id, None, complete=False)
            self.closed = True
