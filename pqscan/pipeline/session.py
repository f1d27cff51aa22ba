"""The scan session: results stream to sinks as targets finish, resume skips finished targets,
``finish`` saves, and an interrupted scan keeps what it had.

Every front door (``pqscan scan``, ``tls``, ``ssh``, ``certs``, ``code``, the demo) runs its
collectors with :meth:`ScanSession.take` as the one callback; the session keeps the inventory in
memory (so the command uses it directly, no reload) and forwards each result to its sinks.

A :class:`Sink` is where results go as they come: :class:`InventoryFileSink` writes ``.jsonl``
(streamed, a ``done`` marker after each target) or ``.json`` (streamed to ``X.json.partial.jsonl``,
written as one document at the end). A store (SQLite/PostgreSQL) or a remote writer plugs in as
another sink; a scheduler (local asyncio today, a Dask cluster later) only needs the callback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from pqscan.errors import UsageError
from pqscan.inventory import Inventory, JsonlWriter, load, now_iso
from pqscan.model import ScanResult
from pqscan.outfile import check_output

if TYPE_CHECKING:
    from pqscan.collect.net.netscan import NetOptions

PARTIAL_SUFFIX = ".partial.jsonl"


class Sink(Protocol):
    """Where results go while a scan runs."""

    def write(self, result: ScanResult, *, done: bool) -> None:
        """One result; ``done``: its target is finished (a resumed scan skips it)."""

    def finish(self, inventory: Inventory) -> None:
        """The scan ended normally: make the output complete."""

    def close_unfinished(self, inventory: Inventory) -> None:
        """The scan was interrupted: keep everything written so far (resumable)."""


def stream_path_for(output: Path) -> Path:
    """``.jsonl`` is streamed in place; ``X.json`` streams to ``X.json.partial.jsonl`` until the end."""
    return output.with_name(output.name + PARTIAL_SUFFIX) if output.suffix.lower() == ".json" else output


def load_previous(output: Path) -> Inventory | None:
    """What an earlier run left at ``output`` (finished document and/or its partial stream), merged."""
    inv: Inventory | None = None
    for path in dict.fromkeys((output, stream_path_for(output))):
        if path.exists() and path.stat().st_size > 0:
            part = load(path)
            if inv is None:
                inv = part
            else:
                inv.merge(part)
    if inv is not None:  # an interrupted .json and its stream hold the same errors: keep each once
        inv.errors = list({repr(e.to_dict()): e for e in inv.errors}.values())
    return inv


class InventoryFileSink:
    """An inventory file: ``.jsonl`` streamed as targets finish, ``.json`` written when the scan ends.

    Interrupted, a ``.json`` output is still written (``finished`` null, ``attachments.partial``
    true) and its ``.partial.jsonl`` stream is kept for ``--resume``."""

    def __init__(self, output: Path, *, targets: Iterable[str] = (), append: bool = False) -> None:
        self.output = output
        self.stream_path = stream_path_for(output)
        check_output(self.output)  # before the scan: a link, pipe, device or missing folder is refused now
        self._writer = JsonlWriter(self.stream_path, append=append and self.stream_path.exists(),
                                   targets=list(targets))

    def write(self, result: ScanResult, *, done: bool) -> None:
        self._writer.write_result(result, done=done)

    def _attachments(self, inventory: Inventory) -> None:
        for name, value in inventory.attachments.items():
            self._writer.write_attachment(name, value)

    def finish(self, inventory: Inventory) -> None:
        self._attachments(inventory)
        self._writer.close()
        if self.stream_path != self.output:
            inventory.save(self.output)
            self.stream_path.unlink(missing_ok=True)

    def close_unfinished(self, inventory: Inventory) -> None:
        self._writer.close(finished=False)
        if self.stream_path != self.output:
            inventory.attachments["partial"] = True
            inventory.save(self.output)


class ScanSession:
    """One scan: the in-memory inventory, the sinks, the targets already done (``skip_keys``)."""

    def __init__(self, targets: Sequence[str], *, sinks: Sequence[Sink] = (), previous: Inventory | None = None,
                 observers: Sequence[Callable[[ScanResult], None]] = ()) -> None:
        self.inventory = previous if previous is not None else Inventory()
        self.skip_keys = frozenset(self.inventory.completed_targets)
        for t in targets:
            if t not in self.inventory.targets:
                self.inventory.targets.append(t)
        self.sinks = list(sinks)
        self.observers = list(observers)
        self.closed = False

    @classmethod
    def to_file(cls, output: Path | None, targets: Sequence[str], *, resume: bool = False,
                require_previous: bool = False, store: str | None = None, profiles: Sequence[str] = (),
                observers: Sequence[Callable[[ScanResult], None]] = ()) -> ScanSession:
        """A session writing ``output`` and/or the ``store`` (a URL; ``$PQSCAN_STORE`` when "env");
        with ``resume``, continuing what is already there (the file's, else the store's unfinished scan)."""
        previous = None
        if resume:
            if output is None and store is None:
                raise UsageError("--resume needs --output or --store (where the scan to resume is)")
            previous = load_previous(output) if output is not None else None
        sinks: list[Sink] = []
        if store is not None:
            from pqscan.store import open_store
            from pqscan.store.sink import StoreSink

            store_sink = StoreSink(open_store(store), targets, profiles, resume=resume, owns_store=True)
            if previous is None:
                previous = store_sink.previous()
            sinks.append(store_sink)
        if resume and previous is None and require_previous and store is None:
            raise UsageError(f"--resume: nothing to resume in {output}")
        if output is not None:
            sinks.append(InventoryFileSink(output, targets=targets, append=resume))
        return cls(targets, sinks=sinks, previous=previous, observers=observers)

    def take(self, result: ScanResult, *, done: bool = True) -> None:
        """The collectors' callback: keep the result, stream it, tell the observers (progress)."""
        self.inventory.add_result(result)
        if done:
            self.inventory.mark_done(result.target)
        for sink in self.sinks:
            sink.write(result, done=done)
        for observe in self.observers:
            observe(result)

    def mark_done(self, key: str) -> None:
        """A target with no result of its own is finished (a set of paths after their walk)."""
        self.take(ScanResult(key, "session"), done=True)

    def finish(self) -> Inventory:
        self.inventory.finished = now_iso()
        self.inventory.attachments.pop("partial", None)  # a resumed interrupted run is now complete
        self.closed = True
        for sink in self.sinks:
            sink.finish(self.inventory)
        return self.inventory

    def close_unfinished(self) -> Inventory:
        self.closed = True
        for sink in self.sinks:
            sink.close_unfinished(self.inventory)
        return self.inventory

    def __enter__(self) -> ScanSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.closed:
            if exc_type is None:
                self.finish()
            else:
                self.close_unfinished()


def run_endpoints(session: ScanSession, endpoints: Sequence[Any], probe: Any, net: NetOptions, *,
                  run: Any = None) -> None:
    """Network targets through the scheduler; each endpoint's result comes back through the callback.

    ``run``: a function with :func:`~pqscan.collect.net.netscan.run_scan`'s signature (the Dask
    cluster's, ``--cluster``); the local scheduler by default."""
    from pqscan.collect.net.netscan import run_scan

    (run or run_scan)(endpoints, probe, net, skip_keys=session.skip_keys, on_result=lambda r: session.take(r, done=True))
