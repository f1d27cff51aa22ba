"""The shipped detection rules are well-formed data, and name algorithms the catalogue knows."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from pqscan.algorithms import get
from pqscan.collect.code import names
from pqscan.collect.code.rules import LANGUAGES, ruleset

# Identifiers the code scanner emits that the catalogue does not hold yet (protocol versions are
# not algorithms in the catalogue). Kept explicit so a new gap fails the test below.
KNOWN_CATALOGUE_GAPS = {"TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3", "SSL2.0", "SSL3.0", "ECIES", "HMAC", "SM3", "SM4",
                        "Salsa20", "Camellia", "unknown"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_rule_file_loads_with_unique_ids(language: str) -> None:
    rules = ruleset(language)
    assert rules.rules
    targets = {r.id for r in rules.rules}
    for mod in rules.modifiers:
        assert set(mod.targets) <= targets, mod.id


def _emitted_ids() -> set[str]:
    t = names.tables()
    ids = {v for ns, m in t.plain.items() if ns not in ("curve", "mode") for v in m.values()}
    ids |= {v["algorithm"] for m in t.rich.values() for v in m.values() if "algorithm" in v}
    ids |= {v for m in t.curve_algorithm.values() for v in m.values()}
    ids |= {a for _, a in t.cipher_patterns}
    for language in LANGUAGES:
        raw = resources.files("pqscan").joinpath(f"data/code_rules/{language}.toml").read_text(encoding="utf-8")
        ids |= {r["algorithm"] for r in tomllib.loads(raw).get("rule", []) if "algorithm" in r}
    return ids


def test_every_emitted_algorithm_is_in_the_catalogue_or_a_listed_gap() -> None:
    missing = {i for i in _emitted_ids() if get(i).is_unknown}
    assert missing <= KNOWN_CATALOGUE_GAPS, sorted(missing - KNOWN_CATALOGUE_GAPS)


@pytest.mark.parametrize("text,expected", [
    ("SHA256withECDSA", (None, "ECDSA", "SHA-256")),
    ("SHA1withRSA", ("RSA", None, "SHA-1")),
    ("RSA-SHA256", ("RSA", None, "SHA-256")),
    ("Ed25519", ("Ed25519", None, None)),
])
def test_jca_signature_names_are_split_into_algorithm_and_hash(text: str, expected: tuple) -> None:  # type: ignore[type-arg]
    hit = names.signature(text)
    assert hit is not None
    assert (hit.algorithm, hit.family, hit.params.get("hash")) == expected


@pytest.mark.parametrize("text,algorithm,params", [
    ("aes-256-gcm", "AES", {"key_bits": 256, "mode": "GCM"}),
    ("des-ede3-cbc", "3DES", {"mode": "CBC"}),
    ("des-cbc", "DES", {"mode": "CBC"}),
    ("EVP_des_ede3_cbc", "3DES", {"mode": "CBC"}),
    ("rc4", "RC4", {}),
    ("DESede", "3DES", {}),
    ("TripleDES", "3DES", {}),
])
def test_cipher_strings_are_read_with_size_and_mode(text: str, algorithm: str, params: dict) -> None:  # type: ignore[type-arg]
    hit = names.cipher(text)
    assert hit is not None and (hit.algorithm, dict(hit.params)) == (algorithm, params)


@pytest.mark.parametrize("text", ["description", "nodes", "address", "desktop", "rsaHeader", "md5sum.txt"])
def test_look_alike_words_are_not_algorithm_names(text: str) -> None:
    assert names.cipher(text) is None and names.hash_name(text) is None and names.rich("keytype", text) is None
