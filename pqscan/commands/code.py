"""``pqscan code PATH...``: crypto API calls, names and embedded keys in source code."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from pqscan.collect.code import CodeScanOptions
from pqscan.collect.code.files import LANGUAGES, RULESET_OF
from pqscan.collect.paths import PathScanOptions
from pqscan.commands.common import make_walk, walk_options
from pqscan.commands.options import EXISTING_PATH
from pqscan.commands.streaming import View, inventory_options, scan_paths_to_inventory, write_json, write_skip_summary
from pqscan.inventory import Inventory
from pqscan.model import Finding
from pqscan.report.terminal import Column, Terminal

_LANGUAGE_CHOICES = sorted({*LANGUAGES, *RULESET_OF.values()})


@click.command("code", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=EXISTING_PATH, metavar="PATH...")
@walk_options
@click.option("--language", "languages", multiple=True, type=click.Choice(_LANGUAGE_CHOICES, case_sensitive=False),
              help="Only these languages (repeatable). Default: all.")
@click.option("--include-vendored", is_flag=True,
              help="Also scan vendor/, third_party/, site-packages/ ... (node_modules/ and virtualenvs stay "
                   "out: the walker's default excludes).")
@click.option("--include-generated", is_flag=True, help="Also scan generated files (DO NOT EDIT, *_pb2.py ...).")
@click.option("--include-minified", is_flag=True, help="Also scan minified files (very long lines).")
@click.option("--parse-all", is_flag=True,
              help="Also parse files that name no crypto API (slower; reports their syntax errors too).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Worker processes (0: one per CPU, at most 8). Same results, same order.")
@inventory_options(endpoints=False)
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], excludes: tuple[str, ...], max_size: int,
            no_gitignore: bool, follow_symlinks: bool, languages: tuple[str, ...], include_vendored: bool,
            include_generated: bool, include_minified: bool, parse_all: bool, jobs: int, output: Path | None,
            output_format: str, profiles: tuple[str, ...], show_all: bool) -> int:
    """Find cryptography in source code: which API, which algorithm, key size, curve and use.

    \b
    Python (ast), Java, Go, JavaScript/TypeScript, C/C++, Rust, C# (tree-sitter). Code is parsed,
    never imported or run. Comments, log messages and look-alike identifiers are not findings.
    Examples:
      pqscan code ./src
      pqscan code . --exclude 'tests/' --language python --format json -o code.json
    """
    walk = make_walk(excludes, max_size, no_gitignore, follow_symlinks)
    code = CodeScanOptions(
        walk=walk, skip_vendored=not include_vendored, skip_generated=not include_generated,
        skip_minified=not include_minified, languages=frozenset(x.lower() for x in languages) or None,
        parse_all=parse_all,
    )
    options = PathScanOptions(walk=walk, collectors=("code",), code=code, jobs=jobs or _cpus())
    inv = scan_paths_to_inventory(ctx, paths, options, output)
    files = inv.attachments["path_scan"]["results"]
    if write_json(inv, output_format, output):
        return 0
    if output is not None:
        render_summary(inv, files, output)  # every finding is in the file: one row per algorithm here
    else:
        render_table(inv, files, View(profiles, show_all))
    return 0


def _cpus() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


_SUMMARY_COLUMNS = (Column("algorithm", min_width=10, whole=True), Column("usage", min_width=8),
                    Column("findings", right=True), Column("files", right=True))


def render_summary(inv: Inventory, files: int, output: Path) -> None:
    """With ``-o`` the inventory holds every finding: the terminal gets counts per algorithm and use
    (a table of thousands of rows costs more than the scan and nobody reads it); on a pipe one record a line."""
    counts: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], set[str]] = {}
    for f in inv.findings:
        key = (f.algorithm, f.usage.value)
        counts[key] += 1
        where.setdefault(key, set()).add(f.evidence.location)
    term = Terminal.of(sys.stdout)
    rows = [[algorithm, usage, str(n), str(len(where[(algorithm, usage)]))]
            for (algorithm, usage), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    sys.stdout.write(term.line(f"Cryptography in code: {len(inv.findings)} finding(s) in {files} file(s)"))
    if rows:
        sys.stdout.write(term.table(_SUMMARY_COLUMNS, rows))
    sys.stdout.write(term.line(f"each finding with its location and code: {output}"))
    write_skip_summary(inv)


TOP_FINDINGS = 20
_COLUMNS = (Column("location", min_width=16, keep=9), Column("algorithm", min_width=10, keep=7, whole=True),
            Column("usage", min_width=8, keep=4), Column("verdict", min_width=8, keep=8, whole=True))
_ALL_COLUMNS = (Column("detail", min_width=10, tokens=False, detail=True, keep=2),
                Column("confidence", min_width=6, detail=True, keep=1),
                Column("code", min_width=10, tokens=False, detail=True, keep=1))


def render_table(inv: Inventory, files: int, view: View = View()) -> None:
    """The findings by severity under the profile, worst first, with file:line (the top ones; ``--all``
    every one with its detail and code)."""
    from pqscan.report.asset_verdicts import style, verdicts

    judged = verdicts(inv, view.profiles)
    several = len(judged.profiles) > 1
    term = Terminal.of(sys.stdout)
    columns = (*_COLUMNS, *_ALL_COLUMNS) if view.show_all else _COLUMNS

    def rank(f: Finding) -> int:
        v = judged.by_finding.get(f.id)
        return v.severity.rank if v else -1

    ordered = sorted(inv.findings, key=lambda f: (-rank(f), f.evidence.location, f.evidence.line or 0))
    shown = ordered if view.show_all else ordered[:TOP_FINDINGS]
    rows, styles = [], []
    for f in shown:
        v = judged.by_finding.get(f.id)
        p = f.parameters
        detail = ", ".join(f"{k}={p[k]}" for k in ("key_bits", "curve", "mode", "hash", "library_default",
                                                    "usedforsecurity", "unknown_reason") if k in p)
        where = f"{f.evidence.location}:{f.evidence.line}" if f.evidence.line else f.evidence.location
        rows.append([where, f.algorithm, f.usage.value, v.text(name_profile=several) if v else "-",
                     detail or "-", f.confidence.value, f.evidence.snippet[:120]][: len(columns)])
        styles.append([""] * 3 + [style(v)] + [""] * 3)
    if term.is_tty:
        sys.stdout.write(term.line(f"Cryptography in code: {len(inv.findings)} finding(s) in {files} file(s); "
                         + ("all" if view.show_all or len(ordered) <= TOP_FINDINGS else f"the {len(shown)} most severe")
                         + f", verdict under {', '.join(judged.profiles)}"))
    if rows:
        sys.stdout.write(term.table(columns, rows, styles=styles))
    if term.is_tty:
        if len(shown) < len(ordered):
            sys.stdout.write(f"{len(ordered) - len(shown)} more: --all, or -o FILE for the inventory\n")
        write_skip_summary(inv)
