"""The scanner's fast pattern forms find exactly what the plain patterns they replace find.

Each fast form (a pattern led by a literal, a word boundary checked in Python, a search from where a match can
start) is compared with the plain pattern, written out here, on tricky text and on the fixture corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pqscan.collect.code import lexical, oids, wrappers

CORPUS = Path(__file__).resolve().parents[1] / "data" / "code_corpus"
_C_COMMENT = r"//[^\n]*|/\*[\s\S]*?\*/"
_DQ, _SQ = lexical._DQ, lexical._SQ
# the string/comment lexers as written before: comments and strings in named groups
PLAIN_LEXERS = {
    "python": re.compile(r"(?P<c>#[^\n]*)|(?P<s>\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|" + _DQ + "|" + _SQ + ")"),
    "javascript": re.compile(rf"(?P<c>{_C_COMMENT})|(?P<s>{_DQ}|{_SQ}|`[^`]*`)"),
    "go": re.compile(rf"(?P<c>{_C_COMMENT})|(?P<s>{_DQ}|`[^`]*`|'(?:[^'\\\n]|\\.)+')"),
    "csharp": re.compile(rf"(?P<c>{_C_COMMENT})|(?P<s>@\"(?:[^\"]|\"\")*\"|\$?{_DQ}|'(?:[^'\\\n]|\\.)+')"),
    "rust": re.compile(rf"(?P<c>{_C_COMMENT})|(?P<s>r(?P<h>#*)\"[\s\S]*?\"(?P=h)|b?{_DQ}|b?'(?:[^'\\\n]|\\.)')"),
    "java": re.compile(rf"(?P<c>{_C_COMMENT})|(?P<s>\"\"\"[\s\S]*?\"\"\"|{_DQ}|'(?:[^'\\\n]|\\.)+')"),
    "c": re.compile(rf"(?P<c>{_C_COMMENT})|(?P<s>{_DQ}|'(?:[^'\\\n]|\\.)+')"),
}
TRICKY = [
    'x = "a // b" // c "d"\n/* "e" */ \'f\' `g // h` r#"i"# b"j" @"k""l" $"m" b\'n\' \'\\\'\' """o\n"""',
    "# not 'closed\nkey = 'RSA' # \"x\"\n'''doc \"q\" '''",
    'a$b b $c xa$b _x x_ é1 éx xé key.key mykey key(key) "key" $',
    "void f(); oid(1, 2, 840, 113549) oıd(1, 2, 3, 4) OİD (1,3,101,112) xobjectidentifier(1, 3, 101, 112, 1)",
]


def _texts() -> list[tuple[str, str]]:
    out = [(t, lang) for t in TRICKY for lang in PLAIN_LEXERS]
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.parent.name in PLAIN_LEXERS:
            out.append((path.read_text(encoding="utf-8", errors="replace"), path.parent.name))
    return out


@pytest.mark.parametrize("language", sorted(PLAIN_LEXERS))
def test_lexer_finds_the_strings_and_comments_the_grouped_pattern_finds(language: str) -> None:
    for text, lang in _texts():
        if lang != language:
            continue
        plain = [(m.start(), m.end(), m.group("c") is not None) for m in PLAIN_LEXERS[language].finditer(text)]
        fast = [(m.start(), m.end(), text[m.start()] in lexical._COMMENT_START)
                for m in lexical._LEXERS[language].finditer(text)]
        assert fast == plain


@pytest.mark.parametrize("names", [["key"], ["a$b", "b", "$c"], ["x_", "_x", "éx"], ["ab", "abc", "b"]])
def test_whole_word_matches_are_those_of_a_word_boundary_pattern(names: list[str]) -> None:
    plain = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    fast = lexical.names_pattern(names)
    for text, _ in _texts():
        assert [m.span() for m in lexical.word_matches(fast, text)] == [m.span() for m in plain.finditer(text)]


def test_oid_arcs_found_from_their_possible_starts_are_those_of_the_pattern() -> None:
    for text, _ in _texts():
        assert [m.span() for m in oids._arcs(text)] == [m.span() for m in oids._ARCS.finditer(text)]


def test_definitions_found_newline_to_newline_are_those_of_the_line_anchored_pattern() -> None:
    for language, fast in wrappers._DEF.items():
        plain = re.compile("^" + fast.pattern.removeprefix(r"\n"), re.M)  # the pattern as written before
        for text, _ in _texts():
            assert [(m.start(), m.groups()) for m in fast.finditer("\n" + text)] == \
                [(m.start(), m.groups()) for m in plain.finditer(text)], language


@pytest.mark.parametrize("language", sorted(lexical._LINE_LED))
def test_imports_found_newline_to_newline_are_those_of_the_line_anchored_pattern(language: str) -> None:
    fast = lexical._IMPORT_RES[language]
    plain = re.compile("^" + fast.pattern.removeprefix(r"\n"), re.M)  # the pattern as written before
    for text, _ in _texts():
        assert [(m.start(), m.groups()) for m in fast.finditer("\n" + text)] == \
            [(m.start(), m.groups()) for m in plain.finditer(text)]


def test_function_starts_found_newline_to_newline_are_those_of_the_line_anchored_pattern() -> None:
    fast = lexical._FUNC_START
    plain = re.compile("|".join("^" + alt.removeprefix(r"\n") for alt in fast.pattern.split(r"|\n")), re.M)
    assert plain.pattern.startswith("^") and plain.pattern.count("|^") == 1  # both alternatives at a line start
    for text, _ in _texts():
        assert [m.start() for m in fast.finditer("\n" + text)] == [m.start() for m in plain.finditer(text)]
        newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        for start in newlines[::7]:  # a search from the end of a line, as receiver() does: offset + 1 in "\n" + text
            end = min(len(text), start + 400)
            assert bool(fast.search("\n" + text, start + 1, end + 1)) == bool(plain.search(text, start, end))


def test_javascript_imports_found_apart_are_those_of_the_one_pattern() -> None:
    plain = re.compile(r"(?:require\(\s*['\"]([^'\"]+)['\"]\s*\)|from\s+['\"]([^'\"]+)['\"]|"
                       r"^[ \t]*import\s+['\"]([^'\"]+)['\"])", re.M)  # as written before
    tricky = "import 'a'\nconst x = require( 'b' ) ; import c from \"c\"\n  import\n'd'\nx.require('e')from'f'\nimport 'g'"
    for text in [tricky, *(t for t, lang in _texts() if lang == "javascript")]:
        assert list(lexical._js_imports(text, "\n" + text)) == \
            [(m.start(), m.end(), m.group(1) or m.group(2) or m.group(3)) for m in plain.finditer(text)]


def test_operation_hints_found_word_by_word_are_those_of_the_alternation() -> None:
    from pqscan.collect.code import scanner

    plain = re.compile(r"(?:sign|verify|encrypt|decrypt)\s*\(|Key\s*\(")  # as written before
    for text in ["signKey(x) verify (y) decrypt\n(z) encrypt(sign(a)) getKey (b) designate(", *(t for t, _ in _texts())]:
        assert sorted(h.span() for r in scanner._OPERATION_HINTS for h in r.finditer(text)) == \
            [m.span() for m in plain.finditer(text)]
