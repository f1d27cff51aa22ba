"""Object identifiers written as numbers rather than as a dotted string (shared/reference/code-findings.md, 2: OIDs).

Code that builds ASN.1 by hand writes an algorithm's OID in one of three shapes, none of them a literal
``"1.2.840.113549.1.1.1"``:

* its arcs as the arguments of an OID constructor or macro: ``oid!(1, 2, 840, 113_549, 1, 1, 1)``,
  ``new ObjectIdentifier(1, 3, 101, 112)``;
* its DER content octets as an integer array: ``[42, 134, 72, 206, 61, 2, 1]``, ``{0x2a, 0x86, 0x48, ...}``;
* its DER encoding (tag 06, length, content) as escaped bytes in a string: ``b"\\x06\\x07\\x2a\\x86\\x48..."``.

Each is decoded to the dotted form and looked up in the catalogue like a literal OID; only algorithms of
a scored family are reported. Comments are skipped (a line whose code before the match opens a comment).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ARCS = re.compile(r"(?i)oid\w*!?\s*[(\[{]\s*(\d[\d_]*(?:\s*,\s*\d[\d_]*){3,15})\s*,?\s*[)\]}]|"
                   r"ObjectIdentifier\s*\(\s*(\d[\d_]*(?:\s*,\s*\d[\d_]*){3,15})\s*\)")
# where _ARCS can start ("oid" or "obj" in any case, as (?i) reads them: İ and ı are an i): a literal-led search, then
# _ARCS at each (a case-insensitive pattern is tried at every offset, and "void" is in most C-like files)
_ARCS_START = re.compile("[oO](?:[iI\u0130\u0131][dD]|[bB][jJ])")
_BYTE = r"(?:0[xX][0-9a-fA-F]{1,2}|\d{1,3})"
_INT_ARRAY = re.compile(r"[\[{]\s*((?:42|43|0[xX]2[abAB])(?:\s*,\s*" + _BYTE + r"){2,30})\s*,?\s*[\]}]")
_ESCAPED = re.compile(r"\\x06\\x([0-9a-fA-F]{2})((?:\\x[0-9a-fA-F]{2}){1,40})")
_COMMENT_OPEN = re.compile(r"//|/\*|^\s*\*|^\s*#(?!\s*define)|--")
EC_KEY_ARCS = ("1.2.840.10045.2.", "1.2.840.10045.3.", "1.3.132.0.")  # id-ecPublicKey and named curves


def _der_content(octets: list[int]) -> str | None:
    """The dotted form of DER OID content octets, or None when they are not a well-formed OID."""
    if not octets or octets[0] >= 128 or octets[-1] >= 128:
        return None
    first = octets[0]
    arcs = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for o in octets[1:]:
        value = (value << 7) | (o & 0x7F)
        if not o & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(map(str, arcs))


def _in_comment(text: str, p: int) -> bool:
    line_start = text.rfind("\n", 0, p) + 1
    return bool(_COMMENT_OPEN.search(text, line_start, p))


def _arcs(text: str) -> Iterator[re.Match[str]]:
    """``_ARCS.finditer(text)``, from the places where it can start."""
    pos = 0
    while (start := _ARCS_START.search(text, pos)) is not None:
        m = _ARCS.match(text, start.start())
        if m is None:
            pos = start.start() + 1
        else:
            yield m
            pos = m.end()


def numeric_oids(text: str, language: str = "") -> Iterator[tuple[int, str, str]]:
    """(offset, dotted OID, the code as written) of every OID written as numbers in ``text``. Python writes DER as
    a bytes literal (and arcs as a dotted string or a tuple), so only escaped bytes are looked for there."""
    if language != "python":
        if "oid" in text or "OID" in text or "Oid" in text or "ObjectIdentifier" in text:
            for m in _arcs(text):
                arcs = m.group(1) or m.group(2)
                if not _in_comment(text, m.start()):
                    yield m.start(), ".".join(str(int(a.strip().replace("_", ""))) for a in arcs.split(",")), m.group(0)
        for m in _INT_ARRAY.finditer(text):
            octets = [int(b, 0) if not b.startswith("0") or b.lower().startswith("0x") else int(b)
                      for b in (x.strip() for x in m.group(1).split(","))]
            dotted = _der_content(octets) if all(o < 256 for o in octets) and len(octets) >= 3 else None
            if dotted and not _in_comment(text, m.start()):
                yield m.start(), dotted, m.group(0)
    if "\\x06" in text:
        for m in _ESCAPED.finditer(text):
            n = int(m.group(1), 16)
            octets = [int(h, 16) for h in m.group(2).split("\\x")[1:]]
            if 3 <= n <= len(octets):
                dotted = _der_content(octets[:n])
                if dotted:
                    yield m.start(), dotted, m.group(0)
