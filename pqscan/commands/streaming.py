"""What the endpoint commands share: run a session (``pqscan.pipeline.session``), show progress, print.

Streaming, resume and saving live in the session; this module only wires a command to it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from pqscan.commands.common import OutputFormat, note, store_of, write_output
from pqscan.inventory import Inventory
from pqscan.model import ScanResult


def scan_endpoints_to_inventory(ctx: click.Context, endpoints: Sequence[Any], probe: Any, options: Any,
                                output: Path | None, resume: bool) -> Inventory:
    """The body every endpoint command shares (``pqscan tls``, ``ssh``): one session, one scheduler run."""
    from pqscan.collect.net.netscan import run_scan
    from pqscan.commands.cluster import on_cluster
    from pqscan.pipeline.scan import run_endpoints
    from pqscan.pipeline.session import ScanSession

    keys = [e.key for e in endpoints]
    session = ScanSession.to_file(output, keys, resume=resume, store=store_of(ctx),
                                  observers=progress_observers(ctx, len(keys)))
    if session.skip_keys:
        note(ctx, f"resuming: {len(session.skip_keys & set(keys))} endpoint(s) already done in {output}")
    with session:
        run_endpoints(session, endpoints, probe, options, run=on_cluster(ctx, run_scan, "network"))
    if output is not None:
        note(ctx, f"inventory written to {output}")
    return session.inventory


def scan_paths_to_inventory(ctx: click.Context, paths: Sequence[Path], options: Any,
                            output: Path | None) -> Inventory:
    """The body of the path commands (``pqscan certs``, ``code``): one walk into one session."""
    from pqscan.collect.paths import PathScan
    from pqscan.commands.cluster import cluster_of
    from pqscan.pipeline.session import ScanSession

    walk = PathScan(paths, options, cluster=cluster_of(ctx))
    session = ScanSession.to_file(output, [str(p) for p in paths], store=store_of(ctx))
    results = 0
    with session:
        for result in walk.results():
            results += 1
            session.take(result, done=False)
        for p in paths:
            session.inventory.mark_done(str(p))
        if labels := walk.labels():
            session.inventory.attachments["roots"] = labels
        session.inventory.attachments["path_scan"] = {"results": results, **walk.stats()}
    if output is not None:
        note(ctx, f"inventory written to {output}")
    return session.inventory


def progress_observers(ctx: click.Context, total: int) -> list[Callable[[ScanResult], None]]:
    """A one-line counter on stderr driven by the session's results (only on a terminal, not with -q)."""
    quiet = bool((ctx.find_root().obj or {}).get("quiet"))
    if quiet or not sys.stderr.isatty() or total <= 1:
        return []
    state = {"done": 0, "errors": 0}

    def observe(result: ScanResult) -> None:
        state["done"] += 1
        state["errors"] += bool(result.errors)
        end = "\n" if state["done"] >= total else ""
        sys.stderr.write(f"\rscanned {state['done']}/{total} ({state['errors']} with errors){end}")
        sys.stderr.flush()

    return [observe]


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
