"""``pqscan bench``: PQC vs classical benchmark on this machine (liboqs when present, OpenSSL always)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from pqscan.bench.backends import BACKEND_NAMES, BenchCase, Family
from pqscan.bench.report import render_json, render_table
from pqscan.bench.runner import Settings
from pqscan.bench.session import BenchRun, plan
from pqscan.commands.common import OutputFormat, format_option, note, output_option, write_output
from pqscan.errors import ExitCode, InputError, UsageError
from pqscan.report.terminal import Column, Terminal


def _list(backends: tuple[str, ...], algorithms: tuple[str, ...], family: Family | None, as_json: bool,
          output: Path | None) -> None:
    p = plan(backends, algorithms, family)
    if as_json:
        import json

        doc = {
            "backends": [{"name": n, "available": av.available, "reason": av.reason, "version": av.version}
                         for n, av in p.availability.items()],
            "algorithms": [{"backend": c.backend, "name": c.name, "algorithm_id": c.algorithm_id,
                            "family": c.family.value, "kind": c.kind.value} for c in p.cases],
        }
        write_output(json.dumps(doc, indent=2), output)
        return
    # Plain text through pqscan.report.terminal: no markup, so `pip install 'pqscan[oqs]'` keeps its brackets.
    term = Terminal.of(sys.stdout) if output is None else Terminal(False, 80, False)
    lines = [term.line(f"{name}: " + (f"available {av.version or ''}".rstrip() + (f" ({av.reason})" if av.reason else "")
                                      if av.available else f"not available: {av.reason}"))
             for name, av in p.availability.items()]
    cols = (Column("backend", min_width=8), Column("name", min_width=16, whole=True),
            Column("catalogue id", min_width=12, whole=True), Column("family", min_width=6), Column("kind", min_width=6))
    rows = [[c.backend, c.name, c.algorithm_id or "(not in catalogue)", c.family.value, c.kind.value] for c in p.cases]
    text = "".join(lines) + term.table(cols, rows, title=f"Algorithms ({len(p.cases)})")
    write_output(text, output)


def _said_once(ctx: click.Context) -> bool:
    """Whether liboqs' absence was already reported in this process (one line, once)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, dict):
        return False
    said = bool(obj.get("liboqs_absence_said"))
    obj["liboqs_absence_said"] = True
    return said


def attach_to_inventory(document: dict[str, object], inventory_path: Path) -> None:
    """Store a bench result in ``attachments["bench"]`` of a JSON or JSONL inventory."""
    from pqscan.inventory import JsonlWriter, load

    inv = load(inventory_path)  # InputError (exit 2) when missing or malformed
    with open(inventory_path, "rb") as fh:
        streamed = b'"header"' in fh.readline(4096)
    if streamed:
        writer = JsonlWriter(inventory_path, append=True)
        writer.write_attachment("bench", document)
        writer.close(finished=False)
        return
    inv.attachments["bench"] = document
    try:
        inv.save(inventory_path)
    except OSError as exc:
        raise InputError(f"cannot write {inventory_path}: {exc.strerror or exc}") from exc


@click.command("bench")
@click.option("-b", "--backend", "backends", multiple=True, type=click.Choice(BACKEND_NAMES),
              help="Backend to run (repeatable). Default: all available.")
@click.option("-a", "--algorithm", "algorithms", multiple=True, metavar="GLOB",
              help="Algorithm name or catalogue id, glob allowed ('ML-KEM-*', 'RSA-2048'); repeatable.")
@click.option("--family", type=click.Choice([f.value for f in Family]), default=None,
              help="Only KEMs / key agreement (kem) or signatures (sig).")
@click.option("--quick", is_flag=True, help="Smoke run: very short timings (figures indicative only).")
@click.option("--min-time", type=click.FloatRange(min=0.001), default=None, metavar="S",
              help="Seconds of timing per operation, over all repeats (default 1.0; 0.02 with --quick).")
@click.option("--repeats", type=click.IntRange(min=1, max=1000), default=None, metavar="N",
              help="Samples per operation (default 5; 3 with --quick). Median and spread are over these.")
@click.option("--list", "list_only", is_flag=True, help="Show the backends and algorithms available, and why not.")
@format_option([OutputFormat.TABLE, OutputFormat.JSON])
@output_option()
@click.option("--attach", "attach", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="INVENTORY", help="Store the result in this inventory (attachments.bench) for the reports.")
@click.pass_context
def command(ctx: click.Context, backends: tuple[str, ...], algorithms: tuple[str, ...], family: str | None,
            quick: bool, min_time: float | None, repeats: int | None, list_only: bool, output_format: str,
            output: Path | None, attach: Path | None) -> int:
    """Benchmark post-quantum algorithms beside the classical ones they replace, on this machine.

    \b
    Backends: liboqs (every enabled algorithm, when liboqs + liboqs-python are installed),
              openssl (ML-KEM, ML-DSA from the OpenSSL bundled with cryptography),
              classical (RSA, ECDSA, Ed25519, X25519, ECDH).
    Every run checks correctness and sizes, and ends with the migration cost table.
    """
    chosen = backends or BACKEND_NAMES
    fam = Family(family) if family else None
    if list_only:
        _list(chosen, algorithms, fam, output_format == OutputFormat.JSON.value, output)
        return 0
    settings = Settings.make(quick=quick, min_time=min_time, repeats=repeats)
    p = plan(chosen, algorithms, fam, quick=quick)
    for name, av in p.availability.items():
        if not av.available and (backends or name != "liboqs" or not _said_once(ctx)):
            note(ctx, f"{name}: {av.reason}")
    if not p.cases:
        raise UsageError("no algorithm to benchmark with these options (see 'pqscan bench --list')")
    for pattern in p.unmatched:
        note(ctx, f"--algorithm {pattern!r} matched nothing available")
    run = BenchRun(settings, p, selection={"backends": list(chosen), "algorithms": list(algorithms),
                                           "family": family})
    quiet = bool((ctx.find_root().obj or {}).get("quiet"))
    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        run.run()
    else:
        total = len(p.cases)
        done = [0]

        def progress(case: BenchCase) -> None:
            done[0] += 1
            status.update(escape(f"benchmarking {done[0]}/{total}: {case.backend} {case.name}"))

        with err.status("benchmarking") as status:
            run.run(progress=progress)
    doc = run.to_dict()
    if attach is not None:
        attach_to_inventory(doc, attach)
        note(ctx, f"bench result attached to {attach}")
    if output_format == OutputFormat.JSON.value:
        write_output(render_json(doc), output)
    elif output is None:
        render_table(doc, Console(highlight=False), show_missing=not (backends or algorithms or family or quick))
    else:
        from pqscan.outfile import atomic_text

        with atomic_text(output) as fh:
            render_table(doc, Console(file=fh, width=160, highlight=False),
                         show_missing=not (backends or algorithms or family or quick))
    if not run.ok:
        note(ctx, "some correctness or size checks failed: see the errors in the result")
        return ExitCode.FINDINGS
    return 0
