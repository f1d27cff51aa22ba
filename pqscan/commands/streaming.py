"""What the scanner commands share: their options, a session (``pqscan.pipeline.session``), progress, print.

Endpoint commands (``pqscan tls``, ``ssh``) and path commands (``certs``, ``code``) take their common
options from :func:`network_options` and :func:`inventory_options`. Streaming, resume and saving live in
the session; this module only wires a command to it.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from pqscan import jsonout
from pqscan.commands.cluster import cluster_options
from pqscan.commands.common import (
    OutputFormat,
    endpoints_exit,
    format_option,
    note,
    store_of,
    store_option,
    write_output,
)
from pqscan.commands.options import RATE, TIMEOUT
from pqscan.errors import UsageError
from pqscan.inventory import Inventory
from pqscan.model import ErrorKind, ScanError, ScanResult
from pqscan.report.terminal import Column, Terminal

F = TypeVar("F", bound=Callable[..., Any])


def scan_endpoints_to_inventory(ctx: click.Context, endpoints: Sequence[Any], probe: Any, options: Any,
                                output: Path | None, resume: bool) -> Inventory:
    """The body every endpoint command shares (``pqscan tls``, ``ssh``): one session, one scheduler run."""
    from pqscan.collect.net.netscan import run_scan
    from pqscan.commands.cluster import on_cluster
    from pqscan.pipeline.session import ScanSession, run_endpoints

    keys = [e.key for e in endpoints]
    session = ScanSession.to_file(output, keys, resume=resume, store=store_of(ctx),
                                  observers=progress_observers(ctx, len(keys)))
    if session.skip_keys:
        note(ctx, f"resuming: {len(session.skip_keys & set(keys))} endpoint(s) already done in {output}")
    with session:
        run_endpoints(session, endpoints, probe, options, run=on_cluster(ctx, run_scan, "network"))
    if output is not None:
        note(ctx, f"inventory written to {output}")
    return session.inventory


def scan_paths_to_inventory(ctx: click.Context, paths: Sequence[Path], options: Any,
                            output: Path | None) -> Inventory:
    """The body of the path commands (``pqscan certs``, ``code``): one walk into one session."""
    from pqscan.collect.paths import PathScan
    from pqscan.commands.cluster import cluster_of
    from pqscan.pipeline.session import ScanSession

    walk = PathScan(paths, options, cluster=cluster_of(ctx))
    session = ScanSession.to_file(output, [str(p) for p in paths], store=store_of(ctx))
    results = 0
    with session, warnings.catch_warnings(record=True) as caught:
        # Library warnings (e.g. cryptography's about a non-positive serial number, which the certificate
        # parser also notes on the certificate itself) are recorded in the inventory, never printed over
        # the table. The walk reads ahead, so they are recorded against the scanned roots, counted.
        warnings.simplefilter("always")
        tick = _path_progress(ctx)
        for result in walk.results():
            results += 1
            session.take(result, done=False)
            tick(results, False)
        tick(results, True)
        for error in _warning_errors(", ".join(str(p) for p in paths), caught):
            session.inventory.add_error(error)
        for p in paths:
            session.inventory.mark_done(str(p))
        if labels := walk.labels():
            session.inventory.attachments["roots"] = labels
        session.inventory.attachments["path_scan"] = {"results": results, **walk.stats()}
    if output is not None:
        note(ctx, f"inventory written to {output}")
    return session.inventory


def _warning_errors(target: str, caught: list[warnings.WarningMessage]) -> list[ScanError]:
    from pqscan.textsafe import clean

    seen = Counter(f"{w.category.__name__}: {clean(str(w.message))[:300]}" for w in caught)
    return [ScanError(target, "library-warning", ErrorKind.MALFORMED, f"{text} (x{n})", "path-scan")
            for text, n in seen.items()]


def skip_summary(inventory: Inventory) -> str:
    """'skipped: binary 333, symlink outside the roots 12' and 'not scanned: malformed 2' in one line each."""
    skipped: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    warned = 0
    for e in inventory.errors:
        if e.stage == "library-warning":
            warned += int(e.message.rsplit("(x", 1)[-1].rstrip(")") or 1) if e.message.endswith(")") else 1
        elif e.kind is ErrorKind.BINARY:
            skipped["binary"] += 1
        elif e.kind in (ErrorKind.SKIPPED, ErrorKind.TOO_LARGE):
            skipped[e.kind.value if e.kind is ErrorKind.TOO_LARGE else e.message.split(" (")[0][:60]] += 1
        else:
            failed[e.kind.value] += 1
    lines = []
    if skipped:
        lines.append("skipped: " + ", ".join(f"{k} {n}" for k, n in skipped.most_common()))
    if failed:
        lines.append("not read completely: " + ", ".join(f"{k} {n}" for k, n in failed.most_common())
                     + " (details in the inventory / --format json)")
    if warned:
        lines.append(f"recorded: {warned} library warning(s) about the files read (e.g. a negative serial number), "
                     "in the inventory")
    return "\n".join(lines)


def write_skip_summary(inventory: Inventory) -> None:
    term = Terminal.of(sys.stdout)
    for line in skip_summary(inventory).split("\n"):
        if line:
            sys.stdout.write(term.line(line))


def _path_progress(ctx: click.Context) -> Callable[[int, bool], None]:
    """'read 12,345 files' on stderr, at most five times a second, only on a terminal and without -q."""
    import time

    quiet = bool((ctx.find_root().obj or {}).get("quiet"))
    if quiet or not sys.stderr.isatty():
        return lambda n, last: None
    state = {"at": time.monotonic(), "shown": False}

    def tick(n: int, last: bool) -> None:
        now = time.monotonic()
        if last:
            if state["shown"]:
                sys.stderr.write("\r\x1b[K")  # the table follows; the counter leaves no line behind
                sys.stderr.flush()
            return
        if now - state["at"] >= 0.2:
            state["at"], state["shown"] = now, True
            sys.stderr.write(f"\rread {n:,} file(s) ...")
            sys.stderr.flush()

    return tick


def progress_observers(ctx: click.Context, total: int) -> list[Callable[[ScanResult], None]]:
    """A one-line counter on stderr driven by the session's results (only on a terminal, not with -q)."""
    quiet = bool((ctx.find_root().obj or {}).get("quiet"))
    if quiet or not sys.stderr.isatty() or total <= 1:
        return []
    state = {"done": 0, "errors": 0}

    def observe(result: ScanResult) -> None:
        state["done"] += 1
        state["errors"] += bool(result.errors)
        end = "\n" if state["done"] >= total else ""
        sys.stderr.write(f"\rscanned {state['done']}/{total} ({state['errors']} with errors){end}")
        sys.stderr.flush()

    return [observe]


