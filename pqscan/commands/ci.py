"""pqscan ci PATH: code + dependency + configuration scan for CI, with SARIF, baseline and exit code."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import click

from pqscan import jsonout
from pqscan.commands.common import OutputFormat, judge_options, note, store_of, store_option, walk_options, write_output
from pqscan.errors import UsageError
from pqscan.inventory import Inventory
from pqscan.model import Finding, Severity
from pqscan.pipeline.ci import COLLECTORS, CiOptions, CiOutcome, run_ci, write_baseline
from pqscan.report.github_annotations import render_annotations
from pqscan.report.sarif import render_sarif_text
from pqscan.textsafe import clean

FORMATS = (OutputFormat.TABLE, OutputFormat.JSON, OutputFormat.SARIF, OutputFormat.GITHUB)


def _message(outcome: CiOutcome, f: Finding) -> str:
    v = outcome.assessment.worst(f.id)
    text = v.reason if v is not None else f"{f.algorithm} used for {f.usage.value}"
    if f.evidence.symbol:
        text += f" ({f.evidence.symbol})"
    return text


def path_prefix(root: Path, srcroot: Path) -> str:
    """The scanned directory relative to the source root, so reported paths resolve from the repo root."""
    base = root if root.is_dir() else root.parent
    try:
        rel = base.resolve().relative_to(srcroot.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


def _root_and_files(paths: tuple[Path, ...], srcroot: Path) -> tuple[Path, list[str] | None]:
    if not paths:
        return Path("."), None
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0], None
    base = srcroot.resolve()
    rels = []
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
        try:
            rels.append(p.resolve().relative_to(base).as_posix())
        except ValueError:
            raise UsageError(f"{p} is outside --srcroot {srcroot}; run from the repository root") from None
    return srcroot, rels


def render_table(outcome: CiOutcome, prefix: str, floor: Severity = Severity.LOW) -> str:
    rows = []
    for f in sorted(outcome.inventory.findings, key=lambda f: (-outcome.severities[f.id].rank, f.evidence.location,
                                                                 f.evidence.line or 0)):
        sev = outcome.severities[f.id]
        if sev.rank < floor.rank:
            continue
        where = f"{prefix}{f.evidence.location}" + (f":{f.evidence.line}" if f.evidence.line else "")
        state = "new" if outcome.baseline_ids is not None and outcome.is_new(f) else ""
        rows.append((sev.value, state, where, f.algorithm, f.usage.value, f.evidence.symbol[:40]))
    s = outcome.summary()
    head = ("severity", "", "location", "algorithm", "usage", "symbol")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *rows]]
    by = ", ".join(f"{k} {v}" for k, v in s["by_severity"].items() if v)
    lines.append("")
    skipped = s["skipped"]
    if skipped:
        lines.append("")
        lines.append(f"not scanned ({sum(skipped.values())}):")
        lines.extend(f"  {n:>6}  {clean(reason)}" for reason, n in skipped.items())
    lines.append("")
    gate = f"--fail-on {s['fail_on'] or '(not set)'}"
    if s["fail_on_new_quantum_vulnerable"]:
        gate += " or new and quantum-vulnerable"
    lines.append(f"{s['findings']} findings ({by or 'none'}); {s['new']} new; {s['errors']} scan errors; "
                 f"{s['failing']} failing ({gate})")
    return "\n".join(lines)


@click.command("ci")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@judge_options(FORMATS)
@click.option("--sarif", "sarif_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write SARIF 2.1.0 to this file (for github/codeql-action/upload-sarif).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Only findings not in this baseline (ids, inventory or pqscan SARIF) count as new and can fail.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every current finding id to this file and exit 0.")
@click.option("--changed-since", metavar="GIT_REF", default=None,
              help="Only scan files changed since this git revision (plus untracked files).")
@click.option("--fail-on-new-quantum-vulnerable", "fail_on_new_qv", is_flag=True,
              help="Exit 1 when a NEW finding (not in --baseline) uses an algorithm a quantum computer breaks "
                   "(RSA, DH, ECDH, ECDSA, EdDSA ... by the catalogue's quantum status), whatever its severity.")
@walk_options
@click.option("--collector", "collectors", multiple=True, type=click.Choice(COLLECTORS),
              help="Run only these collectors (default: all four); repeatable.")
@click.option("--srcroot", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Repository root that SARIF and annotation paths are relative to.")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default=Severity.LOW.value,
              show_default=True, help="Leave findings below this severity out of SARIF and annotations.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None, help="Judge as if today were this date.")
@store_option()
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], profiles: tuple[str, ...], output_format: str, output: Path | None,
            fail_on: str | None, sarif_path: Path | None, baseline: Path | None, write_baseline_path: Path | None,
            changed_since: str | None, fail_on_new_qv: bool, excludes: tuple[str, ...], max_size: int,
            no_gitignore: bool, follow_symlinks: bool, collectors: tuple[str, ...], srcroot: Path,
            min_severity: str, as_of: str | None) -> int:
    """Scan a repository under PATH (default: .) for CI: code, dependencies, configuration, keys and certificates.

    One directory is scanned whole. Several paths, or files (as pre-commit passes them), are scanned
    as part of the tree at --srcroot, so their findings and fingerprints match a full scan.

    \b
    Exit codes: 0 no new finding at or above --fail-on (nor, with --fail-on-new-quantum-vulnerable,
    a new quantum-vulnerable one), 1 there is one, 2 usage or input error.
    Examples:
      pqscan ci . --fail-on high --sarif pqscan.sarif
      pqscan ci . --write-baseline .pqscan-baseline.json
      pqscan ci . --baseline .pqscan-baseline.json --fail-on medium --format github
      pqscan ci . --changed-since origin/main --fail-on high
      pqscan ci . --baseline .pqscan-baseline.json --fail-on-new-quantum-vulnerable
    """

    today = None
    if as_of:
        try:
            today = datetime.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of {as_of!r}: expected a date YYYY-MM-DD") from None
    path, only_files = _root_and_files(paths, srcroot)
    options = CiOptions(profiles=profiles or ("nist-ir-8547",), fail_on=Severity.parse(fail_on) if fail_on else None,
                        baseline=baseline, changed_since=changed_since, collectors=collectors or COLLECTORS,
                        excludes=excludes, max_bytes=max_size, today=today, only_files=only_files,
                        fail_on_new_quantum_vulnerable=fail_on_new_qv, follow_symlinks=follow_symlinks,
                        use_gitignore=not no_gitignore)
    outcome = run_ci(path, options)
    if (store := store_of(ctx)) is not None:
        record_in_store(store, [str(p) for p in paths] or [str(path)], outcome.inventory, options.profiles)
        note(ctx, "recorded the scan in the store")
    prefix = path_prefix(path, srcroot)
    floor = Severity(min_severity)
    sarif_kwargs = {"srcroot": srcroot, "path_prefix": prefix, "baseline_ids": outcome.baseline_ids,
                    "min_severity": floor}
    if sarif_path is not None:
        write_output(render_sarif_text(outcome.inventory, outcome.assessment, **sarif_kwargs), sarif_path)
        note(ctx, f"wrote SARIF to {sarif_path}")
    if write_baseline_path is not None:
        write_baseline(write_baseline_path, outcome.inventory)
        note(ctx, f"wrote a baseline of {len({f.id for f in outcome.inventory.findings})} findings to "
                  f"{write_baseline_path}")
        return 0
    fmt = OutputFormat(output_format)
    if fmt is OutputFormat.SARIF:
        text = render_sarif_text(outcome.inventory, outcome.assessment, **sarif_kwargs)
    elif fmt is OutputFormat.JSON:
        text = jsonout.dumps({"ci": outcome.summary(), "new_finding_ids": sorted(outcome.new_ids),
                           "inventory": outcome.inventory.to_dict(), "assessment": outcome.assessment.to_dict()},
                          depth=3, default=str)
    elif fmt is OutputFormat.GITHUB:
        text = render_annotations([f for f in outcome.inventory.findings
                                   if outcome.is_new(f) and outcome.severities[f.id].rank >= floor.rank],
                                  lambda f: outcome.severities[f.id], lambda f: _message(outcome, f),
                                  path_prefix=prefix)
    else:
        text = render_table(outcome, prefix, floor)
    if text or output is not None:
        write_output(text, output)
    s = outcome.summary()
    if outcome.changed_files is not None:
        note(ctx, f"--changed-since {changed_since}: {len(outcome.changed_files)} changed files scanned")
    if outcome.failing:
        note(ctx, f"{len(outcome.failing)} new findings at or above --fail-on {fail_on or '(not set)'}"
                  f"{' or quantum-vulnerable' if fail_on_new_qv else ''}: failing (exit 1)")
    elif os.environ.get("PQSCAN_CI_VERBOSE"):
        note(ctx, f"{s['findings']} findings, none new at or above --fail-on")
    return outcome.exit_code


def record_in_store(url: str, targets: list[str], inventory: Inventory, profiles: tuple[str, ...]) -> None:
    """The CI scan as one scan of the store (its results are one path walk)."""
    from pqscan.model import ScanResult
    from pqscan.store import open_store
    from pqscan.store.sink import StoreSink

    by_collector: dict[str, ScanResult] = {}
    owner: dict[str, str] = {}
    for f in inventory.findings:
        owner.setdefault(f.asset_id, f.collector)
        by_collector.setdefault(f.collector, ScanResult(f.collector, f.collector)).findings.append(f)
    for a in inventory.assets.values():
        name = owner.get(a.id, "files")
        by_collector.setdefault(name, ScanResult(name, name)).assets.append(a)
    for e in inventory.errors:
        name = e.collector or "files"
        by_collector.setdefault(name, ScanResult(name, name)).errors.append(e)
    sink = StoreSink(open_store(url), targets, profiles, owns_store=True)
    try:
        for result in by_collector.values():  # one store scope per collector, as a path scan records them
            sink.write(result, done=False)
    except BaseException:
        sink.close_unfinished(inventory)
        raise
    sink.finish(inventory)
