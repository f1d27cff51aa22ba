"""Options and helpers shared by every command, so flags mean the same thing everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import click

from pqscan.errors import ExitCode, UsageError
from pqscan.model import Severity

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    MARKDOWN = "markdown"
    HTML = "html"
    SARIF = "sarif"
    CBOM = "cbom"
    GITHUB = "github"  # GitHub Actions workflow-command annotations
    DOT = "dot"
    GRAPHML = "graphml"
    MERMAID = "mermaid"


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


def write_output(text: str, output: Path | None) -> None:
    """Write to a file (atomically) or stdout."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    try:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


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
