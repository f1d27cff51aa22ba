"""pqscan merge A.json B.jsonl ... -o merged.json: fold several inventories into one."""

from __future__ import annotations

from pathlib import Path

import click

from pqscan import jsonout
from pqscan.commands.common import note, output_option, write_output


@click.command("merge")
@click.argument("inventories", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_option("Write the merged inventory to this file (atomically) instead of stdout.")
@click.pass_context
def command(ctx: click.Context, inventories: tuple[Path, ...], output: Path | None) -> int:
    """Merge INVENTORY files (JSON or JSONL, e.g. an interrupted scan's stream) into one JSON inventory.

    Assets are deduplicated by their stable id (attributes and relations are united), findings by
    finding id; errors, targets and completed targets are kept from every input.
    """
    from pqscan.inventory import load_many

    merged = load_many(inventories)
    if output is not None:
        merged.save(output)
        note(ctx, f"merged {len(inventories)} inventories ({len(merged.assets)} assets, "
                  f"{len(merged.findings)} findings) into {output}")
    else:
        write_output(jsonout.dumps(merged.to_dict()), None)
    return 0
