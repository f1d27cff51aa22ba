"""Physical lines joined into logical ones, for the file formats that continue a line with a backslash
(pip requirements, Apache httpd configuration)."""

from __future__ import annotations

from collections.abc import Iterator


def continued_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(number of its first line, logical line)`` for each logical line of ``text``.

    A line ending in a backslash goes on in the next one (the backslash becomes a space); trailing white
    space of every physical line is dropped. A continuation still open at the end of the text is dropped.
    """
    pending, start = "", 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = lineno
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        yield start, pending + stripped
        pending = ""
