"""``pqscan scan TARGET...``: the front door. Hosts, URLs, CIDRs and paths into one inventory."""

from __future__ import annotations

from pathlib import Path

import click

from pqscan.commands.common import OutputFormat, fail_exit, fail_on_option, note, profile_option
from pqscan.errors import UsageError


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
@click.option("--timeout", default=5.0, show_default=True, type=click.FloatRange(0.05, 300))
@click.option("--concurrency", default=128, show_default=True, type=click.IntRange(1, 4096))
@click.option("--rate", default=None, type=click.FloatRange(0.1, None), help="New connections per second at most.")
@click.option("--allow-large", is_flag=True, help="Allow CIDR ranges larger than 4096 addresses.")
@click.option("--no-suites", is_flag=True, help="Skip enumerating accepted TLS <= 1.2 cipher suites (fewer connections).")
@click.option("--no-host-keys", is_flag=True, help="Do not fetch SSH host keys (one key exchange per key type).")
@click.option("--no-gex-probe", is_flag=True, help="Do not ask SSH group-exchange servers which DH sizes they hand out.")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB", help="gitignore-style pattern to skip (paths).")
@click.option("--max-size", default=5 * 1024 * 1024, show_default=True, type=click.IntRange(1, None),
              help="Skip files larger than this many bytes (recorded).")
@click.option("--password", "passwords", multiple=True, help="Password to try on PKCS#12 files and keystores.")
@click.option("--collectors", default="certs,code,deps,config", show_default=True,
              help="Collectors for paths (comma-separated).")
@fail_on_option()
@click.pass_context
def command(ctx: click.Context, targets: tuple[str, ...], output: Path, resume: bool, report_path: Path | None,
            profiles: tuple[str, ...], ports: str | None, sni: str | None, timeout: float, concurrency: int,
            rate: float | None, allow_large: bool, no_suites: bool, no_host_keys: bool, no_gex_probe: bool, excludes: tuple[str, ...], max_size: int,
            passwords: tuple[str, ...], collectors: str, fail_on: str | None) -> int:
    """Scan hosts, URLs, CIDRs, @files and directories into one inventory.

    \b
    Paths get the certificate/key, code, dependency and config collectors; ssh://host or
    host:22 the SSH scanner; everything else the TLS scanner (STARTTLS by well-known port).
    Examples:
      pqscan scan example.com 10.0.0.0/28 ssh://bastion ./repo --report report.html
      pqscan scan @targets.txt -o estate.jsonl --resume
    """
    from pqscan.collect.net.netscan import NetOptions
    from pqscan.collect.net.targets import parse_ports
    from pqscan.collect.walk import WalkOptions
    from pqscan.commands.streaming import finish_inventory, previous_inventory, stream_path_for
    from pqscan.inventory import JsonlWriter
    from pqscan.pipeline.scan import ScanOptions, scan

    options = ScanOptions(
        net=NetOptions(connect_timeout=timeout, read_timeout=timeout, concurrency=concurrency, rate=rate),
        walk=WalkOptions(excludes=excludes, max_bytes=max_size),
        ports=parse_ports(ports) if ports else (),
        sni=sni, allow_large=allow_large,
        passwords=tuple(p.encode() for p in passwords),
        path_collectors=tuple(c.strip() for c in collectors.split(",") if c.strip()),
        tls_suites=not no_suites, ssh_host_keys=not no_host_keys, ssh_gex_probe=not no_gex_probe,
    )
    previous, skip = previous_inventory(output, resume)
    if resume and previous is None:
        raise UsageError(f"--resume: nothing to resume in {output}")
    if skip:
        note(ctx, f"resuming: {len(skip)} target(s) already done in {output}")
    stream_path = stream_path_for(output)
    assert stream_path is not None
    writer = JsonlWriter(stream_path, append=resume and stream_path.exists(), targets=targets)
    try:
        scan(list(targets), options, writer=writer, skip_keys=frozenset(skip))
    except BaseException:
        writer.close(finished=False)
        raise
    writer.close()
    inventory = finish_inventory(previous, [], targets, stream_path)
    if output.suffix.lower() == ".json":
        inventory.save(output)
        if stream_path != output:
            stream_path.unlink(missing_ok=True)
    note(ctx, f"{len(inventory.assets)} assets, {len(inventory.findings)} findings, {len(inventory.errors)} errors "
              f"-> {output}")
    from pqscan.report.build import prepare, render

    inputs = prepare(inventory, profiles, with_plan=report_path is not None)
    if report_path is not None:
        fmt = report_format_for(report_path)
        report_path.write_text(render(inputs, fmt), encoding="utf-8")
        note(ctx, f"wrote {fmt.value} report to {report_path}")
    else:
        from pqscan.report.assessment import summary_line

        note(ctx, summary_line(inventory, inputs.assessment).plain)
    return fail_exit(inputs.assessment.worst_severity(), fail_on)


def report_format_for(path: Path) -> OutputFormat:
    name = path.name.lower()
    for suffixes, fmt in (((".html", ".htm"), OutputFormat.HTML), ((".md", ".markdown"), OutputFormat.MARKDOWN),
                          ((".sarif", ".sarif.json"), OutputFormat.SARIF), ((".cdx.json", ".cbom.json"), OutputFormat.CBOM),
                          ((".json",), OutputFormat.JSON), ((".txt",), OutputFormat.TABLE)):
        if name.endswith(suffixes):
            return fmt
    raise UsageError(f"--report {path}: cannot tell the format from the extension (.html, .md, .json, .sarif, .cdx.json)")
