"""``pqscan history``: every scan in the store, with readiness and exposure over time."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pqscan.commands.common import OutputFormat, format_option, output_option, write_output

STORE_HELP = "Store URL: sqlite:///PATH (default kind) or postgresql://…; or set PQSCAN_STORE."


def store_option(required: bool = False):  # type: ignore[no-untyped-def]
    return click.option("--store", "store_url", default=None, metavar="URL", help=STORE_HELP)


@click.command("history")
@store_option()
@format_option([OutputFormat.TABLE, OutputFormat.JSON])
@output_option()
def command(store_url: str | None, output_format: str, output: Path | None) -> int:
    """List the scans in the store: time, targets, severity counts, readiness per profile, exposure."""
    from pqscan.store import open_store
    from pqscan.store.history import progress

    with open_store(store_url) as store:
        records = store.list_scans()
    if OutputFormat(output_format) is OutputFormat.JSON:
        doc = {"store": store.url if "@" not in store.url else "(postgresql)",
               "scans": [r.to_dict() for r in records], "progress": progress(records).to_dict()}
        write_output(json.dumps(doc, indent=1, ensure_ascii=False), output)
        return 0
    write_output(render_history(records), output)
    return 0


def render_history(records: list) -> str:  # type: ignore[type-arg]
    """A plain, one-scan-per-line table (stable to grep)."""
    from pqscan.textsafe import clean

    lines = [f"{'scan':>5}  {'started':20}  {'status':10}  {'findings':>8}  {'crit/high':>9}  "
             f"{'readiness':>9}  {'HNDL':>5}  targets"]
    for r in records:
        s = r.summary or {}
        sev = s.get("by_severity", {})
        crit_high = f"{sev.get('critical', 0)}/{sev.get('high', 0)}" if s else "-"
        ready = s.get("readiness_combined")
        targets = ", ".join(clean(t) for t in r.targets[:3]) + (f" (+{len(r.targets) - 3})" if len(r.targets) > 3 else "")
        lines.append(f"{r.id:>5}  {r.started_at:20}  {r.status:10}  {s.get('findings', '-'):>8}  {crit_high:>9}  "
                     f"{'-' if ready is None else ready:>9}  {(s.get('hndl') or {}).get('findings', '-'):>5}  {targets}")
        if s.get("readiness"):
            lines.append(" " * 7 + "per profile: " + ", ".join(f"{k} {v}" for k, v in s["readiness"].items()))
    if not records:
        lines.append("(no scans yet)")
    return "\n".join(lines) + "\n"