@dataclass(frozen=True)
class View:
    """How a scanner command shows its result: under which profiles, and everything or what matters."""

    profiles: tuple[str, ...] = ()
    show_all: bool = False


def view_options(f: F) -> F:
    """--profile and --all for the scanner commands' tables (the verdict column reads the assessment)."""
    f = click.option("--all", "show_all", is_flag=True,
                     help="Show every column and every row (default: what matters, fitted to the terminal).")(f)
    return click.option("-p", "--profile", "profiles", multiple=True, metavar="NAME|FILE",
                        help="Judge under this policy profile (repeatable). Default: nist-ir-8547.")(f)


def network_options(f: F) -> F:
    """--timeout, --concurrency, --per-host, --rate and --allow-large: how the endpoint commands (``pqscan tls``,
    ``ssh``) reach their targets (see :func:`scan_endpoints_command`)."""
    f = click.option("--allow-large", is_flag=True, help="Allow CIDR ranges larger than 4096 addresses.")(f)
    f = click.option("--rate", default=None, type=RATE, help="At most this many new connections per second.")(f)
    f = click.option("--per-host", default=8, show_default=True, type=click.IntRange(1, 256),
                     help="Simultaneous connections to one host.")(f)
    f = click.option("--concurrency", default=128, show_default=True, type=click.IntRange(1, 4096),
                     help="Endpoints scanned at once.")(f)
    return click.option("--timeout", default=5.0, show_default=True, type=TIMEOUT,
                        help="Connect and read timeout, seconds.")(f)


def inventory_options(*, endpoints: bool) -> Callable[[F], F]:
    """The options every scanner command ends with: -o/--output (streamed, with --resume, for the
    ``endpoints`` commands), --format table|json, --store, --profile/--all, --cluster/--segment."""
    output_help = ("Inventory file: .jsonl is streamed as endpoints finish; .json is written at the end." if endpoints
                   else "Write the inventory here (.json, or .jsonl for one record per line).")

    def decorate(f: F) -> F:
        table_or_json = format_option([OutputFormat.TABLE, OutputFormat.JSON])
        for option in (cluster_options(), view_options, store_option(), table_or_json):
            f = option(f)  # bottom up: listed as --format, --store, --profile/--all, --cluster/--segment
        if endpoints:
            f = click.option("--resume", is_flag=True,
                             help="Skip endpoints already finished in --output and append to it.")(f)
        return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                            help=output_help)(f)

    return decorate


