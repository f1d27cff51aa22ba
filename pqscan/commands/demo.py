"""``pqscan demo``: start an embedded loopback lab, scan it, and write the full report."""

from __future__ import annotations

from pathlib import Path

import click

from pqscan.commands.common import note


@click.command("demo")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("pqscan-demo"),
              show_default=True, help="Where the inventory and reports are written.")
@click.option("--no-bench", is_flag=True, help="Skip the quick PQC benchmark.")
@click.option("--no-ssh", is_flag=True, help="Do not start Debian's sshd even when it is installed.")
@click.pass_context
def command(ctx: click.Context, output_dir: Path, no_bench: bool, no_ssh: bool) -> int:
    """Run the whole pipeline on an embedded lab: no targets, no network beyond 127.0.0.1.

    \b
    Starts TLS servers (classical RSA chain, ECDSA with X25519 only, hybrid X25519MLKEM768,
    ML-DSA-65 certificate, TLS 1.2 only) and sshd if installed, scans them and a sample
    repository with code, dependencies, configs and key material, assesses against five
    profiles, plans the migration, benchmarks ML-KEM/ML-DSA against RSA/ECDSA/X25519, and
    writes report.html, report.md, cbom.cdx.json, findings.sarif and inventory.json. Both scans are
    recorded in estate.db (a SQLite store): after the first, one server enables the hybrid X25519MLKEM768 and is
    scanned again, and the report's progress section shows the change.
    """
    from pqscan.lab.demo import run_demo

    quiet = bool((ctx.find_root().obj or {}).get("quiet"))

    def say(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    say("pqscan demo: starting the lab on 127.0.0.1")
    result = run_demo(output_dir, say=say, bench=not no_bench, ssh=not no_ssh)
    def score(value: int | None) -> str:
        return "n/a" if value is None else f"{value}/100"

    note(ctx, f"readiness {score(result.readiness)} (all selected profiles, over what you operate)")
    if result.exposed_without_pq:
        before, after = result.exposed_without_pq
        note(ctx, f"assets exposed to harvest-now-decrypt-later with no PQ option: {before} -> {after} "
                  f"after one server enabled X25519MLKEM768 (see the report's progress section)")
    click.echo(f"report:    {result.report_html}")
    click.echo(f"markdown:  {result.report_md}")
    click.echo(f"inventory: {result.inventory}")
    click.echo(f"cbom:      {result.cbom}")
    click.echo(f"sarif:     {result.sarif}")
    click.echo(f"history:   pqscan history --store sqlite:///{result.store}")
    return 0
