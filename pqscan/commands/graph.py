"""pqscan graph INVENTORY...: the migration graph, its risk order and its exports."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from pqscan.commands.common import OutputFormat, format_option, note, output_option, profile_option, write_output
from pqscan.commands.options import CRQC_YEAR
from pqscan.errors import UsageError

FORMATS = (OutputFormat.TABLE, OutputFormat.JSON, OutputFormat.DOT, OutputFormat.GRAPHML, OutputFormat.MERMAID)


@click.command("graph")
@click.argument("inventories", nargs=-1, required=True, type=click.Path(path_type=Path))
@profile_option()
@click.option("--services", "services_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TOML file mapping hostnames/paths/asset ids to services, owners, shelf-life and exposure.")
@click.option("--crqc-year", type=CRQC_YEAR, default=None,
              help="Year a cryptographically relevant quantum computer is assumed (Mosca's Z). Default: 2035.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None, help="Plan as if today were this date.")
@click.option("--focus", metavar="ASSET", default=None, help="Only this asset and what is upstream and downstream of it.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="Steps shown by --format table.")
@format_option(FORMATS, default=OutputFormat.TABLE)
@output_option()
@click.pass_context
def command(ctx: click.Context, inventories: tuple[Path, ...], profiles: tuple[str, ...], services_file: Path | None,
            crqc_year: int | None, as_of: str | None, focus: str | None, limit: int, output_format: str,
            output: Path | None) -> int:
    """Build the migration graph of INVENTORY (several are merged) and order the work by risk.

    \b
    Edges point from an asset to what it depends on (endpoint -> certificate -> issuing CA,
    code -> library, ...); what is depended on migrates first. Among what is free to move the
    riskiest goes first (Mosca's inequality, harvest-now-decrypt-later, deadlines, exposure,
    blast radius: see docs/risk-model.md). Formats: table, json (the plan), dot, graphml, mermaid.
    """
    from pqscan.graph import export as ex
    from pqscan.inventory import load_many
    from pqscan.report.build import prepare

    today: datetime.date | None = None
    if as_of:
        try:
            today = datetime.date.fromisoformat(as_of.strip())
        except ValueError:
            raise UsageError(f"--as-of {as_of!r}: expected a date YYYY-MM-DD") from None
    inputs = prepare(load_many(inventories), profiles, services=services_file, crqc_year=crqc_year, today=today)
    graph, plan = inputs.graph, inputs.plan
    shown = graph
    if focus:
        if focus not in graph.nodes:
            raise UsageError(f"--focus {focus!r}: no such asset in the inventory (asset ids look like "
                             "tls://host:443, cert:sha256:..., dep:pypi/name@version)")
        shown = graph.focus(focus)
    fmt = OutputFormat(output_format.lower())
    if fmt is OutputFormat.JSON:
        text = ex.plan_json(plan, shown if focus else None)
    elif fmt is OutputFormat.DOT:
        text = ex.dot(shown, plan)
    elif fmt is OutputFormat.GRAPHML:
        text = ex.graphml(shown, plan)
    elif fmt is OutputFormat.MERMAID:
        text = ex.mermaid(shown, plan)
    elif fmt is OutputFormat.TABLE:
        text = ex.table(plan, shown if focus else None, limit=limit)
    else:  # pragma: no cover - click restricts the choices to FORMATS
        raise UsageError(f"--format {output_format}: not available for graph")
    write_output(text, output)
    if plan.cycles:
        note(ctx, f"{len(plan.cycles)} dependency cycle(s) found; their members are planned together")
    return 0
