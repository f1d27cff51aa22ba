"""Catalogue facts other code depends on, checked across whole tables (not entry by entry)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pqscan import algorithms
from pqscan.algorithms import IdKind, classical_bits, get, lookup
from pqscan.assess.profiles import Category, ComplianceStatus, load_profile
from pqscan.errors import ProfileError

_SUITE_NAME = re.compile(r"^TLS_(?P<kx>.+?)_WITH_")


def _tls12_suites() -> list[algorithms.CipherSuite]:
    return [s for s in algorithms.catalogue().suites.values() if s.protocol != "TLS1.3"]


def test_every_tls_rsa_suite_is_rsa_key_transport_without_forward_secrecy() -> None:
    rsa = [s for s in _tls12_suites() if _SUITE_NAME.match(s.name) and _SUITE_NAME.match(s.name)["kx"] == "RSA"]
    assert len(rsa) >= 10
    assert {(s.key_exchange, s.forward_secret) for s in rsa} == {("RSAES-PKCS1", False)}


def test_every_ephemeral_dh_suite_is_forward_secret_and_every_static_dh_suite_is_not() -> None:
    for s in _tls12_suites():
        m = _SUITE_NAME.match(s.name)
        assert m is not None, s.name
        kx = m["kx"]
        if kx.startswith(("DHE_", "ECDHE_")):
            assert s.forward_secret, s.name
        elif kx.startswith(("DH_", "ECDH_")) and "anon" not in kx:
            assert not s.forward_secret, s.name


@pytest.mark.parametrize(("key_bits", "strength"), [(224, 112), (256, 128), (384, 192), (521, 256)])
def test_ecdsa_key_bits_give_the_sp_800_57_strength(key_bits: int, strength: int) -> None:
    assert classical_bits(get("ECDSA-SHA256"), {"key_bits": key_bits}) == strength


def test_a_named_curve_decides_before_key_bits() -> None:
    assert classical_bits(get("ECDSA"), {"curve": "P-384", "key_bits": 256}) == 192


def test_webauthn_security_key_host_key_name_is_ecdsa_p256() -> None:
    assert lookup(IdKind.SSH_HOST_KEY, "webauthn-sk-ecdsa-sha2-nistp256@openssh.com").id == "ECDSA-P256"


def test_a_profile_rule_may_say_unknown_when_a_fact_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[profile]\nid = "mine"\nname = "Mine"\nsources = ["x"]\n'
                    '[symmetric]\ndefault = "disallowed"\n'
                    '[[symmetric.rule]]\nfamilies = ["AES"]\nstatus = "unknown"\nnote = "key size?"\n')
    _, rule = load_profile(str(path)).evaluate(Category.SYMMETRIC, get("AES"))
    assert rule is not None and rule.status is ComplianceStatus.UNKNOWN


def test_a_profile_rule_status_must_still_be_a_known_word(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[profile]\nid = "bad"\nname = "Bad"\nsources = ["x"]\n'
                    '[symmetric]\n[[symmetric.rule]]\nstatus = "maybe"\n')
    with pytest.raises(ProfileError, match=r"symmetric.rule\[1\].status"):
        load_profile(str(path))