def write_json(inventory: Inventory, output_format: str, output: Path | None) -> bool:
    """With ``--format json``: the inventory on stdout, unless it went to ``--output`` (one copy is
    enough); True. Otherwise nothing: False (the command shows its table)."""
    if OutputFormat(output_format) is not OutputFormat.JSON:
        return False
    if output is None:
        write_output(jsonout.dumps(inventory.to_dict()), None)
    return True


def emit_inventory(inventory: Inventory, output_format: str, render_table: Callable[..., None],
                   keys: list[str], *, output: Path | None = None, view: View = View()) -> None:
    """JSON on stdout (unless it went to ``--output``: one copy is enough), or the command's table."""
    if not write_json(inventory, output_format, output):
        render_table(inventory, keys, view)


def scan_endpoints_command(ctx: click.Context, endpoints: Sequence[Any], load_probe: Callable[[], Any], collector: str,
                           *, timeout: float, concurrency: int, per_host: int, rate: float | None, output: Path | None,
                           resume: bool, output_format: str, render_table: Callable[..., None], view: View) -> int:
    """The rest of ``pqscan tls`` / ``ssh`` once the targets are parsed: scan with the :func:`network_options`,
    show the result (:func:`emit_inventory`), and the exit code.

    ``load_probe`` imports and builds the probe. It runs after the endpoints' first connections are dialled
    (:mod:`pqscan.collect.net.predial`: not with a connection ``rate``, ``--resume`` or ``--cluster``), so the
    TCP handshakes overlap the imports; whatever the scan did not take is closed at the end."""
    from pqscan.collect.net import predial  # light: the scan machinery (asyncio ...) is imported after the dial
    from pqscan.commands.cluster import cluster_of

    if resume and output is None and store_of(ctx) is None:
        raise UsageError("--resume needs --output or --store (where the scan to resume is)")
    try:
        if rate is None and not resume and cluster_of(ctx) is None:
            predial.dial(endpoints, limit=concurrency, per_host=per_host)
        from pqscan.collect.net.netscan import NetOptions

        options = NetOptions(connect_timeout=timeout, read_timeout=timeout, concurrency=concurrency,
                             per_host=per_host, rate=rate, collector=collector)
        inventory = scan_endpoints_to_inventory(ctx, endpoints, load_probe(), options, output, resume)
    finally:
        predial.close_all()
    keys = [e.key for e in endpoints]
    emit_inventory(inventory, output_format, render_table, keys, output=output, view=view)
    return endpoints_exit(inventory, keys)


def print_endpoint_table(inventory: Inventory, keys: list[str], *, title: str, columns: Sequence[Column],
                         kind: Any, row: Callable[[Any, Inventory], list[str]], view: View) -> None:
    """One row per endpoint of ``kind`` (``row`` builds it as plain text) and its verdict under the
    selected profile; endpoints without a result show their errors. Fitted to the terminal, or one
    record per line on a pipe (:mod:`pqscan.report.terminal`)."""
    from pqscan.report.asset_verdicts import style, verdicts

    judged = verdicts(inventory, view.profiles)
    term = Terminal.of(sys.stdout)
    cols = [*columns, Column("verdict", min_width=10, keep=8, whole=True)]
    several = len(judged.profiles) > 1
    rows: list[list[str]] = []
    styles: list[list[str]] = []
    errors: dict[str, list[str]] = {}
    for e in inventory.errors:
        errors.setdefault(e.target, []).append(f"{e.stage}: {e.kind.value}: {e.message}")
    for key in keys:
        asset = inventory.assets.get(key)
        if asset is None or asset.kind is not kind:
            if key in inventory.completed_targets or key in errors:
                msg = "; ".join(errors.get(key, ["no result"]))[:200]
                rows.append([key, *[""] * (len(columns) - 2), msg, "ERROR"])
                styles.append([""] * (len(cols) - 1) + ["critical"])
            continue
        v = judged.asset(asset.id)
        rows.append([*row(asset, inventory), v.text(name_profile=several) if v else "no finding"])
        styles.append([""] * (len(cols) - 1) + [style(v)])
    profiles = ", ".join(judged.profiles)
    sys.stdout.write(term.table(cols, rows, title=f"{title} (verdict under {profiles})", styles=styles))
    failed = [k for k in keys if k in errors and k not in inventory.assets]
    if failed and term.is_tty:
        sys.stdout.write(f"{len(failed)} endpoint(s) could not be scanned; see the errors in the inventory.\n")
    sys.stdout.flush()
