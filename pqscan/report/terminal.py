"""Tables for people at a terminal, and a stable one-record-per-line layout for pipes.

On a terminal a table fits the terminal's width (80 columns and up): columns of tokens (addresses,
ports, algorithm names, paths) are never wrapped inside a token; when one is too long for its column
it is shortened in the middle with an ellipsis (``/etc/ssl/…/cert.pem``). Columns of prose wrap at
spaces. A cell may hold several values, one per line.

On a pipe (or with ``plain=True``) every record is one line of tab-separated fields under a ``#``
header line, several values of a cell joined with ``, ``: stable for ``grep``, ``cut`` and ``awk``,
whatever the width.

Cells are plain text (never markup): what came from a target is cleaned of control characters here.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from pqscan.textsafe import clean

ELLIPSIS = "…"
GAP = "  "
MIN_WIDTH = 80


@dataclass(frozen=True)
class Column:
    header: str
    tokens: bool = True  # addresses, names, paths: shortened in the middle, never wrapped
    min_width: int = 8
    right: bool = False  # numbers
    detail: bool = False  # may move to a detail line under its row when the table does not fit
    keep: int = 1  # the higher, the later this column gives way (shrinks or moves to a detail line)
    whole: bool = False  # algorithm names, verdicts: shortened only when nothing else can give way


_STYLES = {"critical": "\x1b[1;31m", "high": "\x1b[31m", "medium": "\x1b[33m", "low": "\x1b[36m",
           "info": "\x1b[2m", "exposed": "\x1b[1;31m", "ok": "\x1b[32m", "pq": "\x1b[32m"}
_RESET = "\x1b[0m"


def middle(text: str, width: int) -> str:
    """``text`` shortened to ``width`` characters by an ellipsis in the middle (the ends say most)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    head = (width - 1 + 1) // 2
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def _cell_lines(value: str) -> list[str]:
    return [clean(line) for line in str(value).split("\n")] or [""]


def _wrap(line: str, width: int) -> list[str]:
    """Prose wrapped at spaces; a single word longer than the column is shortened in the middle."""
    words = [middle(w, width) for w in line.split(" ")]
    return textwrap.wrap(" ".join(words), width, break_long_words=False, break_on_hyphens=False) or [""]


