"""Inventory files for scan commands: stream while scanning, resume, finish.

``-o X.jsonl`` is streamed as targets finish; ``-o X.json`` streams to ``X.json.partial.jsonl`` and
becomes the JSON document when the scan ends, so an interrupted scan keeps its results either way.
Shared by ``pqscan tls``, ``pqscan ssh`` and ``pqscan scan``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pqscan.inventory import Inventory, load, now_iso
from pqscan.model import ScanResult


def stream_path_for(output: Path | None) -> Path | None:
    if output is None:
        return None
    if output.suffix.lower() == ".json":
        return output.with_name(output.name + ".partial.jsonl")  # becomes the .json when the scan ends
    return output


def previous_inventory(output: Path | None, resume: bool) -> tuple[Inventory | None, set[str]]:
    if not resume or output is None:
        return None, set()
    inv: Inventory | None = None
    for path in (output, stream_path_for(output)):
        if path is not None and path.exists() and path.stat().st_size > 0:
            part = load(path)
            if inv is None:
                inv = part
            else:
                inv.merge(part)
    return inv, set(inv.completed_targets) if inv else set()


def finish_inventory(previous: Inventory | None, results: list[ScanResult], endpoints: Iterable[object],
                     stream_path: Path | None) -> Inventory:
    """The finished inventory: what was streamed (or the results), merged with a resumed one."""
    if stream_path is not None and stream_path.exists():
        inv = load(stream_path)  # everything streamed, including earlier runs appended to it
        if previous is not None:
            inv.merge(previous)
    else:
        inv = previous or Inventory()
        for r in results:
            inv.add_result(r)
            inv.mark_done(r.target)
    for e in endpoints:
        key = str(getattr(e, "key", e))
        if key not in inv.targets:
            inv.targets.append(key)
    inv.finished = now_iso()
    return inv
