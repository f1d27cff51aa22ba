"""Options and helpers shared by every command, so flags mean the same thing everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from pqscan.errors import ExitCode, UsageError
from pqscan.model import Severity
from pqscan.report.formats import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])


def format_option(choices: Iterable[OutputFormat], default: OutputFormat = OutputFormat.TABLE) -> Callable[[F], F]:
    values = [c.value for c in choices]
    return click.option(
        "-f",
        "--format",
        "output_format",
        type=click.Choice(values, case_sensitive=False),
        default=default.value,
        show_default=True,
        help="Output format.",
    )


def output_option(help_text: str = "Write the output to this file instead of stdout.") -> Callable[[F], F]:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help=help_text)


def fail_on_option() -> Callable[[F], F]:
    return click.option(
        "--fail-on",
        type=click.Choice([s.value for s in Severity], case_sensitive=False),
        default=None,
        help="Exit 1 when any finding is at or above this severity.",
    )


def profile_option() -> Callable[[F], F]:
    return click.option(
        "-p",
        "--profile",
        "profiles",
        multiple=True,
        metavar="NAME|FILE",
        help="Policy profile by name (see 'pqscan profiles list') or a TOML file; repeatable. Default: nist-ir-8547.",
    )


def judge_options(formats: Iterable[OutputFormat]) -> Callable[[F], F]:
    """-p/--profile, -f/--format (table by default), -o/--output and --fail-on, in that order: the options
    of the commands that judge inventories and gate on the result (``pqscan assess``, ``ci``)."""

    def decorate(f: F) -> F:
        for option in (fail_on_option(), output_option(), format_option(formats, default=OutputFormat.TABLE),
                       profile_option()):
            f = option(f)  # bottom up
        return f

    return decorate


STORE_META = "pqscan.store"


def store_option() -> Callable[[F], F]:
    """``--store URL`` (or ``$PQSCAN_STORE``): also write the scan into the estate store as it streams."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        ctx.meta[STORE_META] = value or None
        return value

    return click.option("--store", "store_url", envvar="PQSCAN_STORE", default=None, metavar="URL", expose_value=False,
                        callback=remember, is_eager=True,
                        help="Also record the scan in this store: sqlite:///PATH or postgresql://… "
                             "(default: $PQSCAN_STORE). See `pqscan history`.")


def store_of(ctx: click.Context | None = None) -> str | None:
    """The ``--store`` of the running command, if any."""
    ctx = ctx or click.get_current_context(silent=True)
    return ctx.meta.get(STORE_META) if ctx is not None else None


def write_output(text: str, output: Path | None) -> None:
    """Write to a file (atomically, never over a link, pipe or device: :mod:`pqscan.outfile`) or stdout.

    JSON, SARIF and CBOM carry inventory text as it is; :func:`pqscan.textsafe.safe_output` turns the
    characters that could act on a terminal or reorder text into JSON escapes (the same string to a parser)."""
    from pqscan.textsafe import safe_output

    text = safe_output(text)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    from pqscan.outfile import write_text

    write_text(output, text)


def note(ctx: click.Context | None, message: str) -> None:
    """A human note on stderr, silenced by --quiet."""
    obj = (ctx.find_root().obj if ctx else None) or {}
    if not obj.get("quiet"):
        click.echo(f"pqscan: {message}", err=True)


def fail_exit(worst: Severity | None, fail_on: str | None) -> int:
    """The exit code for a finished run: FINDINGS when worst >= --fail-on."""
    if fail_on is None or worst is None:
        return ExitCode.OK
    return ExitCode.FINDINGS if worst.rank >= Severity.parse(fail_on).rank else ExitCode.OK


def endpoints_exit(inventory: Any, keys: list[str]) -> int:
    """``pqscan tls`` / ``ssh``: NOTHING_SCANNED (4) when no endpoint gave a result, else OK.

    An endpoint counts as scanned when its endpoint asset is in the inventory (earlier runs included,
    with --resume); refused, timed-out and not-TLS/SSH endpoints are recorded errors only."""
    if keys and not any(k in inventory.assets for k in keys):
        click.echo(f"pqscan: none of the {len(keys)} endpoint(s) could be scanned (errors are in the inventory)",
                   err=True)
        return ExitCode.NOTHING_SCANNED
    return ExitCode.OK


# -- the walk's options: one size parser, the same flags in scan, ci, certs and code -------------

_SIZE_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str, option: str = "--max-size") -> int:
    """"5M", "512k", "1.5m", "1000" -> bytes (binary units; a trailing B is allowed)."""
    t = str(text).strip().lower().removesuffix("ib").removesuffix("b")
    mult = _SIZE_UNITS.get(t[-1:], 1)
    number = t[:-1] if t[-1:] in _SIZE_UNITS else t
    try:
        value = float(number) * mult
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected a size such as 5M, 512k or 100000") from None
    if not value > 0 or value != value or value == float("inf"):
        raise UsageError(f"{option} {text!r}: must be a positive size")
    return max(1, int(value))


class SizeParam(click.ParamType):
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        return parse_size(value, "--" + (param.name or "size").replace("_", "-") if param else "--max-size")


SIZE = SizeParam()


def walk_options(f: F) -> F:
    """--exclude, --max-size, --no-gitignore, --follow-symlinks: collected into ``walk`` (a WalkOptions)."""
    from pqscan.collect.walk import DEFAULT_MAX_BYTES

    f = click.option("--follow-symlinks", is_flag=True,
                     help="Also follow symlinked files whose target is outside the scanned paths "
                          "(default: recorded as skipped).")(f)
    f = click.option("--no-gitignore", is_flag=True, help="Do not honour .gitignore files in the tree.")(f)
    f = click.option("--max-size", type=SIZE, default=DEFAULT_MAX_BYTES, show_default="5M", metavar="SIZE",
                     help="Skip (and record) files larger than this, e.g. 5M or 512k.")(f)
    return click.option("--exclude", "excludes", multiple=True, metavar="PATTERN",
                        help="gitignore-style pattern to skip (repeatable), e.g. 'tests/' or '*.bak'.")(f)


def make_walk(excludes: tuple[str, ...], max_size: int, no_gitignore: bool, follow_symlinks: bool) -> Any:
    from pqscan.collect.walk import WalkOptions

    return WalkOptions(excludes=tuple(excludes), max_bytes=max_size, use_gitignore=not no_gitignore,
                       follow_outside_links=follow_symlinks)
