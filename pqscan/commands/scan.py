"""``pqscan scan TARGET...``: the front door. Hosts, URLs, CIDRs and paths into one inventory."""

from __future__ import annotations

from pathlib import Path

import click

from pqscan.commands.cluster import cluster_of, cluster_options
from pqscan.commands.common import (
    fail_exit,
    fail_on_option,
    make_walk,
    note,
    profile_option,
    store_of,
    store_option,
    walk_options,
    write_output,
)
from pqscan.commands.options import RATE, TIMEOUT, check_scan_targets
from pqscan.errors import ExitCode
from pqscan.model import AssetKind
from pqscan.outfile import check_output
from pqscan.report.formats import format_for_path


@click.command("scan")
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("pqscan-inventory.jsonl"),
              show_default=True, help="Inventory: .jsonl is streamed as targets finish; .json is written at the end.")
@click.option("--resume", is_flag=True, help="Skip targets already finished in --output and append to it.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a report (format from the extension: .html, .md, .json, .sarif, .cdx.json).")
@profile_option()
@click.option("--port", "ports", default=None, metavar="LIST", help="Ports for network targets without one.")
@click.option("--sni", default=None, help="Server name to send instead of the target's host name.")
@click.option("--timeout", default=5.0, show_default=True, type=TIMEOUT)
@click.option("--concurrency", default=128, show_default=True, type=click.IntRange(1, 4096))
@click.option("--rate", default=None, type=RATE, help="New connections per second at most.")
@click.option("--allow-large", is_flag=True, help="Allow CIDR ranges larger than 4096 addresses.")
@click.option("--no-suites", is_flag=True, help="Skip enumerating accepted TLS <= 1.2 cipher suites (fewer connections).")
@click.option("--no-host-keys", is_flag=True, help="Do not fetch SSH host keys (one key exchange per key type).")
@click.option("--no-gex-probe", is_flag=True, help="Do not ask SSH group-exchange servers which DH sizes they hand out.")
@walk_options
@click.option("--password", "passwords", multiple=True, help="Password to try on PKCS#12 files and keystores.")
@click.option("--collectors", default="certs,code,deps,config", show_default=True,
              help="Collectors for paths (comma-separated).")
@fail_on_option()
@store_option()
@cluster_options()
@click.pass_context
def command(ctx: click.Context, targets: tuple[str, ...], output: Path, resume: bool, report_path: Path | None,
            profiles: tuple[str, ...], ports: str | None, sni: str | None, timeout: float, concurrency: int,
            rate: float | None, allow_large: bool, no_suites: bool, no_host_keys: bool, no_gex_probe: bool, excludes: tuple[str, ...], max_size: int,
            no_gitignore: bool, follow_symlinks: bool, passwords: tuple[str, ...], collectors: str, fail_on: str | None) -> int:
    """Scan hosts, URLs, CIDRs, @files and directories into one inventory.

    \b
    Paths get the certificate/key, code, dependency and config collectors; ssh://host or
    host:22 the SSH scanner; everything else the TLS scanner (STARTTLS by well-known port).
    Examples:
      pqscan scan example.com 10.0.0.0/28 ssh://bastion ./repo --report report.html
      pqscan scan @targets.txt -o estate.jsonl --resume
    """
    check_scan_targets(targets)
    if report_path is not None:
        check_output(report_path)  # before the scan, not after it
    from pqscan.collect.net.netscan import NetOptions
    from pqscan.collect.net.targets import parse_ports
    from pqscan.pipeline.scan import ScanOptions, scan, split_targets
    from pqscan.pipeline.session import ScanSession

    options = ScanOptions(
        net=NetOptions(connect_timeout=timeout, read_timeout=timeout, concurrency=concurrency, rate=rate),
        walk=make_walk(excludes, max_size, no_gitignore, follow_symlinks),
        ports=parse_ports(ports) if ports else (),
        sni=sni, allow_large=allow_large,
        passwords=tuple(p.encode() for p in passwords),
        path_collectors=tuple(c.strip() for c in collectors.split(",") if c.strip()),
        tls_suites=not no_suites, ssh_host_keys=not no_host_keys, ssh_gex_probe=not no_gex_probe,
    )
    session = ScanSession.to_file(output, list(targets), resume=resume, require_previous=True, store=store_of(ctx),
                                  profiles=profiles)
    if session.skip_keys:
        note(ctx, f"resuming: {len(session.skip_keys)} target(s) already done in {output}")
    inventory = scan(list(targets), options, session=session, cluster=cluster_of(ctx))
    note(ctx, f"{len(inventory.assets)} assets, {len(inventory.findings)} findings, {len(inventory.errors)} errors "
              f"-> {output}")
    from pqscan.report.build import prepare, render

    inputs = prepare(inventory, profiles, with_plan=report_path is not None)
    if report_path is not None:
        fmt = format_for_path(report_path)
        write_output(render(inputs, fmt), report_path)
        note(ctx, f"wrote {fmt.value} report to {report_path}")
    else:
        from pqscan.report.assessment import summary_line

        note(ctx, summary_line(inventory, inputs.assessment).plain)
    if not split_targets(targets).paths and not any(
            a.kind in (AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT) for a in inventory.assets.values()):
        # Only network targets, and not one of them answered: as `tls` / `ssh` say it (exit 4).
        click.echo("pqscan: none of the network targets could be scanned (errors are in the inventory)", err=True)
        return ExitCode.NOTHING_SCANNED
    return fail_exit(inputs.assessment.worst_severity(), fail_on)
