"""pqscan assess INVENTORY...: judge an inventory against one or more policy profiles."""

from __future__ import annotations

import datetime
import os
import shutil
import sys
from importlib import resources
from pathlib import Path

import click

from pqscan.commands.common import OutputFormat, fail_exit, judge_options, note, write_output
from pqscan.errors import UsageError

FORMATS = (OutputFormat.TABLE, OutputFormat.JSON)


def parse_as_of(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--as-of {text!r}: expected a date YYYY-MM-DD") from None


def sample_inventory_path() -> Path:
    """The sample inventory shipped in the package (built by scripts/make_sample_inventory.py)."""
    return Path(str(resources.files("pqscan") / "data" / "sample-inventory.json"))


def terminal(output: Path | None) -> tuple[int, bool]:
    """(width, color) for table output: the terminal's when writing to one, a wide plain page otherwise."""
    if output is None and sys.stdout.isatty():
        return shutil.get_terminal_size((160, 40)).columns, "NO_COLOR" not in os.environ
    return 160, False


@click.command("assess")
@click.argument("inventories", nargs=-1, type=click.Path(path_type=Path))
@judge_options(FORMATS)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
              help="Judge as if today were this date (what changes after 2030?). Default: today.")
@click.option("--sample", is_flag=True, help="Assess the small sample inventory shipped with pqscan.")
@click.option("--ownership", "ownership", multiple=True, metavar="PATTERN=ROLE",
              help="Override who runs matching assets (glob on asset id, location or name): operated, "
                   "vendor-managed, third-party, test-material or expired. Repeatable; the first match wins.")
@click.pass_context
def command(ctx: click.Context, inventories: tuple[Path, ...], profiles: tuple[str, ...], output_format: str,
            output: Path | None, fail_on: str | None, as_of: str | None, sample: bool,
            ownership: tuple[str, ...]) -> int:
    """Assess INVENTORY (JSON or JSONL; several are merged) against policy profiles.

    \b
    Each finding gets one verdict per profile: compliant, deprecated, disallowed or unknown,
    with a severity, the applicable deadline and the reason. Several --profile options give a
    compliance matrix, a combined verdict per finding (the earliest deadline and the profile that
    sets it, the algorithms every profile accepts) and a readiness score per profile and for all.
    Trust stores, test material, third-party code and expired certificates are reported apart
    (--ownership overrides). Exit 1 when a finding is at or above --fail-on.
    """
    from pqscan.assess.engine import assess
    from pqscan.assess.ownership import parse_override
    from pqscan.assess.profiles import load_profiles
    from pqscan.inventory import load_many
    from pqscan.report.assessment import render_json, render_table

    today = parse_as_of(as_of)
    overrides = [parse_override(o) for o in ownership]
    loaded = load_profiles(profiles)  # before the inventories: a bad profile is the cheaper error
    paths: list[Path] = list(inventories)
    if sample:
        paths.append(sample_inventory_path())
    if not paths:
        raise UsageError("give an INVENTORY file (JSON or JSONL), or --sample for the shipped sample")
    inventory = load_many(paths)
    assessment = assess(inventory, loaded, today=today, overrides=overrides)
    if OutputFormat(output_format) is OutputFormat.JSON:
        text = render_json(inventory, assessment)
    else:
        width, color = terminal(output)
        text = render_table(inventory, assessment, width=width, color=color,
                            plain=output is None and not sys.stdout.isatty())
    write_output(text, output)
    if output is not None:
        note(ctx, f"wrote {output_format} assessment to {output}")
    return fail_exit(assessment.worst_severity(), fail_on)
