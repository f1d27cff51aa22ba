"""Target text made safe to show: control and bidi characters become visible escapes."""

from __future__ import annotations

import pytest

from pqscan.textsafe import clean, clean_rfc4514, is_clean


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[2J", "\\x1b[2J"),  # clear screen
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),  # window title, bell
    ("ok\rfake", "ok\\x0dfake"),  # carriage return overwrites the line
    ("a\x9b31m", "a\\x9b31m"),  # C1 CSI
    ("abc\u202eevil\u202c", "abc\\u202eevil\\u202c"),  # bidi override (Trojan Source)
    ("one\ntwo", "one\\x0atwo"),
])
def test_control_and_bidi_characters_become_visible_escapes(raw, shown):
    assert clean(raw) == shown


def test_ordinary_unicode_and_markup_are_left_for_each_renderer_to_escape():
    text = "Zürich 東京 <b> [bold] `x` | é"
    assert clean(text) == text and is_clean(text)


def test_newlines_can_be_kept_for_multi_line_snippets():
    assert clean("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


def test_rfc4514_strings_get_hex_pairs_for_unsafe_characters():
    assert clean_rfc4514("CN=a\x1bb,O=\u202e") == "CN=a\\1Bb,O=\\E2\\80\\AE"
