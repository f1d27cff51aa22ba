"""pqscan diff OLD NEW: what got better or worse between two inventories."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pqscan.commands.common import OutputFormat, format_option, output_option, profile_option, write_output


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--store", "store_url", default=None, metavar="URL",
              help="OLD and NEW are scans in this store (id, 'latest', 'latest~N', a date) instead of files.")
@format_option([OutputFormat.TABLE, OutputFormat.JSON, OutputFormat.MARKDOWN])
@output_option()
@profile_option()
@click.option("--fail-if-worse", is_flag=True, help="Exit 1 when NEW has new findings of higher weight than it resolved.")
def command(old: str, new: str, store_url: str | None, output_format: str, output: Path | None, profiles: tuple[str, ...],
            fail_if_worse: bool) -> int:
    """Compare two inventories of the same estate (findings match by stable id).

    \b
    OLD and NEW are inventory files, or with --store two stored scans:
      pqscan diff --store sqlite:///estate.db latest~1 latest
    """
    from pqscan.assess.profiles import load_profiles
    from pqscan.inventory import load
    from pqscan.pipeline.diff import diff_inventories

    if store_url:
        from pqscan.store import open_store

        with open_store(store_url) as store:
            before = store.scan_inventory(store.resolve_scan(old), estate=True)
            after = store.scan_inventory(store.resolve_scan(new), estate=True)
    else:
        before, after = load(Path(old)), load(Path(new))
    d = diff_inventories(before, after, load_profiles(list(profiles)))
    fmt = OutputFormat(output_format)
    if fmt is OutputFormat.JSON:
        text = json.dumps(d.to_dict(), indent=1, default=str)
    else:
        from pqscan.report.markdown import md_escape

        lines = [f"# Inventory diff: {d.verdict}", "",
                 f"- assets: +{len(d.added_assets)} / -{len(d.removed_assets)}",
                 f"- findings: {len(d.new_findings)} new, {len(d.resolved_findings)} resolved",
                 f"- harvest-now-decrypt-later exposed findings: {d.hndl_before} -> {d.hndl_after}",
                 "- by severity (before -> after): " + ", ".join(
                     f"{s.value} {d.severity_before.get(s, 0)}->{d.severity_after.get(s, 0)}" for s in d.severity_before.keys()
                     | d.severity_after.keys())]
        for title, changes in (("New findings", d.new_findings), ("Resolved findings", d.resolved_findings)):
            if changes:
                lines += ["", f"## {title}", ""]
                lines += [f"- **{c.severity.value}** {md_escape(c.finding.algorithm)} ({c.finding.usage.value}) on "
                          f"`{md_escape(c.finding.asset_id)}` {md_escape(c.finding.evidence.location)}" for c in changes[:200]]
        text = "\n".join(lines) + "\n"
    write_output(text, output)
    return 1 if fail_if_worse and d.verdict == "worse" else 0
