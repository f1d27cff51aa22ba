"""Backslash continuations, as pip requirements and Apache httpd read them: one reader for both."""

from __future__ import annotations

from pqscan.collect.lines import continued_lines


def test_a_backslash_continues_the_line_and_the_logical_line_keeps_its_first_number() -> None:
    text = "a\nb\\\n c\\\nd  \n\ne\t\n"
    assert list(continued_lines(text)) == [(1, "a"), (2, "b  c d"), (5, ""), (6, "e")]


def test_a_continuation_open_at_the_end_of_the_text_is_dropped() -> None:
    assert list(continued_lines("x\ny \\")) == [(1, "x")]
    assert list(continued_lines("")) == []
