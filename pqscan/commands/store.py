"""``pqscan store import|prune|info``: manage the estate store."""

from __future__ import annotations

from pathlib import Path

import click

from pqscan.commands.common import profile_option
from pqscan.commands.history import store_option


@click.group("store")
def command() -> None:
    """Manage the estate store (SQLite file or PostgreSQL)."""


@command.command("import")
@click.argument("inventories", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option()
@profile_option()
def import_(inventories: tuple[Path, ...], store_url: str | None, profiles: tuple[str, ...]) -> int:
    """Import finished inventory files (JSON or JSONL) as scans, oldest first."""
    from pqscan.inventory import load
    from pqscan.store import open_store
    from pqscan.store.history import scan_summary

    loaded = sorted(((load(p), p) for p in inventories), key=lambda item: item[0].started)
    with open_store(store_url) as store:
        for inv, path in loaded:
            scan_id = store.import_inventory(inv, profiles)
            summary = scan_summary(store.scan_inventory(scan_id, estate=True), profiles)
            store.finish(scan_id, summary, finished=inv.finished or inv.started)
            click.echo(f"pqscan: imported {path} as scan {scan_id} ({len(inv.findings)} findings)", err=True)
    return 0


@command.command("prune")
@store_option()
@click.option("--keep", type=click.IntRange(1, None), default=None, help="Keep the newest N scans.")
@click.option("--before", default=None, metavar="YYYY-MM-DD", help="Delete scans started before this date.")
def prune(store_url: str | None, keep: int | None, before: str | None) -> int:
    """Delete old scans (history that only they saw goes with them)."""
    import datetime

    from pqscan.errors import UsageError
    from pqscan.store import open_store

    if keep is None and before is None:
        raise UsageError("store prune: give --keep N or --before YYYY-MM-DD")
    if before is not None:
        try:
            datetime.date.fromisoformat(before)
        except ValueError:
            raise UsageError(f"--before {before!r}: expected a date YYYY-MM-DD") from None
    with open_store(store_url) as store:
        n = store.prune(keep=keep, before=before)
    click.echo(f"pqscan: pruned {n} scan(s)", err=True)
    return 0


@command.command("info")
@store_option()
def info(store_url: str | None) -> int:
    """Show the store's schema revision and size."""
    from pqscan.store import open_store

    with open_store(store_url) as store:
        scans = store.list_scans()
        click.echo(f"schema revision: {store.schema_revision()}\nscans: {len(scans)}")
    return 0