def _natural(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[int]:
    return [max([len(c.header)] + [len(line) for r in rows for line in _cell_lines(r[i])])
            for i, c in enumerate(columns)]


def fit(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """Column widths summing (with gaps) to at most ``width``. Columns give way in ``keep`` order, prose
    before tokens, down to their ``min_width``; only if that is still too wide do they go below it."""
    natural = _natural(columns, rows)
    widths = list(natural)
    budget = width - len(GAP) * (len(columns) - 1)
    for floor_of in (lambda j: natural[j] if columns[j].whole else min(natural[j], columns[j].min_width),
                     lambda j: min(natural[j], columns[j].min_width), lambda j: min(natural[j], 3)):
        while sum(widths) > budget:
            room = [j for j in range(len(widths)) if widths[j] > floor_of(j)]
            if not room:
                break
            i = min(room, key=lambda j: (columns[j].keep, columns[j].tokens, -(widths[j] - floor_of(j))))
            widths[i] -= 1
    return widths


def _layout(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> tuple[list[int], list[int]]:
    """(indexes of the columns in the table, indexes moved to detail lines): columns marked ``detail``
    leave the table, least kept first, while the table's natural width exceeds ``width``."""
    natural = _natural(columns, rows)
    inside = list(range(len(columns)))
    moved: list[int] = []
    movable = sorted((i for i, c in enumerate(columns) if c.detail), key=lambda i: (columns[i].keep, -natural[i]))
    for i in movable:
        if sum(natural[j] for j in inside) + len(GAP) * (len(inside) - 1) <= width:
            break
        inside.remove(i)
        moved.append(i)
    return inside, sorted(moved)


def _detail_lines(header: str, value: str, width: int, tokens: bool = True) -> list[str]:
    """'    header: a, b, c' wrapped between values (a value is never split; one too long is shortened);
    prose (``tokens`` False) wraps at spaces."""
    values = [x for x in _cell_lines(value) if x and x != "-"]
    if not values:
        return []
    indent = " " * 4
    if not tokens:
        words = " ".join(middle(w, width - 12) for w in " ".join(values).split(" "))
        return textwrap.wrap(f"{header}: {words}", width, initial_indent=indent, subsequent_indent=indent * 2,
                             break_long_words=False, break_on_hyphens=False)
    lines: list[str] = []
    current = f"{indent}{header}: "
    for k, v in enumerate(values):
        piece = v + ("," if k < len(values) - 1 else "")
        if len(current) + len(piece) > width and current.strip() != f"{header}:":
            lines.append(current.rstrip())
            current = indent * 2
        current += middle(piece, width - len(current)) + " "
    lines.append(current.rstrip())
    return lines


def render(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, width: int | None = None,
           plain: bool = False, color: bool = False, styles: Sequence[Sequence[str]] | None = None) -> str:
    """The table as text: fitted to ``width`` (at least 80), or one record per line when ``plain``."""
    if plain:
        head = "#" + "\t".join(c.header for c in columns)
        body = ["\t".join(", ".join(x for x in _cell_lines(v) if x).replace("\t", " ") for v in r) for r in rows]
        return "\n".join([head, *body]) + "\n"
    width = max(MIN_WIDTH, width or MIN_WIDTH)
    inside, moved = _layout(columns, rows, width)
    cols = [columns[i] for i in inside]
    table_rows = [[r[i] for i in inside] for r in rows]
    widths = fit(cols, table_rows, width)
    out = [GAP.join(_pad(middle(c.header, w), w, c.right) for c, w in zip(cols, widths, strict=True)).rstrip(),
           GAP.join("─" * w for w in widths)]
    for n, r in enumerate(table_rows):
        cells = []
        for c, w, value in zip(cols, widths, r, strict=True):
            lines = _cell_lines(value)
            cells.append([middle(x, w) for x in lines] if c.tokens else [y for x in lines for y in _wrap(x, w)])
        height = max(len(x) for x in cells)
        for k in range(height):
            parts = []
            for j, (c, w) in enumerate(zip(cols, widths, strict=True)):
                text = cells[j][k] if k < len(cells[j]) else ""
                padded = _pad(text, w, c.right)
                style = styles[n][inside[j]] if styles and color and k == 0 else ""
                parts.append(f"{_STYLES[style]}{padded}{_RESET}" if style in _STYLES else padded)
            out.append(GAP.join(parts).rstrip())
        for i in moved:
            out.extend(_detail_lines(columns[i].header, rows[n][i], width, columns[i].tokens))
    return "\n".join(out) + "\n"


def _pad(text: str, width: int, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


@dataclass(frozen=True)
class Terminal:
    """Where a table goes: a terminal of some width (fitted, coloured) or a pipe (plain records)."""

    is_tty: bool
    width: int
    color: bool

    @classmethod
    def of(cls, stream: TextIO | None = None) -> Terminal:
        stream = stream or sys.stdout
        tty = bool(getattr(stream, "isatty", lambda: False)())
        width = shutil.get_terminal_size((MIN_WIDTH, 24)).columns if tty else MIN_WIDTH
        color = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        return cls(tty, max(MIN_WIDTH, width), color)

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, title: str = "",
              styles: Sequence[Sequence[str]] | None = None) -> str:
        if not self.is_tty:
            return render(columns, rows, plain=True)
        text = render(columns, rows, width=self.width, color=self.color, styles=styles)
        return self.line(title) + text if title else text

    def line(self, text: str) -> str:
        """A sentence wrapped at spaces to the terminal's width (cleaned), with its newline."""
        return textwrap.fill(clean(text), self.width, break_long_words=False, break_on_hyphens=False) + "\n"
