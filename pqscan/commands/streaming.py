"""Inventory files for scan commands: stream while scanning, resume, finish.

``-o X.jsonl`` is streamed as targets finish; ``-o X.json`` streams to ``X.json.partial.jsonl`` and
becomes the JSON document when the scan ends, so an interrupted scan keeps its results either way.
Shared by ``pqscan tls``, ``pqscan ssh`` and ``pqscan scan``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from pqscan.commands.common import OutputFormat, note, write_output
from pqscan.inventory import Inventory, JsonlWriter, load, now_iso
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


def scan_endpoints_to_inventory(ctx: click.Context, endpoints: Sequence[Any], probe: Any, options: Any,
                                output: Path | None, resume: bool) -> Inventory:
    """The body every endpoint command shares: resume, stream, run, finish, save (``pqscan tls``, ``ssh``)."""
    from pqscan.collect.net.netscan import run_scan

    previous, skip = previous_inventory(output, resume)
    if skip:
        note(ctx, f"resuming: {len(skip & {e.key for e in endpoints})} endpoint(s) already done in {output}")
    stream_path = stream_path_for(output)
    writer = None
    if stream_path is not None:
        writer = JsonlWriter(stream_path, append=resume and stream_path.exists(), targets=[e.key for e in endpoints])
    quiet = bool((ctx.find_root().obj or {}).get("quiet"))
    bar = Progress(len([e for e in endpoints if e.key not in skip])) if sys.stderr.isatty() and not quiet else None

    def on_result(result: ScanResult) -> None:
        if writer is not None:
            writer.write_result(result, done=True)
        if bar is not None:
            bar.advance(bool(result.errors))

    try:
        if bar is not None:
            bar.start()
        results = run_scan(endpoints, probe, options, skip_keys=frozenset(skip), on_result=on_result)
    except KeyboardInterrupt:
        if writer is not None:
            writer.close(finished=False)
        raise
    finally:
        if bar is not None:
            bar.stop()
    if writer is not None:
        writer.close()
    inventory = finish_inventory(previous, results, endpoints, stream_path)
    if output is not None and output.suffix.lower() == ".json":
        inventory.save(output)
        if stream_path is not None and stream_path != output:
            stream_path.unlink(missing_ok=True)
    if output is not None:
        note(ctx, f"inventory written to {output}")
    return inventory


class Progress:
    """A rich progress bar on stderr (only built when stderr is a terminal)."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.progress = RichProgress(
            TextColumn("[bold]scanning"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[errors]} with errors"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        )
        self.task = self.progress.add_task("scan", total=total, errors=0)
        self.errors = 0

    def start(self) -> None:
        self.progress.start()

    def advance(self, had_error: bool) -> None:
        self.errors += had_error
        self.progress.update(self.task, advance=1, errors=self.errors)

    def stop(self) -> None:
        self.progress.stop()


def emit_inventory(inventory: Inventory, output_format: str, render_table: Callable[[Inventory, list[str]], None],
                   keys: list[str]) -> None:
    """JSON on stdout, or the command's own terminal table."""
    if OutputFormat(output_format) is OutputFormat.JSON:
        write_output(json.dumps(inventory.to_dict(), indent=1, ensure_ascii=False), None)
    else:
        render_table(inventory, keys)


def print_endpoint_table(inventory: Inventory, keys: list[str], *, title: str, columns: Sequence[str],
                         kind: Any, row: Callable[[Any, Inventory], list[str]]) -> None:
    """One row per endpoint of ``kind`` (``row`` builds it); endpoints without a result show their errors.

    The HNDL column is the one before last; error text comes from targets, so it is cleaned and escaped.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from pqscan.textsafe import clean

    console = Console(file=sys.stdout, highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=title, show_lines=True)
    for col in columns:
        table.add_column(col, overflow="fold")
    errors: dict[str, list[str]] = {}
    for e in inventory.errors:
        errors.setdefault(e.target, []).append(f"{e.stage}: {e.kind.value}: {e.message}")
    for key in keys:
        asset = inventory.assets.get(key)
        if asset is None or asset.kind is not kind:
            if key in inventory.completed_targets or key in errors:
                msg = "; ".join(errors.get(key, ["no result"]))[:200]
                blanks = [""] * (len(columns) - 3)
                table.add_row(escape(clean(key)), *blanks, "[red]error[/]", escape(clean(msg)))
            continue
        table.add_row(*row(asset, inventory))
    console.print(table)
    failed = [k for k in keys if k in errors and k not in inventory.assets]
    if failed:
        console.print(f"{len(failed)} endpoint(s) could not be scanned; see the errors in the inventory.")
