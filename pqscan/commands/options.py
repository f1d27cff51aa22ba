"""Option and argument types that refuse bad input at the door (one line, exit 2; README "Exit codes").

* :data:`TIMEOUT` / :data:`RATE`: finite numbers in range (``nan`` compares false with every bound,
  so click's ``FloatRange`` alone lets it through and every endpoint then fails at once).
* :data:`CRQC_YEAR`: the year a quantum computer is assumed, 2000-2200 (the same range everywhere).
* :data:`EXISTING_PATH`: a path that exists, else "PATH: no such file or directory".
* :func:`check_scan_targets`: ``pqscan scan`` targets that look like paths but do not exist.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from pqscan.errors import InputError


class FiniteFloat(click.FloatRange):
    """A ``FloatRange`` that also refuses ``nan`` and ``inf``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


TIMEOUT = FiniteFloat(0.05, 300)
RATE = FiniteFloat(0.1, 1_000_000)
CRQC_YEAR = click.IntRange(2000, 2200)


def no_such_path(path: str | os.PathLike[str]) -> InputError:
    return InputError(f"{os.fspath(path)}: no such file or directory")


class ExistingPath(click.ParamType):
    """A file or directory that exists (a dangling symlink does not)."""

    name = "PATH"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = Path(value)
        if not path.exists():
            raise no_such_path(value)
        return path


EXISTING_PATH = ExistingPath()


def _network_like(spec: str) -> bool:
    """``10.0.0.0/24``, ``10.0.0.0/33`` (a bad CIDR is the CIDR parser's error, not a missing path)."""
    try:
        ipaddress.ip_address(spec.split("/", 1)[0].strip("[]"))
    except ValueError:
        return False
    return True


def looks_like_path(spec: str) -> bool:
    """``./x``, ``../x``, ``/x``, ``~/x``, ``x/y``: a path, never a host, URL, CIDR or @file."""
    if "://" in spec or spec.startswith("@"):
        return False
    if spec in (".", "..") or spec.startswith(("/", "./", "../", "~")):
        return True
    return "/" in spec and not _network_like(spec)


def check_scan_targets(specs: Iterable[str]) -> None:
    """A target that reads as a path and does not exist is "no such file or directory" (not a bad CIDR)."""
    for spec in specs:
        spec = spec.strip()
        if looks_like_path(spec) and not os.path.exists(os.path.expanduser(spec)):
            raise no_such_path(spec)
