"""Calls of a file's own small wrapper functions: the algorithm inside counts where the wrapper is used.

code-findings.md: "A name passed through a constant, a default argument or a one-line wrapper
function still counts at the place where the name is written and where it is used." A function
defined in the file whose body (at most :data:`MAX_BODY_LINES` lines) holds findings of exactly one
family makes each call of it, elsewhere in the file, a finding of that family (low confidence,
``via_wrapper``); a longer function, or one of several families, is not a wrapper. A function whose own
name names a family its body uses (``_sha1`` around ``forge.md.sha1.create()``, ``aeskwWrap`` around
``subtle.wrapKey(..., "AES-KW")``) wraps that family even when its body is longer (up to
:data:`MAX_NAMED_BODY_LINES`) or uses others as well. Bodies are found by indentation (Python) or by braces.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pqscan.collect.code.families import families_of, finding_families
from pqscan.collect.code.lexical import words_of
from pqscan.model import Finding

MAX_BODY_LINES = 6
MAX_NAMED_BODY_LINES = 40
# A definition starts a line. Each pattern is written as "\n" + the line and run over "\n" + the text: the regex engine
# jumps from newline to newline instead of trying every offset (a pattern led by ^ is tried at each), and a match's
# start is the offset of its line in the text.
_DEF = {
    "python": re.compile(r"\n([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\("),
    "javascript": re.compile(r"\n([ \t]*)(?:export[ \t]+)?(?:async[ \t]+)?function\*?[ \t]+(\w+)[ \t]*\("),
    "go": re.compile(r"\n()func[ \t]+(?:\([^)]*\)[ \t]*)?(\w+)[ \t]*\("),
    "rust": re.compile(r"\n([ \t]*)(?:pub(?:\([^)]*\))?[ \t]+)?(?:async[ \t]+)?fn[ \t]+(\w+)[ \t]*[(<]"),
    "c": re.compile(r"\n()(?:static[ \t]+)?(?:inline[ \t]+)?(?:const[ \t]+)?\w+[ \t*]+(\w+)[ \t]*\([^;{]*\)[ \t]*\n?\{"),
    "java": re.compile(r"\n([ \t]*)(?:(?:public|private|protected|static|final|synchronized)[ \t]+)+[\w<>\[\], ]+?[ \t]+"
                       r"(\w+)[ \t]*\("),
    "csharp": re.compile(r"\n([ \t]*)(?:(?:public|private|protected|internal|static|override|virtual|async)[ \t]+)+"
                         r"[\w<>\[\], ?]+?[ \t]+(\w+)[ \t]*\("),
}
_NEWLINE = re.compile("\n")
_BRACES = re.compile("[{}]")
_NOT_WRAPPED = frozenset({"main", "init", "__init__", "new", "test", "setUp", "run", "get", "set", "toString",
                          "equals", "hashCode", "String", "Dispose"})


@dataclass(frozen=True)
class Wrapper:
    name: str
    first: int  # 1-based lines of the definition and body
    last: int
    findings: tuple[Finding, ...]


def _body_end(lines: list[str], start: int, indent: str, python: bool, limit: int = MAX_BODY_LINES) -> int:
    """Last line (0-based) of the function that starts at ``start`` (past ``start + limit``: too long)."""
    if python:
        for i in range(start + 1, min(len(lines), start + limit + 2)):
            text = lines[i]
            if text.strip() and (len(text) - len(text.lstrip())) <= len(indent):
                return i - 1
        return min(len(lines) - 1, start + limit + 1)
    depth = 0
    opened = False
    for i in range(start, min(len(lines), start + limit + 2)):
        for ch in _BRACES.findall(lines[i]):
            if ch == "{":
                depth += 1
                opened = True
            elif ch == "}":
                depth -= 1
                if opened and depth == 0:
                    return i
    return start + limit + 2  # too long: not a wrapper


def wrapper_findings(text: str, language: str, findings: list[Finding], lines: list[str] | None = None,
                     ) -> list[tuple[int, int, str, Finding]]:
    """(line, column, wrapper name, the body's finding) for every call of a small wrapper (``lines``: the
    text's ``splitlines()``, when the caller has them)."""
    regex = _DEF.get("javascript" if language in ("typescript", "tsx") else language)
    if regex is None or not findings:
        return []
    lines = text.splitlines() if lines is None else lines
    by_line: dict[int, list[Finding]] = {}
    for f in findings:
        if f.algorithm != "unknown" and "via_wrapper" not in f.parameters:
            by_line.setdefault(f.evidence.line or 0, []).append(f)
    if not by_line:
        return []
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    finding_lines = sorted(by_line)
    wrappers: list[Wrapper] = []
    for m in regex.finditer("\n" + text):
        name = m.group(2)
        if name in _NOT_WRAPPED or len(name) < 3:
            continue
        start = bisect_left(newlines, m.start())  # 0-based line of the definition
        i = bisect_right(finding_lines, start)  # the first finding after the definition's line
        if i == len(finding_lines) or finding_lines[i] > start + MAX_NAMED_BODY_LINES + 2:
            continue  # no finding in reach of any body
        named = frozenset(fam for w in words_of(name) for fam in families_of(w))
        end = _body_end(lines, start, m.group(1), language == "python", MAX_NAMED_BODY_LINES if named else MAX_BODY_LINES)
        if end - start > (MAX_NAMED_BODY_LINES if named else MAX_BODY_LINES):
            continue
        inside = tuple(f for line in range(start + 1, end + 2) for f in by_line.get(line, ()))
        families = {fam for f in inside for fam in finding_families(f.algorithm, f.parameters)}
        if inside and len(families) == 1 and end - start <= MAX_BODY_LINES:
            wrappers.append(Wrapper(name, start + 1, end + 1, inside))
        elif named & families:  # the name says which of the body's families the function is about
            wrappers.append(Wrapper(name, start + 1, end + 1, tuple(
                f for f in inside if finding_families(f.algorithm, f.parameters) & named)))
    if not wrappers:
        return []
    out = []
    # a name led pattern (the engine skips to the names' first characters); a match after a word character, "$" or
    # "." is another name (x.sign(), mysign()): no call of a wrapper can start inside it
    call = re.compile("(" + "|".join(re.escape(w.name) for w in wrappers) + r")[ \t]*\(")
    by_name = {w.name: w for w in wrappers}
    for m in call.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_$."):
            continue
        number = bisect_left(newlines, m.start()) + 1
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start:m.start()]
        w = by_name[m.group(1)]
        if before.lstrip().startswith(("//", "#", "*", "/*")) or w.first <= number <= w.last or \
                re.search(r"\b(?:def|function|func|fn)\s+$", before):
            continue
        for f in w.findings:
            out.append((number, m.start() - line_start + 1, w.name, f))
    return out
