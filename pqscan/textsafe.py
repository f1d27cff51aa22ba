"""Text that came from a target, made safe to show: invisible control characters become visible escapes.

A certificate subject, an SSH banner line, a key comment or a file name can carry terminal escape
sequences (``ESC [2J`` clears the screen, ``ESC ]0;`` retitles the window, ``ESC ]8;`` plants a
link), carriage returns that overwrite what a line showed, or Unicode bidi overrides that make text
read in another order than it is stored (CVE-2021-42574, "Trojan Source"). :func:`clean` replaces
each such character with a visible escape (``\\x1b``, ``\\u202e``) so the text still says what it
held but cannot act on the terminal or the reader. Escaping for a format (HTML, Markdown, rich
markup) is a separate step each renderer still does.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the Unicode
# format characters that reorder or hide text: bidi embeddings/overrides/isolates (Unicode UAX #9),
# LRM/RLM/ALM, zero-width joiners and spaces, line/paragraph separators, BOM.
_UNSAFE_CODEPOINTS = (
    [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
     *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029, 0xFEFF]
)


def _escape(cp: int) -> str:
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


_TABLE = {cp: _escape(cp) for cp in _UNSAFE_CODEPOINTS}
_TABLE_KEEP_NEWLINES = {cp: v for cp, v in _TABLE.items() if cp != 0x0A}
_UNSAFE_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _UNSAFE_CODEPOINTS) + "]")


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control or bidi/format character replaced by a visible ``\\xNN``/``\\uNNNN``."""
    if text.isascii() and text.isprintable():  # the common case, decided in C: nothing to replace
        return text
    return text.translate(_TABLE_KEEP_NEWLINES if keep_newlines else _TABLE)


# DEL, C1 and the bidi/format characters as JSON ``\uXXXX`` escapes: lossless for JSON (a parser reads the
# same string back), inert on a terminal. C0 controls are left alone: JSON already escapes them inside
# strings, and the terminal tables' own colours are ESC sequences.
_OUTPUT_TABLE = {cp: f"\\u{cp:04x}" for cp in _UNSAFE_CODEPOINTS if cp >= 0x7F}
_OUTPUT_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _OUTPUT_TABLE) + "]")


def safe_output(text: str) -> str:
    """Rendered output (any format) with DEL, C1 and bidi/format characters as ``\\uXXXX``: the last guard
    before stdout or a file, for formats that do not clean each field (JSON, SARIF, CBOM)."""
    if (text.isascii() and "\x7f" not in text) or _OUTPUT_RE.search(text) is None:  # the common case, in C
        return text
    return text.translate(_OUTPUT_TABLE)


def is_clean(text: str) -> bool:
    """True when ``text`` holds no character :func:`clean` would replace."""
    return _UNSAFE_RE.search(text) is None


def clean_rfc4514(text: str) -> str:
    """An RFC 4514 string with unsafe characters as ``\\XX`` UTF-8 hex pairs (RFC 4514 §2.4 allows it)."""
    if is_clean(text):
        return text
    return _UNSAFE_RE.sub(lambda m: "".join(f"\\{b:02X}" for b in m.group(0).encode("utf-8")), text)
