"""The prefilters that decide, before parsing, whether a file can hold a finding."""

from __future__ import annotations

import re

import pytest

from pqscan.collect.code import scan_source
from pqscan.collect.code.rules import LANGUAGES, _anchors, _has_word, ruleset


def _naive(words: tuple[str, ...], text: str) -> bool:
    return any(re.search(rf"(?<![^\W]){re.escape(w)}(?![^\W])", text) for w in words)


@pytest.mark.parametrize("language", LANGUAGES)
def test_anchors_cover_every_trigger_and_call_word(language: str) -> None:
    rules = ruleset(language)
    for words in (rules.trigger_words, rules.call_words):
        covered = {w for _, holders in _anchors(words) for w, _ in holders}
        assert covered == set(words)


@pytest.mark.parametrize("text", [
    "MessageDigest md;", "xMessageDigest md;", "MessageDigestX", "SHA1DigestSHA1Digest", "a.SHA1Digest(",
    "MD5Digest", "Digest", "KEMx KEM", "DigestDigestUtils", "ééSignature", "_Mac Mac_", "Mac", "",
])
def test_anchored_search_says_what_a_search_for_each_word_says(text: str) -> None:
    words = ruleset("java").trigger_words
    assert _has_word(words, text) is _naive(words, text)


def test_anchored_search_agrees_on_every_language_call_word_in_context() -> None:
    for language in LANGUAGES:
        words = ruleset(language).call_words
        for w in words:
            for text in (f"x.{w}(1)", f"{w}_x", f"a{w}", f"{w}", f"({w}9"):
                assert _has_word(words, text) is _naive(words, text), (language, text)


def test_java_file_naming_a_crypto_class_but_no_rule_call_is_not_parsed() -> None:
    code = "class A { /** uses Cipher elsewhere */ int size(Object cipherSpec) { return 1; } }"
    result = scan_source(code, "A.java", "java")
    assert result.assets[0].attributes["parsed"] is False and not result.findings


def test_java_file_calling_a_rule_api_is_parsed_and_reported() -> None:
    code = 'class A { void f() throws Exception { Cipher c = Cipher.getInstance("DES"); } }'
    result = scan_source(code, "A.java", "java")
    assert "parsed" not in result.assets[0].attributes and [f.algorithm for f in result.findings] == ["DES"]
