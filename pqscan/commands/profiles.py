"""pqscan profiles list | show NAME|FILE: the policy profiles pqscan judges against."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pqscan.assess.profiles import DEFAULT_PROFILE, Profile, date_text
from pqscan.commands.common import OutputFormat, format_option, output_option, write_output

FORMATS = (OutputFormat.TABLE, OutputFormat.JSON)


def _render(*renderables: object) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=160, no_color=True, highlight=False, markup=False, emoji=False)
    for r in renderables:
        console.print(r)
    return buf.getvalue()


def _summary(p: Profile) -> dict[str, object]:
    return {"id": p.id, "name": p.name, "title": p.title, "scope": p.scope, "confidence": p.confidence,
            "sources": list(p.sources), "default": p.id == DEFAULT_PROFILE, "path": p.path}


@click.group("profiles")
def command() -> None:
    """List and show the policy profiles (NIST IR 8547, CNSA 2.0, EU, UK, ...)."""


@command.command("list")
@format_option(FORMATS, default=OutputFormat.TABLE)
@output_option()
def list_command(output_format: str, output: Path | None) -> int:
    """List the profiles shipped with pqscan."""
    from pqscan.assess.profiles import list_profiles

    profiles = list_profiles()
    if OutputFormat(output_format) is OutputFormat.JSON:
        write_output(json.dumps([_summary(p) for p in profiles], indent=1, ensure_ascii=False), output)
        return 0
    table = Table(title="Policy profiles", box=box.SIMPLE_HEAVY)
    for col in ("Id", "Name", "Confidence", "Title"):
        table.add_column(col)
    for p in profiles:
        table.add_row(Text(p.id + (" (default)" if p.id == DEFAULT_PROFILE else "")), Text(p.name),
                      Text(p.confidence), Text(p.title))
    hint = Text("pqscan profiles show ID  for the rules and sources; --profile FILE.toml for your own.")
    write_output(_render(table, hint), output)
    return 0


@command.command("show")
@click.argument("name")
@format_option(FORMATS, default=OutputFormat.TABLE)
@output_option()
def show_command(name: str, output_format: str, output: Path | None) -> int:
    """Show one profile, shipped (by NAME) or your own (a TOML FILE), rule by rule."""
    from pqscan.assess.profiles import load_profile

    p = load_profile(name)
    if OutputFormat(output_format) is OutputFormat.JSON:
        write_output(json.dumps(p.to_dict(), indent=1, ensure_ascii=False), output)
        return 0
    head = Text()
    head.append(f"{p.name} ({p.id})\n", style="bold")
    for label, value in (("title", p.title), ("scope", p.scope), ("confidence", p.confidence),
                         ("extends", p.extends or ""), ("file", p.path)):
        if value:
            head.append(f"{label}: {value}\n")
    for s in p.sources:
        head.append(f"source: {s}\n")
    for u in p.uncertain:
        head.append(f"uncertain: {u}\n")
    table = Table(title="Rules (first match wins)", box=box.SIMPLE_HEAVY)
    for col in ("Category", "#", "Matches", "Status", "Deprecated after", "Disallowed after", "Note"):
        table.add_column(col)
    for cat, policy in p.categories.items():
        if policy.inherit is not None:
            table.add_row(Text(cat.value), Text(""), Text(f"same rules as {policy.inherit.value}"),
                          Text(""), Text(""), Text(""), Text(""))
            continue
        for rule in policy.rules:
            d = rule.to_dict()
            matches = "; ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in d.items()
                                if k not in ("status", "deprecated_after", "disallowed_after", "note")) or "anything"
            table.add_row(Text(cat.value), Text(str(rule.index)), Text(matches), Text(rule.status.value),
                          Text(date_text(rule.deprecated_after) if rule.deprecated_after else ""),
                          Text(date_text(rule.disallowed_after) if rule.disallowed_after else ""), Text(rule.note))
        table.add_row(Text(cat.value), Text("-"), Text("anything else"), Text(policy.default.value), Text(""),
                      Text(""), Text(policy.default_note))
    write_output(_render(head, table), output)
    return 0
