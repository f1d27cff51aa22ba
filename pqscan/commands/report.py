"""pqscan report INVENTORY...: render an inventory (never rescans)."""

from __future__ import annotations

from pathlib import Path

import click

from pqscan.commands.common import (
    OutputFormat,
    fail_exit,
    fail_on_option,
    format_option,
    output_option,
    profile_option,
    write_output,
)
from pqscan.commands.options import CRQC_YEAR
from pqscan.report.build import REPORT_FORMATS, prepare, render


@click.command("report")
@click.argument("inventories", nargs=-1, required=False, type=click.Path(path_type=Path))
@click.option("--store", "store_url", default=None, metavar="URL",
              help="Read the scan from this store (sqlite:///PATH, postgresql://…) instead of files; adds progress.")
@click.option("--scan", "scan_ref", default="latest", show_default=True,
              help="With --store: which scan (id, 'latest', 'latest~N' or a date YYYY-MM-DD).")
@format_option(REPORT_FORMATS, default=OutputFormat.TABLE)
@output_option()
@profile_option()
@click.option("--services", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TOML file mapping hosts/paths to services, owners, data shelf-life (see docs/risk-model.md).")
@click.option("--crqc-year", type=CRQC_YEAR, default=None,
              help="Year a cryptographically relevant quantum computer is assumed (2000-2200).")
@click.option("--cbom-spec", type=click.Choice(["1.6", "1.7"]), default="1.6", show_default=True,
              help="CycloneDX version for --format cbom.")
@fail_on_option()
def command(inventories: tuple[Path, ...], store_url: str | None, scan_ref: str, output_format: str, output: Path | None, profiles: tuple[str, ...],
            services: Path | None, crqc_year: int | None, cbom_spec: str, fail_on: str | None) -> int:
    """Render INVENTORY (JSON or JSONL; several are merged) as a report.

    \b
    Formats: table (terminal), markdown (tickets, wikis), html (self-contained, for people),
    json (the stable contract), sarif (code scanning), cbom (CycloneDX 1.6/1.7).
    """
    import os

    from pqscan.errors import UsageError
    from pqscan.inventory import load_many

    fmt = OutputFormat(output_format)
    progress = None
    if inventories and store_url:
        raise UsageError("report: give inventory files or --store, not both")
    if inventories:
        inventory = load_many(inventories)
    elif store_url or os.environ.get("PQSCAN_STORE"):
        from pqscan.store import open_store
        from pqscan.store.history import progress as progress_of

        with open_store(store_url) as store:
            scan_id = store.resolve_scan(scan_ref)
            inventory = store.scan_inventory(scan_id, estate=True)
            records = [r for r in store.list_scans() if r.id <= scan_id]
        progress = progress_of(records)
    else:
        raise UsageError("report: give one or more inventory files, or --store URL")
    with_plan = fmt in (OutputFormat.HTML, OutputFormat.MARKDOWN, OutputFormat.JSON)
    inputs = prepare(inventory, profiles, services=services, crqc_year=crqc_year, with_plan=with_plan)
    inputs.progress = progress
    write_output(render(inputs, fmt, cbom_spec=cbom_spec), output)
    if output is not None:
        click.echo(f"pqscan: wrote {fmt.value} report to {output}", err=True)
    return fail_exit(inputs.assessment.worst_severity(), fail_on)
