"""A scan session's results into the store, as they stream (a :class:`pqscan.pipeline.session.Sink`).

Finished targets (endpoints) are buffered briefly (``batch`` targets or ``max_delay`` seconds) and
written in one transaction per batch with the targets marked done, so a killed scan loses at most the
batch in flight — those targets are scanned again on ``--resume``. Results of a path walk are not
targets of their own (the walk marks its roots done at the end): they are kept until the walk's first
done marker, or the end of the scan, and recorded together under one scope per collector,
``paths:<the scan's targets>#<collector>``, so a file deleted from a tree disappears from the estate at
the next scan of it, and a code-only scan of a tree replaces only its code findings.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from pqscan.inventory import Inventory
from pqscan.model import ScanResult
from pqscan.store.store import OpenScan, Store


class StoreSink:
    """Write a scan into ``store``; ``completed_targets`` are the targets a resumed scan already has."""

    def __init__(self, store: Store, targets: Sequence[str], profiles: Sequence[str] = (), *,
                 resume: bool = False, batch: int = 200, max_delay: float = 1.0, owns_store: bool = False) -> None:
        self.store = store
        self.owns_store = owns_store  # close the store's connections when the scan ends
        self.profiles = tuple(profiles)
        self.scope = "paths:" + ",".join(sorted(targets))
        self.scan: OpenScan = store.begin_scan(list(targets), self.profiles, resume=resume)
        self.batch = batch
        self.max_delay = max_delay
        self._pending: list[ScanResult] = []
        self._walked: list[ScanResult] = []  # path-walk results waiting for their scope to be done
        self._since = time.monotonic()
        self.closed = False

    @property
    def scan_id(self) -> int:
        return self.scan.id

    @property
    def completed_targets(self) -> frozenset[str]:
        return self.scan.completed_targets

    def previous(self) -> Inventory | None:
        """What a resumed scan already recorded (so the session's inventory is whole)."""
        return self.store.scan_inventory(self.scan.id) if self.scan.resumed else None

    def write(self, result: ScanResult, *, done: bool = True) -> None:
        if not done:
            self._walked.append(replace(result, target=f"{self.scope}#{result.collector}"))
            return
        if self._walked:
            self._pending.extend(self._walked)
            self._walked = []
        self._pending.append(result)
        if len(self._pending) >= self.batch or time.monotonic() - self._since >= self.max_delay:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            self.store.record(self.scan.id, pending)
        self._since = time.monotonic()

    def finish(self, inventory: Inventory | None = None) -> int:
        """Everything written: mark the scan complete with its summary over the estate."""
        from pqscan.store.history import scan_summary

        if self._walked:
            self._pending.extend(self._walked)
            self._walked = []
        self.flush()
        if inventory is None or self.scan.resumed or self.store.targets_outside(self.scan.id):
            estate = self.store.scan_inventory(self.scan.id, estate=True)  # other targets' latest state too
        else:
            estate = inventory  # this scan covered the whole estate: no need to read it back
        self.store.finish(self.scan.id, scan_summary(estate, self.profiles))
        self.closed = True
        if self.owns_store:
            self.store.close()
        return self.scan.id

    def close_unfinished(self, inventory: Inventory | None = None) -> None:
        """Interrupted: keep every finished target; the scan stays incomplete for ``--resume``.
        Path-walk results whose walk did not end are dropped (their roots are walked again)."""
        if self.closed:
            return
        try:
            self.flush()
        finally:
            self.store.finish(self.scan.id, None, complete=False)
            self.closed = True
            if self.owns_store:
                self.store.close()
